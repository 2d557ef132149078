package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.Util;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.api.v1.ResolveRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-client-address rate limits on every protocol, with real sockets from different loopback source addresses
 * (each a different client to the node): the flooder is refused with the protocol's "too busy" answer while a
 * client at a modest fixed rate from another address gets only answers; after the flood the bucket refills; an
 * allow-listed address is never refused. The node allows 20 requests per second per address and protocol, 20 at once.
 * UDP refusals are answered at the client's own rate (the others dropped); a refused TCP or HTTP connection is not
 * read from for a second. Refusals are counted in {@code idnode_requests_total} under their protocol's refusal code
 * (not timed), UDP refusals dropped unanswered in {@code idnode_udp_refusals_dropped_total}.
 */
class RateLimitTest {
    private static final int RATE = 20;
    private static final int FLOOD = 120;
    private static final String HANDLE = "88.999.1/LOT-0001";

    @TempDir
    static Path dataDir;
    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(dataDir, List.of(TestNode.urlRecord(HANDLE, "https://example.com/lot/1")),
                "limits:\n  rate: {per-second: " + RATE + ", burst: " + RATE + "}\n  allow: [\"127.0.0.44\"]\n");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    /** The well-behaved client: {@code count} requests at 5 per second (a quarter of its rate), each answered before the next. */
    private static <T> List<T> politely(int count, ThrowingSupplier<T> request) throws Exception {
        List<T> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            answers.add(request.get());
            Thread.sleep(200);
        }
        return answers;
    }

    interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    // ---------------------------------------------------------------- Handle UDP

    private static List<Integer> udpBurst(String from, int count) throws Exception {
        return RawClients.udpBurst(from, node.handlePort(), HANDLE, count);
    }

    @Test
    void udpFlooderIsRefusedWhileAnotherClientIsServedAndItsBucketRefills() throws Exception {
        CompletableFuture<List<Integer>> flood = CompletableFuture.supplyAsync(() -> {
            try {
                return udpBurst("127.0.0.2", FLOOD);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<Integer> polite = politely(10, () -> udpBurst("127.0.0.3", 1).get(0));
        List<Integer> flooded = flood.get(30, TimeUnit.SECONDS);

        assertThat(polite).containsOnly(AbstractMessage.RC_SUCCESS);
        assertThat(flooded).containsOnly(AbstractMessage.RC_SUCCESS, AbstractMessage.RC_SERVER_TOO_BUSY);
        assertThat(flooded.stream().filter(c -> c == AbstractMessage.RC_SUCCESS).count()).as("the burst is served").isGreaterThanOrEqualTo(RATE);
        assertThat(flooded).contains(AbstractMessage.RC_SERVER_TOO_BUSY);
        assertThat(flooded).as("refusals beyond the client's own rate are dropped").hasSizeLessThan(FLOOD);
        assertThat(node.node.limits().rateLimitedCount("udp")).isGreaterThan(0);

        Thread.sleep(1500); // more than burst / rate: the flooder's bucket is full again
        assertThat(udpBurst("127.0.0.2", RATE)).hasSize(RATE).containsOnly(AbstractMessage.RC_SUCCESS);
    }

    @Test
    void allowListedAddressIsNeverRefused() throws Exception {
        assertThat(udpBurst("127.0.0.44", FLOOD)).containsOnly(AbstractMessage.RC_SUCCESS);
    }

    @Test
    void cnriResolverReceivesServerTooBusy() throws Exception {
        // CNRI's client connects from 127.0.0.1; it takes SERVER_TOO_BUSY as the answer (no other interface is tried).
        HandleResolver r = CnriClients.resolver(node.site(), "88.999.1", Interface.SP_HDL_TCP);
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < 2 * RATE + 10; i++) {
            AbstractResponse resp = r.processRequest(new ResolutionRequest(Util.encodeString(HANDLE), null, null, null));
            codes.add(resp.responseCode);
        }
        assertThat(codes).containsOnly(AbstractMessage.RC_SUCCESS, AbstractMessage.RC_SERVER_TOO_BUSY).contains(AbstractMessage.RC_SERVER_TOO_BUSY);
    }

    // ---------------------------------------------------------------- Handle TCP

    /** {@code count} requests written at once on one connection (pipelined), and the response codes of their answers. */
    private static List<Integer> tcpPipelined(String from, int count) throws Exception {
        List<Integer> codes = new ArrayList<>();
        try (Socket s = RawClients.tcp(from, node.handlePort())) {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (int i = 1; i <= count; i++) {
                all.write(RawClients.resolutionRequest(HANDLE, i));
            }
            s.getOutputStream().write(all.toByteArray());
            s.getOutputStream().flush();
            for (int i = 1; i <= count; i++) {
                codes.add(RawClients.responseCode(s));
            }
        }
        return codes;
    }

    @Test
    void tcpFlooderIsRefusedWhileAnotherClientIsServed() throws Exception {
        PrometheusText before = scrape();
        CompletableFuture<List<Integer>> flood = CompletableFuture.supplyAsync(() -> {
            try {
                return tcpPipelined("127.0.0.5", FLOOD);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<Integer> polite = politely(10, () -> tcpPipelined("127.0.0.6", 1).get(0));
        List<Integer> flooded = flood.get(30, TimeUnit.SECONDS);
        assertThat(polite).containsOnly(AbstractMessage.RC_SUCCESS);
        assertThat(flooded).hasSize(FLOOD).containsOnly(AbstractMessage.RC_SUCCESS, AbstractMessage.RC_SERVER_TOO_BUSY)
                .contains(AbstractMessage.RC_SERVER_TOO_BUSY);
        assertThat(node.node.limits().rateLimitedCount("tcp")).isGreaterThan(0);
        assertThat(refusalsCounted(before, scrape(), "tcp", "SERVER_TOO_BUSY")).as("refusals counted as requests under their code")
                .isEqualTo(flooded.stream().filter(c -> c == AbstractMessage.RC_SERVER_TOO_BUSY).count());
    }

    // ---------------------------------------------------------------- HTTP

    private static List<RawClients.HttpReply> httpKeepAlive(String from, int count) throws Exception {
        List<RawClients.HttpReply> replies = new ArrayList<>();
        try (Socket s = RawClients.tcp(from, node.httpPort())) {
            InputStream in = s.getInputStream();
            for (int i = 0; i < count; i++) {
                RawClients.writeGet(s, "/api/handles/" + HANDLE);
                replies.add(RawClients.readHttpReply(in));
            }
        }
        return replies;
    }

    @Test
    void httpFlooderGets429WithRetryAfterWhileAnotherClientIsServed() throws Exception {
        PrometheusText before = scrape();
        CompletableFuture<List<RawClients.HttpReply>> flood = CompletableFuture.supplyAsync(() -> {
            try {
                return httpKeepAlive("127.0.0.7", FLOOD);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<RawClients.HttpReply> polite = politely(10, () -> httpKeepAlive("127.0.0.8", 1).get(0));
        List<RawClients.HttpReply> flooded = flood.get(30, TimeUnit.SECONDS);

        assertThat(polite).extracting(RawClients.HttpReply::status).containsOnly(200);
        assertThat(flooded).extracting(RawClients.HttpReply::status).containsOnly(200, 429).contains(429);
        RawClients.HttpReply refused = flooded.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
        assertThat(Integer.parseInt(refused.headers().get("retry-after"))).isBetween(1, 2);
        assertThat(refused.headers().get("content-type")).startsWith("application/json");
        assertThat(refused.text()).startsWith("{\"responseCode\":3,\"message\":\"too many requests");
        // The connection stayed open after each 429: every one of the FLOOD requests was answered on it.
        assertThat(flooded).hasSize(FLOOD);
        assertThat(node.node.limits().rateLimitedCount("http")).isGreaterThan(0);
        PrometheusText after = scrape();
        assertThat(refusalsCounted(before, after, "http", "429")).as("refusals counted as requests under their status")
                .isEqualTo(flooded.stream().filter(r -> r.status() == 429).count());
        long served = Stream.concat(flooded.stream(), polite.stream()).filter(r -> r.status() == 200).count();
        assertThat(growth(before, after, "idnode_request_duration_seconds_count", "protocol", "http", "operation", "resolve"))
                .as("refusals are not timed").isEqualTo(served);
    }

    // ---------------------------------------------------------------- refused connections resume apart

    /** One request on a connection: true when it was refused (HTTP 429, Handle {@code SERVER_TOO_BUSY}). */
    interface Exchange {
        void send(Socket s) throws Exception;

        boolean refused(Socket s) throws Exception;
    }

    private static final Exchange HTTP_GET = new Exchange() {
        @Override
        public void send(Socket s) throws Exception {
            RawClients.writeGet(s, "/api/handles/" + HANDLE);
        }

        @Override
        public boolean refused(Socket s) throws Exception {
            return RawClients.readHttpReply(s.getInputStream()).status() == 429;
        }
    };

    private static final Exchange HANDLE_TCP = new Exchange() {
        @Override
        public void send(Socket s) throws Exception {
            s.getOutputStream().write(RawClients.resolutionRequest(HANDLE, 1));
            s.getOutputStream().flush();
        }

        @Override
        public boolean refused(Socket s) throws Exception {
            return RawClients.responseCode(s) == RawClients.TOO_BUSY;
        }
    };

    /** One request's answer on a connection: whether it was a refusal, and when it came (System.nanoTime). */
    record Answer(boolean refused, long at) {
    }

    /** Keep-alive connections from {@code from} to {@code port}, closed by {@link #closeAll}. */
    private static List<Socket> connect(String from, int port, int connections) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Socket s = RawClients.tcp(from, port);
            s.setSoTimeout(10_000);
            sockets.add(s);
        }
        return sockets;
    }

    private static void closeAll(List<Socket> sockets) throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** Sends one request on each socket at once and reads the answers in parallel, in the sockets' order. */
    private static List<Answer> exchangeOnEach(List<Socket> sockets, Exchange exchange) throws Exception {
        java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, sockets.size()));
        try {
            for (Socket s : sockets) {
                exchange.send(s);
            }
            List<CompletableFuture<Answer>> answers = new ArrayList<>();
            for (Socket s : sockets) {
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        boolean refused = exchange.refused(s);
                        return new Answer(refused, System.nanoTime());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, readers));
            }
            List<Answer> result = new ArrayList<>();
            for (CompletableFuture<Answer> a : answers) {
                result.add(a.get(30, TimeUnit.SECONDS));
            }
            return result;
        } finally {
            readers.shutdownNow();
        }
    }

    /**
     * Sends one request on each of {@code connections} keep-alive connections from {@code from} at once: the first
     * (its bucket's burst) are answered, the rest refused. Sends one more request on each refused connection at once
     * and returns, per refused connection, how long after its refusal the answer to that request came: the node reads
     * a refused connection again only after its pause.
     */
    private static List<Long> resumeDelaysMillis(String from, int port, int connections, Exchange exchange) throws Exception {
        List<Socket> sockets = connect(from, port, connections);
        try {
            List<Answer> first = exchangeOnEach(sockets, exchange);
            List<Socket> refused = new ArrayList<>();
            List<Long> refusedAt = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                if (first.get(i).refused()) {
                    refused.add(sockets.get(i));
                    refusedAt.add(first.get(i).at());
                }
            }
            List<Answer> again = exchangeOnEach(refused, exchange);
            List<Long> delays = new ArrayList<>();
            for (int i = 0; i < refused.size(); i++) {
                delays.add(TimeUnit.NANOSECONDS.toMillis(again.get(i).at() - refusedAt.get(i)));
            }
            return delays;
        } finally {
            closeAll(sockets);
        }
    }

    /**
     * The refused connections of one flooder (at least 16 of 48 sent at once: its burst is 20), refused within moments
     * of each other, are read again at least their Retry-After (1 s) later, but not all at once: the random part of
     * the pause spreads them over up to another second (16 uniform draws all within 250 ms of each other: probability
     * about 10^-8).
     */
    private static void assertResumeApart(List<Long> delays) {
        assertThat(delays).as("refused connections").hasSizeGreaterThanOrEqualTo(16);
        assertThat(delays).as("not read before the Retry-After").allSatisfy(d -> assertThat(d).isGreaterThanOrEqualTo(800));
        long spread = java.util.Collections.max(delays) - java.util.Collections.min(delays);
        assertThat(spread).as("resume times %s ms after the refusals are spread", delays).isGreaterThanOrEqualTo(250);
    }

    @Test
    void refusedHttpConnectionsOfOneClientResumeAtDifferentTimes() throws Exception {
        assertResumeApart(resumeDelaysMillis("127.0.0.21", node.httpPort(), 48, HTTP_GET));
    }

    @Test
    void refusedHandleTcpConnectionsOfOneClientResumeAtDifferentTimes() throws Exception {
        assertResumeApart(resumeDelaysMillis("127.0.0.22", node.handlePort(), 48, HANDLE_TCP));
    }

    // ---------------------------------------------------------------- a refused client is paced

    /**
     * Empties the bucket of {@code from} on one connection until a request is refused, waits until the bucket would
     * be full again (a second at RATE), then sends one request on each of {@code connections} fresh connections at
     * once; returns how long after the sending the answers came, in milliseconds, or -1 for a refused one.
     */
    private static List<Long> answersAfterRefusalMillis(String from, int port, int connections, Exchange exchange) throws Exception {
        try (Socket s = RawClients.tcp(from, port)) {
            s.setSoTimeout(10_000);
            for (int attempt = 0; ; attempt++) {
                assertThat(attempt).as("requests before a refusal").isLessThan(4 * RATE);
                exchange.send(s);
                if (exchange.refused(s)) {
                    break;
                }
            }
        }
        Thread.sleep(1200);
        List<Socket> sockets = connect(from, port, connections);
        try {
            long sent = System.nanoTime();
            List<Long> millis = new ArrayList<>();
            for (Answer a : exchangeOnEach(sockets, exchange)) {
                millis.add(a.refused() ? -1L : TimeUnit.NANOSECONDS.toMillis(a.at() - sent));
            }
            return millis;
        } finally {
            closeAll(sockets);
        }
    }

    /**
     * A client that was refused is paced: six requests sent at once, which a full bucket would let through together,
     * are all answered, but one token interval (1/RATE, 50 ms) apart, so the last no sooner than 250 ms after they
     * were sent (the test allows 50 ms for clock granularity).
     */
    private static void assertPaced(List<Long> answerMillis) {
        assertThat(answerMillis).as("none refused").allSatisfy(m -> assertThat(m).isNotNegative());
        assertThat(java.util.Collections.max(answerMillis)).as("answers %s ms after sending", answerMillis)
                .isGreaterThanOrEqualTo(5 * 1000 / RATE - 50);
    }

    @Test
    void aRefusedHttpClientIsPacedInsteadOfServedInABurst() throws Exception {
        assertPaced(answersAfterRefusalMillis("127.0.0.23", node.httpPort(), 6, HTTP_GET));
    }

    @Test
    void aRefusedHandleTcpClientIsPacedInsteadOfServedInABurst() throws Exception {
        assertPaced(answersAfterRefusalMillis("127.0.0.24", node.handlePort(), 6, HANDLE_TCP));
    }

    // ---------------------------------------------------------------- metrics

    private static PrometheusText scrape() throws Exception {
        return PrometheusText.scrape(node.httpPort());
    }

    /** How much the samples called {@code name} with {@code labels} grew from {@code before} to {@code after}. */
    private static long growth(PrometheusText before, PrometheusText after, String name, String... labels) {
        return Math.round(after.value(name, labels) - before.value(name, labels));
    }

    /** Refusals answered by each protocol's refusal code, under the request's operation. */
    private static long refusalsCounted(PrometheusText before, PrometheusText after, String protocol, String code) {
        return growth(before, after, "idnode_requests_total", "protocol", protocol, "operation", "resolve", "code", code);
    }

    @Test
    void udpRefusalsAreCountedAsRequestsAndTheDroppedOnesApart() throws Exception {
        PrometheusText before = scrape();
        List<Integer> flooded = udpBurst("127.0.0.12", FLOOD);
        PrometheusText after = scrape();

        long refusedSeen = flooded.stream().filter(c -> c == AbstractMessage.RC_SERVER_TOO_BUSY).count();
        long served = flooded.stream().filter(c -> c == AbstractMessage.RC_SUCCESS).count();
        long dropped = FLOOD - flooded.size();
        assertThat(refusedSeen).isGreaterThan(0);
        assertThat(dropped).isGreaterThan(0);
        assertThat(refusalsCounted(before, after, "udp", "SERVER_TOO_BUSY")).as("every refusal answered, under its code").isEqualTo(refusedSeen);
        assertThat(refusalsCounted(before, after, "udp", "SUCCESS")).isEqualTo(served);
        assertThat(growth(before, after, "idnode_request_duration_seconds_count", "protocol", "udp", "operation", "resolve"))
                .as("refusals are not timed").isEqualTo(served);
        // Once the flooder's flow is isolated (limits.udp-isolated-flows), the kernel drops the rest of its flood
        // unseen by the node; the node counts the datagrams it dropped itself.
        long droppedByNode = growth(before, after, "idnode_udp_refusals_dropped_total");
        if (growth(before, after, "idnode_udp_flows_isolated_total") == 0) {
            assertThat(droppedByNode).as("refusals dropped unanswered").isEqualTo(dropped);
        } else {
            assertThat(droppedByNode).as("refusals dropped unanswered by the node").isPositive().isLessThanOrEqualTo(dropped);
        }
        String refused = "idnode_rate_limited_requests_total";
        assertThat(growth(before, after, refused, "protocol", "udp")).as("every refusal the node saw").isEqualTo(refusedSeen + droppedByNode);
        assertThat(after.value(refused, "protocol", "udp")).isEqualTo(node.node.limits().rateLimitedCount("udp"));
        for (String protocol : List.of("tcp", "http", "grpc")) {
            assertThat(after.find(refused, "protocol", protocol)).as(protocol).hasSize(1);
        }
    }

    // ---------------------------------------------------------------- gRPC

    /** A channel whose connections come from {@code from}. */
    private static ManagedChannel grpcFrom(String from) throws Exception {
        return GrpcClients.channelFrom(from, node.node.grpcAddress().orElseThrow().getPort());
    }

    private static List<Status.Code> grpcCalls(ManagedChannel channel, int count, List<StatusRuntimeException> failures) {
        IdentifierServiceGrpc.IdentifierServiceBlockingStub stub = IdentifierServiceGrpc.newBlockingStub(channel);
        List<Status.Code> codes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            try {
                stub.withDeadlineAfter(10, TimeUnit.SECONDS).resolve(ResolveRequest.newBuilder().setHandle(HANDLE).build());
                codes.add(Status.Code.OK);
            } catch (StatusRuntimeException e) {
                codes.add(e.getStatus().getCode());
                failures.add(e);
            }
        }
        return codes;
    }

    @Test
    void grpcFlooderGetsResourceExhaustedWhileAnotherClientIsServed() throws Exception {
        ManagedChannel flooder = grpcFrom("127.0.0.9");
        ManagedChannel polite = grpcFrom("127.0.0.10");
        PrometheusText before = scrape();
        try {
            List<StatusRuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<List<Status.Code>> flood = CompletableFuture.supplyAsync(() -> grpcCalls(flooder, FLOOD, failures));
            List<Status.Code> served = politely(10, () -> grpcCalls(polite, 1, new ArrayList<>()).get(0));
            List<Status.Code> flooded = flood.get(60, TimeUnit.SECONDS);

            assertThat(served).containsOnly(Status.Code.OK);
            assertThat(flooded).containsOnly(Status.Code.OK, Status.Code.RESOURCE_EXHAUSTED).contains(Status.Code.RESOURCE_EXHAUSTED);
            ErrorInfo info = GrpcClients.errorInfo(failures.get(0));
            assertThat(info.getDomain()).isEqualTo("idnode.org");
            assertThat(info.getReason()).isEqualTo("SERVER_TOO_BUSY");
            assertThat(info.getMetadataMap()).containsEntry("response_code", "3").containsKey("retry_after_ms");
            assertThat(node.node.limits().rateLimitedCount("grpc")).isGreaterThan(0);
            assertThat(refusalsCounted(before, scrape(), "grpc", "RESOURCE_EXHAUSTED")).as("refusals counted as calls under their status")
                    .isEqualTo(flooded.stream().filter(c -> c == Status.Code.RESOURCE_EXHAUSTED).count());
        } finally {
            flooder.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            polite.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
