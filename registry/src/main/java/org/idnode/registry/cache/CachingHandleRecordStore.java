package org.idnode.registry.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import org.idnode.registry.federation.PendingFilings;
import org.idnode.registry.model.AuditEntry;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.RecordChange;
import org.idnode.registry.store.HandleRecordStore;

/**
 * A {@link HandleRecordStore} with a Caffeine cache in front of another store. It caches positive
 * answers (the record) and negative ones (the handle does not exist), bounded by a number of entries or by
 * a memory budget ({@link #withMemoryBudget}), and invalidates a handle's entry on every write that touches it.
 *
 * <p>{@link #getIfCached} never blocks and is meant for network event loops: it answers from the cache
 * or says the caller has to {@link #get} on a thread that may block. A load racing with a write cannot
 * leave a stale entry: Caffeine's invalidation waits for an in-flight load of the same key, and the
 * write reaches the backing store before the invalidation.
 *
 * <p>Thread-safe.
 */
public final class CachingHandleRecordStore implements HandleRecordStore {
    /** Per-object overheads of {@link #estimatedBytes}, in bytes. */
    private static final int ENTRY_BYTES = 120;
    private static final int RECORD_BYTES = 160;
    private static final int VALUE_BYTES = 80;
    private static final int REFERENCE_BYTES = 80;

    private final HandleRecordStore backing;
    private final Cache<String, Optional<HandleRecord>> cache;

    /** A cache of at most {@code maximumEntries} handles, found or not, whatever their size. */
    public CachingHandleRecordStore(HandleRecordStore backing, long maximumEntries) {
        this(backing, Caffeine.newBuilder().maximumSize(requireNotNegative(maximumEntries, "maximumEntries")).recordStats().build());
    }

    private CachingHandleRecordStore(HandleRecordStore backing, Cache<String, Optional<HandleRecord>> cache) {
        this.backing = backing;
        this.cache = cache;
    }

    /**
     * A cache bounded by memory: the {@link #estimatedBytes estimated heap footprint} of its entries stays within
     * {@code maximumBytes}, so large records take more of the budget than small ones.
     */
    public static CachingHandleRecordStore withMemoryBudget(HandleRecordStore backing, long maximumBytes) {
        return new CachingHandleRecordStore(backing, Caffeine.newBuilder()
                .maximumWeight(requireNotNegative(maximumBytes, "maximumBytes"))
                .weigher((String key, Optional<HandleRecord> record) -> estimatedBytes(key, record))
                .recordStats()
                .build());
    }

    /**
     * The heap a cache entry is expected to take: the key, the record's objects, and the encoded answer a transport
     * derives from a cached record and keeps with it (about as large as the value data again). A calibrated estimate,
     * not a measurement: a heap histogram of a node serving 6-value records (about 40 bytes of data per value) shows
     * about 1.3 KB per cached record, and this gives about that.
     */
    static int estimatedBytes(String key, Optional<HandleRecord> record) {
        long bytes = ENTRY_BYTES + 2L * key.length();
        if (record.isPresent()) {
            HandleRecord r = record.get();
            bytes += RECORD_BYTES + r.handle().toString().length();
            for (var v : r.values()) {
                bytes += VALUE_BYTES + 2L * v.dataLength() + v.type().length() + REFERENCE_BYTES * v.references().size();
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }

    private static long requireNotNegative(long n, String what) {
        if (n < 0) {
            throw new IllegalArgumentException(what + " must not be negative");
        }
        return n;
    }

    /**
     * The cached answer for a handle without touching the backing store: {@code null} when the handle
     * is not cached, an empty optional when it is cached as not existing, else the record.
     */
    @SuppressWarnings("OptionalAssignedToNull")
    public Optional<HandleRecord> getIfCached(HandleName handle) {
        return cache.getIfPresent(handle.lookupKey());
    }

    /** Answers from the cache, loading from the backing store (which may block) on a miss. */
    @Override
    public Optional<HandleRecord> get(HandleName handle) {
        return cache.get(handle.lookupKey(), k -> backing.get(handle));
    }

    /**
     * Answers the cached handles from the cache and reads the others from the backing store in one go, without
     * caching them: a writer reads the records it is about to replace, and caching them would only cost an insertion
     * and the invalidation that follows the write.
     */
    @Override
    public List<Optional<HandleRecord>> getAll(List<HandleName> handles) {
        List<Optional<HandleRecord>> out = new ArrayList<>(handles.size());
        List<HandleName> missed = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (HandleName h : handles) {
            Optional<HandleRecord> cached = cache.getIfPresent(h.lookupKey());
            if (cached == null) {
                missed.add(h);
                positions.add(out.size());
            }
            out.add(cached);
        }
        if (!missed.isEmpty()) {
            List<Optional<HandleRecord>> read = backing.getAll(missed);
            for (int i = 0; i < read.size(); i++) {
                out.set(positions.get(i), read.get(i));
            }
        }
        return out;
    }

    @Override
    public void putAll(Collection<HandleRecord> records) {
        try {
            backing.putAll(records);
        } finally {
            for (HandleRecord r : records) {
                cache.invalidate(r.handle().lookupKey());
            }
        }
    }

    @Override
    public void commit(List<RecordChange> changes) {
        try {
            backing.commit(changes);
        } finally {
            for (RecordChange c : changes) {
                cache.invalidate(c.handle().lookupKey());
            }
        }
    }

    @Override
    public void commit(List<RecordChange> changes, PendingFilings filings) {
        try {
            backing.commit(changes, filings);
        } finally {
            for (RecordChange c : changes) {
                cache.invalidate(c.handle().lookupKey());
            }
        }
    }

    /** Drops a handle's cached entry, so its next read comes from the backing store. */
    public void invalidate(HandleName handle) {
        cache.invalidate(handle.lookupKey());
    }

    @Override
    public List<HandleName> list(String prefix, String afterKey, int limit) {
        return backing.list(prefix, afterKey, limit);
    }

    @Override
    public List<AuditEntry> auditTrail(HandleName handle, int limit) {
        return backing.auditTrail(handle, limit);
    }

    @Override
    public List<HandleName> referrerCandidates(HandleName target, int limit) {
        return backing.referrerCandidates(target, limit);
    }

    @Override
    public boolean delete(HandleName handle) {
        try {
            return backing.delete(handle);
        } finally {
            cache.invalidate(handle.lookupKey());
        }
    }

    /** Runs pending cache maintenance (evictions) now, on the calling thread. */
    public void cleanUp() {
        cache.cleanUp();
    }

    /** Number of cached entries, positive and negative (an estimate). */
    public long cachedEntries() {
        return cache.estimatedSize();
    }

    /** Fraction of lookups answered from the cache since start. */
    public double hitRate() {
        return cache.stats().hitRate();
    }

    /**
     * The cache's counters since start (hits, misses, loads, evictions), for monitoring. A lookup that misses in
     * {@link #getIfCached} and is then loaded by {@link #get} counts two misses.
     */
    public CacheStats stats() {
        return cache.stats();
    }

    /** Closes the backing store. */
    @Override
    public void close() {
        cache.invalidateAll();
        backing.close();
    }
}
