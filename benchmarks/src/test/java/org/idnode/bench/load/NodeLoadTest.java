package org.idnode.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.idnode.bench.dataset.DatasetGenerator;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.IdentifierNode;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.importer.RecordImporter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness against a real node (real RocksDB, real sockets on 127.0.0.1) loaded with a generated data set. */
class NodeLoadTest {
    private static final int RECORDS = 2000;

    @TempDir
    static Path dir;

    private static IdentifierNode node;
    private static KeySet keys;
    private static KeySet missing;

    @BeforeAll
    static void startNode() throws Exception {
        Path records = dir.resolve("records.jsonl");
        Path keyFile = dir.resolve("keys.txt");
        new DatasetGenerator("88.999", 11, DatasetGenerator.Shape.REALISTIC).writeFiles(RECORDS, records, keyFile);
        Path data = dir.resolve("data");
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(data, 16)) {
            assertThat(new RecordImporter(records).importInto(store)).isEqualTo(RECORDS);
        }
        // One generator is one client address: no per-address rate limit; realistic records have multi-packet UDP answers.
        Path config = java.nio.file.Files.writeString(dir.resolve("node.yaml"),
                "limits: {rate: {per-second: 0}, udp-amplification-factor: 100}\n");
        node = IdentifierNode.start(NodeConfig.load(config).withOverrides(data, 0, 0, 0, "127.0.0.1"));
        keys = KeySet.read(keyFile);
        List<String> absent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            absent.add("88.999.2/PCB.DOES.NOT.EXIST." + i);
        }
        missing = KeySet.of(absent);
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private LoadSpec.Builder spec(Protocol protocol) {
        InetSocketAddress target = protocol == Protocol.HTTP ? node.httpAddress()
                : protocol == Protocol.GRPC ? node.grpcAddress().orElseThrow() : node.handleAddress();
        // A generous timeout: these runs check that every request is answered, however slow the machine is.
        return LoadSpec.builder(protocol).target(target).warmup(Duration.ZERO).concurrency(16).requests(2000).seed(3)
                .timeout(Duration.ofSeconds(30));
    }

    @Test
    void udpClosedLoopResolvesEveryRequest() {
        LoadResult r = LoadGenerator.run(spec(Protocol.UDP).verify(true).build(), keys);
        assertClean(r, 2000);
        // Realistic records include panels whose answers span several packets.
        assertThat(r.udpPackets()).isGreaterThan(2000);
    }

    @Test
    void tcpKeepAliveClosedLoopResolvesEveryRequest() {
        assertClean(LoadGenerator.run(spec(Protocol.TCP).verify(true).build(), keys), 2000);
    }

    @Test
    void tcpWithANewConnectionPerRequestResolvesEveryRequest() {
        LoadResult r = LoadGenerator.run(spec(Protocol.TCP).tcpNewConnection(true).requests(500).verify(true).build(), keys);
        assertClean(r, 500);
        assertThat(r.tcpNewConnection()).isTrue();
    }

    @Test
    void httpClosedLoopResolvesEveryRequest() {
        assertClean(LoadGenerator.run(spec(Protocol.HTTP).verify(true).build(), keys), 2000);
    }

    @Test
    void grpcClosedLoopResolvesEveryRequest() {
        assertClean(LoadGenerator.run(spec(Protocol.GRPC).verify(true).build(), keys), 2000);
    }

    @Test
    void withoutVerificationEveryProtocolStillCountsOnlySuccesses() {
        for (Protocol p : new Protocol[] {Protocol.UDP, Protocol.TCP, Protocol.HTTP, Protocol.GRPC}) {
            assertClean(LoadGenerator.run(spec(p).threads(2).keyDistribution(KeyDistribution.ZIPF).build(), keys), 2000);
        }
    }

    @Test
    void openLoopSendsAtTheRateWithEveryRequestAnswered() {
        LoadResult r = LoadGenerator.run(spec(Protocol.UDP).rate(5000.0).requests(1000).build(), keys);
        assertClean(r, 1000);
        assertThat(r.rate()).isEqualTo(5000.0);
        assertThat(r.toMap()).containsEntry("mode", "open");
        LoadResult tcp = LoadGenerator.run(spec(Protocol.TCP).rate(3000.0).requests(600).concurrency(4).build(), keys);
        assertClean(tcp, 600);
    }

    @Test
    void durationBoundRunsWarmUpAndMeasure() {
        LoadResult r = LoadGenerator.run(spec(Protocol.UDP).warmup(Duration.ofMillis(200)).duration(Duration.ofMillis(500)).build(), keys);
        assertThat(r.requests()).isPositive();
        assertThat(r.errors()).isZero();
        assertThat(r.durationSeconds()).isPositive();
        assertThat(r.p50Micros()).isPositive();
        assertThat(r.p999Micros()).isGreaterThanOrEqualTo(r.p99Micros()).isLessThanOrEqualTo(r.maxMicros());
    }

    @Test
    void unknownHandlesAreCountedAsErrorsByResponseCode100() {
        for (Protocol p : new Protocol[] {Protocol.UDP, Protocol.TCP, Protocol.HTTP, Protocol.GRPC}) {
            LoadResult r = LoadGenerator.run(spec(p).requests(300).build(), missing);
            assertThat(r.requests()).as(p.label()).isEqualTo(300);
            assertThat(r.errors()).as(p.label()).isEqualTo(300);
            assertThat(r.successes()).as(p.label()).isZero();
            assertThat(r.errorsByCode()).as(p.label()).isEqualTo(Map.of("100", 300L));
        }
    }

    @Test
    void resultJsonHasTheDocumentedFields() {
        LoadResult r = LoadGenerator.run(spec(Protocol.TCP).requests(200).build(), keys);
        assertThat(r.toMap()).containsKeys("throughput_per_s", "p50_us", "p99_us", "p999_us", "max_us", "errors", "requests",
                "duration_s", "protocol", "concurrency", "rate", "errors_by_code");
        assertThat(r.toMap().get("rate")).isNull();
        assertThat(r.toJson()).contains("\"rate\":null", "\"protocol\":\"tcp\"", "\"requests\":200");
        assertThat(r.toText()).contains("throughput", "p99.9");
    }

    @Test
    void anUnreachableTargetFailsTheRun() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        LoadSpec tcp = LoadSpec.builder(Protocol.TCP).target(new InetSocketAddress("127.0.0.1", closedPort))
                .warmup(Duration.ZERO).requests(10).concurrency(2).build();
        assertThatThrownBy(() -> LoadGenerator.run(tcp, keys)).isInstanceOf(LoadException.class).hasMessageContaining("cannot reach");
    }

    @Test
    void udpRequestsNobodyAnswersTimeOutAsErrors() throws Exception {
        int closedPort;
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        LoadSpec udp = LoadSpec.builder(Protocol.UDP).target(new InetSocketAddress("127.0.0.1", closedPort))
                .warmup(Duration.ZERO).requests(8).concurrency(4).timeout(Duration.ofMillis(100)).build();
        LoadResult r = LoadGenerator.run(udp, keys);
        assertThat(r.requests()).isEqualTo(8);
        assertThat(r.errorsByCode()).isEqualTo(Map.of("timeout", 8L));
    }

    private static void assertClean(LoadResult r, long requests) {
        assertThat(r.errorsByCode()).as("errors of %s", r.protocol()).isEmpty();
        assertThat(r.errors()).isZero();
        assertThat(r.requests()).isEqualTo(requests);
        assertThat(r.successes()).isEqualTo(requests);
        assertThat(r.throughputPerSecond()).isPositive();
        assertThat(r.p50Micros()).isPositive();
    }
}
