package org.idnode.server.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import org.idnode.bench.jmh.BenchData;
import org.idnode.bench.jmh.ClientLimitsBenchmark;
import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.handler.HandleRequestProcessor;
import org.idnode.server.lifecycle.RequestTracker;
import org.idnode.server.limits.ClientLimits;
import org.idnode.server.logging.AccessLog;
import org.idnode.server.metrics.NodeMetrics;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one datagram costs the node's UDP handler ({@link UdpHandleRequestHandler}) while its sender floods, in
 * nanoseconds: the datagram handed to the handler as Netty's epoll channel hands it over (a {@link DatagramPacket}
 * around a slice of the receive buffer, released by the handler), on the handler context of an
 * {@link EmbeddedChannel}, with {@code channelReadComplete} after every {@value #READ_BATCH} datagrams as after one
 * {@code recvmmsg}. Only the socket I/O and Netty's own per-datagram work (the packet, the sender's address) are
 * missing; {@code benchmarks/refusal-cost.sh} measures the whole node.
 * <ul>
 *   <li>{@link #dropped}: the sender is over its rate and its refusal is not due (at most one refusal per token is
 *       answered), so the datagram is dropped: what 96 % of a 50,000/s flood against the default 2000/s costs;</li>
 *   <li>{@link #answered}: the sender is within its rate and the request is a cached resolution (an anchor record),
 *       answered through the same harness, for comparison.</li>
 * </ul>
 * Lives in the transport package because the handler is package-private.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=org.idnode.bench.jmh.NettyThreadExecutor"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class UdpRefusalBenchmark {
    private static final int READ_BATCH = 16;
    private static final int RECORDS = 100;

    private Path dir;
    private CachingHandleRecordStore store;
    private NodeMetrics metrics;
    private Handler flooded;
    private Handler served;
    private ByteBuf request;
    private int inBatch;

    /** One handler on its own channel, with its own limits. */
    private static final class Handler {
        final EmbeddedChannel channel;
        final UdpHandleRequestHandler handler;
        final ChannelHandlerContext ctx;

        Handler(HandleRequestProcessor processor, ClientLimits limits, RequestTracker tracker) {
            handler = new UdpHandleRequestHandler(processor, limits, tracker, null);
            channel = new EmbeddedChannel(handler);
            ctx = channel.pipeline().context(handler);
        }

        /** Releases what the handler wrote (answers, refusals), as the channel does once they are sent. */
        void drain() {
            Object sent;
            while ((sent = channel.readOutbound()) != null) {
                ReferenceCountUtil.release(sent);
            }
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = BenchData.tempDir("udp-refusal");
        store = new CachingHandleRecordStore(RocksDbHandleRecordStore.open(dir, BenchData.BLOCK_CACHE_BYTES), 1_000_000);
        String handle = BenchData.load(store, "anchor", RECORDS)[0];
        HandleRequestProcessor processor = BenchData.processor(store, Runnable::run);
        metrics = new NodeMetrics();
        RequestTracker tracker = new RequestTracker(metrics, AccessLog.OFF);
        // One request a second, one at once: after the first datagram the sender is over its rate for good.
        flooded = new Handler(processor, ClientLimitsBenchmark.withRate(new NodeConfig.Limits.Rate(1, 1)), tracker);
        served = new Handler(processor, ClientLimitsBenchmark.neverRefusing(), tracker);
        byte[] datagram = BenchData.udpResolutionRequest(handle, 1);
        request = Unpooled.directBuffer(datagram.length).writeBytes(datagram);
        send(served);   // reads the record into the cache
        send(flooded);  // takes the flooder's only token
        served.drain();
        flooded.drain();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        request.release();
        flooded.channel.finishAndReleaseAll();
        served.channel.finishAndReleaseAll();
        metrics.close();
        store.close();
        BenchData.deleteRecursively(dir);
    }

    private static final InetSocketAddress NODE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 2641);
    private static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);

    private void send(Handler h) throws Exception {
        h.handler.channelRead(h.ctx, new DatagramPacket(request.retainedSlice(), NODE, CLIENT));
        if (++inBatch == READ_BATCH) {
            inBatch = 0;
            h.handler.channelReadComplete(h.ctx);
            h.drain();
        }
    }

    /** A datagram from a sender over its rate, dropped unanswered. */
    @Benchmark
    public void dropped() throws Exception {
        send(flooded);
    }

    /** A cached resolution from a sender within its rate, answered. */
    @Benchmark
    public void answered() throws Exception {
        send(served);
    }
}
