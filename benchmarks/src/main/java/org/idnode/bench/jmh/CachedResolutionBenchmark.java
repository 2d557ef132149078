package org.idnode.bench.jmh;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.HandleException;
import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.codec.MalformedMessageException;
import org.idnode.server.handler.HandleRequestProcessor;
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

/**
 * The UDP cache-hit path, the node's hottest: a resolution request datagram for a handle held in the
 * Caffeine cache, decoded, answered by {@link HandleRequestProcessor#process} (which answers cache hits
 * synchronously on the calling thread, as on the Netty event loop) and encoded into UDP packets, in
 * resolutions per second per thread. Only the socket I/O of the real node is missing.
 *
 * <p>The node is wired as {@code IdentifierNode} wires it: {@link RocksDbHandleRecordStore} in a
 * temporary folder, a {@link CachingHandleRecordStore} in front (the default 1,000,000 entries), the
 * node's site info and a 2048-bit RSA key; blocking work runs on the calling thread (it is never needed
 * on this path). {@code records} PCB lots are stored and all of them are read into the cache before
 * measuring; each operation picks one uniformly at random. {@code Scope.Benchmark} shares one node
 * between threads, so {@code -t 2} measures two event loops against the same cache.
 *
 * <p>{@link #processOnly} leaves out the codec: an already decoded request in, the response object out
 * (values converted and encoded, not the message), to split the end-to-end cost.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class CachedResolutionBenchmark {

    /** One node with its store, cache and processor, shared by all benchmark threads. */
    @State(Scope.Benchmark)
    public static class Node {
        /** Number of stored and cached PCB lot records. */
        @Param("10000")
        public int records;

        Path dir;
        RocksDbHandleRecordStore rocks;
        CachingHandleRecordStore store;
        HandleRequestProcessor processor;
        byte[][] datagrams;
        AbstractRequest[] decoded;

        /** Stores the records, fills the cache and checks that every key is answered from it. */
        @Setup(Level.Trial)
        public void setUp() throws MalformedMessageException {
            dir = BenchData.tempDir("cached");
            rocks = RocksDbHandleRecordStore.open(dir, BenchData.BLOCK_CACHE_BYTES);
            store = new CachingHandleRecordStore(rocks, 1_000_000);
            BenchData.loadLots(rocks, records);
            processor = BenchData.processor(store, Runnable::run);
            datagrams = new byte[records][];
            decoded = new AbstractRequest[records];
            for (int i = 0; i < records; i++) {
                String handle = BenchData.lotHandle(i);
                HandleName name = HandleName.parse(handle);
                if (store.get(name).isEmpty()) {
                    throw new IllegalStateException(handle + " was not stored");
                }
                if (store.getIfCached(name) == null) {
                    throw new IllegalStateException(handle + " is not in the cache");
                }
                datagrams[i] = BenchData.udpResolutionRequest(handle, i + 1);
                decoded[i] = BenchData.decodeUdp(datagrams[i]);
            }
            BenchData.Capture capture = new BenchData.Capture();
            processor.process(decoded[0], capture);
            BenchData.requireResolved(capture.take(), BenchData.lotHandle(0));
        }

        /** Closes the store and deletes its folder. */
        @TearDown(Level.Trial)
        public void tearDown() {
            if (store != null) {
                store.close();
            }
            BenchData.deleteRecursively(dir);
        }
    }

    /** Per-thread callback that captures the synchronous answer. */
    @State(Scope.Thread)
    public static class Caller {
        final BenchData.Capture capture = new BenchData.Capture();
    }

    /** Datagram in, UDP packets out: decode, process (cache hit), encode. */
    @Benchmark
    public List<byte[]> resolveUdp(Node node, Caller caller) throws MalformedMessageException, HandleException {
        byte[] datagram = node.datagrams[ThreadLocalRandom.current().nextInt(node.records)];
        AbstractRequest request = BenchData.decodeUdp(datagram);
        node.processor.process(request, caller.capture);
        return HandleMessageCodec.encodeUdpPackets(caller.capture.take());
    }

    /** Decoded request in, response object out (no envelope decode, no message encode). */
    @Benchmark
    public AbstractResponse processOnly(Node node, Caller caller) {
        node.processor.process(node.decoded[ThreadLocalRandom.current().nextInt(node.records)], caller.capture);
        return caller.capture.take();
    }
}
