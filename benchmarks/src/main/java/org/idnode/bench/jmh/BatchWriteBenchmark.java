package org.idnode.bench.jmh;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable batch registration: {@link RocksDbHandleRecordStore#putAll} of {@value #BATCH} new PCB lot
 * records per call, one {@code WriteBatch} committed with {@code sync=true} (the write-ahead log is
 * fsynced once per batch), in records per second on one thread.
 *
 * <p>Every batch has new handles (a running lot serial), so the store grows during the run as under
 * real registration, and RocksDB's flushes and compactions run in the background as they would. The
 * value lists come from a pool of {@value #POOL} distinct parsed lots and are shared between records:
 * {@code putAll} encodes each record anyway, so sharing them changes nothing measured. Building a batch
 * (about 1 µs per record) happens outside the measurement, before each call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class BatchWriteBenchmark {
    /** Records per {@code putAll}. */
    public static final int BATCH = 1000;
    /** Distinct value lists the records take their values from. */
    public static final int POOL = 256;

    private Path dir;
    private RocksDbHandleRecordStore store;
    private final List<List<HandleValue>> valuePool = new ArrayList<>(POOL);
    private final List<HandleRecord> batch = new ArrayList<>(BATCH);
    private int nextSerial = 1_000_000;

    /** Opens an empty store and parses the value pool. */
    @Setup(Level.Trial)
    public void openStore() {
        dir = BenchData.tempDir("batch-write");
        store = RocksDbHandleRecordStore.open(dir, BenchData.BLOCK_CACHE_BYTES);
        for (int i = 0; i < POOL; i++) {
            valuePool.add(BenchData.lot(i).values());
        }
    }

    /** Builds the next batch of {@value #BATCH} records with handles not stored yet. */
    @Setup(Level.Invocation)
    public void nextBatch() {
        batch.clear();
        for (int i = 0; i < BATCH; i++) {
            int serial = nextSerial++;
            batch.add(new HandleRecord(HandleName.parse(BenchData.lotHandle(serial)), valuePool.get(serial % POOL)));
        }
    }

    /** Closes the store and deletes its folder. */
    @TearDown(Level.Trial)
    public void closeStore() {
        if (store != null) {
            store.close();
        }
        BenchData.deleteRecursively(dir);
    }

    /** One durable batch of {@value #BATCH} records; the score is records per second. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void putAll() {
        store.putAll(batch);
    }
}
