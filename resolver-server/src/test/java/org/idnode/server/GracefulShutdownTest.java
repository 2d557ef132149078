package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful shutdown under load, with processes as in production: a node ({@code idnode serve}) and a load process
 * ({@link ShutdownLoad}) reading and registering over REST and gRPC from eight threads; the node gets SIGTERM in the
 * middle. Every request must get a complete answer: an answer, a clean refusal (HTTP 503, gRPC {@code UNAVAILABLE}),
 * or no connection at all once the listeners are closed; never a broken or wrong one. Every write the node
 * acknowledged is in the store afterwards, and no write it did not acknowledge is: a write executed but whose answer
 * was lost would show as present without an acknowledgement.
 */
class GracefulShutdownTest {
    @TempDir
    Path tmp;

    private final List<ChildJvm> children = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopChildren() throws InterruptedException {
        for (ChildJvm c : children) {
            c.kill();
        }
    }

    record Result(String kind, String handle, String outcome, String detail) {
        static Result parse(String line) {
            String[] f = line.split(" ", 4);
            return new Result(f[0], f[1], f[2], f.length > 3 ? f[3] : "");
        }

        boolean write() {
            return kind.equals("rest-put") || kind.equals("grpc-register");
        }
    }

    @Test
    void everyAcceptedRequestIsAnsweredAndEveryAcknowledgedWriteIsKept() throws Exception {
        Path data = tmp.resolve("data");
        TestNode.importLines(data, GrpcClients.sampleData());
        String token = GrpcClients.issueToken(data, "88.999.2", "load");
        Path yaml = Files.writeString(tmp.resolve("node.yaml"), "shutdown:\n  drain-timeout-seconds: 60\n");
        ChildJvm node = ChildJvm.launch(tmp, "org.idnode.server.cli.IdnodeCommand", List.of(), "serve", "--config", yaml.toString(),
                "--data-dir", data.toString(), "--handle-port", "0", "--http-port", "0", "--grpc-port", "0");
        children.add(node);
        ChildJvm.NodePorts ports = ChildJvm.NodePorts.of(node.awaitReady());

        Path out = tmp.resolve("results.txt");
        ChildJvm load = ChildJvm.launch(tmp, ShutdownLoad.class.getName(), List.of(), Integer.toString(ports.http()),
                Integer.toString(ports.grpc()), token, GrpcReadTest.LOT, out.toString());
        children.add(load);
        load.awaitReady();
        TimeUnit.MILLISECONDS.sleep(1500);

        node.terminate(Duration.ofSeconds(90));
        assertThat(node.stderr()).as("node exit %s; stdout:%n%s", node.process().exitValue(), node.stdout())
                .contains("every request accepted was answered").doesNotContain("cut off");
        assertThat(load.waitExit()).as("load process; stderr:%n%s", load.stderr()).isZero();

        List<Result> results = Files.readAllLines(out, StandardCharsets.UTF_8).stream().map(Result::parse).collect(Collectors.toList());
        Map<String, Map<String, Long>> byKind = results.stream().collect(Collectors.groupingBy(Result::kind,
                Collectors.groupingBy(Result::outcome, Collectors.counting())));
        System.out.println("outcomes by kind: " + byKind);
        assertThat(results).as("outcomes by kind: %s", byKind).noneMatch(r -> r.outcome().equals("BAD"));
        for (String kind : List.of("rest-put", "rest-get", "grpc-register", "grpc-resolve")) {
            assertThat(byKind.get(kind)).as("%s: %s", kind, byKind).containsKey("OK");
            assertThat(byKind.get(kind).keySet()).as("%s ended when the node stopped: %s", kind, byKind)
                    .containsAnyOf("REFUSED", "UNREACHABLE");
        }

        List<String> lost = new ArrayList<>();
        List<String> unacknowledgedButWritten = new ArrayList<>();
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(data, 16)) {
            for (Result r : results) {
                if (!r.write()) {
                    continue;
                }
                boolean stored = store.get(HandleName.parse(r.handle())).isPresent();
                if (r.outcome().equals("OK") && !stored) {
                    lost.add(r.handle());
                } else if (!r.outcome().equals("OK") && stored) {
                    unacknowledgedButWritten.add(r.handle() + " (" + r.outcome() + " " + r.detail() + ")");
                }
            }
        }
        assertThat(lost).as("acknowledged writes missing after the restart").isEmpty();
        assertThat(unacknowledgedButWritten).as("writes executed whose answer never reached the client").isEmpty();
        assertThat(results.stream().filter(r -> r.write() && r.outcome().equals("OK")).count()).as("acknowledged writes").isPositive();
    }
}
