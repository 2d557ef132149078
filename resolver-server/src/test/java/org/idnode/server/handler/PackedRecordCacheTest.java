package org.idnode.server.handler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.PackedValues;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The record cache as the node builds it ({@link PackedRecords} over a real RocksDB store): what it hands out equals
 * what is stored, loaded records share the name they were asked for, and bounded by memory it weighs packed records
 * by their size and evicts to stay within its budget.
 */
class PackedRecordCacheTest {
    @TempDir
    Path dir;
    private CachingHandleRecordStore cache;

    @AfterEach
    void close() {
        if (cache != null) {
            cache.close();
        }
    }

    /** Six values (a sixth of them restricted) with {@code size} bytes of data each. */
    private static HandleRecord record(int i, int size) {
        List<HandleValue> values = new ArrayList<>();
        for (int v = 1; v <= 6; v++) {
            values.add(new HandleValue(v, "ITEM." + v, ("lot " + i + " ").concat("x".repeat(size)).getBytes(StandardCharsets.UTF_8),
                    HandleValue.TtlType.RELATIVE, 86_400, 1_748_736_000, List.of(), v == 6 && i % 6 == 0 ? Permissions.RESTRICTED : Permissions.PUBLIC_READ));
        }
        return new HandleRecord(HandleName.parse("88.999.1/LOT-" + i), values);
    }

    @Test
    void cachedRecordsArePackedEqualAndShareTheAskedName() {
        RocksDbHandleRecordStore rocks = RocksDbHandleRecordStore.open(dir, 8L << 20);
        cache = new CachingHandleRecordStore(rocks, 100, PackedRecords::pack);
        HandleRecord stored = record(6, 40);
        rocks.putAll(List.of(stored));

        HandleName asked = HandleName.parse("88.999.1/LOT-6");
        HandleRecord loaded = cache.get(asked).orElseThrow();
        assertThat(loaded).isEqualTo(stored);
        assertThat(loaded.values()).isInstanceOf(PackedValues.class);
        assertThat(loaded.handle()).isSameAs(asked);
        assertThat(cache.getIfCached(HandleName.parse("88.999.1/lot-6"))).isEqualTo(Optional.of(stored));
        // asked in another case: the record keeps the name as stored
        cache.invalidate(asked);
        assertThat(cache.get(HandleName.parse("88.999.1/lot-6")).orElseThrow().handle().toString()).isEqualTo("88.999.1/LOT-6");
    }

    @Test
    void aMemoryBoundedCacheOfPackedRecordsStaysWithinItsBudget() {
        RocksDbHandleRecordStore rocks = RocksDbHandleRecordStore.open(dir, 8L << 20);
        List<HandleRecord> records = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            records.add(record(i, i % 10 == 0 ? 1000 : 5 + i % 40));
        }
        rocks.putAll(records);
        long budget = 100 * 1024;
        cache = CachingHandleRecordStore.withMemoryBudget(rocks, budget, PackedRecords::pack);

        for (int pass = 0; pass < 2; pass++) {
            for (HandleRecord r : records) {
                assertThat(cache.get(r.handle())).contains(r);
                cache.cleanUp();
                assertThat(cache.estimatedBytes().orElseThrow()).isLessThanOrEqualTo(budget);
            }
        }
        assertThat(cache.stats().evictionCount()).isPositive();
        long entries = cache.cachedEntries();
        // a packed 6-value record weighs some hundreds of bytes, a large one several kilobytes
        assertThat(entries).isBetween(budget / 8000, budget / 300);

        HandleRecord small = PackedRecords.pack(record(1, 10));
        HandleRecord large = PackedRecords.pack(record(10, 1000));
        long smallBytes = ((PackedValues) small.values()).heapBytes();
        long largeBytes = ((PackedValues) large.values()).heapBytes();
        assertThat(largeBytes - smallBytes).isBetween(6L * 990, 6L * 990 + 64);
    }
}
