package org.idnode.registry.federation;

/**
 * What one filing says. Immutable.
 */
public sealed interface FiledFact {
    /** The kind as the REST API and the command line name it: {@code enterprise_prefix}, {@code registration}, ... */
    String kind();

    /** One line for people, e.g. {@code 88.999.1 ENABLED "Example PCB Co." (created)}. */
    String describe();

    /** An enterprise prefix was created or changed state or enterprise name. */
    record EnterprisePrefix(String prefix, String state, String enterprise, boolean created) implements FiledFact {
        @Override
        public String kind() {
            return "enterprise_prefix";
        }

        @Override
        public String describe() {
            return prefix + " " + state + " \"" + enterprise + "\"" + (created ? " (created)" : "");
        }
    }

    /** An identifier was registered, or deleted; {@code template} is empty when it has none. */
    record Registration(String handle, boolean deleted, String template) implements FiledFact {
        @Override
        public String kind() {
            return "registration";
        }

        @Override
        public String describe() {
            return (deleted ? "deleted " : "registered ") + handle + (template.isEmpty() ? "" : " (" + template + ")");
        }

        /** The prefix of the handle, e.g. {@code 88.999.1} of {@code 88.999.1/LOT-1}. */
        public String prefix() {
            int slash = handle.indexOf('/');
            return slash < 0 ? handle : handle.substring(0, slash);
        }
    }

    /** How many identifiers an enterprise prefix registered and deleted since the previous count. */
    record RegistrationCount(String prefix, long registered, long deleted) implements FiledFact {
        @Override
        public String kind() {
            return "registration_count";
        }

        @Override
        public String describe() {
            return prefix + " +" + registered + " registered, -" + deleted + " deleted";
        }
    }

    /** The secondary node's new site info (the {@code HS_SITE} encoding). The array is not copied. */
    record Site(byte[] site) implements FiledFact {
        @Override
        public String kind() {
            return "site";
        }

        @Override
        public String describe() {
            return "site info (" + site.length + " bytes)";
        }
    }
}
