package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import org.idnode.api.v1.BulkRegisterResponse;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.cli.IdnodeCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batches written at the same time, which the node commits side by side and RocksDB may sync in one write-ahead-log
 * write, are each durable once acknowledged: in every round, two REST senders ({@code POST /api/batch}) and two gRPC
 * {@code BulkRegister} streams register their records at once against a node running as its own JVM; the moment the
 * last of the round's acknowledgements arrives the node is killed with SIGKILL, and the store, opened offline, holds
 * every record of every acknowledged batch with every value. Then the node is started again on the same folder for
 * the next round.
 */
class ConcurrentBatchCrashTest {
    static final int ROUNDS = 3;
    static final int RECORDS_PER_BATCH = 500;
    static final int GRPC_CHUNKS = 2;
    static final String PREFIX = "88.999.1";

    @TempDir
    Path tmp;

    private final List<ChildJvm> children = new ArrayList<>();
    private final ExecutorService senders = Executors.newFixedThreadPool(4);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() throws InterruptedException {
        senders.shutdownNow();
        assertThat(senders.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        for (ChildJvm c : children) {
            c.killForcibly();
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void concurrentAcknowledgedBatchesSurviveKillMinus9() throws Exception {
        Path data = tmp.resolve("data");
        assertThat(IdnodeCommand.run("prefix", "add", PREFIX, "--enterprise", "Concurrent Batches Co.", "--admin-secret", "s",
                "--data-dir", data.toString())).isZero();
        String token = GrpcClients.issueToken(data, PREFIX, "crash");
        List<String> acknowledged = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            ChildJvm node = ChildJvm.launch(Files.createTempDirectory(tmp, "cwd"), "org.idnode.server.cli.IdnodeCommand", List.of(),
                    "serve", "--data-dir", data.toString(), "--handle-port", "0", "--http-port", "0", "--grpc-port", "0", "--bind", "127.0.0.1");
            children.add(node);
            ChildJvm.NodePorts ports = ChildJvm.NodePorts.of(node.awaitReady());
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", ports.grpc()).usePlaintext().build();
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<List<String>>> sent = new ArrayList<>();
                for (int s = 0; s < 2; s++) {
                    String series = "R" + round + "-H" + s;
                    sent.add(senders.submit(together(go, () -> postBatch(ports.http(), token, series))));
                }
                for (int s = 0; s < 2; s++) {
                    String series = "R" + round + "-G" + s;
                    sent.add(senders.submit(together(go, () -> streamBatches(channel, token, series))));
                }
                go.countDown();
                List<String> thisRound = new ArrayList<>();
                for (Future<List<String>> f : sent) {
                    thisRound.addAll(f.get(2, TimeUnit.MINUTES));
                }
                // Every acknowledgement of the round is in: kill at once, before the node could flush anything.
                node.process().destroyForcibly();
                assertThat(node.process().waitFor(15, TimeUnit.SECONDS)).as("node killed").isTrue();
                acknowledged.addAll(thisRound);
            } finally {
                channel.shutdownNow();
            }
            assertStoreHolds(data, acknowledged);
        }
        assertThat(acknowledged).hasSize(ROUNDS * 2 * (RECORDS_PER_BATCH + GRPC_CHUNKS * RECORDS_PER_BATCH));
    }

    private static <T> Callable<T> together(CountDownLatch go, Callable<T> task) {
        return () -> {
            assertThat(go.await(1, TimeUnit.MINUTES)).isTrue();
            return task.call();
        };
    }

    /** One REST batch; returns its handles once the node acknowledged every record. */
    private List<String> postBatch(int port, String token, String series) throws Exception {
        StringBuilder body = new StringBuilder("{\"records\":[");
        List<String> handles = new ArrayList<>();
        for (int r = 0; r < RECORDS_PER_BATCH; r++) {
            String h = handle(series, r);
            handles.add(h);
            body.append(r == 0 ? "" : ",").append("{\"handle\":\"").append(h).append("\",\"values\":[")
                    .append("{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"").append(url(h)).append("\"}},")
                    .append("{\"index\":2,\"type\":\"SERIAL\",\"data\":{\"format\":\"string\",\"value\":\"").append(serial(h)).append("\"}}]}");
        }
        body.append("]}");
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/batch"))
                .timeout(Duration.ofMinutes(1)).header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        assertThat(resp.body()).contains("\"accepted\":" + RECORDS_PER_BATCH, "\"refused\":0");
        return handles;
    }

    /** One BulkRegister stream of {@value #GRPC_CHUNKS} chunks; returns its handles once the node answered for all. */
    private List<String> streamBatches(ManagedChannel channel, String token, String series) throws Exception {
        List<org.idnode.api.v1.HandleRecord> records = new ArrayList<>();
        List<String> handles = new ArrayList<>();
        for (int r = 0; r < GRPC_CHUNKS * RECORDS_PER_BATCH; r++) {
            String h = handle(series, r);
            handles.add(h);
            records.add(org.idnode.api.v1.HandleRecord.newBuilder().setHandle(h)
                    .addValues(org.idnode.api.v1.HandleValue.newBuilder().setIndex(1).setType("URL")
                            .setData(ByteString.copyFromUtf8(url(h))).setDefaultPermissions(true))
                    .addValues(org.idnode.api.v1.HandleValue.newBuilder().setIndex(2).setType("SERIAL")
                            .setData(ByteString.copyFromUtf8(serial(h))).setDefaultPermissions(true))
                    .build());
        }
        IdentifierServiceGrpc.IdentifierServiceStub stub = GrpcClients.withToken(IdentifierServiceGrpc.newStub(channel), token);
        BulkRegisterResponse answer = GrpcWriteTest.bulk(stub, records, RECORDS_PER_BATCH).get(2, TimeUnit.MINUTES);
        assertThat(answer.getAccepted()).as(answer.toString()).isEqualTo(records.size());
        return handles;
    }

    private static void assertStoreHolds(Path data, List<String> handles) {
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(data, 8)) {
            for (String h : handles) {
                Optional<HandleRecord> r = store.get(HandleName.parse(h));
                assertThat(r).as("acknowledged record %s", h).isPresent();
                assertThat(r.get().values()).extracting(HandleValue::index, v -> new String(v.data(), StandardCharsets.UTF_8))
                        .as(h).containsExactly(org.assertj.core.groups.Tuple.tuple(1, url(h)), org.assertj.core.groups.Tuple.tuple(2, serial(h)));
            }
        }
    }

    private static String handle(String series, int r) {
        return PREFIX + "/CONC-" + series + "-" + r;
    }

    private static String url(String handle) {
        return "https://example.com/" + handle;
    }

    private static String serial(String handle) {
        return "SN-" + handle.substring(handle.indexOf('/') + 1);
    }
}
