package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's endpoints ({@code /health/live}, {@code /health/ready}, {@code /metrics}) are exempt from the
 * per-address HTTP rate limit: with one request per second (three at once) allowed per address, a client whose bucket
 * is empty still gets 200 from them while its API requests get 429, and probes take no token from its bucket.
 */
class ProbeRateLimitTest {
    private static final String HANDLE = "88.999.1/PROBE-0001";

    @TempDir
    static Path dataDir;
    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(dataDir, List.of(TestNode.urlRecord(HANDLE, "https://example.com/probe")),
                "limits:\n  rate: {per-second: 1, burst: 3}\n");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    /** One {@code GET path} on a new connection from {@code from} (a refused connection is not read from for a second). */
    private static RawClients.HttpReply get(String from, String path) throws Exception {
        try (Socket s = RawClients.tcp(from, node.httpPort())) {
            RawClients.writeGet(s, path);
            return RawClients.readHttpReply(s.getInputStream());
        }
    }

    /** The statuses of {@code count} API requests from {@code from}, sent one after the other without pause. */
    private static List<Integer> apiRequests(String from, int count) throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            statuses.add(get(from, "/api/handles/" + HANDLE).status());
        }
        return statuses;
    }

    @Test
    void probesAreAnsweredWhileTheSameAddressIsRefused() throws Exception {
        String from = "127.0.0.2";
        assertThat(apiRequests(from, 6)).as("three at once, then refused").startsWith(200, 200, 200).contains(429);

        for (int i = 0; i < 10; i++) {
            assertThat(get(from, "/health/ready").status()).isEqualTo(200);
            assertThat(get(from, "/health/live").status()).isEqualTo(200);
        }
        RawClients.HttpReply metrics = get(from, "/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(PrometheusText.parse(metrics.text()).value("idnode_requests_total", "protocol", "http", "operation", "resolve", "code", "429"))
                .as("the API refusals, counted").isGreaterThanOrEqualTo(1);

        // The API is still refused: the bucket gains one token a second, and five requests in a row take more.
        assertThat(apiRequests(from, 5)).contains(429);
    }

    @Test
    void probesTakeNoTokenFromTheAddressesBucket() throws Exception {
        String from = "127.0.0.3";
        try (Socket s = RawClients.tcp(from, node.httpPort())) {
            for (int i = 0; i < 30; i++) {
                RawClients.writeGet(s, i % 10 == 9 ? "/metrics" : "/health/ready");
                assertThat(RawClients.readHttpReply(s.getInputStream()).status()).isEqualTo(200);
            }
        }
        // Had the probes drawn on the bucket (three at once, one a second), these would be refused.
        assertThat(apiRequests(from, 3)).containsOnly(200);
    }
}
