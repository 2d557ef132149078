package org.idnode.registry.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.registry.write.HandleOperation;
import org.idnode.registry.write.HandleWriter;
import org.idnode.registry.write.RecordValidator;
import org.idnode.registry.write.WriteOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox on a real RocksDB folder: entries are committed with the changes that cause them (also across a
 * {@code kill -9} of the writing process), numbered without gaps across restarts and concurrent writers, acknowledged
 * entries are gone for good, registration counters survive restarts and become entries when flushed, and a writer
 * without a filer leaves the outbox empty.
 */
class OutboxTest {
    /** Files "created <handle>" for a created handle and "deleted <handle>" for a deleted one. */
    static final ChangeFiler FILER = (handle, before, after, time, out) -> {
        if (before == null && after != null) {
            out.file(("created " + handle).getBytes(StandardCharsets.UTF_8));
        } else if (before != null && after == null) {
            out.file(("deleted " + handle).getBytes(StandardCharsets.UTF_8));
        }
    };
    /** Counts created and deleted handles per prefix instead. */
    static final ChangeFiler COUNTER = (handle, before, after, time, out) -> {
        if (before == null && after != null) {
            out.count(handle.namedPrefix(), 1, 0);
        } else if (before != null && after == null) {
            out.count(handle.namedPrefix(), 0, 1);
        }
    };

    @TempDir
    Path dir;

    private RocksDbHandleRecordStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private RocksDbHandleRecordStore open() {
        if (store != null) {
            store.close();
        }
        store = RocksDbHandleRecordStore.open(dir.resolve("store"), 8L << 20);
        return store;
    }

    private static HandleOperation create(String handle) {
        return new HandleOperation.Create(HandleName.parse(handle), List.of(HandleValue.ofString(1, "URL", "https://example.com/" + handle, 0)), false);
    }

    private static List<String> texts(List<OutboxEntry> entries) {
        return entries.stream().map(e -> new String(e.payload(), StandardCharsets.UTF_8)).toList();
    }

    private static List<Long> sequences(List<OutboxEntry> entries) {
        return entries.stream().map(OutboxEntry::sequence).toList();
    }

    @Test
    void aWriterWithoutAFilerLeavesTheOutboxEmpty() {
        HandleWriter writer = new HandleWriter(new CachingHandleRecordStore(open(), 100), RecordValidator.NONE);
        writer.applyAll(List.of(create("88.999.1/A"), create("88.999.1/B")), "test");
        writer.apply(new HandleOperation.Delete(HandleName.parse("88.999.1/A")), "test");
        assertThat(store.outbox().backlog()).isEqualTo(new Outbox.Backlog(0, 0, 0, 0));
        assertThat(store.outbox().pending(10)).isEmpty();
        open();
        assertThat(store.outbox().backlog().lastSequence()).isZero();
        assertThat(store.outbox().pending(10)).isEmpty();
    }

    @Test
    void entriesAreCommittedWithTheirChangesAndNumberedWithoutGapsAcrossRestarts() {
        HandleWriter writer = new HandleWriter(new CachingHandleRecordStore(open(), 100), RecordValidator.NONE, FILER);
        List<WriteOutcome> outcomes = writer.applyAll(List.of(create("88.999.1/A"), create("88.999.1/B"), create("88.999.1/A")), "test");
        assertThat(outcomes).extracting(WriteOutcome::isOk).containsExactly(true, true, false);
        writer.apply(new HandleOperation.Delete(HandleName.parse("88.999.1/B")), "test");
        // A change the filer files nothing for (a modification) takes no number.
        writer.apply(new HandleOperation.AddValues(HandleName.parse("88.999.1/A"), List.of(HandleValue.ofString(2, "EMAIL", "x@example.com", 0)), false), "test");

        open();
        Outbox outbox = store.outbox();
        List<OutboxEntry> pending = outbox.pending(100);
        assertThat(texts(pending)).containsExactly("created 88.999.1/A", "created 88.999.1/B", "deleted 88.999.1/B");
        assertThat(sequences(pending)).containsExactly(1L, 2L, 3L);
        assertThat(outbox.backlog().pending()).isEqualTo(3);
        assertThat(outbox.backlog().oldestSequence()).isEqualTo(1);
        assertThat(outbox.backlog().oldestCreatedMillis()).isPositive();

        outbox.acknowledge(2);
        assertThat(sequences(outbox.pending(100))).containsExactly(3L);
        outbox.acknowledge(1); // a replayed acknowledgement changes nothing
        outbox.acknowledge(99); // capped at the newest entry
        assertThat(outbox.pending(100)).isEmpty();
        assertThat(outbox.backlog()).isEqualTo(new Outbox.Backlog(0, 0, 0, 3));

        // Every entry acknowledged, then a restart: numbering goes on after the last number given out.
        open();
        assertThat(store.outbox().backlog().lastSequence()).isEqualTo(3);
        assertThat(store.outbox().append("site".getBytes(StandardCharsets.UTF_8))).isEqualTo(4);
        new HandleWriter(store, RecordValidator.NONE, FILER).apply(create("88.999.1/C"), "test");
        open();
        assertThat(sequences(store.outbox().pending(100))).containsExactly(4L, 5L);
        assertThat(texts(store.outbox().pending(100))).containsExactly("site", "created 88.999.1/C");
        assertThat(store.get(HandleName.parse("88.999.1/C"))).isPresent();
    }

    @Test
    void concurrentWritersGetOneContiguousRunWithOneEntryPerCreatedHandle() throws Exception {
        HandleWriter writer = new HandleWriter(new CachingHandleRecordStore(open(), 1000), RecordValidator.NONE, FILER);
        int threads = 8;
        int perThread = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i += 4) {
                    List<HandleOperation> ops = new ArrayList<>();
                    for (int j = i; j < i + 4; j++) {
                        ops.add(create("88.999." + thread + "/H-" + j));
                    }
                    writer.applyAll(ops, "t" + thread);
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        List<OutboxEntry> pending = store.outbox().pending(10_000);
        assertThat(pending).hasSize(threads * perThread);
        for (int i = 0; i < pending.size(); i++) {
            assertThat(pending.get(i).sequence()).isEqualTo(i + 1L);
        }
        assertThat(new HashSet<>(texts(pending))).hasSize(threads * perThread);
        // Each thread's entries are in its own commit order.
        for (int t = 0; t < threads; t++) {
            String mine = "created 88.999." + t + "/H-";
            List<Integer> order = texts(pending).stream().filter(s -> s.startsWith(mine)).map(s -> Integer.parseInt(s.substring(mine.length()))).toList();
            assertThat(order).isSorted().hasSize(perThread);
        }
    }

    @Test
    void registrationCountersSurviveRestartsAndBecomeEntriesWhenFlushed() {
        HandleWriter writer = new HandleWriter(new CachingHandleRecordStore(open(), 100), RecordValidator.NONE, COUNTER);
        writer.applyAll(List.of(create("88.999.1/A"), create("88.999.1/B"), create("88.999.2/A")), "test");
        writer.apply(new HandleOperation.Delete(HandleName.parse("88.999.1/A")), "test");
        assertThat(store.outbox().pending(10)).isEmpty();

        open();
        Outbox outbox = store.outbox();
        assertThat(outbox.counts()).isEqualTo(Map.of("88.999.1", new PendingFilings.Counts(2, 1), "88.999.2", new PendingFilings.Counts(1, 0)));
        int appended = outbox.flushCounts((prefix, c) -> (prefix + " +" + c.registered() + " -" + c.deleted()).getBytes(StandardCharsets.UTF_8));
        assertThat(appended).isEqualTo(2);
        assertThat(texts(outbox.pending(10))).containsExactly("88.999.1 +2 -1", "88.999.2 +1 -0");
        assertThat(outbox.counts()).isEmpty();
        assertThat(outbox.flushCounts((p, c) -> new byte[0])).isZero();

        open();
        assertThat(store.outbox().counts()).isEmpty();
        assertThat(sequences(store.outbox().pending(10))).containsExactly(1L, 2L);
    }

    /**
     * A separate JVM registers batches with a filer and prints each acknowledged commit; it is killed with SIGKILL.
     * Every acknowledged handle has its record and its entry, the entries are 1..n without a gap, and each entry
     * belongs to a stored record (no entry without its change, no change without its entry).
     */
    @Test
    @Timeout(120)
    void killNineLosesNoAcknowledgedEntryAndLeavesNoGap() throws Exception {
        Path folder = dir.resolve("crash");
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), OutboxWriterProcess.class.getName(), folder.toString())
                .redirectErrorStream(true).start();
        int lastAcked = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("acked ")) {
                    lastAcked = Integer.parseInt(line.substring(6));
                    if (lastAcked >= 20 * OutboxWriterProcess.BATCH) {
                        writer.destroyForcibly();
                        break;
                    }
                } else {
                    assertThat(line).as("writer output").isEqualTo("ready");
                }
            }
        } finally {
            writer.destroyForcibly();
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(lastAcked).as("the writer acknowledged commits before it was killed").isPositive();

        store = RocksDbHandleRecordStore.open(folder, 8L << 20);
        List<OutboxEntry> entries = store.outbox().pending(1_000_000);
        assertThat(entries.size()).isGreaterThan(lastAcked);
        Set<String> filed = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            assertThat(entries.get(i).sequence()).isEqualTo(i + 1L);
            filed.add(new String(entries.get(i).payload(), StandardCharsets.UTF_8));
        }
        assertThat(store.outbox().backlog().lastSequence()).isEqualTo(entries.size());
        for (int i = 0; i <= lastAcked; i++) {
            assertThat(filed).contains("created 88.999.1/CRASH-" + i);
        }
        // Nothing beyond what was written: each entry's handle is stored, and the stored run ends where the entries do.
        assertThat(entries.size() % OutboxWriterProcess.BATCH).as("whole batches only").isZero();
        for (int i = 0; i < entries.size(); i++) {
            assertThat(store.get(HandleName.parse("88.999.1/CRASH-" + i))).as("record of entry %s", i + 1).isPresent();
        }
        assertThat(store.get(HandleName.parse("88.999.1/CRASH-" + entries.size()))).isEmpty();
    }
}
