package org.idnode.registry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.HandleValue.TtlType;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.model.ValueReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.TickerType;

class RocksDbHandleRecordStoreTest {
    private static final long BLOCK_CACHE = 8L << 20;

    @TempDir
    Path dir;

    private RocksDbHandleRecordStore store;

    @BeforeEach
    void open() {
        store = RocksDbHandleRecordStore.open(dir.resolve("store"), BLOCK_CACHE);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private static HandleRecord record(String handle, String... urlValues) {
        List<HandleValue> values = new ArrayList<>();
        for (int i = 0; i < urlValues.length; i++) {
            values.add(HandleValue.ofString(i + 1, "URL", urlValues[i], 1_700_000_000 + i));
        }
        return new HandleRecord(HandleName.parse(handle), values);
    }

    /** A record exercising every field with awkward values. */
    private static HandleRecord richRecord() {
        List<HandleValue> values = new ArrayList<>();
        values.add(new HandleValue(1, "URL", "https://example.com/批次/1".getBytes(StandardCharsets.UTF_8),
                TtlType.RELATIVE, 86400, 1_700_000_000, List.of(), Permissions.PUBLIC_READ));
        values.add(new HandleValue(2, "批次号", new byte[] {0, 1, 0, (byte) 0xFF, (byte) 0x80, 0, 0x7F, 0},
                TtlType.ABSOLUTE, Integer.MAX_VALUE, -1, List.of(), Permissions.RESTRICTED));
        values.add(new HandleValue(Integer.MAX_VALUE, "", new byte[0], TtlType.RELATIVE, -1, Integer.MAX_VALUE,
                List.of(new ValueReference("0.NA/88.999", 200), new ValueReference("88.999.2/其它", Integer.MAX_VALUE),
                        new ValueReference("", 0)),
                new Permissions(false, false, false, false)));
        values.add(new HandleValue(300, "EMAIL", new byte[] {0}, TtlType.ABSOLUTE, Integer.MIN_VALUE, Integer.MIN_VALUE,
                List.of(new ValueReference("x/y", -5)), new Permissions(true, true, true, true)));
        int index = 1000;
        for (int bits = 0; bits < 16; bits++) {
            values.add(new HandleValue(index++, "PERM" + bits, new byte[] {(byte) bits}, bits % 2 == 0 ? TtlType.RELATIVE : TtlType.ABSOLUTE,
                    bits * 1000, bits, List.of(), Permissions.fromBits(bits)));
        }
        byte[] big = new byte[100_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        values.add(new HandleValue(5000, "BLOB", big, TtlType.RELATIVE, 0, 0, List.of(), Permissions.PUBLIC_READ));
        return new HandleRecord(HandleName.parse("88.999.1/Batch-批次-é"), values);
    }

    private static void assertSameRecord(HandleRecord actual, HandleRecord expected) {
        assertThat(actual.handle().toString()).isEqualTo(expected.handle().toString());
        assertThat(actual.values()).hasSameSizeAs(expected.values());
        for (int i = 0; i < expected.values().size(); i++) {
            HandleValue a = actual.values().get(i);
            HandleValue e = expected.values().get(i);
            assertThat(a.index()).isEqualTo(e.index());
            assertThat(a.type()).isEqualTo(e.type());
            assertThat(a.type().getBytes(StandardCharsets.UTF_8)).isEqualTo(e.type().getBytes(StandardCharsets.UTF_8));
            assertThat(a.data()).isEqualTo(e.data());
            assertThat(a.ttlType()).isEqualTo(e.ttlType());
            assertThat(a.ttl()).isEqualTo(e.ttl());
            assertThat(a.timestamp()).isEqualTo(e.timestamp());
            assertThat(a.references()).isEqualTo(e.references());
            assertThat(a.permissions()).isEqualTo(e.permissions());
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void putThenGetKeepsEveryField() {
        HandleRecord rich = richRecord();
        store.putAll(List.of(rich));

        Optional<HandleRecord> got = store.get(HandleName.parse("88.999.1/Batch-批次-é"));
        assertThat(got).isPresent();
        assertSameRecord(got.get(), rich);
        // values keep the order they were given in, not sorted by index
        assertThat(got.get().values().get(2).index()).isEqualTo(Integer.MAX_VALUE);
        assertThat(got.get().values().get(3).index()).isEqualTo(300);
    }

    @Test
    void recordWithoutValuesRoundTrips() {
        HandleRecord empty = new HandleRecord(HandleName.parse("88.999.1/empty"), List.of());
        store.putAll(List.of(empty));
        assertThat(store.get(empty.handle())).contains(empty);
    }

    @Test
    void getOfUnknownHandleIsEmpty() {
        assertThat(store.get(HandleName.parse("88.999.1/none"))).isEmpty();
    }

    @Test
    void lookupIsAsciiCaseInsensitiveAndKeepsWrittenCase() {
        store.putAll(List.of(record("88.999.1/Abc", "https://a")));

        for (String probe : List.of("88.999.1/ABC", "88.999.1/abc", "88.999.1/Abc", "88.999.1/aBC")) {
            Optional<HandleRecord> got = store.get(HandleName.parse(probe));
            assertThat(got).as(probe).isPresent();
            assertThat(got.get().handle().toString()).isEqualTo("88.999.1/Abc");
            assertThat(got.get().values().get(0).data()).isEqualTo("https://a".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(store.get(HandleName.parse("88.999.1/Abd"))).isEmpty();
    }

    @Test
    void nonAsciiCaseIsSignificantForLookup() {
        store.putAll(List.of(record("88.999.1/é", "lower")));
        assertThat(store.get(HandleName.parse("88.999.1/É"))).isEmpty();
        assertThat(store.get(HandleName.parse("88.999.1/é"))).isPresent();
    }

    @Test
    void putReplacesRecordWrittenInOtherCase() {
        store.putAll(List.of(record("88.999.1/abc", "old")));
        store.putAll(List.of(record("88.999.1/ABC", "new1", "new2")));

        HandleRecord got = store.get(HandleName.parse("88.999.1/abc")).orElseThrow();
        assertThat(got.handle().toString()).isEqualTo("88.999.1/ABC");
        assertThat(got.values()).extracting(v -> new String(v.data(), StandardCharsets.UTF_8)).containsExactly("new1", "new2");
    }

    @Test
    void putAllOfEmptyCollectionIsANoOp() {
        store.putAll(List.of());
        assertThat(store.get(HandleName.parse("88.999.1/x"))).isEmpty();
    }

    /**
     * A read that finds none of its table file's filter and index in the block cache loads one small partition of
     * each and a data block, not the file's whole filter (200,000 keys: some 250 KB). The cache here is smaller than
     * such a filter, as a cache shard is under a data set many times larger than the block cache. Reads of files
     * written before partitioning (a data folder of an earlier version) become as cheap once {@link
     * RocksDbHandleRecordStore#compact} has rewritten them; the keys start at the bottom level, as after an import.
     */
    @Test
    void pointReadLoadsOnlyAFewSmallBlocksWhenNothingIsCached() {
        store.close();
        Path folder = dir.resolve("large");
        store = RocksDbHandleRecordStore.open(folder, 64 * 1024);
        int count = 200_000;
        for (int from = 0; from < count; from += 10_000) {
            List<HandleRecord> batch = new ArrayList<>();
            for (int i = from; i < from + 10_000; i++) {
                batch.add(record("88.999.1/lot-" + i, "https://example.com/lots/" + i));
            }
            store.putAll(batch);
        }
        store.compact();
        store.close();
        store = RocksDbHandleRecordStore.open(folder, 64 * 1024);

        long before = store.ticker(TickerType.BLOCK_CACHE_BYTES_WRITE);
        SplittableRandom random = new SplittableRandom(7);
        int reads = 500;
        for (int i = 0; i < reads; i++) {
            int n = random.nextInt(count);
            assertThat(store.get(HandleName.parse("88.999.1/lot-" + n))).get()
                    .extracting(r -> new String(r.values().get(0).data(), StandardCharsets.UTF_8)).isEqualTo("https://example.com/lots/" + n);
        }
        long perRead = (store.ticker(TickerType.BLOCK_CACHE_BYTES_WRITE) - before) / reads;
        assertThat(perRead).as("bytes loaded into the block cache per read").isBetween(1L, 32L * 1024);
    }

    @Test
    void compactKeepsEveryRecordAndDropsDeletedOnes() {
        List<HandleRecord> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(record("88.999.1/item-" + i, "https://example.com/" + i));
        }
        batch.add(richRecord());
        store.putAll(batch);
        store.delete(HandleName.parse("88.999.1/item-7"));
        store.compact();
        for (HandleRecord r : batch) {
            if (r.handle().toString().equals("88.999.1/item-7")) {
                assertThat(store.get(r.handle())).isEmpty();
            } else {
                assertSameRecord(store.get(r.handle()).orElseThrow(), r);
            }
        }
        assertThat(store.handlesProperty("rocksdb.estimate-num-keys")).isEqualTo(100);
    }

    @Test
    void putAllIsDurableAcrossCloseAndReopen() {
        List<HandleRecord> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(record("88.999." + (i % 3 + 1) + "/item-" + i, "https://example.com/" + i, "second-" + i));
        }
        batch.add(richRecord());
        store.putAll(batch);
        store.close();
        store = null;

        store = RocksDbHandleRecordStore.open(dir.resolve("store"), BLOCK_CACHE);
        assertThat(store.directory()).isEqualTo(dir.resolve("store"));
        for (HandleRecord r : batch) {
            Optional<HandleRecord> got = store.get(r.handle());
            assertThat(got).as(r.handle().toString()).isPresent();
            assertSameRecord(got.get(), r);
        }
    }

    @Test
    void deleteReturnsWhetherTheHandleExisted() {
        store.putAll(List.of(record("88.999.1/del", "x"), record("88.999.1/keep", "y")));

        assertThat(store.delete(HandleName.parse("88.999.1/DEL"))).isTrue();
        assertThat(store.get(HandleName.parse("88.999.1/del"))).isEmpty();
        assertThat(store.delete(HandleName.parse("88.999.1/del"))).isFalse();
        assertThat(store.delete(HandleName.parse("88.999.1/never"))).isFalse();
        assertThat(store.get(HandleName.parse("88.999.1/keep"))).isPresent();
    }

    @Test
    void deleteIsDurableAcrossReopen() {
        store.putAll(List.of(record("88.999.1/gone", "x"), record("88.999.1/stays", "y")));
        assertThat(store.delete(HandleName.parse("88.999.1/gone"))).isTrue();
        store.close();
        store = RocksDbHandleRecordStore.open(dir.resolve("store"), BLOCK_CACHE);

        assertThat(store.get(HandleName.parse("88.999.1/gone"))).isEmpty();
        assertThat(store.get(HandleName.parse("88.999.1/stays"))).isPresent();
    }

    @Test
    void secondOpenOfTheSameFolderFailsNamingTheFolder() {
        Path folder = dir.resolve("store");
        assertThatThrownBy(() -> RocksDbHandleRecordStore.open(folder, BLOCK_CACHE).close())
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(folder.toString());
        // the first store is still usable
        store.putAll(List.of(record("88.999.1/still-works", "x")));
        assertThat(store.get(HandleName.parse("88.999.1/still-works"))).isPresent();
    }

    @Test
    void folderCanBeReopenedAfterClose() {
        store.close();
        store = null;
        RocksDbHandleRecordStore again = RocksDbHandleRecordStore.open(dir.resolve("store"), BLOCK_CACHE);
        again.close();
        store = RocksDbHandleRecordStore.open(dir.resolve("store"), BLOCK_CACHE);
    }

    @Test
    void openCreatesMissingParentFolders() {
        Path nested = dir.resolve("a/b/c");
        try (RocksDbHandleRecordStore s = RocksDbHandleRecordStore.open(nested, BLOCK_CACHE)) {
            s.putAll(List.of(record("88.999.1/n", "x")));
            assertThat(s.get(HandleName.parse("88.999.1/N"))).isPresent();
        }
        assertThat(nested).isDirectory();
    }

    @Test
    void openFailsWithStoreExceptionWhenFolderIsAFile() throws Exception {
        Path file = java.nio.file.Files.writeString(dir.resolve("not-a-folder"), "x");
        assertThatThrownBy(() -> RocksDbHandleRecordStore.open(file, BLOCK_CACHE).close())
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void recordWithDuplicateValueIndexIsRefused() {
        HandleName h = HandleName.parse("88.999.1/dup");
        List<HandleValue> values = List.of(HandleValue.ofString(1, "URL", "a", 0), HandleValue.ofString(2, "URL", "b", 0),
                HandleValue.ofString(1, "EMAIL", "c", 0));
        assertThatThrownBy(() -> new HandleRecord(h, values))
                .isInstanceOf(InvalidHandleException.class)
                .hasMessageContaining("index 1");
        assertThat(store.get(h)).isEmpty();
    }
}
