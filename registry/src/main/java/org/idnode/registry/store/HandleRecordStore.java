package org.idnode.registry.store;

import java.util.Collection;
import java.util.Optional;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;

/**
 * Durable storage of handle records, keyed by {@link HandleName#lookupKey()}.
 *
 * <p>Contract: {@link #get} may block on disk I/O; callers on a network event loop must not call it.
 * A write returns only once it is durable (for RocksDB: synced to the write-ahead log), and a batch is
 * applied all or nothing. Implementations are safe for concurrent use by many threads.
 */
public interface HandleRecordStore extends AutoCloseable {

    /** The stored record, or empty when the handle does not exist. */
    Optional<HandleRecord> get(HandleName handle);

    /** Stores (or replaces) every record of the batch atomically and durably. */
    void putAll(Collection<HandleRecord> records);

    /** Deletes a handle durably; returns false when it did not exist. */
    boolean delete(HandleName handle);

    /** Releases the store. Further calls fail. */
    @Override
    void close();
}
