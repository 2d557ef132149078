package org.idnode.bench.load;

import java.util.Locale;

/** How each request picks its identifier from the key set. */
public enum KeyDistribution {
    /** Every key equally likely. */
    UNIFORM,
    /**
     * Zipf over key ranks with the configured exponent: rank 1 is the most requested. Ranks are mapped
     * to keys by a seeded bijection, so the hot keys are spread over the key file rather than being its
     * first lines.
     */
    ZIPF,
    /**
     * Every key in key-file order, the run's workers taking turns, then again from the start: a run of as many
     * requests as there are keys on one thread requests each exactly once (filling a cache).
     */
    SEQUENTIAL;

    /** The lower-case name used on the command line and in JSON output. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code uniform}, {@code zipf} or {@code sequential}, in any case. */
    public static KeyDistribution parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown key distribution '" + text + "'; expected uniform, zipf or sequential");
        }
    }
}
