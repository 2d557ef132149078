package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.SiteInfo;
import net.handle.hdllib.Util;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code idnode} command as operators run it: every node, import and CNRI tool runs in its own JVM
 * (the test classpath, main class {@link org.idnode.server.cli.IdnodeCommand}), on 127.0.0.1 with
 * ephemeral ports, in a temporary working directory so the repository's {@code conf/node.yaml} is never used.
 */
class NodeProcessTest {
    private static final String TRACE1 = "88.999.1/TRACE1";
    private static final String TRACE2 = "88.999.1/TRACE2";
    private static final String PCB1 = "88.999.2/PCB-1";
    private static final String TRACE1_URL = "https://example.com/trace/1";
    private static final String TRACE1_TS = "2024-05-01T10:00:00Z";
    private static final String PCB1_TS = "2023-01-02T03:04:05Z";

    /** Three records: explicit and default timestamps and TTLs, a string and a hex value, two prefixes. */
    private static final List<String> RECORDS = List.of(
            "{\"handle\":\"" + TRACE1 + "\",\"values\":["
                    + "{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"" + TRACE1_URL + "\"},"
                    + "\"ttl\":86400,\"timestamp\":\"" + TRACE1_TS + "\",\"permissions\":\"1110\"},"
                    + "{\"index\":2,\"type\":\"EMAIL\",\"data\":{\"format\":\"string\",\"value\":\"ops@example.com\"},"
                    + "\"ttl\":3600,\"permissions\":\"1110\"},"
                    + "{\"index\":3,\"type\":\"CERT_SHA256\",\"data\":{\"format\":\"hex\",\"value\":\"DEADBEEF0102\"}}]}",
            "{\"handle\":\"" + TRACE2 + "\",\"values\":["
                    + "{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/trace/2\"}}]}",
            "{\"handle\":\"" + PCB1 + "\",\"values\":["
                    + "{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.org/pcb/1\"},"
                    + "\"ttl\":600,\"timestamp\":\"" + PCB1_TS + "\",\"permissions\":\"1110\"},"
                    + "{\"index\":100,\"type\":\"DESC\",\"data\":{\"format\":\"string\",\"value\":\"bare board lot 1\"},"
                    + "\"ttl\":86400,\"permissions\":\"1110\"}]}");

    private final List<ChildJvm> children = new CopyOnWriteArrayList<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void cnriConfiguredForLoopbackOnly() {
        // Loads CnriClients first: it points net.handle.configDir at a config.dct with root-info auto-update off.
        assertThat(CnriClients.CONFIG_DIR).isDirectory();
        assertThat(System.getProperty("java.class.path"))
                .as("surefire's test classpath must hold every dependency for the child JVMs")
                .contains("handle-client").contains("picocli").contains("rocksdbjni");
    }

    @AfterEach
    void stopChildren() throws InterruptedException {
        for (ChildJvm c : children) {
            c.kill();
        }
        children.clear();
    }

    // ---------------------------------------------------------------------------------------------
    // 1. idnode import
    // ---------------------------------------------------------------------------------------------

    @Test
    void importLoadsAGoodFileAndRefusesABadOneWithoutWritingAnything() throws Exception {
        Path data = tmp.resolve("data");
        ChildJvm ok = idnode("import", "--data-dir", data.toString(), writeLines("good.jsonl", RECORDS).toString());
        assertThat(ok.waitExit()).as("exit code; stderr:%n%s", ok.stderr()).isZero();
        assertThat(ok.stdout()).contains("imported 3 records");

        // Line 1 is a fine new record, line 2 is bad: nothing of the file may reach the store.
        Path bad = writeLines("bad.jsonl", List.of(
                "{\"handle\":\"88.999.1/HALF1\",\"values\":[{\"index\":1,\"type\":\"URL\","
                        + "\"data\":{\"format\":\"string\",\"value\":\"https://example.com/half/1\"}}]}",
                "{\"handle\":\"88.999.1/BAD\",\"values\":\"not an array\"}",
                "{\"handle\":\"88.999.1/HALF3\",\"values\":[]}"));
        Path fresh = tmp.resolve("fresh");
        ChildJvm refused = idnode("import", "--data-dir", fresh.toString(), bad.toString());
        assertThat(refused.waitExit()).as("exit code; stderr:%n%s", refused.stderr()).isEqualTo(1);
        assertThat(refused.stderr()).contains("line 2").contains("\"values\" is missing or not an array");
        assertThat(refused.stdout()).doesNotContain("imported");

        // Into the already-loaded folder: line 1 would change an existing record, line 2 is not JSON.
        Path badOverExisting = writeLines("bad-existing.jsonl", List.of(
                "{\"handle\":\"" + TRACE2 + "\",\"values\":[{\"index\":1,\"type\":\"URL\","
                        + "\"data\":{\"format\":\"string\",\"value\":\"https://example.com/CHANGED\"}}]}",
                "not json at all"));
        ChildJvm refused2 = idnode("import", "--data-dir", data.toString(), badOverExisting.toString());
        assertThat(refused2.waitExit()).as("exit code; stderr:%n%s", refused2.stderr()).isEqualTo(1);
        assertThat(refused2.stderr()).contains("line 2").contains("not valid JSON");

        Node freshNode = serve(fresh);
        SiteInfo freshSite = CnriClients.fetchSiteInfo(freshNode.handlePort);
        assertThatThrownBy(() -> resolve(freshSite, "88.999.1/HALF1", Interface.SP_HDL_TCP))
                .isInstanceOfSatisfying(HandleException.class,
                        e -> assertThat(e.getCode()).isEqualTo(HandleException.HANDLE_DOES_NOT_EXIST));
        freshNode.child.kill();

        Node loaded = serve(data);
        SiteInfo site = CnriClients.fetchSiteInfo(loaded.handlePort);
        assertThat(urls(resolve(site, TRACE2, Interface.SP_HDL_TCP))).containsExactly("https://example.com/trace/2");
        assertThat(urls(resolve(site, TRACE1, Interface.SP_HDL_TCP))).containsExactly(TRACE1_URL);
        assertThat(urls(resolve(site, PCB1, Interface.SP_HDL_TCP))).containsExactly("https://example.org/pcb/1");
    }

    // ---------------------------------------------------------------------------------------------
    // 2. idnode serve: the start-up lines, site info, UDP, TCP and HTTP
    // ---------------------------------------------------------------------------------------------

    @Test
    void servePrintsItsListenersThenReadyAndAnswersCnriOverUdpAndTcp() throws Exception {
        Path data = importRecords();
        Node node = serve(data);
        assertThat(node.udpPort).as("Handle TCP and UDP share one port").isEqualTo(node.handlePort);
        assertThat(node.handlePort).isPositive();
        assertThat(node.httpPort).isPositive().isNotEqualTo(node.handlePort);

        SiteInfo site = CnriClients.fetchSiteInfo(node.handlePort);
        assertThat(site.servers).hasSize(1);
        assertThat(site.servers[0].getAddressString()).isEqualTo("127.0.0.1");
        assertThat(Arrays.stream(site.servers[0].interfaces).map(i -> i.protocol + "/" + i.port))
                .containsExactlyInAnyOrder(Interface.SP_HDL_TCP + "/" + node.handlePort,
                        Interface.SP_HDL_UDP + "/" + node.handlePort, Interface.SP_HDL_HTTP + "/" + node.httpPort);
        byte[] pubkeyFile = Files.readAllBytes(data.resolve("keys").resolve("pubkey.bin"));
        assertThat(site.servers[0].publicKey)
                .as("the published key is the data folder's pubkey.bin")
                .isEqualTo(Util.getBytesFromPublicKey(Util.getPublicKeyFromBytes(pubkeyFile, 0)))
                .isEqualTo(pubkeyFile);

        // Through CNRI's resolver, one protocol at a time.
        HandleValue[] overUdp = resolve(site, TRACE1, Interface.SP_HDL_UDP);
        HandleValue[] overTcp = resolve(site, TRACE1, Interface.SP_HDL_TCP);
        assertThat(urls(overUdp)).containsExactly(TRACE1_URL);
        assertThat(describe(overUdp)).isEqualTo(describe(overTcp)).hasSize(3);
        assertThat(urls(resolve(site, PCB1, Interface.SP_HDL_UDP))).containsExactly("https://example.org/pcb/1");

        // And raw, straight to the printed port, so the transport is certain.
        HandleResolver raw = CnriClients.rawResolver();
        ResolutionRequest udpReq = resolution(TRACE2);
        AbstractResponse udp = raw.sendHdlUdpRequest(udpReq, InetAddress.getLoopbackAddress(), node.udpPort);
        assertThat(udp.responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(urls(((ResolutionResponse) udp).getHandleValues())).containsExactly("https://example.com/trace/2");
        AbstractResponse tcp = raw.sendHdlTcpRequest(resolution(TRACE2), InetAddress.getLoopbackAddress(), node.handlePort);
        assertThat(tcp.responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(urls(((ResolutionResponse) tcp).getHandleValues())).containsExactly("https://example.com/trace/2");

        // The printed HTTP port serves the REST API.
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> rest = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.httpPort + "/api/handles/" + TRACE1))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(rest.statusCode()).isEqualTo(200);
        assertThat(rest.body()).contains(TRACE1_URL);

        // The printed gRPC port serves the gRPC API, health included.
        assertThat(node.grpcPort).isPositive().isNotIn(node.handlePort, node.httpPort);
        io.grpc.ManagedChannel grpc = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", node.grpcPort).usePlaintext().build();
        try {
            org.idnode.api.v1.HandleRecord record = org.idnode.api.v1.IdentifierServiceGrpc.newBlockingStub(grpc)
                    .withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
                    .resolve(org.idnode.api.v1.ResolveRequest.newBuilder().setHandle(TRACE1).addTypes("URL").build()).getRecord();
            assertThat(record.getValuesList()).extracting(v -> v.getData().toStringUtf8()).containsExactly(TRACE1_URL);
            assertThat(io.grpc.health.v1.HealthGrpc.newBlockingStub(grpc).withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
                    .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance()).getStatus())
                    .isEqualTo(io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
        } finally {
            grpc.shutdownNow().awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void serveWithoutGrpcPrintsNoGrpcListener() throws Exception {
        Path data = importRecords();
        ChildJvm c = idnode("serve", "--data-dir", data.toString(), "--handle-port", "0", "--http-port", "0", "--no-grpc", "--bind", "127.0.0.1");
        List<String> lines = c.awaitReady();
        assertThat(lines).as("stdout before 'ready'").hasSize(3).noneMatch(l -> l.contains("grpc"));
        ChildJvm.NodePorts ports = ChildJvm.NodePorts.of(lines);
        assertThat(ports.grpc()).isEqualTo(-1);
        assertThat(urls(resolve(CnriClients.fetchSiteInfo(ports.handle()), TRACE1, Interface.SP_HDL_TCP))).containsExactly(TRACE1_URL);
    }

    // ---------------------------------------------------------------------------------------------
    // 3. Restart: records and the node key survive
    // ---------------------------------------------------------------------------------------------

    @Test
    void recordsAndTheNodeKeySurviveARestart() throws Exception {
        Path data = importRecords();
        Node first = serve(data);
        SiteInfo site1 = CnriClients.fetchSiteInfo(first.handlePort);
        Map<String, List<String>> before = resolveAll(site1);
        byte[] privBefore = Files.readAllBytes(data.resolve("keys").resolve("privkey.bin"));
        byte[] pubBefore = site1.servers[0].publicKey;

        // The imported timestamps are kept; values without one carry the import time.
        HandleValue[] trace1 = resolve(site1, TRACE1, Interface.SP_HDL_TCP);
        assertThat(valueAt(trace1, 1).getTimestamp()).isEqualTo((int) Instant.parse(TRACE1_TS).getEpochSecond());
        assertThat(valueAt(trace1, 2).getTimestamp()).isPositive();
        assertThat(valueAt(trace1, 2).getTTL()).isEqualTo(3600);
        assertThat(valueAt(trace1, 3).getData()).isEqualTo(Util.encodeHexString("DEADBEEF0102"));
        assertThat(valueAt(resolve(site1, PCB1, Interface.SP_HDL_TCP), 1).getTimestamp())
                .isEqualTo((int) Instant.parse(PCB1_TS).getEpochSecond());

        first.child.terminate(ChildJvm.EXIT_TIMEOUT); // SIGTERM, as an operator or systemd stops it
        assertThat(first.child.process().isAlive()).isFalse();
        assertThat(first.child.stderr()).as("an orderly shutdown").doesNotContain("Exception");

        Node second = serve(data);
        SiteInfo site2 = CnriClients.fetchSiteInfo(second.handlePort);
        assertThat(resolveAll(site2)).isEqualTo(before);
        assertThat(Files.readAllBytes(data.resolve("keys").resolve("privkey.bin")))
                .as("the node key is kept across restarts").isEqualTo(privBefore);
        assertThat(site2.servers[0].publicKey).isEqualTo(pubBefore);
    }

    // ---------------------------------------------------------------------------------------------
    // 4. CNRI's hdl-qresolve (HDLTrace) in its own JVM
    // ---------------------------------------------------------------------------------------------

    @Test
    void cnriHdlTraceResolvesAgainstTheNode() throws Exception {
        Path data = importRecords();
        Node node = serve(data);
        SiteInfo site = CnriClients.fetchSiteInfo(node.handlePort);
        Path toolDir = CnriClients.toolConfigDir(tmp.resolve("hdltool"), site, "88.999.1");
        assertThat(toolDir.resolve("local_info.json")).isRegularFile(); // never let the tool fall back to the global root

        ChildJvm found = hdlTrace(toolDir, TRACE1);
        assertThat(found.waitExit()).as("exit code; stderr:%n%s", found.stderr()).isZero();
        // "Got Response: \nversion=2.11; oc=1; rc=1; ... 88.999.1/TRACE1\n    index=1 type=URL rwr- \"https://...\""
        assertThat(found.stdout()).contains("Got Response").contains(TRACE1).contains("rc=1")
                .contains("type=URL").contains("\"" + TRACE1_URL + "\"").contains("\"ops@example.com\"");

        ChildJvm missing = hdlTrace(toolDir, "88.999.1/NO-SUCH-HANDLE");
        // HDLTrace exits 0 even for an error response; it prints "Got Error: \nError(100): HANDLE NOT FOUND".
        assertThat(missing.waitExit()).as("exit code; stderr:%n%s", missing.stderr()).isZero();
        assertThat(missing.stdout()).contains("Got Error").contains("HANDLE NOT FOUND").doesNotContain("Got Response");
    }

    // ---------------------------------------------------------------------------------------------
    // 5. Bad configuration
    // ---------------------------------------------------------------------------------------------

    @Test
    void serveRefusesAnInvalidOrMissingConfiguration() throws Exception {
        Path config = tmp.resolve("bad.yaml");
        Files.writeString(config, "listen: {handle-port: 99999}\n");
        ChildJvm bad = idnode("serve", "--config", config.toString(), "--data-dir", tmp.resolve("d1").toString());
        assertThat(bad.waitExit()).as("exit code; stderr:%n%s", bad.stderr()).isEqualTo(2);
        assertThat(bad.stderr()).contains("listen.handle-port").contains("99999");
        assertThat(bad.stdout()).doesNotContain("ready").doesNotContain("listening");

        Path missing = tmp.resolve("missing.yaml");
        ChildJvm none = idnode("serve", "--config", missing.toString(), "--data-dir", tmp.resolve("d2").toString());
        assertThat(none.waitExit()).as("exit code; stderr:%n%s", none.stderr()).isEqualTo(2);
        assertThat(none.stderr()).contains("missing.yaml").contains("does not exist");
        assertThat(none.stdout()).doesNotContain("ready");
    }

    // ---------------------------------------------------------------------------------------------
    // 6. One node per data folder
    // ---------------------------------------------------------------------------------------------

    @Test
    void aSecondNodeOnTheSameDataFolderIsRefused() throws Exception {
        Path data = importRecords();
        Node first = serve(data);

        ChildJvm second = idnode("serve", "--data-dir", data.toString(), "--handle-port", "0", "--http-port", "0", "--grpc-port", "0",
                "--bind", "127.0.0.1");
        int code = second.waitExit();
        assertThat(code).as("exit code; stderr:%n%s", second.stderr()).isEqualTo(3);
        assertThat(second.stderr()).contains("in use by another process");
        assertThat(second.stdout()).doesNotContain("ready");

        // Nor may an offline import write under a running node.
        Path more = writeLines("more.jsonl", List.of("{\"handle\":\"88.999.1/LATE\",\"values\":[{\"index\":1,\"type\":\"URL\","
                + "\"data\":{\"format\":\"string\",\"value\":\"https://example.com/late\"}}]}"));
        ChildJvm importer = idnode("import", "--data-dir", data.toString(), more.toString());
        assertThat(importer.waitExit()).as("exit code; stderr:%n%s", importer.stderr()).isEqualTo(3);
        assertThat(importer.stderr()).contains("in use by another process");
        assertThat(importer.stdout()).doesNotContain("imported");
        // Nor may compact rewrite its files.
        CliRun compact = CliRun.of("compact", "--data-dir", data.toString());
        assertThat(compact.code()).as(compact.toString()).isEqualTo(2);
        assertThat(compact.err()).isEqualTo("idnode compact: a node is running on " + data + "; stop it first (compact works offline)");

        // The first node is unaffected.
        assertThat(first.child.process().isAlive()).isTrue();
        assertThat(urls(resolve(CnriClients.fetchSiteInfo(first.handlePort), TRACE1, Interface.SP_HDL_TCP))).containsExactly(TRACE1_URL);
    }

    // ---------------------------------------------------------------------------------------------
    // helpers
    // ---------------------------------------------------------------------------------------------

    /** A started {@code idnode serve} with the ports it printed. */
    private record Node(ChildJvm child, int handlePort, int udpPort, int httpPort, int grpcPort) {
    }

    private Path importRecords() throws Exception {
        Path data = tmp.resolve("data");
        ChildJvm c = idnode("import", "--data-dir", data.toString(), writeLines("records.jsonl", RECORDS).toString());
        assertThat(c.waitExit()).as("import exit code; stderr:%n%s", c.stderr()).isZero();
        assertThat(c.stdout()).contains("imported 3 records");
        return data;
    }

    /** Starts {@code idnode serve} on {@code data} and waits for its listening lines and 'ready'. */
    private Node serve(Path data) throws Exception {
        ChildJvm c = idnode("serve", "--data-dir", data.toString(), "--handle-port", "0", "--http-port", "0", "--grpc-port", "0", "--bind", "127.0.0.1");
        List<String> lines = c.awaitReady();
        assertThat(lines).as("stdout before 'ready'").hasSize(4);
        List<String> kinds = List.of("handle-tcp", "handle-udp", "http", "grpc");
        for (int i = 0; i < kinds.size(); i++) {
            Matcher m = ChildJvm.LISTENING.matcher(lines.get(i));
            assertThat(m.matches()).as("line %d: '%s'", i + 1, lines.get(i)).isTrue();
            assertThat(m.group(1)).isEqualTo(kinds.get(i));
        }
        ChildJvm.NodePorts ports = ChildJvm.NodePorts.of(lines);
        return new Node(c, ports.handle(), ports.udp(), ports.http(), ports.grpc());
    }

    private ChildJvm idnode(String... args) throws IOException {
        return launch("org.idnode.server.cli.IdnodeCommand", List.of(), args);
    }

    private ChildJvm hdlTrace(Path toolConfigDir, String handle) throws IOException {
        return launch("net.handle.apps.simple.HDLTrace", List.of("-Dnet.handle.configDir=" + toolConfigDir), handle);
    }

    private ChildJvm launch(String mainClass, List<String> jvmOptions, String... args) throws IOException {
        ChildJvm c = ChildJvm.launch(Files.createTempDirectory(tmp, "cwd"), mainClass, jvmOptions, args);
        children.add(c);
        return c;
    }

    private Path writeLines(String name, List<String> lines) throws IOException {
        Path file = tmp.resolve(name);
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    private static ResolutionRequest resolution(String handle) {
        ResolutionRequest req = new ResolutionRequest(Util.encodeString(handle), null, null, null);
        req.majorProtocolVersion = 2;
        req.minorProtocolVersion = 11;
        return req;
    }

    private static HandleValue[] resolve(SiteInfo site, String handle, int protocol) throws HandleException {
        String prefix = handle.substring(0, handle.indexOf('/'));
        return CnriClients.resolver(site, prefix, protocol).resolveHandle(handle, null, null);
    }

    private static Map<String, List<String>> resolveAll(SiteInfo site) throws HandleException {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        for (String h : List.of(TRACE1, TRACE2, PCB1)) {
            out.put(h, describe(resolve(site, h, Interface.SP_HDL_TCP)));
        }
        return out;
    }

    /** Every field of every value, sorted by index. */
    private static List<String> describe(HandleValue[] values) {
        return Arrays.stream(values)
                .sorted(java.util.Comparator.comparingInt(HandleValue::getIndex))
                .map(v -> v.getIndex() + "|" + v.getTypeAsString() + "|" + Util.decodeHexString(v.getData(), false)
                        + "|ttlType=" + v.getTTLType() + "|ttl=" + v.getTTL() + "|ts=" + v.getTimestamp()
                        + "|perm=" + v.getPermissionString() + "|refs=" + Arrays.toString(v.getReferences()))
                .toList();
    }

    private static List<String> urls(HandleValue[] values) {
        return Arrays.stream(values).filter(v -> v.getTypeAsString().equals("URL")).map(HandleValue::getDataAsString).toList();
    }

    private static HandleValue valueAt(HandleValue[] values, int index) {
        return Arrays.stream(values).filter(v -> v.getIndex() == index).findFirst()
                .orElseThrow(() -> new AssertionError("no value at index " + index + " in " + describe(values)));
    }
}
