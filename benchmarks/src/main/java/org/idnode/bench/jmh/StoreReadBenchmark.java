package org.idnode.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.HandleException;
import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.codec.MalformedMessageException;
import org.idnode.server.handler.HandleRequestProcessor;
import org.idnode.server.handler.PackedRecords;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Reads that miss the record cache, over {@code records} (100,000) stored PCB lots, in operations per
 * second on one thread. The store is loaded in batches of 1000, closed and reopened before measuring,
 * so that reads come from SST files (RocksDB flushes the recovered log at open) as on a restarted node;
 * every key is read once in set-up, so the 256 MiB block cache (the node's default) holds the data, as it
 * would for a hot working set. Keys are uniformly random.
 * <ul>
 *   <li>{@link #rocksGet}: {@link RocksDbHandleRecordStore#get}, a RocksDB point get plus the
 *       {@code RecordCodec} decode into a {@link HandleRecord};</li>
 *   <li>{@link #rawRocksGet}: the RocksDB point get alone (value bytes, no decode), on a database with
 *       the same options and contents opened directly; {@code rocksGet} minus this is the decode cost;</li>
 *   <li>{@link #resolveUdpUncached}: the whole UDP resolution on a cache miss: decode, {@link HandleRequestProcessor}
 *       over a {@link CachingHandleRecordStore} of zero entries (which packs each record it loads, as the node's cache
 *       does: {@link PackedRecords}), encode. The processor's blocking work runs on the
 *       calling thread, so the hand-off to the node's store thread pool is not included.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class StoreReadBenchmark {

    /** The stored lots' handles and folder, common to both store states (never used on its own). */
    @State(Scope.Benchmark)
    public abstract static class Loaded {
        /** Number of stored PCB lot records. */
        @Param("100000")
        public int records;

        Path dir;
        HandleName[] names;

        /** Writes the records through the node's store, closes it and returns the folder. */
        void load(String what) {
            dir = BenchData.tempDir(what);
            try (RocksDbHandleRecordStore loader = RocksDbHandleRecordStore.open(dir, BenchData.BLOCK_CACHE_BYTES)) {
                BenchData.loadLots(loader, records);
            }
            names = new HandleName[records];
            for (int i = 0; i < records; i++) {
                names[i] = HandleName.parse(BenchData.lotHandle(i));
            }
        }

        HandleName randomName() {
            return names[ThreadLocalRandom.current().nextInt(records)];
        }
    }

    /** The node's store, reopened, with a zero-entry cache and a processor in front. */
    @State(Scope.Benchmark)
    public static class Store extends Loaded {
        RocksDbHandleRecordStore rocks;
        CachingHandleRecordStore uncached;
        HandleRequestProcessor processor;
        byte[][] datagrams;

        /** Loads, reopens, warms the block cache and checks one resolution. */
        @Setup(Level.Trial)
        public void setUp() {
            load("store-read");
            rocks = RocksDbHandleRecordStore.open(dir, BenchData.BLOCK_CACHE_BYTES);
            uncached = new CachingHandleRecordStore(rocks, 0, PackedRecords::pack);
            processor = BenchData.processor(uncached, Runnable::run);
            datagrams = new byte[records][];
            for (int i = 0; i < records; i++) {
                if (rocks.get(names[i]).isEmpty()) {
                    throw new IllegalStateException(names[i] + " was not stored");
                }
                datagrams[i] = BenchData.udpResolutionRequest(names[i].toString(), i + 1);
            }
        }

        /**
         * Reports the record cache hit rate of a {@code resolveUdpUncached} run (about zero when the cache
         * is really bypassed), closes the store and deletes its folder.
         */
        @TearDown(Level.Trial)
        public void tearDown(BenchmarkParams params) {
            if (uncached != null) {
                if (params.getBenchmark().endsWith(".resolveUdpUncached")) {
                    System.out.printf("%n(record cache hit rate during the run: %.4f)%n", uncached.hitRate());
                }
                uncached.close();
            }
            BenchData.deleteRecursively(dir);
        }
    }

    /**
     * The same data opened with RocksDB's own API and the options {@link RocksDbHandleRecordStore} uses
     * (LZ4, 10-bit Bloom filters, 8 KiB blocks, {@code optimizeForPointLookup}, a 256 MiB LRU block cache),
     * keys being the UTF-8 bytes of {@link HandleName#lookupKey()} in the {@code handles} column family.
     * Set-up fails if a stored key is not found, so a change of the store's layout cannot go unnoticed.
     */
    @State(Scope.Benchmark)
    public static class Raw extends Loaded {
        LRUCache blockCache;
        DBOptions dbOptions;
        ColumnFamilyOptions cfOptions;
        final List<ColumnFamilyHandle> cfHandles = new ArrayList<>();
        RocksDB db;
        ColumnFamilyHandle handles;
        byte[][] keys;

        /** Loads through the node's store, reopens directly and warms the block cache. */
        @Setup(Level.Trial)
        public void setUp() throws RocksDBException {
            RocksDB.loadLibrary();
            load("raw-read");
            blockCache = new LRUCache(BenchData.BLOCK_CACHE_BYTES);
            BlockBasedTableConfig table = new BlockBasedTableConfig()
                    .setBlockCache(blockCache)
                    .setFilterPolicy(new BloomFilter(10, false))
                    .setCacheIndexAndFilterBlocks(true)
                    .setPinL0FilterAndIndexBlocksInCache(true)
                    .setBlockSize(8 * 1024);
            cfOptions = new ColumnFamilyOptions()
                    .setTableFormatConfig(table)
                    .setCompressionType(CompressionType.LZ4_COMPRESSION)
                    .optimizeForPointLookup(BenchData.BLOCK_CACHE_BYTES >> 20);
            cfOptions.setTableFormatConfig(table);
            dbOptions = new DBOptions().setMaxBackgroundJobs(2);
            db = RocksDB.open(dbOptions, dir.toString(), List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                    new ColumnFamilyDescriptor("handles".getBytes(StandardCharsets.UTF_8), cfOptions)), cfHandles);
            handles = cfHandles.get(1);
            keys = new byte[records][];
            for (int i = 0; i < records; i++) {
                keys[i] = names[i].lookupKey().getBytes(StandardCharsets.UTF_8);
                if (db.get(handles, keys[i]) == null) {
                    throw new IllegalStateException(names[i] + " is not under its lookup key in the handles column family;"
                            + " RocksDbHandleRecordStore's layout changed, update this benchmark");
                }
            }
        }

        /** Closes the database and deletes its folder. */
        @TearDown(Level.Trial)
        public void tearDown() {
            for (ColumnFamilyHandle h : cfHandles) {
                h.close();
            }
            if (db != null) {
                db.close();
            }
            if (dbOptions != null) {
                dbOptions.close();
                cfOptions.close();
                blockCache.close();
            }
            BenchData.deleteRecursively(dir);
        }
    }

    /** A point read through the node's store: RocksDB get and record decode. */
    @Benchmark
    public Optional<HandleRecord> rocksGet(Store store) {
        return store.rocks.get(store.randomName());
    }

    /** The RocksDB point get alone, to subtract from {@link #rocksGet}. */
    @Benchmark
    public byte[] rawRocksGet(Raw raw) throws RocksDBException {
        return raw.db.get(raw.handles, raw.keys[ThreadLocalRandom.current().nextInt(raw.records)]);
    }

    /** Datagram in, UDP packets out, through a cache that never hits. */
    @Benchmark
    public List<byte[]> resolveUdpUncached(Store store, Caller caller) throws MalformedMessageException, HandleException {
        byte[] datagram = store.datagrams[ThreadLocalRandom.current().nextInt(store.records)];
        AbstractRequest request = BenchData.decodeUdp(datagram);
        store.processor.process(request, caller.capture);
        return HandleMessageCodec.encodeUdpPackets(caller.capture.take());
    }

    /** Per-thread callback that captures the answer (given on the calling thread: the executor is direct). */
    @State(Scope.Thread)
    public static class Caller {
        final BenchData.Capture capture = new BenchData.Capture();
    }
}
