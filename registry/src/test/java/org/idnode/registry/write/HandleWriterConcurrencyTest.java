package org.idnode.registry.write;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.registry.write.HandleOperation.AddValues;
import org.idnode.registry.write.HandleOperation.Create;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads writing through one {@link HandleWriter}: no lost updates, no deadlock. Bounded by
 * generous timeouts only; nothing about speed is asserted.
 */
class HandleWriterConcurrencyTest {
    private static final int THREADS = 8;
    private static final int ADDS_PER_THREAD = 200;
    private static final long TIMEOUT_MINUTES = 5;

    @TempDir
    Path dir;

    private CachingHandleRecordStore store;
    private HandleWriter writer;
    private ExecutorService pool;

    @BeforeEach
    void open() {
        store = new CachingHandleRecordStore(RocksDbHandleRecordStore.open(dir.resolve("store"), 8L << 20), 1000);
        writer = new HandleWriter(store, RecordValidator.NONE);
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterEach
    void close() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        store.close();
    }

    /** Runs the tasks at once (all released by one latch) and returns their results, failing on any exception. */
    private <T> List<T> runTogether(List<Callable<T>> tasks) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) {
            futures.add(pool.submit(() -> {
                start.await();
                return task.call();
            }));
        }
        start.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            results.add(f.get(TIMEOUT_MINUTES, TimeUnit.MINUTES));
        }
        return results;
    }

    @Test
    void concurrentAddValuesToOneHandleLoseNothing() throws Exception {
        HandleName h = HandleName.parse("88.999.1/hot");
        assertThat(writer.apply(new Create(h, List.of(), false), "setup").isOk()).isTrue();

        List<Callable<List<WriteOutcome>>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            tasks.add(() -> {
                List<WriteOutcome> outcomes = new ArrayList<>();
                for (int i = 0; i < ADDS_PER_THREAD; i++) {
                    int index = thread * ADDS_PER_THREAD + i + 1;
                    // the handle in a case of its own per thread: the lock and the cache work on the lookup key
                    HandleName name = HandleName.parse(thread % 2 == 0 ? "88.999.1/hot" : "88.999.1/HOT");
                    outcomes.add(writer.apply(new AddValues(name,
                            List.of(HandleValue.ofString(index, "URL", "https://example.com/" + index, 0)), false), "writer-" + thread));
                }
                return outcomes;
            });
        }
        List<List<WriteOutcome>> results = runTogether(tasks);

        assertThat(results).allSatisfy(outcomes -> assertThat(outcomes)
                .hasSize(ADDS_PER_THREAD)
                .allSatisfy(o -> assertThat(o.status()).as(o.message()).isEqualTo(WriteStatus.OK)));
        HandleRecord r = store.get(h).orElseThrow();
        int total = THREADS * ADDS_PER_THREAD;
        assertThat(r.values()).hasSize(total);
        assertThat(r.values()).extracting(HandleValue::index)
                .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, total).boxed().toList());
        // each thread's values are in the order it added them
        for (int t = 0; t < THREADS; t++) {
            int lo = t * ADDS_PER_THREAD + 1;
            int hi = lo + ADDS_PER_THREAD - 1;
            assertThat(r.values()).extracting(HandleValue::index).filteredOn(i -> i >= lo && i <= hi).isSorted();
        }
        // one audit entry per operation, none lost either
        assertThat(store.auditTrail(h, 10 * total)).hasSize(total + 1);
        // the cache and the backing store agree
        store.invalidate(h);
        assertThat(store.get(h)).contains(r);
    }

    @Test
    void concurrentCallsSpanningSeveralHandlesInOppositeOrdersNeitherDeadlockNorLoseUpdates() throws Exception {
        List<HandleName> handles = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            handles.add(HandleName.parse("88.999.1/multi-" + i));
            assertThat(writer.apply(new Create(handles.get(i), List.of(), false), "setup").isOk()).isTrue();
        }
        int rounds = 50;
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            tasks.add(() -> {
                int ok = 0;
                for (int round = 0; round < rounds; round++) {
                    List<HandleOperation> ops = new ArrayList<>();
                    for (int k = 0; k < handles.size(); k++) {
                        // even threads go 0..3, odd threads 3..0
                        HandleName target = handles.get(thread % 2 == 0 ? k : handles.size() - 1 - k);
                        int index = thread * rounds + round + 1;
                        ops.add(new AddValues(target, List.of(HandleValue.ofString(index, "URL", "v" + index, 0)), false));
                    }
                    for (WriteOutcome o : writer.applyAll(ops, "writer-" + thread)) {
                        ok += o.isOk() ? 1 : 0;
                    }
                }
                return ok;
            });
        }
        List<Integer> oks = runTogether(tasks);

        assertThat(oks).containsOnly(rounds * handles.size());
        for (HandleName h : handles) {
            assertThat(store.get(h).orElseThrow().values()).as(h.toString()).hasSize(THREADS * rounds);
        }
    }

    /**
     * A batch waits only for batches that share a handle with it: while one batch of a thousand records is held inside
     * the writer (its validation blocked), a second batch of a thousand other records is written; a third that shares
     * one record with the first is written only after the first, and sees its record. (With locks striped over
     * handle hashes, two batches of a thousand records almost surely shared a stripe and went one after the other.)
     */
    @Test
    void batchesOfDifferentHandlesAreWrittenSideBySideAndBatchesSharingOneWait() throws Exception {
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        HandleName gate = HandleName.parse("88.999.1/A-0");
        RecordValidator blockOnGate = record -> {
            if (record.handle().equals(gate) && record.values().size() == 1) {
                firstInside.countDown();
                try {
                    assertThat(releaseFirst.await(TIMEOUT_MINUTES, TimeUnit.MINUTES)).isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return List.of();
        };
        HandleWriter gated = new HandleWriter(store, blockOnGate);

        Future<List<WriteOutcome>> first = pool.submit(() -> gated.applyAll(creates("A", 1000), "first"));
        assertThat(firstInside.await(TIMEOUT_MINUTES, TimeUnit.MINUTES)).isTrue();
        List<WriteOutcome> second = pool.submit(() -> gated.applyAll(creates("B", 1000), "second")).get(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        assertThat(first).as("the first batch is still held while the second was written").isNotDone();
        assertThat(second).hasSize(1000).allSatisfy(o -> assertThat(o.isOk()).isTrue());
        assertThat(store.get(HandleName.parse("88.999.1/B-999"))).isPresent();

        // Shares A-0 with the first: it adds a second value to A-0, which exists only once the first is written.
        Future<List<WriteOutcome>> third = pool.submit(() -> gated.applyAll(List.of(new AddValues(gate,
                List.of(HandleValue.ofString(2, "DESC", "third", 0)), false)), "third"));
        releaseFirst.countDown();
        assertThat(first.get(TIMEOUT_MINUTES, TimeUnit.MINUTES)).hasSize(1000).allSatisfy(o -> assertThat(o.isOk()).isTrue());
        assertThat(third.get(TIMEOUT_MINUTES, TimeUnit.MINUTES).get(0).status()).isEqualTo(WriteStatus.OK);
        assertThat(store.get(gate).orElseThrow().values()).extracting(HandleValue::index).containsExactly(1, 2);
    }

    private static List<HandleOperation> creates(String series, int n) {
        List<HandleOperation> ops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ops.add(new Create(HandleName.parse("88.999.1/" + series + "-" + i),
                    List.of(HandleValue.ofString(1, "URL", "https://example.com/" + series + "/" + i, 0)), false));
        }
        return ops;
    }
}
