package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.DatagramSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.channel.epoll.Epoll;
import net.handle.hdllib.AbstractMessage;
import org.idnode.server.limits.ClientLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flooding UDP flow is moved to a socket of its own and read at the client's rate, so the kernel drops the rest of
 * the flood before the node sees it: with real sockets from two loopback addresses, a flooder sends 20,000 datagrams
 * a second for two seconds against a rate of 200 a second while a well-behaved client from another address resolves
 * at 5 a second. Counters, not timings, show it: the node takes in only a fraction of the flood, the flooder still
 * gets answers from its isolated socket, the other client gets every answer, and once the flood stops the flow is
 * released. Needs Linux 5.4+ with epoll (elsewhere flows are not isolated and this test is skipped).
 */
class UdpFloodIsolationTest {
    private static final int RATE = 200;
    private static final String HANDLE = "88.999.1/LOT-0001";

    @TempDir
    static Path dataDir;
    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(dataDir, List.of(TestNode.urlRecord(HANDLE, "https://example.com/lot/1")),
                "limits:\n  rate: {per-second: " + RATE + ", burst: " + RATE + "}\n");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static boolean linux54WithEpoll() {
        Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(System.getProperty("os.version", ""));
        return Epoll.isAvailable() && m.find()
                && (Integer.parseInt(m.group(1)) > 5 || (Integer.parseInt(m.group(1)) == 5 && Integer.parseInt(m.group(2)) >= 4));
    }

    /** Counts the answers to a flooder by response code, on a thread of its own, until none came for 1.5 s. */
    private static final class Answers {
        final AtomicInteger success = new AtomicInteger();
        final AtomicInteger tooBusy = new AtomicInteger();
        final Thread reader;

        Answers(DatagramSocket s) throws Exception {
            s.setSoTimeout(1500);
            reader = new Thread(() -> {
                try {
                    while (true) {
                        int code = RawClients.decode(RawClients.receive(s)).responseCode;
                        (code == AbstractMessage.RC_SUCCESS ? success : tooBusy).incrementAndGet();
                    }
                } catch (Exception e) {
                    // no answer for 1.5 s (or the socket closed): done
                }
            });
            reader.start();
        }
    }

    /** Sends {@code perSecond} datagrams a second (in bursts every 10 ms) for {@code seconds}. */
    private static void flood(DatagramSocket s, byte[] request, int perSecond, int seconds) throws Exception {
        long next = System.nanoTime();
        for (int tick = 0; tick < seconds * 100; tick++) {
            for (int i = 0; i < perSecond / 100; i++) {
                RawClients.send(s, node.handlePort(), request);
            }
            next += 10_000_000L;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
        }
    }

    @Test
    void floodingFlowIsIsolatedAndReadAtItsRateWhileAnotherClientIsServed() throws Exception {
        assumeTrue(linux54WithEpoll(), "flows are isolated on Linux 5.4+ with epoll only");
        ClientLimits limits = node.node.limits();
        long refusedBefore = limits.rateLimitedCount("udp");
        byte[] request = RawClients.resolutionRequest(HANDLE, 7);
        int burst = 1000;
        int sent = burst + 20_000 * 2;
        Answers answers;
        List<Integer> polite = new ArrayList<>();
        try (DatagramSocket flooder = RawClients.udp("127.0.0.31")) {
            flooder.setReceiveBufferSize(1 << 20);
            answers = new Answers(flooder);
            // A burst five times the rate: the flow is isolated once 200 of it were dropped.
            for (int i = 0; i < burst; i++) {
                RawClients.send(flooder, node.handlePort(), request);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (limits.udpIsolatedFlows() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(limits.udpIsolatedFlows()).as("isolated flows after the burst").isEqualTo(1);
            // Then 20,000 a second for two seconds, while another client resolves at 5 a second.
            CompletableFuture<Void> flooding = CompletableFuture.runAsync(() -> {
                try {
                    flood(flooder, request, 20_000, 2);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int i = 0; i < 10; i++) {
                try (DatagramSocket s = RawClients.udp("127.0.0.32")) {
                    RawClients.send(s, node.handlePort(), RawClients.resolutionRequest(HANDLE, i + 1));
                    polite.add(RawClients.decode(RawClients.receive(s)).responseCode);
                }
                Thread.sleep(200);
            }
            flooding.get(60, TimeUnit.SECONDS);
            answers.reader.join(10_000);
        }

        assertThat(polite).as("the other client").containsOnly(AbstractMessage.RC_SUCCESS).hasSize(10);
        assertThat(limits.udpFlowsIsolatedCount()).as("flows isolated").isGreaterThanOrEqualTo(1);
        long taken = limits.rateLimitedCount("udp") - refusedBefore + answers.success.get();
        assertThat(taken).as("datagrams the node took in of the %d sent (the kernel dropped the rest)", sent).isLessThan(sent / 8);
        assertThat(answers.success.get()).as("answers to the flooder: its burst, then its rate from the isolated socket")
                .isGreaterThanOrEqualTo(RATE + 100);

        // A socket with nothing to read for a second is closed: the flow goes back to the shared sockets.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (limits.udpIsolatedFlows() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(limits.udpIsolatedFlows()).as("isolated flows after the flood").isZero();
        try (DatagramSocket s = RawClients.udp("127.0.0.31")) {
            RawClients.send(s, node.handlePort(), RawClients.resolutionRequest(HANDLE, 1));
            assertThat(RawClients.decode(RawClients.receive(s)).responseCode).as("the flooder's address afterwards").isEqualTo(AbstractMessage.RC_SUCCESS);
        }
        PrometheusText metrics = PrometheusText.parse(new String(java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + node.httpPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body(), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(metrics.has("idnode_udp_isolated_flows")).isTrue();
        assertThat(metrics.value("idnode_udp_isolated_flows")).isZero();
        assertThat(metrics.value("idnode_udp_flows_isolated_total")).isEqualTo((double) limits.udpFlowsIsolatedCount());
    }
}
