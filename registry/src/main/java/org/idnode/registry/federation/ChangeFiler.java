package org.idnode.registry.federation;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;

/**
 * Decides what one record change files with the top-level node. Called by
 * {@link org.idnode.registry.write.HandleWriter} for every change it is about to commit, while it holds the
 * handle's lock; what the filer adds to {@code out} is committed in the same RocksDB write as the change.
 *
 * <p>Implementations must be thread-safe, fast and must not block (no I/O): they run on every write.
 */
@FunctionalInterface
public interface ChangeFiler {

    /**
     * @param handle     the handle changed
     * @param before     its record before the change, or null when it did not exist
     * @param after      its record after the change, or null when it is deleted
     * @param timeMillis the time of the change (Unix milliseconds)
     * @param out        where to add payloads and registration counts
     */
    void fileChange(HandleName handle, HandleRecord before, HandleRecord after, long timeMillis, PendingFilings.Builder out);
}
