package org.idnode.registry.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import org.idnode.registry.federation.PendingFilings;
import org.idnode.registry.model.AuditEntry;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.PackedValues;
import org.idnode.registry.model.ValueReference;
import org.idnode.registry.model.RecordChange;
import org.idnode.registry.store.HandleRecordStore;

/**
 * A {@link HandleRecordStore} with a Caffeine cache in front of another store. It caches positive
 * answers (the record) and negative ones (the handle does not exist), bounded by a number of entries or by
 * a memory budget ({@link #withMemoryBudget}), and invalidates a handle's entry on every write that touches it.
 * A record read from the backing store can be turned into a more compact form before it is cached (the
 * {@code packing}, such as a {@link HandleRecord#packed packed} record).
 *
 * <p>{@link #getIfCached} never blocks and is meant for network event loops: it answers from the cache
 * or says the caller has to {@link #get} on a thread that may block. A load racing with a write cannot
 * leave a stale entry: Caffeine's invalidation waits for an in-flight load of the same key, and the
 * write reaches the backing store before the invalidation.
 *
 * <p>The cache's upkeep (replaying reads into its eviction order, evicting) runs on the thread that reads or
 * writes, when its buffers call for it, never handed to another thread: handed to a pool, it woke a pool thread
 * some 4,500 times a second under 80k resolutions/s and tripled the event loops' context switches
 * (docs/performance.md, "Record cache upkeep on the calling thread"). The upkeep is only tried, never waited for, by
 * {@link #getIfCached}; when a reader does run it and it evicts an entry whose hash bin another thread is loading into
 * at that moment, the reader waits for that load (one store read).
 *
 * <p>{@link #getIfCached} records one read in {@value #RECORD_ONE_READ_IN}, chosen at random, in the eviction policy
 * (its recency order and frequency sketch); the others look the entry up without side effects and count only in
 * {@link #stats}, which stay exact. A recorded read relinks the entry in Caffeine's access-order lists, a few
 * reference writes into old objects scattered over the heap, and with a million entries G1's card refinement spent
 * about 2 µs of CPU per read on them, over a quarter of what the node spent on a UDP answer (docs/performance.md, "The record
 * cache's reads and G1's card refinement"). Sampled, an entry read often is still recorded often, so the policy
 * still tells hot entries from cold ones.
 *
 * <p>Thread-safe.
 */
public final class CachingHandleRecordStore implements HandleRecordStore {
    /*
     * Heap of the parts of an entry, in bytes, for estimatedBytes (64-bit JVM, compressed pointers), from a heap
     * histogram of a node holding 200,000 cached 6-value records: Caffeine's node with its hash-table node and slot;
     * a String with its (Latin-1) array, without the characters; a HandleName; the HandleRecord with its Optional
     * (kept per entry so that a lookup allocates nothing; a handle that does not exist shares Optional.empty()); for
     * a record kept as read, its list and, per value, the HandleValue with its data array's header and its list slot,
     * and per reference the ValueReference and its handle's String.
     */
    private static final int ENTRY_BYTES = 96;
    private static final int STRING_BYTES = 40;
    private static final int NAME_BYTES = 24;
    private static final int RECORD_BYTES = 40;
    private static final int LIST_BYTES = 32;
    private static final int VALUE_BYTES = 68;
    private static final int REFERENCE_BYTES = 64;
    /** {@link #getIfCached} records one read in this many in the eviction policy. */
    static final int RECORD_ONE_READ_IN = 16;

    private final HandleRecordStore backing;
    private final UnaryOperator<HandleRecord> packing;
    /** Keyed by lookup key: a record read for a name spelled as stored shares its name, and so the key, with it. */
    private final Cache<String, Optional<HandleRecord>> cache;
    private final Policy<String, Optional<HandleRecord>> policy;
    private final StatsCounter stats = new ConcurrentStatsCounter();

    /** A cache of at most {@code maximumEntries} handles, found or not, whatever their size, keeping records as read. */
    public CachingHandleRecordStore(HandleRecordStore backing, long maximumEntries) {
        this(backing, maximumEntries, UnaryOperator.identity());
    }

    /**
     * A cache of at most {@code maximumEntries} handles, found or not, whatever their size.
     *
     * @param packing applied once to every record read from {@code backing} before it is cached; it must return a
     *                record equal to its argument ({@link UnaryOperator#identity()} keeps records as read)
     */
    public CachingHandleRecordStore(HandleRecordStore backing, long maximumEntries, UnaryOperator<HandleRecord> packing) {
        this(backing, packing, Caffeine.newBuilder().maximumSize(requireNotNegative(maximumEntries, "maximumEntries")));
    }

    private CachingHandleRecordStore(HandleRecordStore backing, UnaryOperator<HandleRecord> packing,
            Caffeine<? super String, ? super Optional<HandleRecord>> bounded) {
        this.backing = backing;
        this.packing = packing;
        this.cache = bounded.executor(Runnable::run).recordStats(() -> stats).build();
        this.policy = cache.policy();
    }

    /**
     * A cache bounded by memory: the {@link #estimatedBytes estimated heap footprint} of its entries stays within
     * {@code maximumBytes}, so large records take more of the budget than small ones.
     *
     * @param packing as for {@link #CachingHandleRecordStore(HandleRecordStore, long, UnaryOperator)}
     */
    public static CachingHandleRecordStore withMemoryBudget(HandleRecordStore backing, long maximumBytes, UnaryOperator<HandleRecord> packing) {
        return new CachingHandleRecordStore(backing, packing, Caffeine.newBuilder()
                .maximumWeight(requireNotNegative(maximumBytes, "maximumBytes"))
                .weigher((String key, Optional<HandleRecord> record) -> estimatedBytes(key, record)));
    }

    /**
     * The heap a cache entry is expected to take: the cache's own structures, the key, and the record: a
     * {@link PackedValues packed} one as its values say ({@link PackedValues#heapBytes}), one kept as read by its
     * value objects (a value derived from it later, such as a transport's encoding, is not counted). An estimate
     * calibrated with a heap histogram, not a measurement.
     */
    static int estimatedBytes(String key, Optional<HandleRecord> entry) {
        long bytes = ENTRY_BYTES;
        if (entry.isEmpty()) {
            bytes += STRING_BYTES + key.length();
        } else {
            HandleRecord record = entry.get();
            HandleName name = record.handle();
            bytes += RECORD_BYTES + NAME_BYTES + STRING_BYTES + name.toString().length();
            // Identity, not equality: what counts is whether the strings are one object (see HandleName, RecordCodec).
            if (name.lookupKey() != name.toString()) {
                bytes += STRING_BYTES + key.length();
            }
            if (name.lookupKey() != key) {
                bytes += STRING_BYTES + key.length();
            }
            if (record.values() instanceof PackedValues packed) {
                bytes += packed.heapBytes();
            } else {
                bytes += LIST_BYTES;
                for (HandleValue v : record.values()) {
                    bytes += VALUE_BYTES + v.dataLength();
                    for (ValueReference r : v.references()) {
                        bytes += REFERENCE_BYTES + r.handle().length();
                    }
                }
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
        String key = handle.lookupKey();
        if (ThreadLocalRandom.current().nextInt(RECORD_ONE_READ_IN) == 0) {
            return cache.getIfPresent(key);
        }
        Optional<HandleRecord> cached = policy.getIfPresentQuietly(key);
        if (cached != null) {
            stats.recordHits(1);
        } else {
            stats.recordMisses(1);
        }
        return cached;
    }

    /** Answers from the cache, loading from the backing store (which may block) on a miss. */
    @Override
    public Optional<HandleRecord> get(HandleName handle) {
        return cache.get(handle.lookupKey(), k -> backing.get(handle).map(packing));
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
        for (HandleName h : handles) {
            Optional<HandleRecord> cached = cache.getIfPresent(h.lookupKey());
            if (cached == null) {
                missed.add(h);
            }
            out.add(cached); // null: a miss, filled in below in the same order
        }
        if (!missed.isEmpty()) {
            Iterator<Optional<HandleRecord>> read = backing.getAll(missed).iterator();
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i) == null) {
                    out.set(i, read.next());
                }
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

    /**
     * The estimated heap of the cached entries ({@link #estimatedBytes}) for a cache bounded by memory; empty for one
     * bounded by entries, which does not weigh them.
     */
    public OptionalLong estimatedBytes() {
        return cache.policy().eviction().map(e -> e.weightedSize()).orElse(OptionalLong.empty());
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
