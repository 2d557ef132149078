package org.idnode.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.grpc.Status;
import org.idnode.api.v1.HandleRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries and fail-over against real node processes that are killed (SIGKILL) and started again on the same ports: two
 * nodes with the same data and tokens, told apart by one record ({@value #WHOAMI}).
 */
class FailoverTest {
    static final String WHOAMI = "88.999.1/WHOAMI";
    static final String PCB = "88.999.2/PCB.87.01.01.A2.250601.000123";
    static final String OWN = "88.999.7";

    @TempDir
    static Path tmp;
    static NodeProcess a;
    static NodeProcess b;
    static String token;

    @BeforeAll
    static void startNodes() throws Exception {
        Path config = NodeProcess.writeConfig(tmp.resolve("conf"));
        Path dataA = tmp.resolve("a");
        NodeProcess.importSample(config, dataA);
        NodeProcess.addPrefix(config, dataA, OWN, "SDK Test Co.");
        token = NodeProcess.addToken(config, dataA, OWN, "sdk-failover");
        Path dataB = tmp.resolve("b");
        copy(dataA, dataB);
        NodeProcess.importLines(config, dataA, List.of(whoami("node-a")));
        NodeProcess.importLines(config, dataB, List.of(whoami("node-b")));
        a = NodeProcess.start(dataA, config, true);
        b = NodeProcess.start(dataB, config, true);
    }

    static String whoami(String name) {
        return "{\"handle\":\"" + WHOAMI + "\",\"values\":[{\"index\":1,\"type\":\"NODE\",\"data\":{\"format\":\"string\",\"value\":\""
                + name + "\"},\"ttl\":86400,\"permissions\":\"1110\"}]}";
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals("LOCK")) {
                    Files.copy(p, target);
                }
            }
        }
    }

    @AfterAll
    static void stopNodes() throws InterruptedException {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @BeforeEach
    void bothNodesRun() throws Exception {
        for (NodeProcess n : List.of(a, b)) {
            if (!n.isAlive()) {
                n.start();
            }
        }
    }

    /** Patient enough to outlast a node restart: a minute per call, up to 1000 attempts at most 500 ms apart. */
    static IdClient.Builder patient(String... endpoints) {
        return IdClient.builder().endpoints(endpoints).callTimeout(Duration.ofSeconds(60))
                .retry(RetryPolicy.of(1000, Duration.ofMillis(50), Duration.ofMillis(500))).cacheMaxEntries(0);
    }

    static String whoAnswers(IdClient c) {
        return Values.text(Values.find(c.resolve(WHOAMI), "NODE").orElseThrow());
    }

    @Test
    void everyResolveSucceedsWhileTheNodeIsKilledAndStartedAgain() throws Exception {
        try (IdClient client = patient(a.grpcAddress()).build();
                IdClient impatient = IdClient.builder().endpoints(a.grpcAddress()).retry(RetryPolicy.NONE).cacheMaxEntries(0).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger ok = new AtomicInteger();
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            Thread loop = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        assertThat(client.resolve(PCB).getValuesCount()).isEqualTo(24);
                        ok.incrementAndGet();
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }
            }, "resolve-loop");
            loop.start();
            try {
                awaitCount(ok, 20);
                a.kill();
                // Issued while the node is down: retried until it is back.
                CompletableFuture<HandleRecord> duringOutage = client.resolveAsync(PCB);
                assertThatThrownBy(() -> impatient.resolve(PCB)).as("without retries the outage shows")
                        .isInstanceOfSatisfying(IdNodeException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
                a.start();
                assertThat(duringOutage.get(90, TimeUnit.SECONDS).getValuesCount()).isEqualTo(24);
                int afterRestart = ok.get();
                awaitCount(ok, afterRestart + 20);
            } finally {
                stop.set(true);
                loop.join(90_000);
            }
            assertThat(failures).as("failed resolves").isEmpty();
        }
    }

    static void awaitCount(AtomicInteger n, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (n.get() < atLeast) {
            assertThat(System.nanoTime()).as("waiting for %s successful resolves, have %s", atLeast, n.get()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void aRegisterThatHitADeadNodeIsNotSentAgainButAnIdempotentOneIs() throws Exception {
        String once = OWN + "/NOT-RETRIED-1";
        String overwrite = OWN + "/RETRIED-1";
        try (IdClient writer = patient(a.grpcAddress()).token(token).build()) {
            a.kill();
            assertThatThrownBy(() -> writer.register(Values.record(once, Values.text(1, "URL", "https://example.com/once")), false))
                    .isInstanceOfSatisfying(IdNodeException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
            CompletableFuture<?> idempotent = writer.registerAsync(Values.record(overwrite, Values.text(1, "URL", "https://example.com/ow")), true);
            a.start();
            idempotent.get(90, TimeUnit.SECONDS);
            assertThat(Values.text(Values.find(writer.resolve(overwrite), "URL").orElseThrow())).isEqualTo("https://example.com/ow");
            assertThatThrownBy(() -> writer.resolve(once)).as("the refused register was not replayed after the restart")
                    .isInstanceOfSatisfying(IdNodeException.class, e -> assertThat(e.isNotFound()).isTrue());
        }
    }

    @Test
    void callsFailOverToTheSecondNodeAndStayThere() throws Exception {
        try (IdClient client = IdClient.builder().endpoints(a.grpcAddress(), b.grpcAddress()).cacheMaxEntries(0).build()) {
            assertThat(whoAnswers(client)).isEqualTo("node-a");
            a.kill();
            assertThat(whoAnswers(client)).isEqualTo("node-b");
            a.start();
            assertThat(whoAnswers(client)).as("sticky after a fail-over").isEqualTo("node-b");
            b.kill();
            assertThat(whoAnswers(client)).isEqualTo("node-a");
        }
    }

    @Test
    void aNodeThatStopsAnsweringIsLeftWhenAnAttemptTimesOut() throws Exception {
        RetryPolicy policy = RetryPolicy.of(10, Duration.ofMillis(50), Duration.ofMillis(500)).withAttemptTimeout(Duration.ofSeconds(2));
        try (IdClient client = IdClient.builder().endpoints(a.grpcAddress(), b.grpcAddress()).retry(policy)
                .callTimeout(Duration.ofSeconds(60)).cacheMaxEntries(0).build()) {
            assertThat(whoAnswers(client)).isEqualTo("node-a");
            a.pause();
            try {
                assertThat(whoAnswers(client)).as("the attempt on the silent node timed out; the next node answered").isEqualTo("node-b");
            } finally {
                a.resume();
            }
        }
    }

    @Test
    void aNonIdempotentCallMovesOnOnlyWhenTheConnectionWasRefused() throws Exception {
        String h = OWN + "/FAILOVER-REG-1";
        a.kill();
        try (IdClient writer = IdClient.builder().endpoints(a.grpcAddress(), b.grpcAddress()).token(token).cacheMaxEntries(0).build()) {
            assertThat(writer.register(Values.record(h, Values.text(1, "URL", "https://example.com/fo")), false).getCreated()).isTrue();
            assertThat(whoAnswers(writer)).isEqualTo("node-b");
        }
        a.start();
        try (IdClient onA = IdClient.builder().endpoints(a.grpcAddress()).cacheMaxEntries(0).build();
                IdClient onB = IdClient.builder().endpoints(b.grpcAddress()).cacheMaxEntries(0).build()) {
            assertThat(onB.resolve(h).getHandle()).isEqualToIgnoringCase(h);
            assertThatThrownBy(() -> onA.resolve(h)).isInstanceOfSatisfying(IdNodeException.class, e -> assertThat(e.isNotFound()).isTrue());
        }
    }
}
