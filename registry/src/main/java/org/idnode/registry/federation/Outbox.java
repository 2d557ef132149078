package org.idnode.registry.federation;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The durable outbox of filings for the top-level node, kept in the node's store. Entries are numbered 1, 2, 3, ...
 * without gaps, in commit order, and the numbering survives restarts (also when every entry has been acknowledged).
 * The pending entries are always a contiguous run from the oldest unacknowledged one to the newest.
 *
 * <p>Entries are added with the record changes that cause them ({@link org.idnode.registry.write.HandleWriter} with a
 * {@link ChangeFiler}), or on their own with {@link #append}. Every addition is durable (synced) when the call
 * returns.
 *
 * <p>Thread-safe. Reads ({@link #pending}, {@link #backlog}) never see a half-committed addition.
 */
public interface Outbox {

    /** The state of the outbox. */
    record Backlog(long pending, long oldestSequence, long oldestCreatedMillis, long lastSequence) {
        /** No entry pending. */
        public boolean isEmpty() {
            return pending == 0;
        }
    }

    /**
     * Appends one entry on its own, durably.
     *
     * @return its sequence number
     * @throws org.idnode.registry.store.StoreException when the store cannot write it; nothing was added then
     */
    long append(byte[] payload);

    /** At most {@code max} pending entries, oldest first. */
    List<OutboxEntry> pending(int max);

    /**
     * Forgets every entry up to and including {@code sequence}: the top level has applied them. Numbers below the
     * oldest pending entry are ignored, numbers above the newest are capped at it.
     */
    void acknowledge(long sequence);

    /** How many entries are pending, the oldest of them, and the newest number given out (0 before the first). */
    Backlog backlog();

    /** The registration counters that {@link #flushCounts} has not turned into entries yet, by prefix. */
    Map<String, PendingFilings.Counts> counts();

    /**
     * Turns every non-zero registration counter into one entry (payload made by {@code encoder} from the prefix and
     * its counts) and resets the counters, in one durable write.
     *
     * @return the number of entries appended
     */
    int flushCounts(BiFunction<String, PendingFilings.Counts, byte[]> encoder);

    /** Runs {@code listener} after every addition of entries, on the adding thread. It must not block. */
    void onAppend(Runnable listener);
}
