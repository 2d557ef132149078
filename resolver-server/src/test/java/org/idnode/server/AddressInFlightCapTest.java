package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code limits.connections.max-in-flight-per-address}: the requests of one client address answered at once, across
 * its connections. With a cap of 2, a client that does not read two large answers (7 MB) holds both of its slots (an
 * answer counts as given once it has reached the socket, and these do not fit in its buffers), so its third request, on a third connection,
 * waits (it is not refused) until one of them is read; another address is served meanwhile; a connection closed
 * with its answer unread gives its slot back.
 */
class AddressInFlightCapTest {
    private static final String BIG = "88.999.1/BIG";
    private static final String SMALL = "88.999.1/SMALL";

    @TempDir
    static Path dataDir;
    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        // Eight values of 900 KB (a value may hold at most 1 MB): an answer larger than the largest send buffer (4 MB).
        StringBuilder values = new StringBuilder();
        for (int i = 1; i <= 8; i++) {
            values.append(i == 1 ? "" : ",").append("{\"index\":").append(i)
                    .append(",\"type\":\"DESC\",\"data\":{\"format\":\"string\",\"value\":\"").append("x".repeat(900_000)).append("\"}}");
        }
        node = TestNode.start(dataDir, List.of(
                "{\"handle\":\"" + BIG + "\",\"values\":[" + values + "]}",
                "{\"handle\":\"" + SMALL + "\",\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/s\"}}]}"),
                "limits:\n  connections: {max-in-flight-per-address: 2}\n");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    /** A connection from {@code from} with a small receive buffer, so that a large answer stays unread in the node. */
    private static Socket connect(String from) throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.setSoTimeout(RawClients.TIMEOUT_MS);
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), node.httpPort()), RawClients.TIMEOUT_MS);
        return s;
    }

    private static int status(Socket s) throws Exception {
        return RawClients.readHttpReply(s.getInputStream()).status();
    }

    @Test
    void requestsOfOneAddressBeyondTheCapWaitForItsAnswersToBeRead() throws Exception {
        try (Socket a = connect("127.0.0.41"); Socket b = connect("127.0.0.41"); Socket c = connect("127.0.0.41")) {
            RawClients.writeGet(a, "/api/handles/" + BIG);
            RawClients.writeGet(b, "/api/handles/" + BIG);
            Thread.sleep(300); // both are being answered, neither answer read
            RawClients.writeGet(c, "/api/handles/" + SMALL);
            c.setSoTimeout(1000);
            assertThatThrownBy(() -> status(c)).as("the third request waits for a slot").isInstanceOf(SocketTimeoutException.class);

            try (Socket other = connect("127.0.0.42")) {
                RawClients.writeGet(other, "/api/handles/" + SMALL);
                assertThat(status(other)).as("another address").isEqualTo(200);
            }

            assertThat(status(a)).isEqualTo(200); // reads the whole large answer: a's slot is free
            c.setSoTimeout(RawClients.TIMEOUT_MS);
            assertThat(status(c)).as("the waiting request, once a slot was free").isEqualTo(200);

            b.setSoLinger(true, 0);
            b.close(); // its answer unread: the slot comes back with the connection
            try (Socket d = connect("127.0.0.41"); Socket e = connect("127.0.0.41")) {
                RawClients.writeGet(d, "/api/handles/" + SMALL);
                RawClients.writeGet(e, "/api/handles/" + SMALL);
                assertThat(status(d)).isEqualTo(200);
                assertThat(status(e)).isEqualTo(200);
            }
        }
    }

    @Test
    void waitingRequestOfAClosedConnectionDoesNotKeepASlot() throws Exception {
        try (Socket a = connect("127.0.0.43"); Socket b = connect("127.0.0.43")) {
            RawClients.writeGet(a, "/api/handles/" + BIG);
            RawClients.writeGet(b, "/api/handles/" + BIG);
            Thread.sleep(300);
            for (int i = 0; i < 3; i++) {
                try (Socket waiter = connect("127.0.0.43")) {
                    RawClients.writeGet(waiter, "/api/handles/" + SMALL);
                    Thread.sleep(100); // queued for a slot, then closed
                }
            }
            InputStream in = a.getInputStream();
            assertThat(RawClients.readHttpReply(in).status()).isEqualTo(200);
            assertThat(status(b)).isEqualTo(200);
            try (Socket d = connect("127.0.0.43"); Socket e = connect("127.0.0.43")) {
                RawClients.writeGet(d, "/api/handles/" + SMALL);
                RawClients.writeGet(e, "/api/handles/" + SMALL);
                assertThat(status(d)).as("slots free again").isEqualTo(200);
                assertThat(status(e)).isEqualTo(200);
            }
        }
    }
}
