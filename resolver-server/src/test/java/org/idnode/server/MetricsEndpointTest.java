package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.Interface;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.api.v1.RegisterRequest;
import org.idnode.api.v1.ResolveRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} and the health endpoints of a real node (sample data in RocksDB, 127.0.0.1): requests sent over
 * UDP and TCP (CNRI's resolver), REST and gRPC show up in {@code idnode_requests_total} under their protocol,
 * operation and response code, with latency histograms; the cache, RocksDB, JVM and process metrics are there; the
 * hook other parts register with works; {@code /health/live} and {@code /health/ready} answer.
 */
class MetricsEndpointTest {
    static final String LOT = GrpcReadTest.LOT;
    static final String MISSING = "88.999.2/NO-SUCH-LOT";

    @TempDir
    static Path tmp;
    static IdentifierNode node;
    static ManagedChannel channel;
    static HttpClient http;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        Path data = tmp.resolve("data");
        TestNode.importLines(data, GrpcClients.sampleData());
        token = GrpcClients.issueToken(data, "88.999.2", "metrics");
        // The sample lot's answer is larger than the default UDP amplification budget allows (it would go over TCP);
        // this class counts UDP answers, UdpAmplificationTest the budget.
        node = IdentifierNode.start(GrpcClients.config(tmp, data, GrpcClients.shippedTemplates(), "limits: {udp-amplification-factor: 100}\n"));
        channel = GrpcClients.channel(node);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        GrpcClients.close(channel);
        if (node != null) {
            node.close();
        }
    }

    static HttpResponse<String> send(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static PrometheusText scrape() throws Exception {
        HttpResponse<String> resp = send("GET", "/metrics", null, null);
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        return PrometheusText.parse(resp.body());
    }

    static double requests(PrometheusText m, String protocol, String operation, String code) {
        return m.value("idnode_requests_total", "protocol", protocol, "operation", operation, "code", code);
    }

    static void resolveWithCnri(int protocol, String handle, int times) throws HandleException {
        HandleResolver resolver = CnriClients.resolver(node.site().siteInfo(), "88.999.2", protocol);
        for (int i = 0; i < times; i++) {
            try {
                resolver.resolveHandle(handle, null, null);
            } catch (HandleException e) {
                if (e.getCode() != HandleException.HANDLE_DOES_NOT_EXIST) {
                    throw e;
                }
            }
        }
    }

    @Test
    void requestsOverEveryProtocolAreCountedByOperationAndCodeWithLatencyHistograms() throws Exception {
        PrometheusText before = scrape();

        resolveWithCnri(Interface.SP_HDL_UDP, LOT, 3);
        resolveWithCnri(Interface.SP_HDL_UDP, MISSING, 1);
        resolveWithCnri(Interface.SP_HDL_TCP, LOT, 2);

        assertThat(send("GET", "/api/handles/" + LOT, null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/handles/" + LOT, null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/handles/" + MISSING, null, null).statusCode()).isEqualTo(404);
        assertThat(send("PUT", "/api/handles/88.999.2/METRICS-REST?overwrite=false",
                "{\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/m\"}}]}",
                "Bearer " + token).statusCode()).isEqualTo(201);

        IdentifierServiceGrpc.IdentifierServiceBlockingStub anonymous = GrpcClients.deadline(IdentifierServiceGrpc.newBlockingStub(channel));
        anonymous.resolve(ResolveRequest.newBuilder().setHandle(LOT).build());
        anonymous.resolve(ResolveRequest.newBuilder().setHandle(LOT).build());
        assertThatThrownBy(() -> anonymous.resolve(ResolveRequest.newBuilder().setHandle(MISSING).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        GrpcClients.withToken(IdentifierServiceGrpc.newBlockingStub(channel), token).register(RegisterRequest.newBuilder()
                .setRecord(HandleRecord.newBuilder().setHandle("88.999.2/METRICS-GRPC").addValues(HandleValue.newBuilder()
                        .setIndex(1).setType("URL").setData(ByteString.copyFromUtf8("https://example.com/g")).setPublicRead(true)
                        .setAdminRead(true).setAdminWrite(true)))
                .build());

        PrometheusText after = scrape();
        // CNRI's resolver may first ask for the prefix handle (also a resolution), so at least as many as sent.
        assertThat(delta(before, after, "udp", "resolve", "SUCCESS")).isGreaterThanOrEqualTo(3);
        assertThat(delta(before, after, "udp", "resolve", "HANDLE_NOT_FOUND")).isGreaterThanOrEqualTo(1);
        assertThat(delta(before, after, "tcp", "resolve", "SUCCESS")).isGreaterThanOrEqualTo(2);
        assertThat(delta(before, after, "tcp", "resolve", "HANDLE_NOT_FOUND")).isZero();
        assertThat(delta(before, after, "http", "resolve", "200")).isEqualTo(2);
        assertThat(delta(before, after, "http", "resolve", "404")).isEqualTo(1);
        assertThat(delta(before, after, "http", "create", "201")).isEqualTo(1);
        assertThat(delta(before, after, "http", "metrics", "200")).as("the first scrape").isEqualTo(1);
        assertThat(delta(before, after, "grpc", "resolve", "OK")).isEqualTo(2);
        assertThat(delta(before, after, "grpc", "resolve", "NOT_FOUND")).isEqualTo(1);
        assertThat(delta(before, after, "grpc", "create", "OK")).isEqualTo(1);

        // The latency histogram of REST resolutions: 3 more observations, fixed buckets from 10 µs to 10 s, cumulative.
        String[] restResolve = {"protocol", "http", "operation", "resolve"};
        assertThat(after.value("idnode_request_duration_seconds_count", restResolve)
                - before.value("idnode_request_duration_seconds_count", restResolve)).isEqualTo(3);
        List<PrometheusText.Sample> buckets = after.find("idnode_request_duration_seconds_bucket", restResolve);
        TreeSet<String> bounds = buckets.stream().map(s -> s.labels().get("le")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(bounds).hasSize(20).contains("+Inf");
        buckets.sort((a, b) -> Double.compare(le(a), le(b)));
        assertThat(buckets.get(0).labels().get("le")).satisfies(le -> assertThat(Double.parseDouble(le)).isEqualTo(1e-5));
        assertThat(le(buckets.get(buckets.size() - 2))).isEqualTo(10.0);
        for (int i = 1; i < buckets.size(); i++) {
            assertThat(buckets.get(i).value()).isGreaterThanOrEqualTo(buckets.get(i - 1).value());
        }
        assertThat(buckets.get(buckets.size() - 1).value()).isEqualTo(after.value("idnode_request_duration_seconds_count", restResolve));
        assertThat(after.value("idnode_request_duration_seconds_sum", restResolve)).isPositive();
    }

    private static double le(PrometheusText.Sample s) {
        return Double.parseDouble(s.labels().get("le").replace("+Inf", "Infinity"));
    }

    private static double delta(PrometheusText before, PrometheusText after, String protocol, String operation, String code) {
        return requests(after, protocol, operation, code) - requests(before, protocol, operation, code);
    }

    @Test
    void cacheStoreJvmAndProcessMetricsAreExported() throws Exception {
        assertThat(send("GET", "/api/handles/" + LOT, null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/handles/" + LOT, null, null).statusCode()).isEqualTo(200);
        PrometheusText m = scrape();
        assertThat(m.value("idnode_cache_lookups_total", "result", "hit")).isPositive();
        assertThat(m.value("idnode_cache_lookups_total", "result", "miss")).isPositive();
        assertThat(m.value("idnode_cache_entries")).isPositive();
        assertThat(m.value("idnode_cache_hit_ratio")).isBetween(0.0, 1.0);
        assertThat(m.has("idnode_cache_evictions_total")).isTrue();

        int stored = GrpcClients.sampleData().size();
        assertThat(m.value("idnode_store_estimated_identifiers")).isGreaterThanOrEqualTo(stored / 2.0);
        assertThat(m.value("idnode_store_block_cache_capacity_bytes")).isEqualTo(256.0 * 1024 * 1024);
        assertThat(m.value("idnode_store_block_cache_usage_bytes")).isPositive();
        assertThat(m.value("idnode_store_background_errors")).isZero();
        for (String name : List.of("idnode_store_live_sst_bytes", "idnode_store_memtable_bytes", "idnode_store_pending_compaction_bytes",
                "idnode_store_wal_syncs_total", "idnode_store_written_bytes_total", "idnode_store_read_bytes_total",
                "idnode_store_block_cache_hits_total", "idnode_store_block_cache_misses_total", "idnode_store_write_stall_seconds_total")) {
            assertThat(m.find(name)).as(name).hasSize(1);
            assertThat(m.value(name)).as(name).isGreaterThanOrEqualTo(0);
        }
        assertThat(m.value("idnode_store_read_bytes_total")).as("the sample data was read from RocksDB").isPositive();

        for (String name : List.of("jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_gc_max_data_size_bytes", "jvm_classes_loaded_classes",
                "process_cpu_usage", "process_uptime_seconds", "process_files_open_files", "system_cpu_count")) {
            assertThat(m.has(name)).as(name).isTrue();
        }
    }

    @Test
    void otherPartsRegisterGaugesAndCountersThroughTheHook() throws Exception {
        long[] refused = {7};
        node.metrics().gauge("idnode_test_backlog", "A backlog for the test", () -> 42.5);
        node.metrics().counter("idnode_test_refused_requests", "Refusals for the test", Map.of("protocol", "udp"), () -> refused[0]);
        PrometheusText m = scrape();
        assertThat(m.value("idnode_test_backlog")).isEqualTo(42.5);
        assertThat(m.find("idnode_test_refused_requests_total", "protocol", "udp")).singleElement()
                .satisfies(s -> assertThat(s.value()).isEqualTo(7.0));
        refused[0] = 9;
        assertThat(scrape().value("idnode_test_refused_requests_total", "protocol", "udp")).isEqualTo(9.0);

        assertThatThrownBy(() -> node.metrics().gauge("Bad-Name", "x", () -> 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Bad-Name");
        assertThatThrownBy(() -> node.metrics().counter("idnode_x_total", "x", () -> 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("_total");
    }

    @Test
    void healthEndpointsSayLiveAndReady() throws Exception {
        HttpResponse<String> live = send("GET", "/health/live", null, null);
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(json(live).get("status").getAsString()).isEqualTo("live");
        HttpResponse<String> ready = send("GET", "/health/ready", null, null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready).get("status").getAsString()).isEqualTo("ready");
        assertThat(json(ready).has("reason")).isFalse();
        assertThat(send("POST", "/health/ready", "{}", null).statusCode()).isEqualTo(405);
        assertThat(node.health().notReadyReason()).isNull();
    }

    static JsonObject json(HttpResponse<String> resp) {
        return JsonParser.parseString(resp.body()).getAsJsonObject();
    }
}
