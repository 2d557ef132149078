package org.idnode.registry.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.idnode.registry.federation.Outbox;
import org.idnode.registry.federation.PendingFilings;
import org.idnode.registry.model.AuditEntry;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.RecordChange;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.IndexType;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Statistics;
import org.rocksdb.StatsLevel;
import org.rocksdb.TickerType;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB-backed {@link HandleRecordStore}. Column families:
 * <ul>
 *   <li>{@code handles}: key = UTF-8 of {@link HandleName#lookupKey()}, value = the record encoded by {@link RecordCodec};</li>
 *   <li>{@code audit}: key = handle key, 0x00, 8-byte sequence number; value = the entry ({@link AuditCodec});</li>
 *   <li>{@code refs}: key = referenced handle's key, 0x00, referencing handle's key; value = the referencing handle as written;</li>
 *   <li>{@code outbox}: the federation outbox ({@link #outbox()}), written only by commits that file something.</li>
 *   <li>{@code federation}: the federation ledger's own keys, through {@link #federationKeySpace()}.</li>
 * </ul>
 * Every write is one {@link WriteBatch} (record, audit entry and index entries together) committed with
 * {@code sync=true}, so an acknowledged write survives a crash or power loss through the write-ahead log
 * and is never half applied.
 *
 * <p>Thread-safe; one instance per data folder (RocksDB's lock file refuses a second opener).
 */
public final class RocksDbHandleRecordStore implements HandleRecordStore {
    static final String HANDLES_CF = "handles";
    static final String AUDIT_CF = "audit";
    static final String REFS_CF = "refs";
    static final String OUTBOX_CF = "outbox";
    static final String FEDERATION_CF = "federation";
    private static final String IMPORT_ACTOR = "import";
    /** A serialised WriteBatch: 12 bytes of header, then per put a tag, a column family and two lengths (varints). */
    private static final int BATCH_HEADER_BYTES = 12;
    private static final int PUT_FRAMING_BYTES = 12;
    /** Batches larger than this (huge imports) grow as RocksDB sees fit rather than reserving it all up front. */
    private static final long MAX_RESERVED_BYTES = 64L * 1024 * 1024;

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final LRUCache blockCache;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final ColumnFamilyOptions scannedOptions;
    private final ColumnFamilyOptions outboxOptions;
    private final List<ColumnFamilyHandle> cfHandles = new ArrayList<>();
    private final RocksDB db;
    private final ColumnFamilyHandle handles;
    private final ColumnFamilyHandle audit;
    private final ColumnFamilyHandle refs;
    private final RocksDbOutbox outbox;
    private final KeySpace federation;
    private final WriteOptions syncWrite;
    private final ReadOptions read;
    private final AtomicLong auditSequence;
    private final Statistics statistics;
    /** Set under this object's lock by {@link #close}; the monitoring reads check it under the same lock. */
    private boolean closed;

    private RocksDbHandleRecordStore(Path directory, long blockCacheBytes) {
        this.directory = directory;
        try {
            Files.createDirectories(directory);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create data folder " + directory + ": " + e.getMessage(), e);
        }
        // Half of the block cache is kept first for index and filter blocks (RocksDB's C++ default; RocksJava's is none).
        blockCache = new LRUCache(blockCacheBytes, -1, false, 0.5);
        // Tickers for monitoring (WAL syncs, bytes, stalls); RocksDB's default level, without the detailed timers.
        statistics = new Statistics();
        statistics.setStatsLevel(StatsLevel.EXCEPT_DETAILED_TIMERS);
        // Filters and indexes in 4 KB partitions under a pinned top level: a point read whose partitions are not cached
        // loads one of each. A table file's whole filter is megabytes (10 bits per key); loaded and checksummed per read
        // whenever the data blocks of a large data set had pushed it out of its cache shard, it made a read that missed
        // the record cache cost ~100 µs of CPU (docs/performance.md, "RocksDB reads: whole filters").
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(blockCache)
                .setFilterPolicy(new BloomFilter(10, false))
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true)
                .setCacheIndexAndFilterBlocksWithHighPriority(true)
                .setIndexType(IndexType.kTwoLevelIndexSearch)
                .setPartitionFilters(true)
                .setMetadataBlockSize(4096)
                .setPinTopLevelIndexAndFilter(true)
                .setBlockSize(8 * 1024);
        cfOptions = new ColumnFamilyOptions()
                .setTableFormatConfig(table)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .optimizeForPointLookup(blockCacheBytes / (1024 * 1024));
        // optimizeForPointLookup installs its own table config; put ours (with the shared cache) back.
        cfOptions.setTableFormatConfig(table);
        // The audit trail and the reference index are only ever read by prefix scans: no Bloom filters to build on
        // every flush and compaction, and none in the memtable, as nothing looks a single key up in them.
        scannedOptions = new ColumnFamilyOptions()
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache).setBlockSize(8 * 1024))
                .setCompressionType(CompressionType.LZ4_COMPRESSION);
        // A queue: appended at the end, read in order, deleted in ranges. No point-lookup tuning.
        outboxOptions = new ColumnFamilyOptions();
        dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2)
                .setStatistics(statistics);
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor(HANDLES_CF.getBytes(StandardCharsets.UTF_8), cfOptions),
                new ColumnFamilyDescriptor(AUDIT_CF.getBytes(StandardCharsets.UTF_8), scannedOptions),
                new ColumnFamilyDescriptor(REFS_CF.getBytes(StandardCharsets.UTF_8), scannedOptions),
                new ColumnFamilyDescriptor(OUTBOX_CF.getBytes(StandardCharsets.UTF_8), outboxOptions),
                new ColumnFamilyDescriptor(FEDERATION_CF.getBytes(StandardCharsets.UTF_8), cfOptions));
        try {
            db = RocksDB.open(dbOptions, directory.toString(), descriptors, cfHandles);
        } catch (RocksDBException e) {
            closeOptions();
            String reason = e.getMessage() != null && e.getMessage().contains("lock")
                    ? "it is in use by another process (" + e.getMessage() + ")"
                    : e.getMessage();
            throw new StoreException("cannot open the RocksDB store in " + directory + ": " + reason, e);
        }
        handles = cfHandles.get(1);
        audit = cfHandles.get(2);
        refs = cfHandles.get(3);
        syncWrite = new WriteOptions().setSync(true);
        read = new ReadOptions();
        outbox = new RocksDbOutbox(db, cfHandles.get(4), syncWrite, read);
        federation = new KeySpace(db, cfHandles.get(5), syncWrite, read, FEDERATION_CF);
        // Audit numbers must grow past every number handed out before a restart, including numbers of concurrent
        // batches that committed while an earlier-numbered one was lost in a crash. Every audit entry comes with at
        // least one other key in its batch, so RocksDB's sequence number covers what committed batches used; the clock
        // in microseconds covers the rest, as long as fewer than a million entries a second are written on average.
        auditSequence = new AtomicLong(Math.max(db.getLatestSequenceNumber(),
                java.util.concurrent.TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis())));
    }

    /**
     * Opens (creating if needed) the store in {@code directory}.
     *
     * @param blockCacheBytes size of RocksDB's block cache
     * @throws StoreException when the folder cannot be created or opened
     */
    public static RocksDbHandleRecordStore open(Path directory, long blockCacheBytes) {
        return new RocksDbHandleRecordStore(directory, blockCacheBytes);
    }

    @Override
    public Optional<HandleRecord> get(HandleName handle) {
        byte[] bytes;
        try {
            bytes = db.get(handles, read, key(handle));
        } catch (RocksDBException e) {
            throw new StoreException("cannot read " + handle + ": " + e.getMessage(), e);
        }
        return bytes == null ? Optional.empty() : Optional.of(RecordCodec.decode(bytes, handle));
    }

    /** One multi-get for all the handles. */
    @Override
    public List<Optional<HandleRecord>> getAll(List<HandleName> handles) {
        if (handles.isEmpty()) {
            return List.of();
        }
        List<byte[]> keys = new ArrayList<>(handles.size());
        for (HandleName h : handles) {
            keys.add(key(h));
        }
        List<byte[]> found;
        try {
            found = db.multiGetAsList(read, Collections.nCopies(keys.size(), this.handles), keys);
        } catch (RocksDBException e) {
            throw new StoreException("cannot read " + handles.size() + " handles: " + e.getMessage(), e);
        }
        List<Optional<HandleRecord>> out = new ArrayList<>(found.size());
        for (byte[] bytes : found) {
            out.add(bytes == null ? Optional.empty() : Optional.of(RecordCodec.decode(bytes)));
        }
        return out;
    }

    @Override
    public void putAll(Collection<HandleRecord> records) {
        long now = System.currentTimeMillis();
        List<RecordChange> changes = new ArrayList<>(records.size());
        for (HandleRecord r : records) {
            changes.add(RecordChange.put(r, new AuditEntry(now, IMPORT_ACTOR, "import", r.handle().toString(),
                    r.values().size() + " values")));
        }
        commit(changes);
    }

    @Override
    public void commit(List<RecordChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        try (WriteBatch batch = batchOf(changes)) {
            db.write(syncWrite, batch);
        } catch (RocksDBException e) {
            throw new StoreException("cannot write " + changes.size() + " changes: " + e.getMessage(), e);
        }
    }

    /** Commits the changes and, in the same write, adds the filings to the {@link #outbox()}. */
    @Override
    public void commit(List<RecordChange> changes, PendingFilings filings) {
        if (filings.isEmpty()) {
            commit(changes);
            return;
        }
        try (WriteBatch batch = batchOf(changes)) {
            outbox.writeWith(batch, filings, System.currentTimeMillis());
        } catch (RocksDBException e) {
            throw new StoreException("cannot write " + changes.size() + " changes: " + e.getMessage(), e);
        }
    }

    /**
     * One batch with every change, its buffer reserved at about its final size (RocksDB would otherwise grow it by
     * repeated copies, some fifteen for a batch of a thousand records), filled through direct buffers.
     */
    private WriteBatch batchOf(List<RecordChange> changes) throws RocksDBException {
        int n = changes.size();
        byte[][] keys = new byte[n][];
        int[] recordSizes = new int[n];
        byte[][] audits = new byte[n][];
        long bytes = BATCH_HEADER_BYTES;
        for (int i = 0; i < n; i++) {
            RecordChange c = changes.get(i);
            keys[i] = key(c.handle());
            recordSizes[i] = c.after() == null ? 0 : RecordCodec.encodedSize(c.after());
            audits[i] = AuditCodec.encode(c.audit());
            // The record, its audit entry and (an estimate) one reference index entry, each with its put's framing.
            bytes += 3 * (PUT_FRAMING_BYTES + 2L * keys[i].length) + audits[i].length + recordSizes[i];
        }
        WriteBatch batch = new WriteBatch((int) Math.min(bytes, MAX_RESERVED_BYTES));
        try {
            DirectBatch puts = new DirectBatch(batch);
            for (int i = 0; i < n; i++) {
                HandleRecord after = changes.get(i).after();
                if (after == null) {
                    batch.delete(handles, keys[i]);
                } else {
                    puts.putRecord(handles, keys[i], after, recordSizes[i]);
                    List<HandleName> targets = after.referencedHandles();
                    byte[] referrer = targets.isEmpty() ? null : after.handle().toUtf8();
                    for (HandleName target : targets) {
                        puts.put(refs, key(target), keys[i], referrer);
                    }
                }
                puts.put(audit, keys[i], auditSequence.incrementAndGet(), audits[i]);
            }
            return batch;
        } catch (RocksDBException | RuntimeException e) {
            batch.close();
            throw e;
        }
    }

    @Override
    public boolean delete(HandleName handle) {
        if (get(handle).isEmpty()) {
            return false;
        }
        commit(List.of(RecordChange.delete(handle, new AuditEntry(System.currentTimeMillis(), "store", "delete",
                handle.toString(), ""))));
        return true;
    }

    @Override
    public List<HandleName> list(String prefix, String afterKey, int limit) {
        byte[] start = (HandleName.asciiUpperCase(prefix) + "/").getBytes(StandardCharsets.UTF_8);
        List<HandleName> out = new ArrayList<>();
        try (RocksIterator it = db.newIterator(handles, read)) {
            byte[] after = afterKey == null ? null : HandleName.asciiUpperCase(afterKey).getBytes(StandardCharsets.UTF_8);
            if (after == null || Arrays.compare(after, start) < 0) {
                it.seek(start);
            } else {
                it.seek(after);
                if (it.isValid() && Arrays.equals(it.key(), after)) {
                    it.next();
                }
            }
            for (; it.isValid() && out.size() < limit && startsWith(it.key(), start); it.next()) {
                out.add(RecordCodec.decodeHandle(it.value()));
            }
        }
        return out;
    }

    @Override
    public List<AuditEntry> auditTrail(HandleName handle, int limit) {
        byte[] prefix = join(key(handle), new byte[0]);
        List<AuditEntry> out = new ArrayList<>();
        try (RocksIterator it = db.newIterator(audit, read)) {
            for (it.seek(prefix); it.isValid() && out.size() < limit && startsWith(it.key(), prefix)
                    && it.key().length == prefix.length + Long.BYTES; it.next()) {
                out.add(AuditCodec.decode(it.value()));
            }
        }
        return out;
    }

    @Override
    public List<HandleName> referrerCandidates(HandleName target, int limit) {
        byte[] prefix = join(key(target), new byte[0]);
        List<HandleName> out = new ArrayList<>();
        try (RocksIterator it = db.newIterator(refs, read)) {
            for (it.seek(prefix); it.isValid() && out.size() < limit && startsWith(it.key(), prefix); it.next()) {
                out.add(HandleName.fromUtf8(it.value()));
            }
        }
        return out;
    }

    /** The federation outbox kept in this store; empty unless writes file something. */
    public Outbox outbox() {
        return outbox;
    }

    /** The key space of the federation ledger ({@code org.idnode.registry.federation.FilingLedger}), in this store's RocksDB. */
    public KeySpace federationKeySpace() {
        return federation;
    }

    /** The folder this store lives in. */
    public Path directory() {
        return directory;
    }

    /**
     * Writes a consistent point-in-time copy of the whole RocksDB instance (every column family, with the
     * write-ahead log needed to replay what is not yet flushed) into {@code target}, which must not exist, while
     * reads and writes go on: RocksDB flushes the memtables, then hard-links the immutable table files when
     * {@code target} is on the same file system as the store and copies them otherwise. Open the copy with
     * {@link ReadOnlyStore} or as a store of its own.
     *
     * @throws StoreException when the checkpoint cannot be written
     */
    public void checkpoint(Path target) {
        try (Checkpoint checkpoint = Checkpoint.create(db)) {
            checkpoint.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new StoreException("cannot write a checkpoint of " + directory + " to " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Rewrites every table file of every column family (a full manual compaction, the bottommost level included),
     * dropping overwritten and deleted entries. Files keep the table format they were written with until compaction
     * rewrites them, which on a store that is mostly read may be never: this brings a data folder written by an
     * earlier version to the current format (partitioned filters and indexes). Blocks until done; reads and writes
     * may go on meanwhile.
     *
     * @throws StoreException when RocksDB fails, e.g. for want of disk space (a compaction needs room for a copy of
     *                        the largest column family)
     */
    public void compact() {
        try (CompactRangeOptions options = new CompactRangeOptions()
                .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForce)) {
            for (ColumnFamilyHandle h : cfHandles) {
                db.compactRange(h, null, null, options);
            }
        } catch (RocksDBException e) {
            throw new StoreException("cannot compact " + directory + ": " + e.getMessage(), e);
        }
    }

    /**
     * Closes the store: the memtables are flushed to SST files (so the next start has no log to replay) and the
     * log synced. Callers stop reading and writing first.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        outbox.close();
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush, cfHandles);
        } catch (RocksDBException e) {
            // Every write is in the synced log; a failed flush only means a longer replay at the next start.
        }
        try {
            db.syncWal();
        } catch (RocksDBException e) {
            // Every write was already synced; a failure here loses nothing acknowledged.
        }
        read.close();
        syncWrite.close();
        for (ColumnFamilyHandle h : cfHandles) {
            h.close();
        }
        db.close();
        closeOptions();
    }

    private void closeOptions() {
        dbOptions.close();
        cfOptions.close();
        scannedOptions.close();
        outboxOptions.close();
        blockCache.close();
        statistics.close();
    }

    // ---------------------------------------------------------------------------------------------
    // Monitoring: RocksDB properties and statistics tickers, for the node's metrics
    // ---------------------------------------------------------------------------------------------

    /**
     * A numeric RocksDB property of the {@code handles} column family (e.g. {@code rocksdb.estimate-num-keys}: about
     * how many identifiers are stored); -1 once closed or when RocksDB does not know the property.
     */
    public synchronized long handlesProperty(String name) {
        if (closed) {
            return -1;
        }
        try {
            return db.getLongProperty(handles, name);
        } catch (RocksDBException e) {
            return -1;
        }
    }

    /**
     * A numeric RocksDB property summed over all column families (e.g. {@code rocksdb.live-sst-files-size},
     * {@code rocksdb.cur-size-all-mem-tables}; for a database-wide one such as {@code rocksdb.block-cache-usage} the
     * sum counts the shared value once per family: read those with {@link #handlesProperty}); -1 once closed or unknown.
     */
    public synchronized long aggregatedProperty(String name) {
        if (closed) {
            return -1;
        }
        try {
            return db.getAggregatedLongProperty(name);
        } catch (RocksDBException e) {
            return -1;
        }
    }

    /** A statistics ticker, counted since the store was opened (e.g. {@link TickerType#WAL_FILE_SYNCED}); -1 once closed. */
    public synchronized long ticker(TickerType ticker) {
        return closed ? -1 : statistics.getTickerCount(ticker);
    }

    private static byte[] key(HandleName handle) {
        return handle.lookupKey().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code a}, a 0x00 separator (never part of a handle), then {@code b}. */
    private static byte[] join(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + 1 + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length + 1, b.length);
        return out;
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

}
