package org.idnode.server.admin;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The lifecycle of an enterprise prefix in the national system: applied → under review → enabled (or
 * rejected); an enabled prefix can be disabled and enabled again; either can be marked for deletion.
 * Only an enabled prefix accepts registrations; the others keep their identifiers resolvable.
 */
public enum PrefixState {
    APPLIED, UNDER_REVIEW, ENABLED, DISABLED, PENDING_DELETE, REJECTED;

    /** The states this one may move to. */
    public Set<PrefixState> next() {
        return switch (this) {
            case APPLIED -> EnumSet.of(UNDER_REVIEW, REJECTED);
            case UNDER_REVIEW -> EnumSet.of(ENABLED, REJECTED);
            case ENABLED -> EnumSet.of(DISABLED, PENDING_DELETE);
            case DISABLED -> EnumSet.of(ENABLED, PENDING_DELETE);
            case PENDING_DELETE -> EnumSet.of(DISABLED);
            case REJECTED -> EnumSet.noneOf(PrefixState.class);
        };
    }

    /** The name as written in records and on the command line, e.g. {@code under-review}. */
    public String text() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Parses {@code enabled}, {@code under-review}, …
     *
     * @throws IllegalArgumentException naming the accepted states
     */
    public static PrefixState parse(String text) {
        for (PrefixState s : values()) {
            if (text != null && s.text().equalsIgnoreCase(text.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown prefix state '" + text + "'; expected one of " + texts());
    }

    /** Every state's {@link #text()}, in lifecycle order. */
    public static java.util.List<String> texts() {
        return java.util.Arrays.stream(values()).map(PrefixState::text).toList();
    }
}
