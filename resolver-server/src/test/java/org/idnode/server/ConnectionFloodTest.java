package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.sun.management.UnixOperatingSystemMXBean;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Interface;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten thousand idle TCP connections do not stop service to others, and connections over the caps are closed at once:
 * the node (its own process) holds 10,000 idle Handle TCP connections from 40 loopback addresses, still answers
 * CNRI's resolver over TCP and UDP and HTTP requests, closes the connections of one address beyond
 * {@code limits.connections.per-address} and any beyond {@code limits.connections.max}.
 */
class ConnectionFloodTest {
    private static final int IDLE = 10_000;
    private static final int ADDRESSES = 40;
    private static final int PER_ADDRESS = 256;
    private static final int MAX = IDLE + PER_ADDRESS + 44;
    private static final String HANDLE = "88.999.1/CONN-0001";

    @TempDir
    Path dir;

    @Test
    void tenThousandIdleConnectionsDoNotStopServiceAndCapsCloseTheRest() throws Exception {
        long fds = ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getMaxFileDescriptorCount();
        assumeTrue(fds >= MAX + 2_000, "needs `ulimit -n` of at least " + (MAX + 2_000) + ", have " + fds);
        List<SocketChannel> open = new ArrayList<>();
        try (LimitedNodeProcess node = LimitedNodeProcess.start(dir,
                "limits:\n  idle-timeout-seconds: 300\n  connections: {max: " + MAX + ", per-address: " + PER_ADDRESS + "}\n",
                List.of("{\"handle\":\"" + HANDLE + "\",\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/c\"}}]}"))) {
            int port = node.ports.handle();
            for (int a = 1; a <= ADDRESSES; a++) {
                for (int i = 0; i < IDLE / ADDRESSES; i++) {
                    open.add(connect("127.0.1." + a, port));
                }
            }
            // Others are still served: CNRI's resolver over TCP and UDP, and HTTP.
            assertThat(node.resolver("88.999.1", Interface.SP_HDL_TCP).resolveHandle(HANDLE, null, null)).hasSize(1);
            assertThat(node.resolver("88.999.1", Interface.SP_HDL_UDP).resolveHandle(HANDLE, null, null)).hasSize(1);
            try (Socket s = RawClients.tcp("127.0.0.1", node.ports.http())) {
                RawClients.writeGet(s, "/api/handles/" + HANDLE);
                assertThat(RawClients.readHttpReply(s.getInputStream()).status()).isEqualTo(200);
            }
            // None of the 10,000 was closed.
            assertThat(closedCount(open)).isZero();

            // One address over its cap: 300 connections, the last 44 closed.
            List<SocketChannel> greedy = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                greedy.add(connect("127.0.2.1", port));
            }
            open.addAll(greedy);
            assertThat(awaitClosedCount(greedy, 300 - PER_ADDRESS)).isEqualTo(300 - PER_ADDRESS);
            // The total cap: 10,256 are open, 44 more fit.
            List<SocketChannel> late = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                late.add(connect("127.0.2.2", port));
            }
            open.addAll(late);
            assertThat(awaitClosedCount(late, 100 - 44)).isEqualTo(100 - 44);
            // A client that was already connected is still answered on its connection.
            SocketChannel first = open.get(0);
            first.configureBlocking(true);
            first.socket().setSoTimeout(RawClients.TIMEOUT_MS);
            first.socket().getOutputStream().write(RawClients.resolutionRequest(HANDLE, 5));
            assertThat(RawClients.responseCode(first.socket())).isEqualTo(AbstractMessage.RC_SUCCESS);
            // UDP and HTTP have their own limits: still served while Handle TCP is full.
            try (DatagramSocket s = RawClients.udp("127.0.0.1")) {
                RawClients.send(s, port, RawClients.resolutionRequest(HANDLE, 6));
                assertThat(RawClients.decode(RawClients.receive(s)).responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
            }
            try (Socket s = RawClients.tcp("127.0.0.1", node.ports.http())) {
                RawClients.writeGet(s, "/api/handles/" + HANDLE);
                assertThat(RawClients.readHttpReply(s.getInputStream()).status()).isEqualTo(200);
            }
        } finally {
            for (SocketChannel c : open) {
                c.close();
            }
        }
    }

    private static SocketChannel connect(String from, int port) throws IOException {
        SocketChannel c = SocketChannel.open();
        c.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        c.configureBlocking(false);
        return c;
    }

    /** How many of the connections the node has closed (their read gives end of stream or a reset). */
    private static int closedCount(List<SocketChannel> channels) {
        int closed = 0;
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(64);
        for (SocketChannel c : channels) {
            try {
                buf.clear();
                if (c.read(buf) < 0) {
                    closed++;
                }
            } catch (IOException e) {
                closed++;
            }
        }
        return closed;
    }

    /** Waits (at most 10 s) until {@code expected} of the connections are closed, and returns how many are. */
    private static int awaitClosedCount(List<SocketChannel> channels, int expected) throws InterruptedException {
        int closed = 0;
        for (int i = 0; i < 100; i++) {
            closed = closedCount(channels);
            if (closed >= expected) {
                Thread.sleep(300); // and no more than that
                return closedCount(channels);
            }
            Thread.sleep(100);
        }
        return closed;
    }
}
