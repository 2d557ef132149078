package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.api.v1.ResolveRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC listener is held to the connection caps of the other listeners ({@code limits.connections.per-address}
 * here): with three connections allowed per address, three channels from 127.0.0.2 are served, a fourth fails at once
 * with {@code UNAVAILABLE} (its connection is closed as it is accepted), a channel from 127.0.0.3 is served, and once
 * one of the three closes a new channel from 127.0.0.2 is served again. Refusals are counted in
 * {@code idnode_connections_refused_total{protocol="grpc"}}.
 */
class GrpcConnectionCapTest {
    private static final int PER_ADDRESS = 3;
    private static final String HANDLE = "88.999.1/GRPC-CAP-0001";

    @TempDir
    static Path dataDir;
    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(dataDir, List.of(TestNode.urlRecord(HANDLE, "https://example.com/cap")),
                "limits:\n  connections: {per-address: " + PER_ADDRESS + "}\n");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static ManagedChannel channelFrom(String from) throws Exception {
        return GrpcClients.channelFrom(from, node.node.grpcAddress().orElseThrow().getPort());
    }

    /** The status of one resolution on {@code channel} (which connects for it), with a 10 s deadline. */
    private static Status.Code resolve(ManagedChannel channel) {
        try {
            IdentifierServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .resolve(ResolveRequest.newBuilder().setHandle(HANDLE).build());
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @Test
    void connectionsOverTheCapOfAnAddressAreRefusedAndItsSlotsComeBack() throws Exception {
        List<ManagedChannel> channels = new ArrayList<>();
        try {
            for (int i = 0; i < PER_ADDRESS; i++) {
                channels.add(channelFrom("127.0.0.2"));
                assertThat(resolve(channels.get(i))).as("channel %d", i).isEqualTo(Status.Code.OK);
            }
            long refusedBefore = node.node.limits().connectionsRefusedCount("grpc");
            ManagedChannel over = channelFrom("127.0.0.2");
            // UNAVAILABLE, not DEADLINE_EXCEEDED: the call failed as the connection was closed, long before its deadline.
            assertThat(resolve(over)).isEqualTo(Status.Code.UNAVAILABLE);
            GrpcClients.close(over); // or it would reconnect, and take the slot freed below
            ManagedChannel other = channelFrom("127.0.0.3");
            channels.add(other);
            assertThat(resolve(other)).as("another address").isEqualTo(Status.Code.OK);

            PrometheusText metrics = PrometheusText.scrape(node.httpPort());
            assertThat(metrics.value("idnode_connections_refused_total", "protocol", "grpc")).isGreaterThan(refusedBefore);
            assertThat(metrics.value("idnode_open_connections", "protocol", "grpc")).isEqualTo(PER_ADDRESS + 1);

            GrpcClients.close(channels.remove(0));
            assertThat(servedOnceTheNodeSeesTheClose("127.0.0.2", channels)).isTrue();
        } finally {
            for (ManagedChannel c : channels) {
                GrpcClients.close(c);
            }
        }
    }

    /**
     * Tries a new channel from {@code from} until one is served (the node frees the slot when it sees the closed
     * connection), for at most 10 s; keeps it in {@code channels}.
     */
    private static boolean servedOnceTheNodeSeesTheClose(String from, List<ManagedChannel> channels) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0) {
            ManagedChannel channel = channelFrom(from);
            if (resolve(channel) == Status.Code.OK) {
                channels.add(channel);
                return true;
            }
            GrpcClients.close(channel);
            Thread.sleep(100);
        }
        return false;
    }
}
