package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import net.handle.hdllib.AbstractMessage;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.api.v1.ResolveRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Message size limits ({@code limits.message-bytes.*}) give a clear error naming the limit and leave the node
 * healthy; pipelined requests on one connection are all answered under the in-flight bound (HTTP in order).
 */
class MessageLimitsTest {
    private static final int RECORDS = 5;

    @TempDir
    static Path dataDir;
    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            lines.add("{\"handle\":\"88.999.1/P-" + i + "\",\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/p/" + i + "\"}}]}");
        }
        node = TestNode.start(dataDir, lines, """
                limits:
                  connections: {max-in-flight: 4}
                  message-bytes: {handle-tcp: 1024, udp: 200, http-body: 2048, grpc: 4096}
                """);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static void assertResolvesOverTcp() throws Exception {
        try (Socket s = RawClients.tcp("127.0.0.1", node.handlePort())) {
            s.getOutputStream().write(RawClients.resolutionRequest("88.999.1/P-0", 1));
            assertThat(RawClients.responseCode(s)).isEqualTo(AbstractMessage.RC_SUCCESS);
        }
    }

    @Test
    void handleTcpMessageOverTheLimitIsRefusedByName() throws Exception {
        byte[] request = RawClients.resolutionRequest("88.999.1/P-0", 31);
        ByteBuffer.wrap(request).putInt(16, 2000); // the envelope announces 2000 message bytes
        try (Socket s = RawClients.tcp("127.0.0.1", node.handlePort())) {
            s.getOutputStream().write(request);
            AbstractMessage m = RawClients.decode(RawClients.readOneMessage(s.getInputStream()));
            assertThat(m.responseCode).isEqualTo(AbstractMessage.RC_PROTOCOL_ERROR);
            assertThat(m.requestId).isEqualTo(31);
            assertThat(RawClients.errorText(m)).isEqualTo("message length 2000 exceeds the limit of 1024 bytes");
            assertThat(RawClients.closedByPeer(s)).isTrue();
        }
        assertResolvesOverTcp();
    }

    @Test
    void udpRequestOverTheLimitIsToldToUseTcp() throws Exception {
        byte[] small = RawClients.resolutionRequest("88.999.1/P-1", 32);
        byte[] padded = RawClients.resolutionRequest("88.999.1/" + "X".repeat(250), 33);
        try (DatagramSocket s = RawClients.udp("127.0.0.1")) {
            RawClients.send(s, node.handlePort(), padded);
            AbstractMessage m = RawClients.decode(RawClients.receive(s));
            assertThat(m.responseCode).isEqualTo(AbstractMessage.RC_PROTOCOL_ERROR);
            assertThat(m.requestId).isEqualTo(33);
            assertThat(RawClients.errorText(m)).isEqualTo("UDP request of " + padded.length + " bytes exceeds the limit of 200 bytes; send it over TCP");
            RawClients.send(s, node.handlePort(), small);
            assertThat(RawClients.decode(RawClients.receive(s)).responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
        }
    }

    @Test
    void httpBodyOverTheLimitGets413WithTheLimit() throws Exception {
        try (Socket s = RawClients.tcp("127.0.0.1", node.httpPort())) {
            s.getOutputStream().write(("POST /api/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
                    + "[" + " ".repeat(100)).getBytes(StandardCharsets.US_ASCII));
            RawClients.HttpReply reply = RawClients.readHttpReply(s.getInputStream());
            assertThat(reply.status()).isEqualTo(413);
            assertThat(reply.text()).isEqualTo("{\"responseCode\":4,\"message\":\"request body of 5000 bytes exceeds the limit of 2048 bytes\"}");
            assertThat(RawClients.closedByPeer(s)).isTrue();
        }
        try (Socket s = RawClients.tcp("127.0.0.1", node.httpPort())) {
            RawClients.writeGet(s, "/api/handles/88.999.1/P-0");
            assertThat(RawClients.readHttpReply(s.getInputStream()).status()).isEqualTo(200);
        }
    }

    @Test
    void grpcMessageOverTheLimitIsResourceExhausted() throws Exception {
        ManagedChannel channel = GrpcClients.channel(node.node);
        try {
            IdentifierServiceGrpc.IdentifierServiceBlockingStub stub = IdentifierServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
            StatusRuntimeException e = org.assertj.core.api.Assertions.catchThrowableOfType(StatusRuntimeException.class,
                    () -> stub.resolve(ResolveRequest.newBuilder().setHandle("88.999.1/" + "X".repeat(5000)).build()));
            assertThat(e).isNotNull();
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getStatus().getDescription()).contains("4096");
            assertThat(IdentifierServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .resolve(ResolveRequest.newBuilder().setHandle("88.999.1/P-0").build()).getRecord().getValuesCount()).isEqualTo(1);
        } finally {
            GrpcClients.close(channel);
        }
    }

    @Test
    void pipelinedHandleRequestsAreAllAnsweredUnderTheInFlightBound() throws Exception {
        int count = 200;
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 1; i <= count; i++) {
            all.write(RawClients.resolutionRequest("88.999.1/P-" + (i % RECORDS), i));
        }
        Set<Integer> answered = new HashSet<>();
        try (Socket s = RawClients.tcp("127.0.0.1", node.handlePort())) {
            s.getOutputStream().write(all.toByteArray());
            for (int i = 0; i < count; i++) {
                AbstractMessage m = RawClients.decode(RawClients.readOneMessage(s.getInputStream()));
                assertThat(m.responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
                answered.add(m.requestId);
            }
        }
        assertThat(answered).hasSize(count);
    }

    @Test
    void pipelinedHttpRequestsAreAnsweredInOrder() throws Exception {
        int count = 50;
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < count; i++) {
            all.append("GET /api/handles/88.999.1/P-").append(i % RECORDS).append(i % 3 == 0 ? "?type=URL" : "")
                    .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        }
        try (Socket s = RawClients.tcp("127.0.0.1", node.httpPort())) {
            s.getOutputStream().write(all.toString().getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            for (int i = 0; i < count; i++) {
                RawClients.HttpReply reply = RawClients.readHttpReply(in);
                assertThat(reply.status()).isEqualTo(200);
                assertThat(reply.text()).as("reply %d", i).contains("\"handle\":\"88.999.1/P-" + (i % RECORDS) + "\"");
            }
        }
    }
}
