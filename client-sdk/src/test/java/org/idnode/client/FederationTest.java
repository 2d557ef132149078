package org.idnode.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import org.idnode.api.v1.BatchRegisterResponse;
import org.idnode.api.v1.CreatePrefixRequest;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A federation of separate node processes on 127.0.0.1: a top-level node T ({@code federation.role: top-level}) and two
 * secondary nodes, S1 serving 88.999 and S2 serving 88.998, each with an enterprise prefix and identifiers, joined to T
 * ({@code federation.top-level}) and registered there through T's operator API.
 * <ul>
 *   <li>An SDK client connected only to S1 resolves an identifier held by S2 through S1's recursive path (T's prefix
 *       referral, then S2); with S2 killed, the same identifier is still answered, from S1's cache; an identifier of S2
 *       never asked before fails with a clear error (the authoritative node is unreachable) well within a bound.</li>
 *   <li>A delegation that points back at T itself (a referral loop) ends in {@code RECURSION_COUNT_TOO_HIGH}: REST 502,
 *       gRPC UNAVAILABLE with ErrorInfo, well within a bound.</li>
 *   <li>Filing: T is killed; S1 registers 10,000 identifiers (batch API) and creates an enterprise prefix; S1 is killed
 *       (kill -9) and restarted while T is still down; T comes back: T's ledger ends with every filing of S1 exactly once
 *       and in order, and S1's outbox backlog drains to 0.</li>
 * </ul>
 * The "bounds" are generous limits against hangs, not timing claims.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class FederationTest {
    static final String T_OPERATOR_SECRET = "top-level-ops";
    static final String S_OPERATOR_SECRET = "secondary-ops";
    static final int REGISTRATIONS = 10_000;
    static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    static Path tmp;
    static NodeProcess t;
    static NodeProcess s1;
    static NodeProcess s2;
    static String tToken;
    static final Map<String, String> operatorTokens = new HashMap<>();
    static String s1EnterpriseToken;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void federation() throws Exception {
        Path tData = tmp.resolve("t-data");
        Path tConfig = tmp.resolve("t.yaml");
        Files.writeString(tConfig, "node: {name: \"top-level node\"}\nfederation: {role: top-level}\n");
        NodeProcess.idnode(tConfig, tData, "operator", "add", "--admin-secret", T_OPERATOR_SECRET);
        tToken = NodeProcess.idnode(tConfig, tData, "token", "add", "0.NA", "--name", "ops");
        t = NodeProcess.start(tData, tConfig, true);

        s1 = secondary("88.999", "88.999.1", List.of("88.999.1/LOT-A1", "88.999.1/LOT-A2"));
        s2 = secondary("88.998", "88.998.1", List.of("88.998.1/LOT-B1", "88.998.1/LOT-B2", "88.998.1/LOT-B3"));
        register("88.999", s1);
        register("88.998", s2);
        awaitDrained(s1, "88.999");
        awaitDrained(s2, "88.998");
    }

    /** Prepares, starts and returns a secondary node of {@code prefix} joined to T, with an enterprise prefix and identifiers. */
    private static NodeProcess secondary(String prefix, String enterprisePrefix, List<String> handles) throws Exception {
        Path data = tmp.resolve("s-" + prefix + "-data");
        Path config = tmp.resolve("s-" + prefix + ".yaml");
        Files.writeString(config, String.join("\n",
                "node: {name: \"secondary node " + prefix + "\", prefixes: [\"" + prefix + "\"]}",
                "store: {block-cache-mb: 16}",
                "federation:",
                "  top-level: \"" + t.handleAddress() + "\"",
                "  filing: {backoff-min-ms: 200, backoff-max-ms: 2000}",
                ""));
        NodeProcess.idnode(config, data, "operator", "add", "--admin-secret", S_OPERATOR_SECRET);
        operatorTokens.put(prefix, NodeProcess.addToken(config, data, prefix, "ops"));
        NodeProcess.addPrefix(config, data, enterprisePrefix, "Enterprise " + enterprisePrefix);
        List<String> lines = new ArrayList<>();
        for (String h : handles) {
            lines.add("{\"handle\": \"" + h + "\", \"values\": [{\"index\": 1, \"type\": \"URL\", \"data\": {\"format\": \"string\", "
                    + "\"value\": \"https://example.com/" + h + "\"}, \"ttl\": 3600}]}");
        }
        NodeProcess.importLines(config, data, lines);
        if (prefix.equals("88.999")) {
            s1EnterpriseToken = NodeProcess.addToken(config, data, enterprisePrefix, "erp");
        }
        return NodeProcess.start(data, config, true);
    }

    /** Registers a started secondary node at T: its prefix, its Handle address and its node key. */
    private static void register(String prefix, NodeProcess node) throws Exception {
        byte[] key = Files.readAllBytes(tmp.resolve("s-" + prefix + "-data").resolve("keys").resolve("pubkey.bin"));
        registerAt(prefix, node.handleAddress(), key);
    }

    private static void registerAt(String prefix, String site, byte[] pubkey) throws Exception {
        JsonObject body = new JsonObject();
        body.addProperty("prefix", prefix);
        body.addProperty("site", site);
        body.addProperty("publicKey", Base64.getEncoder().encodeToString(pubkey));
        Answer a = send(t, "POST", "/api/admin/federation/secondaries", body.toString(), tToken);
        assertThat(a.status).as(a.json.toString()).isEqualTo(201);
    }

    record Answer(int status, JsonObject json) {
    }

    private static Answer send(NodeProcess node, String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.httpBase() + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        JsonElement json = JsonParser.parseString(r.body());
        assertThat(json.isJsonObject()).as("JSON object from %s %s: %s", method, path, r.body()).isTrue();
        return new Answer(r.statusCode(), json.getAsJsonObject());
    }

    private static JsonObject outbox(NodeProcess node, String prefix) throws Exception {
        Answer a = send(node, "GET", "/api/admin/federation/outbox", null, operatorTokens.get(prefix));
        assertThat(a.status).as(a.json.toString()).isEqualTo(200);
        return a.json;
    }

    /** Waits (bounded) until the node's outbox is empty and T has acknowledged its last filing. */
    private static JsonObject awaitDrained(NodeProcess node, String prefix) throws Exception {
        return awaitOutbox(node, prefix, o -> o.get("backlog").getAsLong() == 0 && !o.get("appliedThrough").isJsonNull()
                && o.get("appliedThrough").getAsLong() == o.get("lastSequence").getAsLong(), Duration.ofSeconds(180));
    }

    private static JsonObject awaitOutbox(NodeProcess node, String prefix, Predicate<JsonObject> done, Duration bound) throws Exception {
        long until = System.nanoTime() + bound.toNanos();
        JsonObject o = outbox(node, prefix);
        while (!done.test(o)) {
            assertThat(System.nanoTime()).as("outbox of %s within %s: %s", prefix, bound, o).isLessThan(until);
            Thread.sleep(200);
            o = outbox(node, prefix);
        }
        return o;
    }

    private static IdClient sdkOn(NodeProcess node) {
        return IdClient.builder().endpoints(node.grpcAddress()).cacheMaxEntries(0).retry(RetryPolicy.NONE)
                .callTimeout(Duration.ofSeconds(60)).build();
    }

    private static String url(HandleRecord r) {
        return r.getValuesList().stream().filter(v -> v.getType().equals("URL")).findFirst().orElseThrow().getData().toStringUtf8();
    }

    @AfterAll
    static void stop() throws Exception {
        for (NodeProcess n : new NodeProcess[] {s1, s2, t}) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    @Order(1)
    void anSdkClientOfS1ResolvesAnIdentifierOfS2ThroughS1AndThenFromS1sCache() throws Exception {
        try (IdClient client = sdkOn(s1)) {
            assertThat(url(client.resolve("88.999.1/LOT-A1"))).isEqualTo("https://example.com/88.999.1/LOT-A1");
            assertThat(url(client.resolve("88.998.1/LOT-B1"))).isEqualTo("https://example.com/88.998.1/LOT-B1");
            assertThat(client.resolveBatch(List.of("88.998.1/LOT-B2", "88.998.1/NO-SUCH-LOT")))
                    .satisfies(r -> assertThat(r.get(0).getRecord().getHandle()).isEqualToIgnoringCase("88.998.1/LOT-B2"))
                    .satisfies(r -> assertThat(r.get(1).getError().getReason()).isEqualTo("HANDLE_NOT_FOUND"));
        }
        s2.kill();
        try (IdClient client = sdkOn(s1)) {
            // S2 is gone and T never held it: only S1's cache can answer.
            assertThat(url(client.resolve("88.998.1/LOT-B1"))).isEqualTo("https://example.com/88.998.1/LOT-B1");
            assertThatThrownBy(() -> client.resolve("88.998.1/NO-SUCH-LOT")).isInstanceOfSatisfying(IdNodeException.class,
                    e -> assertThat(e.isNotFound()).as("the cached not-found answer").isTrue());

            long started = System.nanoTime();
            assertThatThrownBy(() -> client.resolve("88.998.1/LOT-B3")).isInstanceOfSatisfying(IdNodeException.class, e -> {
                assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getMessage()).contains("88.998.1/LOT-B3", "cannot resolve");
            });
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("until the error (a bound against hangs)").isLessThan(BOUND);
        } finally {
            s2.start();
        }
    }

    @Test
    @Order(2)
    void aReferralLoopEndsInAClearErrorWithinABound() throws Exception {
        // T delegates 88.997 to T itself: every 0.NA/88.997.x is referred back to T.
        registerAt("88.997", t.handleAddress(), Files.readAllBytes(tmp.resolve("s-88.999-data").resolve("keys").resolve("pubkey.bin")));
        long started = System.nanoTime();
        Answer rest = send(s1, "GET", "/api/handles/88.997.1/LOOP-1", null, null);
        assertThat(rest.status).as(rest.json.toString()).isEqualTo(502);
        assertThat(rest.json.get("responseCode").getAsInt()).isEqualTo(6); // RC_RECURSION_COUNT_TOO_HIGH
        assertThat(rest.json.get("message").getAsString()).contains("88.997.1/LOOP-1", "referrals");
        try (IdClient client = sdkOn(s1)) {
            assertThatThrownBy(() -> client.resolve("88.997.1/LOOP-2")).isInstanceOfSatisfying(IdNodeException.class, e -> {
                assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.reason()).isEqualTo("RECURSION_COUNT_TOO_HIGH");
                assertThat(e.getMessage()).contains("88.997.1/LOOP-2", "referrals");
            });
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("both errors (a bound against hangs)").isLessThan(BOUND.multipliedBy(2));
    }

    @Test
    @Order(3)
    void everyFilingReachesTheTopLevelExactlyOnceAndInOrderAcrossOutagesAndACrash() throws Exception {
        t.kill();
        List<String> handles = new ArrayList<>();
        try (IdClient client = IdClient.builder().endpoints(s1.grpcAddress()).token(s1EnterpriseToken).callTimeout(Duration.ofSeconds(120)).build()) {
            for (int batch = 0; batch < REGISTRATIONS / 2000; batch++) {
                List<HandleRecord> records = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    String h = String.format("88.999.1/REG-%05d", batch * 2000 + i);
                    handles.add(h);
                    records.add(HandleRecord.newBuilder().setHandle(h).addValues(HandleValue.newBuilder().setIndex(1).setType("URL")
                            .setData(ByteString.copyFromUtf8("https://example.com/" + h)).setTtl(86400).setPublicRead(true).setAdminRead(true)
                            .setAdminWrite(true)).build());
                }
                BatchRegisterResponse r = client.registerBatch(records);
                assertThat(r.getRefused()).as("refused in batch %s: %s", batch, r.getResultsList().stream().filter(x -> x.hasError()).limit(3).toList()).isZero();
                assertThat(r.getAccepted()).isEqualTo(2000);
            }
        }
        try (IdClient operator = IdClient.builder().endpoints(s1.grpcAddress()).token(operatorTokens.get("88.999")).build()) {
            operator.operator().createPrefix(CreatePrefixRequest.newBuilder().setPrefix("88.999.2").setEnterprise("Second Co.")
                    .setAdminSecret("second-secret").build());
        }
        JsonObject before = outbox(s1, "88.999");
        assertThat(before.get("backlog").getAsLong()).as(before.toString()).isGreaterThanOrEqualTo(REGISTRATIONS + 1);
        assertThat(before.get("lastError").isJsonNull()).as("the top level is down: " + before).isFalse();

        s1.kill();
        s1.start();
        JsonObject afterRestart = outbox(s1, "88.999");
        assertThat(afterRestart.get("backlog").getAsLong()).as("nothing lost by kill -9: %s", afterRestart)
                .isEqualTo(before.get("backlog").getAsLong() + 1); // + the site filing of the restart
        assertThat(afterRestart.get("oldestPendingSequence").getAsLong()).isEqualTo(before.get("oldestPendingSequence").getAsLong());

        t.start();
        JsonObject drained = awaitDrained(s1, "88.999");
        long last = drained.get("lastSequence").getAsLong();

        List<JsonObject> ledger = new ArrayList<>();
        long after = 0;
        while (true) {
            Answer page = send(t, "GET", "/api/admin/federation/secondaries/88.999/filings?after=" + after + "&limit=1000", null, tToken);
            assertThat(page.status).as(page.json.toString()).isEqualTo(200);
            page.json.getAsJsonArray("filings").forEach(f -> ledger.add(f.getAsJsonObject()));
            if (!page.json.has("nextAfter")) {
                assertThat(page.json.get("appliedThrough").getAsLong()).isEqualTo(last);
                break;
            }
            after = page.json.get("nextAfter").getAsLong();
        }
        assertThat(ledger).hasSize((int) last);
        for (int i = 0; i < ledger.size(); i++) {
            assertThat(ledger.get(i).get("sequence").getAsLong()).as("sequence at position %s", i).isEqualTo(i + 1L);
        }
        List<String> registered = ledger.stream().filter(f -> f.get("kind").getAsString().equals("registration")
                && f.get("handle").getAsString().startsWith("88.999.1/REG-")).map(f -> f.get("handle").getAsString()).toList();
        assertThat(registered).as("each registration once, in the order they were made").containsExactlyElementsOf(handles);
        List<JsonObject> created = ledger.stream().filter(f -> f.get("kind").getAsString().equals("enterprise_prefix")
                && f.get("prefix").getAsString().equals("88.999.2")).toList();
        assertThat(created).hasSize(1);
        assertThat(created.get(0).get("created").getAsBoolean()).isTrue();
        long lastRegistration = ledger.stream().filter(f -> f.has("handle") && f.get("handle").getAsString().equals(handles.get(handles.size() - 1)))
                .findFirst().orElseThrow().get("sequence").getAsLong();
        assertThat(created.get(0).get("sequence").getAsLong()).as("the prefix was created after the registrations").isGreaterThan(lastRegistration);
        assertThat(ledger.stream().filter(f -> f.get("kind").getAsString().equals("site")).count()).as("one site filing per start of S1").isEqualTo(2);
        assertThat(drained.get("lastError").isJsonNull()).isTrue();
    }
}
