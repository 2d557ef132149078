package org.idnode.server.metrics;

import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.rocksdb.TickerType;

/**
 * The record cache's and RocksDB's meters, read from the stores at every scrape (see {@link NodeMetrics#bindStore}).
 * RocksDB values read as -1 after the store is closed.
 */
final class StoreMetrics {
    private StoreMetrics() {
    }

    static void bind(MeterRegistry registry, RocksDbHandleRecordStore rocks, CachingHandleRecordStore cache) {
        for (boolean hit : new boolean[] {true, false}) {
            FunctionCounter.builder("idnode.cache.lookups", cache, c -> hit ? c.stats().hitCount() : c.stats().missCount())
                    .tag("result", hit ? "hit" : "miss")
                    .description("Record cache lookups, by result (a lookup that misses on the event loop and is then loaded counts two misses)")
                    .register(registry);
        }
        FunctionCounter.builder("idnode.cache.evictions", cache, c -> c.stats().evictionCount())
                .description("Records evicted from the record cache to stay within cache.max-entries or cache.max-mb").register(registry);
        Gauge.builder("idnode.cache.hit.ratio", cache, c -> c.stats().hitRate())
                .description("Share of record cache lookups answered from the cache since start (1 before any lookup)").register(registry);
        Gauge.builder("idnode.cache.entries", cache, CachingHandleRecordStore::cachedEntries)
                .description("Handles held in the record cache, found and not found (an estimate)").register(registry);
        if (cache.estimatedBytes().isPresent()) {
            Gauge.builder("idnode.cache.estimated.bytes", cache, c -> c.estimatedBytes().orElse(0))
                    .description("Estimated heap of the record cache's entries, which cache.max-mb bounds (only with cache.max-mb)").register(registry);
        }

        gauge(registry, "idnode.store.estimated.identifiers", "RocksDB's estimate of the identifiers stored (rocksdb.estimate-num-keys of handles)",
                rocks, r -> r.handlesProperty("rocksdb.estimate-num-keys"));
        gauge(registry, "idnode.store.live.sst.bytes", "Bytes of the live SST files, all column families (rocksdb.live-sst-files-size)",
                rocks, r -> r.aggregatedProperty("rocksdb.live-sst-files-size"));
        gauge(registry, "idnode.store.memtable.bytes", "Bytes in the memtables, all column families (rocksdb.cur-size-all-mem-tables)",
                rocks, r -> r.aggregatedProperty("rocksdb.cur-size-all-mem-tables"));
        gauge(registry, "idnode.store.block.cache.usage.bytes", "Bytes in RocksDB's block cache (rocksdb.block-cache-usage)",
                rocks, r -> r.handlesProperty("rocksdb.block-cache-usage"));
        gauge(registry, "idnode.store.block.cache.capacity.bytes", "Size of RocksDB's block cache, store.block-cache-mb (rocksdb.block-cache-capacity)",
                rocks, r -> r.handlesProperty("rocksdb.block-cache-capacity"));
        gauge(registry, "idnode.store.pending.compaction.bytes", "Bytes RocksDB estimates compaction still has to rewrite (rocksdb.estimate-pending-compaction-bytes)",
                rocks, r -> r.aggregatedProperty("rocksdb.estimate-pending-compaction-bytes"));
        gauge(registry, "idnode.store.background.errors", "Background errors RocksDB has met (rocksdb.background-errors); above 0 the store may refuse writes",
                rocks, r -> r.handlesProperty("rocksdb.background-errors"));

        ticker(registry, "idnode.store.wal.syncs", "Write-ahead log syncs (one per acknowledged write or batch)", rocks, TickerType.WAL_FILE_SYNCED, 1);
        ticker(registry, "idnode.store.written.bytes", "Bytes written to RocksDB by the node's writes (before compression)", rocks, TickerType.BYTES_WRITTEN, 1);
        ticker(registry, "idnode.store.read.bytes", "Bytes read from RocksDB by point lookups", rocks, TickerType.BYTES_READ, 1);
        ticker(registry, "idnode.store.block.cache.hits", "Reads answered by RocksDB's block cache", rocks, TickerType.BLOCK_CACHE_HIT, 1);
        ticker(registry, "idnode.store.block.cache.misses", "Reads that missed RocksDB's block cache", rocks, TickerType.BLOCK_CACHE_MISS, 1);
        ticker(registry, "idnode.store.write.stall.seconds", "Time writes were stalled or slowed by RocksDB (compaction falling behind)",
                rocks, TickerType.STALL_MICROS, 1e-6);
    }

    private static void gauge(MeterRegistry registry, String name, String help, RocksDbHandleRecordStore rocks,
                              ToDoubleFunction<RocksDbHandleRecordStore> value) {
        Gauge.builder(name, rocks, value).description(help).register(registry);
    }

    private static void ticker(MeterRegistry registry, String name, String help, RocksDbHandleRecordStore rocks, TickerType ticker, double scale) {
        FunctionCounter.builder(name, rocks, r -> Math.max(0, r.ticker(ticker)) * scale).description(help).register(registry);
    }
}
