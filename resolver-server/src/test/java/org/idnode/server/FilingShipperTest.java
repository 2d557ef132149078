package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.BooleanSupplier;

import com.google.gson.JsonObject;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.federation.FilingShipper;
import org.idnode.server.keys.NodeKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secondary node's shipper against a real top-level node (both in this JVM, real RocksDB folders and sockets):
 * <ul>
 *   <li>what the offline commands ({@code prefix add}, {@code import}) and the node's own start (its site info) put
 *       into the outbox reaches the top level in order;</li>
 *   <li>a replay, as after a crash between sending a batch and forgetting it (the node restarted from a copy of its data
 *       folder taken before it shipped), is acknowledged without being applied twice, and the outbox drains;</li>
 *   <li>a top level that lost what it had applied refuses the next filing as out of order; the shipper asks for its
 *       status, keeps the filing, and reports that the ledger must be repaired;</li>
 *   <li>with filing policy {@code count} registrations and deletions arrive as periodic counts per enterprise prefix;</li>
 *   <li>with {@code federation.filing.tls-ca-file}, filings go over TLS to a top level whose gRPC port speaks it.</li>
 * </ul>
 */
@Timeout(180)
class FilingShipperTest {
    private static final String T_SECRET = "top-level-ops";
    private static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A top-level node's data folder with an operator; returns the operator's API token. */
    private static String prepareTopLevel(Path data) {
        JsonHttp.cli("operator", "add", "--role", "top-level", "--admin-secret", T_SECRET, "--data-dir", data.toString());
        return JsonHttp.cli("token", "add", "0.NA", "--name", "ops", "--role", "top-level", "--data-dir", data.toString());
    }

    private static IdentifierNode startTopLevel(Path data, int handlePort) {
        return IdentifierNode.start(NodeConfig.defaults(NodeConfig.Role.TOP_LEVEL).withOverrides(data, handlePort, 0, 0, "127.0.0.1"));
    }

    /** The configuration file of a secondary node of 88.999 joined to the top level at {@code topLevelPort}. */
    private Path secondaryConfig(String name, int topLevelPort, String filing) throws IOException {
        return Files.writeString(dir.resolve(name + ".yaml"), String.join("\n",
                "node: {prefixes: [\"88.999\"]}",
                "store: {block-cache-mb: 16}",
                "federation:",
                "  top-level: \"127.0.0.1:" + topLevelPort + "\"",
                "  filing: {backoff-min-ms: 100, backoff-max-ms: 1000" + filing + "}",
                ""));
    }

    private static IdentifierNode startSecondary(Path config, Path data, int[] ports) {
        return IdentifierNode.start(NodeConfig.load(config).withOverrides(data, ports[0], ports[1], 0, "127.0.0.1"));
    }

    private static FilingShipper.Backlog backlog(IdentifierNode node) {
        return node.federation().shipper().orElseThrow().backlog();
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long until = System.nanoTime() + BOUND.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %s", what, BOUND).isLessThan(until);
            Thread.sleep(100);
        }
    }

    private static void awaitDrained(IdentifierNode node) throws InterruptedException {
        await("the outbox drained", () -> {
            FilingShipper.Backlog b = backlog(node);
            return b.pending() == 0 && b.appliedThrough() == b.lastSequence();
        });
    }

    /** The value of the outbox backlog gauge on the node's {@code /metrics}. */
    private static String outboxGauge(IdentifierNode node) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + "/metrics")).timeout(BOUND).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body().lines().filter(l -> l.startsWith("idnode_federation_outbox_backlog ")).map(l -> l.substring(l.indexOf(' ') + 1))
                .findFirst().orElseThrow(() -> new AssertionError("no idnode_federation_outbox_backlog in /metrics"));
    }

    /** Every filing of 88.999 in the top level's ledger, in sequence order, through its operator API. */
    private static List<JsonObject> ledger(IdentifierNode t, String token) throws Exception {
        List<JsonObject> out = new ArrayList<>();
        JsonHttp.Resp r = new JsonHttp(t.httpAddress().getPort()).send("GET", "/api/admin/federation/secondaries/88.999/filings?limit=1000",
                null, JsonHttp.bearer(token));
        assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
        r.json().getAsJsonArray("filings").forEach(f -> out.add(f.getAsJsonObject()));
        return out;
    }

    /** Registers the secondary node of 88.999 on {@code data} (its key) at {@code handlePort} with the top level, online. */
    private static void register(IdentifierNode t, String token, int handlePort, Path data) throws Exception {
        JsonObject body = new JsonObject();
        body.addProperty("prefix", "88.999");
        body.addProperty("site", "127.0.0.1:" + handlePort);
        body.addProperty("publicKey", Base64.getEncoder().encodeToString(Files.readAllBytes(data.resolve("keys").resolve("pubkey.bin"))));
        JsonHttp.Resp added = new JsonHttp(t.httpAddress().getPort()).send("POST", "/api/admin/federation/secondaries", body.toString(),
                JsonHttp.bearer(token));
        assertThat(added.status()).as(added.json().toString()).isEqualTo(201);
    }

    private static List<String> kinds(List<JsonObject> filings) {
        return filings.stream().map(f -> f.get("kind").getAsString()).toList();
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(d)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.copy(f, to.resolve(from.relativize(f)));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private JsonHttp.Resp put(IdentifierNode node, String handle, String token) throws Exception {
        return new JsonHttp(node.httpAddress().getPort()).send("PUT", "/api/handles/" + handle,
                "{\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":\"https://example.com/" + handle + "\"}]}", JsonHttp.bearer(token));
    }

    @Test
    void offlineChangesReachTheTopLevelAndAReplayIsNotAppliedTwiceButALostLedgerIsReported() throws Exception {
        Path tData = dir.resolve("t");
        String tToken = prepareTopLevel(tData);
        int tPort = freePort();
        int[] sPorts = {freePort(), freePort()};
        Path sData = dir.resolve("s");
        Path sConfig = secondaryConfig("s", tPort, "");
        NodeKeys.loadOrCreate(null, sData);
        JsonHttp.cli("prefix", "add", "88.999.1", "--enterprise", "Laminate Co", "--admin-secret", "s3cret", "--config", sConfig.toString(),
                "--data-dir", sData.toString());
        String erp = JsonHttp.cli("token", "add", "88.999.1", "--name", "erp", "--config", sConfig.toString(), "--data-dir", sData.toString());
        Path lines = Files.writeString(dir.resolve("records.jsonl"), String.join("\n",
                "{\"handle\": \"88.999.1/LOT-1\", \"values\": [{\"index\": 1, \"type\": \"URL\", \"data\": {\"format\": \"string\", \"value\": \"https://example.com/1\"}}]}",
                "{\"handle\": \"88.999.1/LOT-2\", \"values\": [{\"index\": 1, \"type\": \"URL\", \"data\": {\"format\": \"string\", \"value\": \"https://example.com/2\"}}]}",
                ""));
        JsonHttp.cli("import", lines.toString(), "--config", sConfig.toString(), "--data-dir", sData.toString());
        JsonHttp.cli("secondary", "add", "88.999", "--site", "127.0.0.1:" + sPorts[0], "--pubkey",
                sData.resolve("keys").resolve("pubkey.bin").toString(), "--data-dir", tData.toString());

        // The secondary starts while the top level is down: its site filing waits in the outbox. Then a copy of its
        // data folder is taken: the state of a node that sent nothing yet.
        IdentifierNode s = startSecondary(sConfig, sData, sPorts);
        await("a failed attempt", () -> backlog(s).lastError() != null);
        assertThat(backlog(s).pending()).isEqualTo(4);
        assertThat(outboxGauge(s)).isEqualTo("4.0");
        s.close();
        Path copyData = dir.resolve("s-copy");
        copy(sData, copyData);

        IdentifierNode t = startTopLevel(tData, tPort);
        try {
            IdentifierNode again = startSecondary(sConfig, sData, sPorts);
            try {
                awaitDrained(again);
                assertThat(backlog(again).lastSequence()).isEqualTo(5);
                assertThat(outboxGauge(again)).isEqualTo("0.0");
            } finally {
                again.close();
            }
            List<JsonObject> applied = ledger(t, tToken);
            assertThat(kinds(applied)).containsExactly("enterprise_prefix", "registration", "registration", "site", "site");
            assertThat(applied.get(0).get("prefix").getAsString()).isEqualTo("88.999.1");
            assertThat(applied.get(1).get("handle").getAsString()).isEqualTo("88.999.1/LOT-1");

            // The copy sends filings 1-5 again (its own site filing is 5 there): replays, acknowledged, not applied.
            IdentifierNode replaying = startSecondary(sConfig, copyData, sPorts);
            try {
                awaitDrained(replaying);
                assertThat(backlog(replaying).appliedThrough()).isEqualTo(5);
                assertThat(backlog(replaying).lastError()).isNull();
                assertThat(ledger(t, tToken)).hasSize(5);

                // The top level forgets this node (removed and registered again): it expects filing 1 next.
                JsonHttp tApi = new JsonHttp(t.httpAddress().getPort());
                assertThat(tApi.send("DELETE", "/api/admin/federation/secondaries/88.999", null, JsonHttp.bearer(tToken)).status()).isEqualTo(200);
                register(t, tToken, sPorts[0], sData);
                assertThat(put(replaying, "88.999.1/LOT-3", erp).status()).isEqualTo(200);
                await("the refusal is reported", () -> {
                    String e = backlog(replaying).lastError();
                    return e != null && e.contains("must be repaired");
                });
                FilingShipper.Backlog b = backlog(replaying);
                assertThat(b.lastError()).contains("only through 0", "outbox starts at 6");
                assertThat(b.pending()).as("the filing is kept").isEqualTo(1);
                assertThat(b.appliedThrough()).isZero();
                assertThat(b.nextAttempt()).isNotNull();
                assertThat(ledger(t, tToken)).isEmpty();
            } finally {
                replaying.close();
            }
        } finally {
            t.close();
        }
    }

    @Test
    void withPolicyCountRegistrationsArriveAsPeriodicCounts() throws Exception {
        Path tData = dir.resolve("t");
        String tToken = prepareTopLevel(tData);
        int tPort = freePort();
        int[] sPorts = {freePort(), freePort()};
        Path sData = dir.resolve("s");
        Path sConfig = secondaryConfig("s", tPort, ", policy: count, count-interval-seconds: 1");
        NodeKeys.loadOrCreate(null, sData);
        JsonHttp.cli("prefix", "add", "88.999.1", "--enterprise", "Laminate Co", "--admin-secret", "s3cret", "--config", sConfig.toString(),
                "--data-dir", sData.toString());
        String erp = JsonHttp.cli("token", "add", "88.999.1", "--name", "erp", "--config", sConfig.toString(), "--data-dir", sData.toString());
        JsonHttp.cli("secondary", "add", "88.999", "--site", "127.0.0.1:" + sPorts[0], "--pubkey",
                sData.resolve("keys").resolve("pubkey.bin").toString(), "--data-dir", tData.toString());
        IdentifierNode t = startTopLevel(tData, tPort);
        IdentifierNode s = startSecondary(sConfig, sData, sPorts);
        try {
            for (int i = 1; i <= 3; i++) {
                assertThat(put(s, "88.999.1/COUNTED-" + i, erp).status()).isEqualTo(200);
            }
            JsonHttp.Resp deleted = new JsonHttp(s.httpAddress().getPort()).send("DELETE", "/api/handles/88.999.1/COUNTED-2", null,
                    JsonHttp.bearer(erp));
            assertThat(deleted.status()).as(deleted.json().toString()).isEqualTo(200);
            JsonHttp tApi = new JsonHttp(t.httpAddress().getPort());
            await("the counts are filed", () -> {
                try {
                    JsonObject node = tApi.send("GET", "/api/admin/federation/secondaries/88.999", null, JsonHttp.bearer(tToken)).json();
                    if (node.getAsJsonArray("enterprisePrefixes").isEmpty()) {
                        return false;
                    }
                    JsonObject p = node.getAsJsonArray("enterprisePrefixes").get(0).getAsJsonObject();
                    return p.get("countedRegistered").getAsLong() == 3 && p.get("countedDeleted").getAsLong() == 1;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            List<String> kinds = kinds(ledger(t, tToken));
            assertThat(kinds).contains("enterprise_prefix", "site", "registration_count").doesNotContain("registration");
            awaitDrained(s);
            assertThat(backlog(s).pendingCounts()).isEmpty();
        } finally {
            s.close();
            t.close();
        }
    }

    @Test
    void filingGoesOverTlsWhenTheTopLevelsGrpcPortSpeaksIt() throws Exception {
        Path[] pair = TestCertificates.selfSigned(dir, "top-level");
        Path tData = dir.resolve("t");
        String tToken = prepareTopLevel(tData);
        Path tConfig = Files.writeString(dir.resolve("t.yaml"), "federation: {role: top-level}\n" + GrpcListenerTest.tls(pair[0], pair[1]));
        IdentifierNode t = IdentifierNode.start(NodeConfig.load(tConfig).withOverrides(tData, 0, 0, 0, "127.0.0.1"));
        int[] sPorts = {freePort(), freePort()};
        Path sData = dir.resolve("s");
        Path sConfig = secondaryConfig("s", t.handleAddress().getPort(), ", tls-ca-file: \"" + pair[0] + "\"");
        NodeKeys.loadOrCreate(null, sData);
        register(t, tToken, sPorts[0], sData);
        IdentifierNode s = startSecondary(sConfig, sData, sPorts);
        try {
            awaitDrained(s);
            assertThat(backlog(s).filingAddress()).isEqualTo("127.0.0.1:" + t.grpcAddress().orElseThrow().getPort());
            assertThat(kinds(ledger(t, tToken))).containsExactly("site");
        } finally {
            s.close();
            t.close();
        }
    }
}
