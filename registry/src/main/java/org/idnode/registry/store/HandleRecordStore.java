package org.idnode.registry.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.idnode.registry.federation.PendingFilings;
import org.idnode.registry.model.AuditEntry;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.RecordChange;

/**
 * Durable storage of handle records, keyed by {@link HandleName#lookupKey()}, with the audit log of
 * every change and the genealogy index (which records reference a handle).
 *
 * <p>Contract: reads may block on disk I/O; callers on a network event loop must not call them.
 * A write returns only once it is durable (for RocksDB: synced to the write-ahead log), and a batch is
 * applied all or nothing: records, audit entries and index entries together. Implementations are safe
 * for concurrent use by many threads; they do not order concurrent writes to the same handle (callers
 * that read, modify and write serialise per handle themselves).
 */
public interface HandleRecordStore extends AutoCloseable {

    /** The stored record, or empty when the handle does not exist. */
    Optional<HandleRecord> get(HandleName handle);

    /**
     * The stored records of {@code handles}, in the same order: each element is what {@link #get} answers for that
     * handle. Stores read them in one go where they can (RocksDB's multi-get); a caching store answers what it holds
     * and reads the rest without caching it, as the records read are usually about to be written.
     */
    default List<Optional<HandleRecord>> getAll(List<HandleName> handles) {
        List<Optional<HandleRecord>> out = new ArrayList<>(handles.size());
        for (HandleName h : handles) {
            out.add(get(h));
        }
        return out;
    }

    /** Stores (or replaces) every record of the batch atomically and durably, audited as an import. */
    void putAll(Collection<HandleRecord> records);

    /** Applies every change of the batch atomically and durably, with its audit entry. */
    void commit(List<RecordChange> changes);

    /**
     * Applies the changes as {@link #commit(List)} does and, in the same atomic write, adds {@code filings} to the
     * federation outbox. Stores without an outbox refuse filings.
     *
     * @throws UnsupportedOperationException when there are filings and this store keeps no outbox
     */
    default void commit(List<RecordChange> changes, PendingFilings filings) {
        if (!filings.isEmpty()) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no federation outbox");
        }
        commit(changes);
    }

    /** Deletes a handle durably; returns false when it did not exist. */
    boolean delete(HandleName handle);

    /**
     * Handles whose prefix is {@code prefix} (not derived prefixes), in lookup-key order, starting after
     * {@code afterKey} (a {@link HandleName#lookupKey()}, or null for the start), at most {@code limit}.
     */
    List<HandleName> list(String prefix, String afterKey, int limit);

    /** The audit log of one handle, oldest first, at most {@code limit} entries. */
    List<AuditEntry> auditTrail(HandleName handle, int limit);

    /**
     * Handles whose records referenced {@code target} when they were written, at most {@code limit}.
     * The index is not cleaned when a referencing record changes: callers confirm each candidate
     * against its current record ({@link HandleRecord#referencedHandles()}).
     */
    List<HandleName> referrerCandidates(HandleName target, int limit);

    /** Releases the store. Further calls fail. */
    @Override
    void close();
}
