package org.idnode.bench.jmh;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.HandleException;
import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.codec.MalformedMessageException;
import org.idnode.server.codec.ResolutionQuery;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.handler.CachedAnswer;
import org.idnode.server.handler.HandleRequestProcessor;
import org.idnode.server.handler.PackedRecords;
import org.idnode.server.limits.ClientLimits;
import org.idnode.server.lifecycle.RequestTracker;
import org.idnode.server.logging.AccessLog;
import org.idnode.server.metrics.NodeMetrics;
import org.idnode.server.metrics.Protocol;
import net.handle.hdllib.AbstractMessage;
import org.openjdk.jmh.infra.Blackhole;
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
 * Caffeine cache, in resolutions per second per thread. Only the socket I/O of the real node is missing.
 * <ul>
 *   <li>{@link #resolveUdp}: what the node does for a plain resolution ({@code UdpHandleRequestHandler}
 *       with {@code CachedResolution}): the datagram (a direct buffer, as Netty receives it) read by
 *       {@link ResolutionQuery#decode}, answered by {@link HandleRequestProcessor#cachedAnswer} and written
 *       from the record's pre-encoded answer into one pooled buffer holding its UDP packets, which are
 *       taken as slices and released at once, as after sending;</li>
 *   <li>{@link #resolveUdpGeneral}: the general path every other request takes: the datagram copied,
 *       decoded into CNRI's message objects, answered by {@link HandleRequestProcessor#process} (which
 *       answers cache hits synchronously on the calling thread, as on the Netty event loop), encoded into
 *       UDP packets by CNRI's encoder and copied into direct buffers, as the channel does before sending.</li>
 * </ul>
 *
 * <p>The node is wired as {@code IdentifierNode} wires it: {@link RocksDbHandleRecordStore} in a
 * temporary folder, a {@link CachingHandleRecordStore} in front (the default 1,000,000 entries), the
 * node's site info and a 2048-bit RSA key; blocking work runs on the calling thread (it is never needed
 * on this path). {@code records} records of the given {@code shape} are stored, all of them are read into
 * the cache and answered once before measuring; each operation picks one uniformly at random.
 * {@code Scope.Benchmark} shares one node between threads, so {@code -t 2} measures two event loops
 * against the same cache.
 *
 * <p>{@link #resolveUdpTracked} is {@link #resolveUdp} with the accounting the node's UDP handler adds around it:
 * the request admitted by the {@link RequestTracker} (draining) and its answer reported to it, which records the
 * request counter and the latency histogram ({@link NodeMetrics}) and writes no access log line (off, the default);
 * the difference between the two is what metrics cost on the hottest path; {@link #resolveUdpAccessLogged} adds the
 * access log line.
 *
 * <p>{@link #cachedAnswerOnly} and {@link #processOnly} leave out the codec, to split the cost: an
 * already decoded request in, the fast path's cached answer or the general path's response object out
 * (the cached values selected, not the message encoded).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=org.idnode.bench.jmh.NettyThreadExecutor"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class CachedResolutionBenchmark {
    /** The client address an access log line names. */
    private static final java.net.InetSocketAddress SENDER = new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 40000);

    /** One node with its store, cache and processor, shared by all benchmark threads. */
    @State(Scope.Benchmark)
    public static class Node {
        /** Number of stored and cached PCB lot records. */
        @Param("10000")
        public int records;
        /** Record shape: {@code lot} (24 public values, 3 UDP packets) or {@code anchor} (6 values, 1 packet); see {@code BenchData.load}. */
        @Param({"lot", "anchor"})
        public String shape;
        String[] handles;

        Path dir;
        RocksDbHandleRecordStore rocks;
        CachingHandleRecordStore store;
        HandleRequestProcessor processor;
        byte[][] datagrams;
        ByteBuf[] received;
        AbstractRequest[] decoded;
        ResolutionQuery[] queries;
        /** The limits with their defaults, but a rate no benchmark thread reaches. */
        ClientLimits limits;
        InetAddress client;
        RequestTracker tracker;
        RequestTracker loggingTracker;
        NodeMetrics metrics;

        /** Stores the records, fills the cache and checks that every key is answered from it. */
        @Setup(Level.Trial)
        public void setUp() throws MalformedMessageException {
            limits = ClientLimitsBenchmark.neverRefusing();
            client = InetAddress.getLoopbackAddress();
            dir = BenchData.tempDir("cached");
            rocks = RocksDbHandleRecordStore.open(dir, BenchData.BLOCK_CACHE_BYTES);
            store = new CachingHandleRecordStore(rocks, 1_000_000, PackedRecords::pack);
            handles = BenchData.load(rocks, shape, records);
            processor = BenchData.processor(store, Runnable::run);
            metrics = new NodeMetrics();
            tracker = new RequestTracker(metrics, AccessLog.OFF);
            loggingTracker = new RequestTracker(metrics, AccessLog.of(NodeConfig.AccessLogFormat.CNRI));
            datagrams = new byte[records][];
            received = new ByteBuf[records];
            decoded = new AbstractRequest[records];
            queries = new ResolutionQuery[records];
            for (int i = 0; i < records; i++) {
                String handle = handles[i];
                HandleName name = HandleName.parse(handle);
                if (store.get(name).isEmpty()) {
                    throw new IllegalStateException(handle + " was not stored");
                }
                if (store.getIfCached(name) == null) {
                    throw new IllegalStateException(handle + " is not in the cache");
                }
                datagrams[i] = BenchData.udpResolutionRequest(handle, i + 1);
                received[i] = Unpooled.directBuffer(datagrams[i].length).writeBytes(datagrams[i]);
                decoded[i] = BenchData.decodeUdp(datagrams[i]);
                queries[i] = ResolutionQuery.decode(received[i]);
            }
            BenchData.Capture capture = new BenchData.Capture();
            processor.process(decoded[0], capture);
            BenchData.requireResolved(capture.take(), handles[0]);
            for (int i = 0; i < records; i++) {
                ByteBuf whole = fastAnswer(processor, ByteBufAllocator.DEFAULT, received[i]);
                if (whole == null) {
                    throw new IllegalStateException("the fast path did not answer " + handles[i]);
                }
                whole.release();
            }
        }

        /** Closes the store and deletes its folder. */
        @TearDown(Level.Trial)
        public void tearDown() {
            if (metrics != null) {
                metrics.close();
            }
            if (store != null) {
                store.close();
            }
            if (received != null) {
                for (ByteBuf b : received) {
                    if (b != null) {
                        b.release();
                    }
                }
            }
            BenchData.deleteRecursively(dir);
        }
    }

    /** Per-thread callback that captures the synchronous answer. */
    @State(Scope.Thread)
    public static class Caller {
        final BenchData.Capture capture = new BenchData.Capture();
    }

    /**
     * Datagram in, UDP packets out, as the node answers a plain resolution: fast decode, cached answer,
     * answer written into pooled buffers (one per packet), which are released here as the channel would
     * after sending them.
     */
    @Benchmark
    public void resolveUdp(Node node, Blackhole bh) {
        ByteBuf datagram = node.received[ThreadLocalRandom.current().nextInt(node.records)];
        consumePackets(fastAnswer(node.processor, ByteBufAllocator.DEFAULT, datagram), bh);
    }

    /** Takes each UDP packet of an answer and releases it, as the channel does after sending. */
    private static void consumePackets(ByteBuf packets, Blackhole bh) {
        int count = HandleMessageCodec.udpPacketCount(packets);
        if (count == 1) {
            bh.consume(packets.readableBytes());
        } else {
            for (int i = 0; i < count; i++) {
                ByteBuf p = HandleMessageCodec.udpPacket(packets, i);
                bh.consume(p.readableBytes());
                p.release();
            }
        }
        packets.release();
    }

    /** {@link #resolveUdp} with the node's accounting: admitted, and reported with its response code and latency. */
    @Benchmark
    public void resolveUdpTracked(Node node, Blackhole bh) {
        trackedAnswer(node, node.tracker, bh);
    }

    /**
     * {@link #resolveUdpTracked} with the access log on in the CNRI layout: the line formatted and handed to the
     * asynchronous appender of {@code conf/logback.xml}, which here discards it ({@code logback-bench-access.xml}), so
     * that only what the event loop pays is measured.
     */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Djmh.executor=CUSTOM",
            "-Djmh.executor.class=org.idnode.bench.jmh.NettyThreadExecutor", "-Dlogback.configurationFile=logback-bench-access.xml"})
    public void resolveUdpAccessLogged(Node node, Blackhole bh) {
        trackedAnswer(node, node.loggingTracker, bh);
    }

    private static void trackedAnswer(Node node, RequestTracker tracker, Blackhole bh) {
        long start = System.nanoTime();
        if (!tracker.admit()) {
            throw new IllegalStateException("the tracker is draining");
        }
        ByteBuf datagram = node.received[ThreadLocalRandom.current().nextInt(node.records)];
        ResolutionQuery query = ResolutionQuery.decode(datagram);
        CachedAnswer answer = node.processor.cachedAnswer(query.handle(), query.publicOnly(), query.indexes(), query.types());
        ByteBuf packets = HandleMessageCodec.writeResolutionAnswerPackets(ByteBufAllocator.DEFAULT, query, answer.responseCode(),
                answer.valueBlock(), node.processor.siteInfoSerial(), HandleMessageCodec.defaultExpiration());
        int at = datagram.readerIndex();
        tracker.handleAnswered(Protocol.UDP, start, SENDER, datagram.getByte(at), datagram.getByte(at + 1), AbstractMessage.OC_RESOLUTION,
                answer.responseCode(), query.handle());
        consumePackets(packets, bh);
    }

    /** The accounting of {@link #resolveUdpTracked} alone: admit, then report a successful resolution (clock reads included). */
    @Benchmark
    public void accountingOnly(Node node) {
        long start = System.nanoTime();
        node.tracker.admit();
        ResolutionQuery q = node.queries[ThreadLocalRandom.current().nextInt(node.records)];
        node.tracker.handleAnswered(Protocol.UDP, start, null, 2, 11, AbstractMessage.OC_RESOLUTION, AbstractMessage.RC_SUCCESS, q.handle());
    }

    /**
     * Datagram in, UDP packets out through the general path: copy, CNRI decode, process (cache hit), CNRI
     * encode, and each packet copied into a pooled direct buffer, as Netty's epoll channel does with a heap
     * buffer before sending it.
     */
    @Benchmark
    public void resolveUdpGeneral(Node node, Caller caller, Blackhole bh) throws MalformedMessageException, HandleException {
        byte[] datagram = node.datagrams[ThreadLocalRandom.current().nextInt(node.records)];
        AbstractRequest request = BenchData.decodeUdp(datagram);
        node.processor.process(request, caller.capture);
        for (byte[] packet : HandleMessageCodec.encodeUdpPackets(caller.capture.take())) {
            ByteBuf direct = ByteBufAllocator.DEFAULT.directBuffer(packet.length).writeBytes(packet);
            bh.consume(direct.readableBytes());
            direct.release();
        }
    }

    /**
     * {@link #resolveUdp} with what the node's limits add on this path, as {@code UdpHandleRequestHandler} does it:
     * the client's token taken from its bucket ({@link ClientLimits#admitDatagram}, one client address, the default limits
     * but a rate that never refuses) and the answer's size checked against the request's amplification budget
     * before it is written. The difference to {@link #resolveUdp} in the same run is the limits' cost.
     */
    @Benchmark
    public void resolveUdpLimited(Node node, Blackhole bh) {
        ByteBuf datagram = node.received[ThreadLocalRandom.current().nextInt(node.records)];
        if (node.limits.admitDatagram(node.client) != ClientLimits.DatagramVerdict.ADMIT) {
            throw new IllegalStateException("refused");
        }
        ResolutionQuery query = ResolutionQuery.decode(datagram);
        CachedAnswer answer = node.processor.cachedAnswer(query.handle(), query.publicOnly(), query.indexes(), query.types());
        if (HandleMessageCodec.resolutionAnswerUdpBytes(query, answer.responseCode(), answer.valueBlock())
                > node.limits.udpAnswerBudget(datagram.readableBytes()) && node.shape.equals("anchor")) {
            throw new IllegalStateException("over budget");
        }
        ByteBuf packets = HandleMessageCodec.writeResolutionAnswerPackets(ByteBufAllocator.DEFAULT, query, answer.responseCode(),
                answer.valueBlock(), node.processor.siteInfoSerial(), HandleMessageCodec.defaultExpiration());
        consumePackets(packets, bh);
    }

    /** The fast path's lookup alone: an already decoded request in, the cached answer out (no decode, no write). */
    @Benchmark
    public CachedAnswer cachedAnswerOnly(Node node) {
        ResolutionQuery q = node.queries[ThreadLocalRandom.current().nextInt(node.records)];
        return node.processor.cachedAnswer(q.handle(), q.publicOnly(), q.indexes(), q.types());
    }

    /** Decoded request in, response object out (no envelope decode, no message encode). */
    @Benchmark
    public AbstractResponse processOnly(Node node, Caller caller) {
        node.processor.process(node.decoded[ThreadLocalRandom.current().nextInt(node.records)], caller.capture);
        return caller.capture.take();
    }

    /**
     * The node's fast path for one request datagram, as {@code CachedResolution.answer} composes it: the
     * answer's UDP packets in one buffer, or null when the request would go the general way.
     */
    static ByteBuf fastAnswer(HandleRequestProcessor processor, ByteBufAllocator alloc, ByteBuf datagram) {
        ResolutionQuery query = ResolutionQuery.decode(datagram);
        CachedAnswer answer = query == null ? null : processor.cachedAnswer(query.handle(), query.publicOnly(), query.indexes(), query.types());
        if (answer == null) {
            return null;
        }
        return HandleMessageCodec.writeResolutionAnswerPackets(alloc, query, answer.responseCode(), answer.valueBlock(),
                processor.siteInfoSerial(), HandleMessageCodec.defaultExpiration());
    }
}
