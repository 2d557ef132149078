package org.idnode.registry.store;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One shared {@code String} per value type name (URL, DESC, REF.PCB_LOT, ...) for the records the store decodes,
 * so that a cache holding millions of records holds each type name once rather than once per value. Types are
 * chosen by writers, so the table is bounded: past {@link #MAX_TYPES} distinct names, new ones are no longer shared.
 *
 * <p>Thread-safe.
 */
final class ValueTypes {
    static final int MAX_TYPES = 4096;
    private static final int MAX_TYPE_LENGTH = 64;
    private static final ConcurrentHashMap<String, String> TYPES = new ConcurrentHashMap<>();

    private ValueTypes() {
    }

    /** The shared instance equal to {@code type}, or {@code type} itself. */
    static String canonical(String type) {
        String known = TYPES.get(type);
        if (known != null) {
            return known;
        }
        if (type.length() > MAX_TYPE_LENGTH || TYPES.size() >= MAX_TYPES) {
            return type;
        }
        known = TYPES.putIfAbsent(type, type);
        return known == null ? type : known;
    }
}
