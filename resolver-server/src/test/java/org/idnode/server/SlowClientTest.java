package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.Interface;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow-loris clients, sending one byte a second, are dropped by the read deadline ({@code limits.read-timeout-seconds},
 * 3 s here; the idle timeout, 60 s, never fires because bytes keep coming) on Handle TCP and on HTTP (with 408 and a
 * JSON message), while other clients are served meanwhile. The node runs as its own process.
 */
class SlowClientTest {
    private static final int READ_TIMEOUT_S = 3;
    private static final int LORIS_PER_PROTOCOL = 20;
    private static final String HANDLE = "88.999.1/SLOW-0001";

    @TempDir
    static Path dir;
    static LimitedNodeProcess node;
    static ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeAll
    static void start() throws Exception {
        node = LimitedNodeProcess.start(dir, "limits:\n  idle-timeout-seconds: 60\n  read-timeout-seconds: " + READ_TIMEOUT_S + "\n",
                List.of("{\"handle\":\"" + HANDLE + "\",\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/slow\"}}]}"));
    }

    @AfterAll
    static void stop() throws Exception {
        pool.shutdownNow();
        if (node != null) {
            node.close();
        }
    }

    /** What a slow-loris connection saw: bytes it could send before the node closed it, and what the node answered. */
    record Dripped(int bytesSent, int bytesInMessage, boolean closedByNode, byte[] answer) {
    }

    /** Sends {@code message} one byte a second from {@code from} until the node closes the connection (or 20 s pass). */
    private static Dripped drip(String from, int port, byte[] message) throws IOException {
        try (Socket s = RawClients.tcp(from, port)) {
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            int sent = 0;
            boolean closed = false;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!closed && sent < message.length && System.nanoTime() < end) {
                try {
                    out.write(message[sent]);
                    out.flush();
                    sent++;
                } catch (IOException e) {
                    closed = true;
                    break;
                }
                // Wait a second for the next byte, reading whatever the node sends meanwhile.
                try {
                    byte[] buf = new byte[4096];
                    int n = s.getInputStream().read(buf);
                    if (n < 0) {
                        closed = true;
                    } else {
                        answer.write(buf, 0, n);
                        closed = RawClients.closedByPeer(s);
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // a second without news: send the next byte
                } catch (java.net.SocketException e) {
                    closed = true;
                }
            }
            return new Dripped(sent, message.length, closed, answer.toByteArray());
        }
    }

    private static List<Future<Dripped>> lorises(int port, byte[] message, String addressPrefix) {
        List<Future<Dripped>> out = new ArrayList<>();
        for (int i = 0; i < LORIS_PER_PROTOCOL; i++) {
            String from = addressPrefix + (i + 1);
            out.add(pool.submit(() -> drip(from, port, message)));
        }
        return out;
    }

    @Test
    void handleTcpSlowLorisIsDroppedWhileOthersAreServed() throws Exception {
        byte[] request = RawClients.resolutionRequest(HANDLE, 77);
        List<Future<Dripped>> lorises = lorises(node.ports.handle(), request, "127.0.2.");
        HandleResolver tcp = node.resolver("88.999.1", Interface.SP_HDL_TCP);
        for (int i = 0; i < 5; i++) {
            assertThat(tcp.resolveHandle(HANDLE, null, null)).hasSize(1);
            Thread.sleep(500);
        }
        for (Future<Dripped> f : lorises) {
            Dripped d = f.get(30, TimeUnit.SECONDS);
            assertThat(d.closedByNode()).as("closed by the node").isTrue();
            assertThat(d.bytesSent()).as("bytes sent before the node closed").isLessThan(d.bytesInMessage());
            assertThat(d.answer()).as("nothing answered to half a message").isEmpty();
        }
    }

    @Test
    void httpSlowLorisGets408AndIsDroppedWhileOthersAreServed() throws Exception {
        byte[] request = ("GET /api/handles/" + HANDLE + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        List<Future<Dripped>> lorises = lorises(node.ports.http(), request, "127.0.3.");
        for (int i = 0; i < 5; i++) {
            try (Socket s = RawClients.tcp("127.0.0.1", node.ports.http())) {
                RawClients.writeGet(s, "/api/handles/" + HANDLE);
                assertThat(RawClients.readHttpReply(s.getInputStream()).status()).isEqualTo(200);
            }
            Thread.sleep(500);
        }
        for (Future<Dripped> f : lorises) {
            Dripped d = f.get(30, TimeUnit.SECONDS);
            assertThat(d.closedByNode()).as("closed by the node").isTrue();
            assertThat(d.bytesSent()).isLessThan(d.bytesInMessage());
            String answer = new String(d.answer(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 408 ").contains("\"message\":\"the request did not arrive whole within " + READ_TIMEOUT_S + " s\"");
        }
    }
}
