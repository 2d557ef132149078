package org.idnode.server.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The keys the configuration reads, as dotted paths in the order they are read, each with the kind of value it
 * takes. Filled by one validation pass over the defaults, made once per JVM ({@link NodeConfig#schema()}), so a key
 * that a later change reads is in it without being listed anywhere else.
 *
 * <p>Not thread-safe while being filled; read-only afterwards, when any thread may read it.
 */
final class ConfigSchema {
    /** The kinds of value a key takes, as far as an environment variable's text must be converted. */
    enum Kind {
        /** Text (also paths and addresses): the variable's value as it is. */
        STRING,
        /** An integer: the variable's value as a number when it is one, else as text (which validation refuses). */
        INTEGER,
        /** {@code true} or {@code false}. */
        BOOLEAN,
        /** A list of strings: the variable's value split at commas. */
        STRING_LIST
    }

    private final Map<String, Kind> keys = new LinkedHashMap<>();

    void add(String key, Kind kind) {
        keys.put(key, kind);
    }

    /** Key → kind, in the order the keys are read. */
    Map<String, Kind> keys() {
        return Collections.unmodifiableMap(keys);
    }
}
