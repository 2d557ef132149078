package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Encoder;
import org.idnode.api.v1.BulkRegisterRequest;
import org.idnode.api.v1.BulkRegisterResponse;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.api.v1.ResolveRequest;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.lifecycle.NodeHealth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node stopping gracefully ({@link IdentifierNode#close}), watched from connections opened before: during
 * {@code shutdown.announce-seconds} it reports not ready ({@code /health/ready} 503, gRPC health {@code NOT_SERVING})
 * and still serves; then it refuses new work on every interface (HTTP 503 with {@code Connection: close}, Handle
 * {@code SERVER_TOO_BUSY} over UDP and TCP, new connections refused, new gRPC calls {@code UNAVAILABLE}) while a
 * gRPC bulk registration that was in flight goes on to its answer; what it acknowledged is in the store afterwards.
 */
class NodeDrainTest {
    static final String LOT = GrpcReadTest.LOT;

    @TempDir
    Path tmp;

    @Test
    void aStoppingNodeAnnouncesNotReadyThenRefusesNewWorkWhileFinishingWhatIsInFlight() throws Exception {
        Path data = tmp.resolve("data");
        TestNode.importLines(data, GrpcClients.sampleData());
        String token = GrpcClients.issueToken(data, "88.999.2", "drain");
        Path yaml = Files.writeString(tmp.resolve("node.yaml"), "shutdown:\n  announce-seconds: 3\n  drain-timeout-seconds: 60\n");
        NodeConfig config = NodeConfig.load(yaml).withOverrides(data, 0, 0, 0, "127.0.0.1");
        IdentifierNode node = IdentifierNode.start(config);
        int httpPort = node.httpAddress().getPort();
        int handlePort = node.handleAddress().getPort();
        ManagedChannel channel = GrpcClients.channel(node);
        CompletableFuture<Void> closing = null;
        try (RawHttp api = new RawHttp(httpPort); RawHttp probe = new RawHttp(httpPort);
             Socket handleTcp = new Socket(InetAddress.getLoopbackAddress(), handlePort)) {
            handleTcp.setSoTimeout(10_000);
            assertThat(api.get("/api/handles/" + LOT).status).isEqualTo(200);
            assertThat(probe.get("/health/ready").status).isEqualTo(200);
            assertThat(responseCode(CachedAnswerWireTest.tcpExchange(handleTcp, CachedAnswerWireTest.request(LOT, 1))))
                    .isEqualTo(AbstractMessage.RC_SUCCESS);
            HealthGrpc.HealthBlockingStub health = GrpcClients.deadline(HealthGrpc.newBlockingStub(channel));
            assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);

            // A bulk registration in flight when the node is told to stop: one chunk sent, the stream left open.
            CompletableFuture<BulkRegisterResponse> bulkAnswer = new CompletableFuture<>();
            StreamObserver<BulkRegisterRequest> bulk = GrpcClients.withToken(IdentifierServiceGrpc.newStub(channel), token)
                    .bulkRegister(observer(bulkAnswer));
            bulk.onNext(chunk("88.999.2/DRAIN-1"));

            closing = CompletableFuture.runAsync(node::close);

            // Announcing: not ready, yet still serving.
            RawHttp.Response ready = awaitStatus(probe, "/health/ready", 503);
            assertThat(JsonParser.parseString(ready.body).getAsJsonObject().get("status").getAsString()).isEqualTo("stopping");
            assertThat(JsonParser.parseString(ready.body).getAsJsonObject().get("reason").getAsString()).contains("shutting down");
            assertThat(node.health().state()).isEqualTo(NodeHealth.State.STOPPING);
            assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
            assertThat(api.get("/api/handles/" + LOT).status).as("still served while announcing").isEqualTo(200);

            // Draining: open connections get refusals and are closed; new connections and calls are refused.
            RawHttp.Response refused = awaitStatus(api, "/api/handles/" + LOT, 503);
            assertThat(refused.headers.get("connection")).isEqualToIgnoringCase("close");
            assertThat(JsonParser.parseString(refused.body).getAsJsonObject().get("responseCode").getAsInt())
                    .isEqualTo(AbstractMessage.RC_SERVER_TOO_BUSY);
            assertThat(api.closedByServer()).isTrue();

            RawHttp.Response notReady = probe.get("/health/ready");
            assertThat(notReady.status).isEqualTo(503);
            assertThat(notReady.headers.get("connection")).isEqualToIgnoringCase("close");

            assertThat(responseCode(udp(handlePort, CachedAnswerWireTest.request(LOT, 2)))).isEqualTo(AbstractMessage.RC_SERVER_TOO_BUSY);
            assertThat(responseCode(CachedAnswerWireTest.tcpExchange(handleTcp, CachedAnswerWireTest.request(LOT, 3))))
                    .isEqualTo(AbstractMessage.RC_SERVER_TOO_BUSY);
            assertThat(handleTcp.getInputStream().read()).as("the Handle connection is closed after the refusal").isEqualTo(-1);

            assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), handlePort).close()).isInstanceOf(ConnectException.class);
            assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), httpPort).close()).isInstanceOf(ConnectException.class);
            assertThatThrownBy(() -> GrpcClients.deadline(IdentifierServiceGrpc.newBlockingStub(channel))
                    .resolve(ResolveRequest.newBuilder().setHandle(LOT).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            assertThat(closing).as("the node waits for the bulk registration").isNotDone();

            // The call in flight goes on and is answered; then the node finishes stopping.
            bulk.onNext(chunk("88.999.2/DRAIN-2"));
            bulk.onCompleted();
            BulkRegisterResponse answer = bulkAnswer.get(30, TimeUnit.SECONDS);
            assertThat(answer.getAccepted()).isEqualTo(2);
            assertThat(answer.getRefused()).isZero();
            closing.get(60, TimeUnit.SECONDS);
            assertThat(node.health().state()).isEqualTo(NodeHealth.State.STOPPED);
        } finally {
            GrpcClients.close(channel);
            if (closing == null) {
                node.close();
            } else {
                closing.get(60, TimeUnit.SECONDS);
            }
        }
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(data, 16)) {
            assertThat(store.get(HandleName.parse("88.999.2/DRAIN-1"))).isPresent();
            assertThat(store.get(HandleName.parse("88.999.2/DRAIN-2"))).isPresent();
        }
    }

    @Test
    void closingAnIdleNodeTakesNoDrainTimeAndASecondCloseReturnsAtOnce() throws Exception {
        Path yaml = Files.writeString(tmp.resolve("node.yaml"), "shutdown:\n  drain-timeout-seconds: 600\n");
        IdentifierNode node = IdentifierNode.start(NodeConfig.load(yaml).withOverrides(tmp.resolve("data"), 0, 0, 0, "127.0.0.1"));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(node::close);
        closing.get(60, TimeUnit.SECONDS);
        node.close();
        assertThat(node.health().state()).isEqualTo(NodeHealth.State.STOPPED);
        assertThat(node.health().notReadyReason()).contains("stopped");
    }

    static BulkRegisterRequest chunk(String handle) {
        return BulkRegisterRequest.newBuilder().addRecords(HandleRecord.newBuilder().setHandle(handle).addValues(HandleValue.newBuilder()
                .setIndex(1).setType("URL").setData(ByteString.copyFromUtf8("https://example.com/" + handle)).setPublicRead(true)
                .setAdminRead(true).setAdminWrite(true))).build();
    }

    static <T> StreamObserver<T> observer(CompletableFuture<T> result) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.complete(null);
            }
        };
    }

    /** Sends {@code path} on the connection every 50 ms until the answer has {@code status}; fails after 30 s. */
    static RawHttp.Response awaitStatus(RawHttp http, String path, int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            RawHttp.Response r = http.get(path);
            if (r.status == status) {
                return r;
            }
            assertThat(System.nanoTime()).as("%s never answered %s; last %s %s", path, status, r.status, r.body).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    static int responseCode(byte[] answer) {
        return Encoder.readInt(answer, 24);
    }

    /** The first packet of the answer to one datagram. */
    static byte[] udp(int port, byte[] request) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(10_000);
            socket.send(new DatagramPacket(request, request.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            socket.receive(p);
            return java.util.Arrays.copyOf(p.getData(), p.getLength());
        }
    }

    /** One HTTP/1.1 keep-alive connection driven by hand, so that the test knows which connection a request goes on. */
    static final class RawHttp implements AutoCloseable {
        record Response(int status, Map<String, String> headers, String body) {
        }

        private final Socket socket;
        private final InputStream in;

        RawHttp(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream());
        }

        Response get(String path) throws IOException {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String statusLine = line();
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
            byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
            return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
        }

        /** True when the server has closed the connection (end of stream). */
        boolean closedByServer() throws IOException {
            return in.read() == -1;
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c == -1) {
                    throw new IOException("connection closed after: " + b);
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
