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
    ZIPF;

    /** The lower-case name used on the command line and in JSON output. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code uniform} or {@code zipf}, in any case. */
    public static KeyDistribution parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown key distribution '" + text + "'; expected uniform or zipf");
        }
    }
}
