package org.idnode.registry.federation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one commit adds to the outbox: payloads to append (each becomes one numbered entry, in order) and registration
 * counts to add to the per-prefix counters that {@link Outbox#flushCounts} later turns into entries.
 *
 * <p>Immutable once built and thread-safe; the {@link Builder} is not thread-safe.
 */
public final class PendingFilings {
    /** Nothing to file. */
    public static final PendingFilings NONE = new PendingFilings(List.of(), Map.of());

    private final List<byte[]> payloads;
    private final Map<String, Counts> counts;

    private PendingFilings(List<byte[]> payloads, Map<String, Counts> counts) {
        this.payloads = payloads;
        this.counts = counts;
    }

    /** Registrations and deletions counted under one prefix. */
    public record Counts(long registered, long deleted) {
        Counts plus(Counts other) {
            return new Counts(registered + other.registered, deleted + other.deleted);
        }

        boolean isZero() {
            return registered == 0 && deleted == 0;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The payloads to append, in order. The arrays belong to the outbox once committed; do not modify them. */
    public List<byte[]> payloads() {
        return payloads;
    }

    /** Registration counts to add, by prefix. */
    public Map<String, Counts> counts() {
        return counts;
    }

    public boolean isEmpty() {
        return payloads.isEmpty() && counts.isEmpty();
    }

    /** Collects the filings of one commit. */
    public static final class Builder {
        private final List<byte[]> payloads = new ArrayList<>();
        private final Map<String, Counts> counts = new LinkedHashMap<>();

        private Builder() {
        }

        /** Appends one payload (an entry of its own). */
        public Builder file(byte[] payload) {
            if (payload == null) {
                throw new IllegalArgumentException("a filing needs a payload");
            }
            payloads.add(payload);
            return this;
        }

        /** Adds registrations and deletions to the counter of {@code prefix}. */
        public Builder count(String prefix, long registered, long deleted) {
            if (prefix == null || prefix.isEmpty() || registered < 0 || deleted < 0) {
                throw new IllegalArgumentException("a count needs a prefix and non-negative numbers");
            }
            Counts add = new Counts(registered, deleted);
            if (!add.isZero()) {
                counts.merge(prefix, add, Counts::plus);
            }
            return this;
        }

        public boolean isEmpty() {
            return payloads.isEmpty() && counts.isEmpty();
        }

        public PendingFilings build() {
            return isEmpty() ? NONE : new PendingFilings(List.copyOf(payloads), Map.copyOf(counts));
        }
    }
}
