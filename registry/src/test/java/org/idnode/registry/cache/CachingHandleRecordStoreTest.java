package org.idnode.registry.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachingHandleRecordStoreTest {

    @TempDir
    Path dir;

    private RocksDbHandleRecordStore rocks;
    private CachingHandleRecordStore cache;

    @BeforeEach
    void open() {
        rocks = RocksDbHandleRecordStore.open(dir.resolve("store"), 8L << 20);
        cache = new CachingHandleRecordStore(rocks, 1000);
    }

    @AfterEach
    void close() {
        if (cache != null) {
            cache.close(); // closes rocks too
        }
    }

    private static HandleRecord record(String handle, String url) {
        return new HandleRecord(HandleName.parse(handle), List.of(HandleValue.ofString(1, "URL", url, 1_700_000_000)));
    }

    private static String url(Optional<HandleRecord> r) {
        return new String(r.orElseThrow().values().get(0).data(), StandardCharsets.UTF_8);
    }

    @Test
    void getIfCachedIsNullBeforeFirstGet() {
        rocks.putAll(List.of(record("88.999.1/a", "https://a")));
        HandleName h = HandleName.parse("88.999.1/a");
        assertThat(cache.getIfCached(h)).isNull();
        assertThat(cache.getIfCached(HandleName.parse("88.999.1/missing"))).isNull();
        assertThat(cache.cachedEntries()).isZero();
    }

    @Test
    void getOfExistingHandleCachesTheRecord() {
        HandleRecord a = record("88.999.1/Abc", "https://a");
        rocks.putAll(List.of(a));

        Optional<HandleRecord> loaded = cache.get(HandleName.parse("88.999.1/abc"));
        assertThat(loaded).contains(a);
        // cached under the ASCII-case-folded key: any case finds it
        assertThat(cache.getIfCached(HandleName.parse("88.999.1/ABC"))).isNotNull().contains(a);
        assertThat(cache.getIfCached(HandleName.parse("88.999.1/abc")).orElseThrow().handle().toString()).isEqualTo("88.999.1/Abc");
        assertThat(cache.cachedEntries()).isEqualTo(1);
    }

    @Test
    void cachedRecordIsServedWithoutTheBackingStore() {
        HandleName h = HandleName.parse("88.999.1/a");
        rocks.putAll(List.of(record("88.999.1/a", "https://a")));
        assertThat(cache.get(h)).isPresent();

        // change the backing store behind the cache's back: the cache keeps answering from memory
        rocks.delete(h);
        assertThat(cache.get(h)).isPresent();
        assertThat(cache.getIfCached(h)).isNotNull().isPresent();
        assertThat(cache.hitRate()).isGreaterThan(0.0);
    }

    @Test
    void getOfMissingHandleCachesANegativeEntry() {
        HandleName h = HandleName.parse("88.999.1/missing");
        assertThat(cache.get(h)).isEmpty();

        Optional<HandleRecord> cached = cache.getIfCached(h);
        assertThat(cached).isNotNull();
        assertThat(cached).isEmpty();

        // still answered negatively from the cache even when the record appears in the backing store directly
        rocks.putAll(List.of(record("88.999.1/missing", "https://late")));
        assertThat(cache.get(h)).isEmpty();
    }

    @Test
    void putAllInvalidatesNegativeEntry() {
        HandleName h = HandleName.parse("88.999.1/new");
        assertThat(cache.get(h)).isEmpty();
        assertThat(cache.getIfCached(h)).isNotNull();

        cache.putAll(List.of(record("88.999.1/NEW", "https://new")));
        assertThat(cache.getIfCached(h)).isNull();
        assertThat(url(cache.get(h))).isEqualTo("https://new");
        assertThat(cache.getIfCached(h)).isNotNull().isPresent();
    }

    @Test
    void putAllInvalidatesPositiveEntry() {
        HandleName h = HandleName.parse("88.999.1/p");
        cache.putAll(List.of(record("88.999.1/p", "https://v1")));
        assertThat(url(cache.get(h))).isEqualTo("https://v1");

        cache.putAll(List.of(record("88.999.1/p", "https://v2"), record("88.999.1/other", "https://o")));
        assertThat(cache.getIfCached(h)).isNull();
        assertThat(url(cache.get(h))).isEqualTo("https://v2");
        assertThat(url(cache.getIfCached(h))).isEqualTo("https://v2");
    }

    @Test
    void putAllWrittenInOtherCaseInvalidatesEntry() {
        HandleName h = HandleName.parse("88.999.1/case");
        cache.putAll(List.of(record("88.999.1/case", "https://v1")));
        assertThat(url(cache.get(h))).isEqualTo("https://v1");

        cache.putAll(List.of(record("88.999.1/CASE", "https://v2")));
        assertThat(url(cache.get(h))).isEqualTo("https://v2");
    }

    @Test
    void deleteInvalidatesEntry() {
        HandleName h = HandleName.parse("88.999.1/d");
        cache.putAll(List.of(record("88.999.1/d", "https://d")));
        assertThat(cache.get(h)).isPresent();

        assertThat(cache.delete(HandleName.parse("88.999.1/D"))).isTrue();
        assertThat(cache.getIfCached(h)).isNull();
        assertThat(cache.get(h)).isEmpty();
        assertThat(rocks.get(h)).isEmpty();
        assertThat(cache.delete(h)).isFalse();
    }

    @Test
    void deleteOfMissingHandleReturnsFalseAndKeepsNothingStale() {
        HandleName h = HandleName.parse("88.999.1/none");
        assertThat(cache.get(h)).isEmpty();
        assertThat(cache.delete(h)).isFalse();
        assertThat(cache.getIfCached(h)).isNull();
    }

    @Test
    void negativeMaximumIsRefused() {
        assertThatThrownBy(() -> new CachingHandleRecordStore(rocks, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void statisticsCountEveryLookupWhetherTheEvictionPolicyRecordedItOrNot() {
        rocks.putAll(List.of(record("88.999.1/a", "https://a")));
        HandleName a = HandleName.parse("88.999.1/a");
        HandleName missing = HandleName.parse("88.999.1/never-loaded");
        cache.get(a); // a miss, loaded
        int reads = 50 * CachingHandleRecordStore.RECORD_ONE_READ_IN;
        for (int i = 0; i < reads; i++) {
            assertThat(url(cache.getIfCached(a))).isEqualTo("https://a");
            assertThat(cache.getIfCached(missing)).isNull();
        }
        assertThat(cache.stats().hitCount()).isEqualTo(reads);
        assertThat(cache.stats().missCount()).isEqualTo(1 + reads);
        assertThat(cache.hitRate()).isEqualTo((double) reads / (2 * reads + 1));
    }

    @Test
    void entriesReadOftenOutliveAStreamOfEntriesReadOnce() {
        cache.close();
        rocks = RocksDbHandleRecordStore.open(dir.resolve("store"), 8L << 20);
        cache = new CachingHandleRecordStore(rocks, 200);
        List<HandleRecord> records = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            records.add(record("88.999.1/hot-" + i, "https://example.com/hot/" + i));
        }
        for (int i = 0; i < 4000; i++) {
            records.add(record("88.999.1/cold-" + i, "https://example.com/cold/" + i));
        }
        rocks.putAll(records);
        // As a node reads: the cache first (sampled into the policy), the store on a miss. Each hot entry is read
        // 100 times in all, between one-time reads of 4000 others, twenty times what the cache holds.
        for (int i = 0; i < 4000; i++) {
            HandleName hot = HandleName.parse("88.999.1/hot-" + (i / 2 % 20));
            if (i % 2 == 0 && cache.getIfCached(hot) == null) {
                cache.get(hot);
            }
            cache.get(HandleName.parse("88.999.1/cold-" + i));
        }
        cache.cleanUp();
        long hotCached = records.subList(0, 20).stream().filter(r -> cache.getIfCached(r.handle()) != null).count();
        assertThat(hotCached).as("hot entries still cached").isGreaterThanOrEqualTo(18);
    }

    @Test
    void maximumEntriesBoundIsRespected() {
        cache.close();
        cache = null;
        rocks = RocksDbHandleRecordStore.open(dir.resolve("store"), 8L << 20);
        CachingHandleRecordStore small = new CachingHandleRecordStore(rocks, 10);
        cache = small;

        List<HandleRecord> records = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            records.add(record("88.999.1/item-" + i, "https://example.com/" + i));
        }
        rocks.putAll(records);

        // 500 existing and 500 missing handles, all distinct. The cache's upkeep runs on the loading thread, so the
        // bound holds when each load returns, with no other thread to wait for.
        for (int i = 0; i < 500; i++) {
            assertThat(small.get(HandleName.parse("88.999.1/item-" + i))).isPresent();
            assertThat(small.cachedEntries()).isLessThanOrEqualTo(10);
            assertThat(small.get(HandleName.parse("88.999.1/missing-" + i))).isEmpty();
            assertThat(small.cachedEntries()).isLessThanOrEqualTo(10);
        }
        assertThat(small.stats().evictionCount()).isEqualTo(990);

        // evicted entries are reloaded correctly from the store
        for (int i = 0; i < 500; i += 50) {
            assertThat(url(small.get(HandleName.parse("88.999.1/item-" + i)))).isEqualTo("https://example.com/" + i);
        }
    }

    @Test
    void memoryBudgetHoldsFewerLargeRecordsThanSmallOnes() {
        cache.close();
        rocks = RocksDbHandleRecordStore.open(dir.resolve("store"), 8L << 20);
        String big = "https://example.com/".repeat(200);
        List<HandleRecord> records = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            records.add(record("88.999.1/small-" + i, "https://example.com/" + i));
            records.add(record("88.999.1/large-" + i, big + i));
        }
        rocks.putAll(records);
        HandleName firstSmall = HandleName.parse("88.999.1/small-0");
        HandleName firstLarge = HandleName.parse("88.999.1/large-0");
        int smallWeight = CachingHandleRecordStore.estimatedBytes(firstSmall.lookupKey(), rocks.get(firstSmall));
        int largeWeight = CachingHandleRecordStore.estimatedBytes(firstLarge.lookupKey(), rocks.get(firstLarge));
        assertThat(largeWeight).isGreaterThan(10 * smallWeight);

        long budget = 40L * smallWeight;
        cache = CachingHandleRecordStore.withMemoryBudget(rocks, budget, UnaryOperator.identity());
        long small = fill(cache, "small", 300);
        assertThat(small).isBetween(20L, 40L);
        cache.close();
        rocks = RocksDbHandleRecordStore.open(dir.resolve("store"), 8L << 20);
        cache = CachingHandleRecordStore.withMemoryBudget(rocks, budget, UnaryOperator.identity());
        long large = fill(cache, "large", 300);
        assertThat(large).isLessThanOrEqualTo(budget / largeWeight);
        // evicted records are read again from the store
        assertThat(url(cache.get(HandleName.parse("88.999.1/large-7")))).isEqualTo(big + 7);
    }

    @Test
    void aMemoryBoundedCacheEvictsToStayWithinItsBudget() {
        cache.close();
        rocks = RocksDbHandleRecordStore.open(dir.resolve("store"), 8L << 20);
        List<HandleRecord> records = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            records.add(record("88.999.1/mixed-" + i, "https://example.com/" + "x".repeat(i % 7 == 0 ? 3000 : 10 * (i % 50)) + i));
        }
        rocks.putAll(records);
        long budget = 64 * 1024;
        cache = CachingHandleRecordStore.withMemoryBudget(rocks, budget, UnaryOperator.identity());
        long weighed = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (HandleRecord r : records) {
                assertThat(cache.get(r.handle())).contains(r);
                cache.get(HandleName.parse(r.handle() + "-missing"));
                cache.cleanUp();
                assertThat(cache.estimatedBytes()).isPresent();
                assertThat(cache.estimatedBytes().getAsLong()).isLessThanOrEqualTo(budget);
                weighed += CachingHandleRecordStore.estimatedBytes(r.handle().lookupKey(), Optional.of(r));
            }
        }
        assertThat(weighed).as("the records read weigh far more than the budget").isGreaterThan(10 * budget);
        assertThat(cache.stats().evictionCount()).isPositive();
        assertThat(cache.cachedEntries()).isBetween(1L, 799L);
        assertThat(new CachingHandleRecordStore(rocks, 10).estimatedBytes()).as("an entry-bound cache weighs nothing").isEmpty();
    }

    /** Reads {@code n} records through the cache, lets Caffeine finish evicting, and returns the entries left. */
    private static long fill(CachingHandleRecordStore store, String kind, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(store.get(HandleName.parse("88.999.1/" + kind + "-" + i))).isPresent();
        }
        store.cleanUp();
        return store.cachedEntries();
    }
}
