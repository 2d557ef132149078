package org.idnode.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import org.idnode.server.http.HttpApi;
import org.idnode.server.http.HttpAccounting;
import org.idnode.server.http.HttpRequestHandler;
import org.idnode.server.http.OperationsEndpoints;
import org.idnode.server.limits.HttpBodyLimit;
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
 * The REST cache-hit path: {@code GET /api/handles/{handle}} for a PCB lot held in the record cache,
 * given to the node's {@link HttpRequestHandler} as an aggregated request on an {@link EmbeddedChannel}
 * (one per thread, a keep-alive connection) and taken back as the full JSON response, in nanoseconds
 * per request. HTTP parsing and socket I/O are left out. The node is {@link CachedResolutionBenchmark.Node}
 * (the same store, cache and processor); the tracer and the authenticator are absent, which anonymous
 * resolutions never use.
 *
 * <p>{@code -p chain=handler} (the HTTP handler alone) or {@code pipeline}: as the node's HTTP pipeline has it since
 * metrics, with {@link HttpAccounting} (admission, request counter and latency histogram) and {@link OperationsEndpoints}
 * in front of the handler; the access log off; or {@code wire}: the pipeline behind Netty's HTTP codec and the node's
 * aggregator ({@link HttpBodyLimit}) as {@code NettyTransport} builds it, taking the request as the bytes a client sends
 * and giving back the encoded response bytes (what the socket would carry; the connection limits and deadlines left out).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=org.idnode.bench.jmh.NettyThreadExecutor"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class RestResolutionBenchmark {

    /** One HTTP connection to the node per benchmark thread. */
    @State(Scope.Thread)
    public static class Connection {
        /** {@code handler}, {@code pipeline} or {@code wire}, see the class comment. */
        @Param({"handler", "pipeline", "wire"})
        public String chain;
        EmbeddedChannel channel;
        String[] uris;
        /** For {@code wire}: each lot's request as a client writes it. */
        byte[][] requests;

        /** Opens the connection and reads every lot once (200 each), so that whatever the node keeps per record is there. */
        @Setup(Level.Trial)
        public void open(CachedResolutionBenchmark.Node node) {
            HttpRequestHandler handler = new HttpRequestHandler(new HttpApi(node.processor, null, null, null, Runnable::run));
            channel = switch (chain) {
                case "handler" -> new EmbeddedChannel(handler);
                case "pipeline" -> new EmbeddedChannel(new HttpAccounting(node.tracker), new OperationsEndpoints(null, node.metrics, Runnable::run), handler);
                // The HTTP codec's limits as NettyTransport sets them.
                default -> new EmbeddedChannel(new HttpServerCodec(8192, 16384, 8192), new HttpBodyLimit(1 << 20),
                        new HttpAccounting(node.tracker), new OperationsEndpoints(null, node.metrics, Runnable::run), handler);
            };
            uris = new String[node.records];
            requests = new byte[node.records][];
            for (int i = 0; i < uris.length; i++) {
                uris[i] = "/api/handles/" + node.handles[i];
                requests[i] = ("GET " + uris[i] + " HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nAccept: application/json\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
            }
            if (chain.equals("wire")) {
                for (int i = 0; i < uris.length; i++) {
                    wireGet(i, true);
                }
                return;
            }
            for (String uri : uris) {
                FullHttpResponse first = get(uri);
                try {
                    if (!first.status().equals(HttpResponseStatus.OK)) {
                        throw new IllegalStateException("GET " + uri + " gave " + first.status());
                    }
                } finally {
                    first.release();
                }
            }
        }

        /** Closes the connection. */
        @TearDown(Level.Trial)
        public void close() {
            channel.finishAndReleaseAll();
        }

        /**
         * Writes the {@code i}th lot's request as bytes and returns the length of the response bytes, released as they
         * are read; when {@code checkOk}, fails unless the response is a 200.
         */
        int wireGet(int i, boolean checkOk) {
            channel.writeInbound(Unpooled.wrappedBuffer(requests[i]));
            int length = 0;
            for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
                boolean ok = !checkOk || length > 0 || part.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200 ");
                length += part.readableBytes();
                part.release();
                if (!ok) {
                    throw new IllegalStateException("GET " + uris[i] + " was not answered 200");
                }
            }
            if (length == 0) {
                throw new IllegalStateException("no answer on the calling thread for GET " + uris[i]);
            }
            return length;
        }

        FullHttpResponse get(String uri) {
            channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri, Unpooled.EMPTY_BUFFER));
            FullHttpResponse resp = channel.readOutbound();
            if (resp == null) {
                throw new IllegalStateException("no answer on the calling thread for GET " + uri);
            }
            return resp;
        }
    }

    /** GET of a random cached lot; returns the JSON length. */
    @Benchmark
    public int restGet(CachedResolutionBenchmark.Node node, Connection conn) {
        if (conn.chain.equals("wire")) {
            return conn.wireGet(ThreadLocalRandom.current().nextInt(node.records), false);
        }
        FullHttpResponse resp = conn.get(conn.uris[ThreadLocalRandom.current().nextInt(node.records)]);
        int length = resp.content().readableBytes();
        resp.release();
        return length;
    }
}
