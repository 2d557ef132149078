package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Common;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.api.v1.ResolveRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log and the error log as {@code idnode serve} writes them through the shipped {@code conf/logback.xml}
 * (a node in its own JVM): one line per request on every interface (Handle over UDP, TCP and HTTP, REST, gRPC), in the
 * CNRI layout and as JSON lines, and none when it is off, nor for requests the rate limit refuses (counted in the
 * metrics only); the node's own notices in {@code error.log}.
 */
class AccessLogTest {
    static final String HANDLE = "88.999.1/ACCESS-1";
    static final String MISSING = "88.999.1/NO-SUCH";
    static final String RECORD = "{\"handle\":\"" + HANDLE + "\",\"values\":[{\"index\":1,\"type\":\"URL\","
            + "\"data\":{\"format\":\"string\",\"value\":\"https://example.com/access\"}}]}";
    /** The requests {@link #sendOneOfEach} sends. */
    static final int REQUESTS = 7;

    @TempDir
    Path tmp;

    private final List<ChildJvm> children = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopChildren() throws InterruptedException {
        for (ChildJvm c : children) {
            c.kill();
        }
    }

    /** Traffic sent to the node of {@link #accessLines(String, String, Traffic)}. */
    interface Traffic {
        void send(ChildJvm.NodePorts ports) throws Exception;
    }

    /** Runs a node with {@code logging.access: format} and the shipped logback configuration, sends one request of each kind, stops it. */
    List<String> accessLines(String format) throws Exception {
        return accessLines(format, "", AccessLogTest::sendOneOfEach);
    }

    /** Runs a node with {@code logging.access: format}, the shipped logback configuration and {@code moreYaml}, sends {@code traffic}, stops it. */
    List<String> accessLines(String format, String moreYaml, Traffic traffic) throws Exception {
        Path data = tmp.resolve("data");
        TestNode.importLines(data, List.of(RECORD));
        Path logs = tmp.resolve("logs");
        Path logback = Path.of(System.getProperty("idnode.project.root"), "conf", "logback.xml");
        Path yaml = Files.writeString(tmp.resolve("node.yaml"), "logging:\n  config: \"" + logback + "\"\n  dir: \"" + logs
                + "\"\n  access: " + format + "\n" + moreYaml);
        ChildJvm node = ChildJvm.launch(tmp, "org.idnode.server.cli.IdnodeCommand", List.of(), "serve", "--config", yaml.toString(),
                "--data-dir", data.toString(), "--handle-port", "0", "--http-port", "0", "--grpc-port", "0");
        children.add(node);
        ChildJvm.NodePorts ports = ChildJvm.NodePorts.of(node.awaitReady());
        traffic.send(ports);
        node.terminate(Duration.ofSeconds(60));
        assertThat(Files.readString(logs.resolve("error.log"))).as("the error log").contains("every request accepted was answered");
        Path access = logs.resolve("access.log");
        return Files.exists(access) ? Files.readAllLines(access, StandardCharsets.UTF_8) : List.of();
    }

    /** UDP: found and not found; TCP; a native Handle message over HTTP; REST: found and not found; gRPC. */
    static void sendOneOfEach(ChildJvm.NodePorts ports) throws Exception {
        assertThat(NodeDrainTest.responseCode(NodeDrainTest.udp(ports.udp(), CachedAnswerWireTest.request(HANDLE, 1)))).isEqualTo(1);
        assertThat(NodeDrainTest.responseCode(NodeDrainTest.udp(ports.udp(), CachedAnswerWireTest.request(MISSING, 2)))).isEqualTo(100);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ports.handle())) {
            s.setSoTimeout(10_000);
            assertThat(NodeDrainTest.responseCode(CachedAnswerWireTest.tcpExchange(s, CachedAnswerWireTest.request(HANDLE, 3)))).isEqualTo(1);
        }
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + ports.http();
        HttpResponse<byte[]> nativeAnswer = http.send(HttpRequest.newBuilder(URI.create(base + "/"))
                .header("Content-Type", Common.HDL_MIME_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(CachedAnswerWireTest.request(HANDLE, 4))).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(NodeDrainTest.responseCode(nativeAnswer.body())).isEqualTo(1);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/api/handles/" + HANDLE)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/api/handles/" + MISSING)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(404);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", ports.grpc()).usePlaintext().build();
        try {
            assertThat(GrpcClients.deadline(IdentifierServiceGrpc.newBlockingStub(channel)).resolve(ResolveRequest.newBuilder().setHandle(HANDLE).build())
                    .getRecord().getValuesCount()).isEqualTo(1);
        } catch (StatusRuntimeException e) {
            throw new AssertionError(e);
        } finally {
            GrpcClients.close(channel);
        }
    }

    @Test
    void cnriLinesForEveryProtocol() throws Exception {
        List<String> lines = accessLines("cnri");
        assertThat(lines).as("one line per request").hasSize(REQUESTS);
        String date = "\"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}([+-]\\d{4}|Z)\"";
        String h = Pattern.quote(HANDLE);
        String m = Pattern.quote(MISSING);
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("127\\.0\\.0\\.1 UDP:HDL\\(2\\.11\\) " + date + " 1 1 \\d+ms " + h))
                .anySatisfy(l -> assertThat(l).matches("127\\.0\\.0\\.1 UDP:HDL\\(2\\.11\\) " + date + " 1 100 \\d+ms " + m))
                .anySatisfy(l -> assertThat(l).matches("127\\.0\\.0\\.1 TCP:HDL\\(2\\.11\\) " + date + " 1 1 \\d+ms " + h))
                .anySatisfy(l -> assertThat(l).matches("127\\.0\\.0\\.1 HTTP:HDL\\(2\\.11\\) " + date + " 1 1 \\d+ms " + h))
                .anySatisfy(l -> assertThat(l).matches("127\\.0\\.0\\.1 HTTP:REST " + date + " 1 200 \\d+ms " + h))
                .anySatisfy(l -> assertThat(l).matches("127\\.0\\.0\\.1 HTTP:REST " + date + " 1 404 \\d+ms " + m))
                .anySatisfy(l -> assertThat(l).matches("127\\.0\\.0\\.1 GRPC " + date + " 1 0 \\d+ms " + h));
    }

    @Test
    void jsonLinesForEveryProtocol() throws Exception {
        List<JsonObject> lines = new ArrayList<>();
        for (String l : accessLines("json")) {
            lines.add(JsonParser.parseString(l).getAsJsonObject());
        }
        assertThat(lines).hasSize(REQUESTS);
        for (JsonObject o : lines) {
            assertThat(o.get("time").getAsString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)");
            assertThat(o.get("client").getAsString()).isEqualTo("127.0.0.1");
            assertThat(o.get("operation").getAsString()).isEqualTo("resolve");
            assertThat(o.get("micros").getAsLong()).isNotNegative();
        }
        assertThat(lines).anySatisfy(o -> assertLine(o, "udp", "SUCCESS", HANDLE, "rc", 1))
                .anySatisfy(o -> assertLine(o, "udp", "HANDLE_NOT_FOUND", MISSING, "rc", 100))
                .anySatisfy(o -> assertLine(o, "tcp", "SUCCESS", HANDLE, "rc", 1))
                .anySatisfy(o -> assertLine(o, "http", "SUCCESS", HANDLE, "rc", 1))
                .anySatisfy(o -> assertLine(o, "http", "200", HANDLE, "status", 200))
                .anySatisfy(o -> assertLine(o, "http", "404", MISSING, "status", 404))
                .anySatisfy(o -> assertLine(o, "grpc", "OK", HANDLE, "status", 0));
        assertThat(lines).filteredOn(o -> o.has("rc")).allSatisfy(o -> {
            assertThat(o.get("version").getAsString()).isEqualTo("2.11");
            assertThat(o.get("opCode").getAsInt()).isEqualTo(1);
        });
        assertThat(lines).filteredOn(o -> o.get("protocol").getAsString().equals("grpc")).singleElement()
                .satisfies(o -> assertThat(o.get("method").getAsString()).isEqualTo("idnode.v1.IdentifierService/Resolve"));
        assertThat(lines).filteredOn(o -> o.has("path")).allSatisfy(o -> assertThat(o.get("method").getAsString()).isEqualTo("GET"));
    }

    private static void assertLine(JsonObject o, String protocol, String code, String handle, String numberKey, int number) {
        assertThat(o.get("protocol").getAsString()).isEqualTo(protocol);
        assertThat(o.get("code").getAsString()).isEqualTo(code);
        assertThat(o.get("handle").getAsString()).isEqualTo(handle);
        assertThat(o.get(numberKey).getAsInt()).isEqualTo(number);
    }

    @Test
    void requestsRefusedByTheRateLimitAreCountedButNotLogged() throws Exception {
        int sent = 8;
        long[] answered = new long[2]; // served, refused with SERVER_TOO_BUSY
        List<String> lines = accessLines("json", "limits:\n  rate: {per-second: 1, burst: 2}\n", ports -> {
            List<Integer> codes = RawClients.udpBurst("127.0.0.1", ports.udp(), HANDLE, sent);
            answered[0] = codes.stream().filter(c -> c == AbstractMessage.RC_SUCCESS).count();
            answered[1] = codes.stream().filter(c -> c == AbstractMessage.RC_SERVER_TOO_BUSY).count();
            assertThat(answered[0] + answered[1]).as("every answer a success or a refusal").isEqualTo(codes.size());
            assertThat(answered[1]).as("refused").isGreaterThan(0);
            PrometheusText metrics = PrometheusText.scrape(ports.http());
            assertThat(metrics.value("idnode_requests_total", "protocol", "udp", "operation", "resolve", "code", "SERVER_TOO_BUSY"))
                    .isEqualTo(answered[1]);
            assertThat(metrics.value("idnode_udp_refusals_dropped_total")).isEqualTo(sent - codes.size());
        });
        assertThat(lines).filteredOn(l -> l.contains("\"protocol\":\"udp\"")).as("only the requests served are logged").hasSize((int) answered[0])
                .allSatisfy(l -> assertThat(l).contains("\"code\":\"SUCCESS\""));
    }

    @Test
    void offWritesNoLine() throws Exception {
        assertThat(accessLines("off")).isEmpty();
        assertThatThrownBy(() -> accessLines("apache")).isInstanceOf(AssertionError.class).hasMessageContaining("logging.access");
    }
}
