package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.Util;
import org.idnode.api.v1.BatchResolveRequest;
import org.idnode.api.v1.BatchResolveResponse;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.api.v1.ResolveRequest;
import org.idnode.api.v1.ResolveResponse;
import org.idnode.server.config.NodeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recursive resolution on a secondary node S (88.999) whose top-level node is another node A that serves 88.998 itself
 * (so no referral is needed; referrals are covered by the federation tests with a top-level node): REST, gRPC and
 * Handle-protocol requests with the recursion flag for A's handles are answered by S with A's public values; without
 * the flag a Handle request gets {@code SERVER_NOT_RESP} as before. Answers (found and not found) are served from S's
 * cache once A is gone; a handle never asked before then fails with a clear error. A top level that never answers
 * ends in S's deadline error (REST 504, gRPC DEADLINE_EXCEEDED with ErrorInfo), an unreachable one in 502/UNAVAILABLE,
 * each well before a generous bound.
 */
@Timeout(120)
class RecursiveResolutionTest {
    private static final String LOT = "88.998.1/LOT-1";
    private static final List<String> A_RECORDS = List.of(
            "{\"handle\": \"0.NA/88.998.1\", \"values\": [{\"index\": 2, \"type\": \"ID_ENTERPRISE\", \"data\": {\"format\": \"string\", \"value\": \"Laminate Co\"}}]}",
            "{\"handle\": \"" + LOT + "\", \"values\": [{\"index\": 1, \"type\": \"URL\", \"data\": {\"format\": \"string\", \"value\": \"https://example.com/lot/1\"}, \"ttl\": 3600},"
                    + " {\"index\": 2, \"type\": \"EMAIL\", \"data\": {\"format\": \"string\", \"value\": \"qa@example.com\"}, \"ttl\": 600},"
                    + " {\"index\": 3, \"type\": \"UNIT_COST\", \"data\": {\"format\": \"string\", \"value\": \"0.42\"}, \"permissions\": \"1100\"}]}",
            "{\"handle\": \"88.998.1/LOT-2\", \"values\": [{\"index\": 1, \"type\": \"URL\", \"data\": {\"format\": \"string\", \"value\": \"https://example.com/lot/2\"}}]}");

    @TempDir
    static Path dir;
    private static IdentifierNode a;
    private static IdentifierNode s;

    @BeforeAll
    static void start() throws Exception {
        a = startA(dir.resolve("a"));
        s = IdentifierNode.start(config(dir.resolve("s"), "88.999", "top-level: \"127.0.0.1:" + a.handleAddress().getPort() + "\""));
    }

    @AfterAll
    static void stop() {
        if (s != null) {
            s.close();
        }
        if (a != null) {
            a.close();
        }
    }

    private static IdentifierNode startA(Path data) throws Exception {
        TestNode.importLines(data, A_RECORDS);
        return IdentifierNode.start(config(data, "88.998", ""));
    }

    /** A node on {@code data} serving {@code prefix}, with {@code federation} (YAML lines, indented by the caller) set. */
    static NodeConfig config(Path data, String prefix, String federation) throws Exception {
        Files.createDirectories(data);
        Path yaml = data.resolveSibling(data.getFileName() + ".yaml");
        Files.writeString(yaml, "node: {prefixes: [\"" + prefix + "\"]}\nfederation:\n  " + federation.replace("\n", "\n  ") + "\n");
        return NodeConfig.load(yaml).withOverrides(data, 0, 0, 0, "127.0.0.1");
    }

    private static JsonHttp.Resp get(IdentifierNode node, String path) throws Exception {
        return new JsonHttp(node.httpAddress().getPort()).send("GET", path, null, null);
    }

    private static List<String> types(JsonHttp.Resp r) {
        List<String> out = new ArrayList<>();
        JsonArray values = r.json().getAsJsonArray("values");
        values.forEach(v -> out.add(v.getAsJsonObject().get("type").getAsString()));
        return out;
    }

    @Test
    void restResolvesAnotherNodesHandleWithItsPublicValues() throws Exception {
        JsonHttp.Resp r = get(s, "/api/handles/" + LOT);
        assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
        assertThat(types(r)).containsExactly("URL", "EMAIL");
        JsonHttp.Resp withCredentials = new JsonHttp(s.httpAddress().getPort()).send("GET", "/api/handles/" + LOT, null,
                JsonHttp.basic("300:0.NA/88.999.1", "whatever"));
        assertThat(withCredentials.status()).as("public values for whoever asks").isEqualTo(200);
        assertThat(types(withCredentials)).containsExactly("URL", "EMAIL");
        JsonHttp.Resp filtered = get(s, "/api/handles/" + LOT + "?type=EMAIL");
        assertThat(types(filtered)).containsExactly("EMAIL");
        JsonHttp.Resp prefix = get(s, "/api/handles/0.NA/88.998.1");
        assertThat(prefix.status()).isEqualTo(200);
        assertThat(types(prefix)).contains("HS_SITE", "ID_ENTERPRISE");
        JsonHttp.Resp missing = get(s, "/api/handles/88.998.1/NO-SUCH-LOT");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.rc()).isEqualTo(AbstractMessage.RC_HANDLE_NOT_FOUND);
    }

    @Test
    void grpcResolvesAndBatchResolvesAcrossNodes() throws Exception {
        ManagedChannel channel = GrpcClients.channel(s);
        try {
            IdentifierServiceGrpc.IdentifierServiceBlockingStub stub = GrpcClients.deadline(IdentifierServiceGrpc.newBlockingStub(channel));
            ResolveResponse one = stub.resolve(ResolveRequest.newBuilder().setHandle(LOT).build());
            assertThat(one.getRecord().getValuesList()).extracting(v -> v.getType()).containsExactly("URL", "EMAIL");
            BatchResolveResponse batch = stub.batchResolve(BatchResolveRequest.newBuilder()
                    .addRequests(ResolveRequest.newBuilder().setHandle("88.998.1/LOT-2"))
                    .addRequests(ResolveRequest.newBuilder().setHandle("88.999.1/NOT-HERE"))
                    .addRequests(ResolveRequest.newBuilder().setHandle("88.998.1/NOT-THERE"))
                    .addRequests(ResolveRequest.newBuilder().setHandle(LOT).addTypes("URL"))
                    .build());
            assertThat(batch.getResultsList()).hasSize(4);
            assertThat(batch.getResults(0).getRecord().getValues(0).getType()).isEqualTo("URL");
            assertThat(batch.getResults(1).getError().getResponseCode()).isEqualTo(AbstractMessage.RC_HANDLE_NOT_FOUND);
            assertThat(batch.getResults(2).getError().getResponseCode()).isEqualTo(AbstractMessage.RC_HANDLE_NOT_FOUND);
            assertThat(batch.getResults(3).getRecord().getValuesList()).hasSize(1);
        } finally {
            GrpcClients.close(channel);
        }
    }

    @Test
    void handleProtocolRecursesOnlyWhenTheRequestAsks() throws Exception {
        ResolutionRequest recursive = new ResolutionRequest(Util.encodeString(LOT), null, null, null);
        recursive.recursive = true;
        AbstractResponse answer = CnriClients.rawResolver().sendHdlUdpRequest(recursive, InetAddress.getLoopbackAddress(), s.handleAddress().getPort());
        assertThat(answer).isInstanceOf(ResolutionResponse.class);
        HandleValue[] values = ((ResolutionResponse) answer).getHandleValues();
        assertThat(Arrays.stream(values).map(HandleValue::getTypeAsString)).containsExactly("URL", "EMAIL");

        ResolutionRequest plain = new ResolutionRequest(Util.encodeString(LOT), null, null, null);
        plain.recursive = false;
        AbstractResponse refused = CnriClients.rawResolver().sendHdlTcpRequest(plain, InetAddress.getLoopbackAddress(), s.handleAddress().getPort());
        assertThat(refused.responseCode).isEqualTo(AbstractMessage.RC_SERVER_NOT_RESP);
    }

    @Test
    void cachedAnswersOutliveTheOtherNodeAndNewOnesFailClearly() throws Exception {
        IdentifierNode other = startA(dir.resolve("a2"));
        boolean otherClosed = false;
        IdentifierNode asker = IdentifierNode.start(config(dir.resolve("s2"), "88.999", "top-level: \"127.0.0.1:" + other.handleAddress().getPort() + "\""));
        try {
            assertThat(get(asker, "/api/handles/" + LOT).status()).isEqualTo(200);
            assertThat(get(asker, "/api/handles/88.998.1/NOPE").status()).isEqualTo(404);
            other.close();
            otherClosed = true;

            JsonHttp.Resp cached = get(asker, "/api/handles/" + LOT);
            assertThat(cached.status()).as("answered from the cache with the other node gone").isEqualTo(200);
            assertThat(types(cached)).containsExactly("URL", "EMAIL");
            assertThat(get(asker, "/api/handles/88.998.1/NOPE").status()).as("not found, cached").isEqualTo(404);

            long started = System.nanoTime();
            JsonHttp.Resp failed = get(asker, "/api/handles/88.998.1/LOT-2");
            assertThat((System.nanoTime() - started) / 1e9).as("seconds until the error (a bound against hangs)").isLessThan(30);
            assertThat(failed.status()).isEqualTo(502);
            assertThat(failed.rc()).isEqualTo(AbstractMessage.RC_ERROR);
            assertThat(failed.message()).contains("88.998.1/LOT-2", "top-level node at 127.0.0.1:" + other.handleAddress().getPort());

            ResolutionRequest req = new ResolutionRequest(Util.encodeString("88.998.1/LOT-3"), null, null, null);
            AbstractResponse handleAnswer = CnriClients.rawResolver().sendHdlTcpRequest(req, InetAddress.getLoopbackAddress(), asker.handleAddress().getPort());
            assertThat(handleAnswer.responseCode).isEqualTo(AbstractMessage.RC_ERROR);
            assertThat(Util.decodeString(((ErrorResponse) handleAnswer).message)).contains("88.998.1/LOT-3", "cannot resolve");
        } finally {
            asker.close();
            if (!otherClosed) {
                other.close();
            }
        }
    }

    /** A "top level" that takes UDP datagrams and TCP connections and never answers. */
    @Test
    void aSilentTopLevelEndsInTheDeadlineError() throws Exception {
        try (ServerSocket tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), tcp.getLocalPort()))) {
            List<Socket> held = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                while (!tcp.isClosed()) {
                    try {
                        Socket c = tcp.accept();
                        synchronized (held) {
                            held.add(c);
                        }
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            IdentifierNode asker = IdentifierNode.start(config(dir.resolve("s3"), "88.999",
                    "top-level: \"127.0.0.1:" + tcp.getLocalPort() + "\"\nrecursion: {deadline-ms: 1500}"));
            ManagedChannel channel = GrpcClients.channel(asker);
            try {
                long started = System.nanoTime();
                JsonHttp.Resp r = get(asker, "/api/handles/" + LOT);
                assertThat(r.status()).as(r.json().toString()).isEqualTo(504);
                assertThat(r.message()).contains("no answer for " + LOT + " within 1500 ms");

                IdentifierServiceGrpc.IdentifierServiceBlockingStub stub = GrpcClients.deadline(IdentifierServiceGrpc.newBlockingStub(channel));
                assertThatThrownBy(() -> stub.resolve(ResolveRequest.newBuilder().setHandle("88.998.1/LOT-2").build()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                            ErrorInfo info = GrpcClients.errorInfo(e);
                            assertThat(info.getMetadataMap()).containsEntry("recursion", "TIMEOUT").containsEntry("handle", "88.998.1/LOT-2");
                            assertThat(e.getStatus().getDescription()).contains("within 1500 ms");
                        });
                assertThat((System.nanoTime() - started) / 1e9).as("seconds for both (a bound against hangs)").isLessThan(30);
            } finally {
                GrpcClients.close(channel);
                asker.close();
                synchronized (held) {
                    for (Socket c : held) {
                        c.close();
                    }
                }
            }
        }
    }

    @Test
    void anUnreachableTopLevelIsUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        IdentifierNode asker = IdentifierNode.start(config(dir.resolve("s4"), "88.999", "top-level: \"127.0.0.1:" + closedPort + "\""));
        ManagedChannel channel = GrpcClients.channel(asker);
        try {
            IdentifierServiceGrpc.IdentifierServiceBlockingStub stub = GrpcClients.deadline(IdentifierServiceGrpc.newBlockingStub(channel));
            long started = System.nanoTime();
            assertThatThrownBy(() -> stub.resolve(ResolveRequest.newBuilder().setHandle(LOT).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(GrpcClients.errorInfo(e).getMetadataMap()).containsEntry("recursion", "UPSTREAM");
                        assertThat(e.getStatus().getDescription()).contains("top-level node at 127.0.0.1:" + closedPort);
                    });
            assertThat((System.nanoTime() - started) / 1e9).as("seconds until the error (a bound against hangs)").isLessThan(30);
        } finally {
            GrpcClients.close(channel);
            asker.close();
        }
    }

    @Test
    void withoutRecursionOtherPrefixesAreNotServedAsBefore() throws Exception {
        IdentifierNode plain = IdentifierNode.start(config(dir.resolve("s5"), "88.999",
                "top-level: \"127.0.0.1:" + a.handleAddress().getPort() + "\"\nrecursion: {enabled: false}"));
        try {
            JsonHttp.Resp r = get(plain, "/api/handles/" + LOT);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.rc()).isEqualTo(AbstractMessage.RC_SERVER_NOT_RESP);
        } finally {
            plain.close();
        }
    }
}
