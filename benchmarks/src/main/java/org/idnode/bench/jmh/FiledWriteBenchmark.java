package org.idnode.bench.jmh;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.idnode.registry.federation.ChangeFiler;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.registry.write.HandleOperation;
import org.idnode.registry.write.HandleWriter;
import org.idnode.registry.write.RecordValidator;
import org.idnode.server.config.NodeConfig.Federation.FilingPolicy;
import org.idnode.server.federation.FilingRules;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable batch registration through the {@link HandleWriter} (what REST, gRPC and Handle writes use), with federation
 * off (no filer: the outbox is never touched) or filing every registration ({@code full}: one outbox entry per record,
 * in the same RocksDB write) or counting them ({@code count}: one counter per enterprise prefix in the same write), in
 * records per second on one thread, {@value #BATCH} new PCB lots per durable batch. The outbox is never shipped here,
 * so it grows as it would while the top level is down.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class FiledWriteBenchmark {
    /** Records per call. */
    public static final int BATCH = 1000;
    private static final int POOL = 256;

    /** {@code off}, {@code full} or {@code count}. */
    @Param({"off", "full", "count"})
    public String filing;

    private Path dir;
    private RocksDbHandleRecordStore store;
    private HandleWriter writer;
    private final List<List<HandleValue>> valuePool = new ArrayList<>(POOL);
    private final List<HandleOperation> batch = new ArrayList<>(BATCH);
    private int nextSerial = 1_000_000;

    @Setup(Level.Trial)
    public void openStore() {
        dir = BenchData.tempDir("filed-write");
        store = RocksDbHandleRecordStore.open(dir, BenchData.BLOCK_CACHE_BYTES);
        ChangeFiler filer = switch (filing) {
            case "off" -> null;
            case "full" -> new FilingRules("88.999", FilingPolicy.FULL);
            case "count" -> new FilingRules("88.999", FilingPolicy.COUNT);
            default -> throw new IllegalArgumentException("filing: off, full or count, not " + filing);
        };
        writer = new HandleWriter(store, RecordValidator.NONE, filer);
        for (int i = 0; i < POOL; i++) {
            valuePool.add(BenchData.lot(i).values());
        }
    }

    @Setup(Level.Invocation)
    public void nextBatch() {
        batch.clear();
        for (int i = 0; i < BATCH; i++) {
            int serial = nextSerial++;
            batch.add(new HandleOperation.Create(HandleName.parse(BenchData.lotHandle(serial)), valuePool.get(serial % POOL), false));
        }
    }

    @TearDown(Level.Trial)
    public void closeStore() {
        if (store != null) {
            store.close();
        }
        BenchData.deleteRecursively(dir);
    }

    /** One durable batch of {@value #BATCH} created records; the score is records per second. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object applyAll() {
        return writer.applyAll(batch, "bench");
    }
}
