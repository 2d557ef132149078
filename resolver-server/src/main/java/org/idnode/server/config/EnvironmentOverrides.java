package org.idnode.server.config;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Environment variables that override configuration keys, for containers. Every key has one: {@code IDNODE_}, then
 * the key's dotted path upper-cased with {@code .} and {@code -} turned into {@code _}
 * ({@code listen.handle-port} → {@code IDNODE_LISTEN_HANDLE_PORT}); a list is written comma-separated
 * ({@code IDNODE_NODE_PREFIXES=88.999,88.998}); an empty value removes the key, so its default applies. The
 * variables are applied to the parsed YAML tree before it is validated, so their values are checked exactly like
 * the file's. An {@code IDNODE_} variable that names no key but starts like the keys of a section
 * ({@code IDNODE_LISTEN_HANDLE_PROT}) is refused as a typo; other {@code IDNODE_} variables are left alone.
 *
 * <p>Stateless and thread-safe.
 */
final class EnvironmentOverrides {
    static final String PREFIX = "IDNODE_";

    private EnvironmentOverrides() {
    }

    /**
     * The tree with the overrides applied, and which variable set which key.
     *
     * @param tree      the parsed file, or a missing node; not modified
     */
    record Applied(JsonNode tree, Map<String, String> variables) {
        /** The variable that set {@code key}, or null when the key did not come from the environment. */
        String variableOf(String key) {
            return variables.get(key);
        }
    }

    /** The variable of a dotted key. */
    static String variableFor(String key) {
        return PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Applies the {@code IDNODE_*} entries of {@code environment} for the keys of {@code schema} to a copy of
     * {@code tree}.
     *
     * @throws ConfigException for an unknown variable inside a section's name space
     * @throws IllegalStateException when two keys map to the same variable (a programming error)
     */
    static Applied apply(JsonNode tree, Map<String, String> environment, ConfigSchema schema) {
        Map<String, String> keyOfVariable = new TreeMap<>();
        for (String key : schema.keys().keySet()) {
            String previous = keyOfVariable.put(variableFor(key), key);
            if (previous != null) {
                throw new IllegalStateException("configuration keys " + previous + " and " + key + " map to the same variable " + variableFor(key));
            }
        }
        checkUnknown(environment, keyOfVariable);
        JsonNode out = tree.isMissingNode() || tree.isNull() ? JsonNodeFactory.instance.objectNode() : tree.deepCopy();
        Map<String, String> variables = new HashMap<>();
        if (!out.isObject()) {
            return new Applied(out, variables); // validation refuses a file that is not a mapping
        }
        for (Map.Entry<String, String> e : keyOfVariable.entrySet()) {
            String value = environment.get(e.getKey());
            if (value == null) {
                continue;
            }
            String key = e.getValue();
            if (set((ObjectNode) out, key.split("\\."), node(value, schema.keys().get(key)))) {
                variables.put(key, e.getKey());
            }
        }
        return new Applied(out, variables);
    }

    /** Refuses {@code IDNODE_<SECTION>_...} variables that name no key of that section. */
    private static void checkUnknown(Map<String, String> environment, Map<String, String> keyOfVariable) {
        TreeSet<String> sectionPrefixes = new TreeSet<>();
        for (String key : keyOfVariable.values()) {
            int dot = key.lastIndexOf('.');
            while (dot > 0) {
                sectionPrefixes.add(variableFor(key.substring(0, dot)) + "_");
                dot = key.lastIndexOf('.', dot - 1);
            }
        }
        for (String variable : new TreeSet<>(environment.keySet())) {
            if (!variable.startsWith(PREFIX) || keyOfVariable.containsKey(variable)) {
                continue;
            }
            String section = sectionPrefixes.stream().filter(variable::startsWith).reduce((a, b) -> b).orElse(null);
            if (section != null) {
                List<String> siblings = keyOfVariable.keySet().stream().filter(v -> v.startsWith(section)).toList();
                throw new ConfigException("environment variable " + variable + ": no such configuration key; the variables of "
                        + section.substring(PREFIX.length(), section.length() - 1).toLowerCase(Locale.ROOT).replace('_', '.')
                        + " are " + siblings);
            }
        }
    }

    /** The YAML node a variable's text stands for; null (remove the key) for an empty value. */
    private static JsonNode node(String value, ConfigSchema.Kind kind) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (value.isEmpty()) {
            return null;
        }
        switch (kind) {
            case INTEGER -> {
                try {
                    return f.numberNode(new BigInteger(value.trim()));
                } catch (NumberFormatException e) {
                    return f.textNode(value);
                }
            }
            case BOOLEAN -> {
                String v = value.trim().toLowerCase(Locale.ROOT);
                return v.equals("true") || v.equals("false") ? f.booleanNode(v.equals("true")) : f.textNode(value);
            }
            case STRING_LIST -> {
                ArrayNode list = f.arrayNode();
                for (String item : value.split(",", -1)) {
                    if (!item.isBlank()) {
                        list.add(item.trim());
                    }
                }
                return list;
            }
            default -> {
                return f.textNode(value);
            }
        }
    }

    /**
     * Sets {@code path} in {@code root} to {@code value} (removes it when null), creating sections as needed;
     * false when a section on the way is not a mapping (validation then names it).
     */
    private static boolean set(ObjectNode root, String[] path, JsonNode value) {
        ObjectNode at = root;
        for (int i = 0; i < path.length - 1; i++) {
            JsonNode next = at.get(path[i]);
            if (next == null || next.isNull()) {
                next = at.putObject(path[i]);
            }
            if (!next.isObject()) {
                return false;
            }
            at = (ObjectNode) next;
        }
        if (value == null) {
            at.remove(path[path.length - 1]);
        } else {
            at.set(path[path.length - 1], value);
        }
        return true;
    }
}
