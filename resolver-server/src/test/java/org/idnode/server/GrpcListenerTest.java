package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.api.v1.ResolveRequest;
import org.idnode.server.config.ConfigException;
import org.idnode.server.config.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC listener itself: TLS with a self-signed certificate ({@link TestCertificates}), plaintext clients refused,
 * the TLS files checked at start-up; a node with gRPC turned off; a port in use.
 */
class GrpcListenerTest {
    static final String RECORD = "{\"handle\":\"88.999.1/TLS-1\",\"values\":[{\"index\":1,\"type\":\"URL\","
            + "\"data\":{\"format\":\"string\",\"value\":\"https://example.com/tls\"}}]}";

    @TempDir
    Path tmp;

    Path[] selfSigned(String name) throws Exception {
        return TestCertificates.selfSigned(tmp, name);
    }

    NodeConfig config(String yaml) throws Exception {
        Path file = tmp.resolve("node-" + System.nanoTime() + ".yaml");
        Files.writeString(file, yaml);
        return NodeConfig.load(file).withOverrides(tmp.resolve("data"), 0, 0, 0, "127.0.0.1");
    }

    static String tls(Path cert, Path key) {
        return "grpc:\n  tls:\n    cert-chain-file: \"" + cert + "\"\n    private-key-file: \"" + key + "\"\n";
    }

    @Test
    void tlsClientsTrustingTheCertificateAreServedAndOthersAreNot() throws Exception {
        Path[] pair = selfSigned("node");
        Path[] other = selfSigned("other");
        TestNode.importLines(tmp.resolve("data"), List.of(RECORD));
        try (IdentifierNode node = IdentifierNode.start(config(tls(pair[0], pair[1])))) {
            int port = node.grpcAddress().orElseThrow().getPort();
            ManagedChannel secure = NettyChannelBuilder.forAddress("127.0.0.1", port)
                    .sslContext(GrpcSslContexts.forClient().trustManager(pair[0].toFile()).build())
                    .build();
            ManagedChannel plaintext = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            ManagedChannel untrusting = NettyChannelBuilder.forAddress("127.0.0.1", port)
                    .sslContext(GrpcSslContexts.forClient().trustManager(other[0].toFile()).build())
                    .build();
            try {
                assertThat(GrpcClients.deadline(IdentifierServiceGrpc.newBlockingStub(secure))
                        .resolve(ResolveRequest.newBuilder().setHandle("88.999.1/TLS-1").build()).getRecord().getValues(0).getData().toStringUtf8())
                        .isEqualTo("https://example.com/tls");
                assertThat(GrpcClients.deadline(HealthGrpc.newBlockingStub(secure)).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

                for (ManagedChannel refused : List.of(plaintext, untrusting)) {
                    assertThatThrownBy(() -> IdentifierServiceGrpc.newBlockingStub(refused).withDeadlineAfter(20, TimeUnit.SECONDS)
                            .resolve(ResolveRequest.newBuilder().setHandle("88.999.1/TLS-1").build()))
                            .isInstanceOfSatisfying(StatusRuntimeException.class,
                                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
                }
            } finally {
                GrpcClients.close(secure);
                GrpcClients.close(plaintext);
                GrpcClients.close(untrusting);
            }
        }
    }

    @Test
    void tlsKeysAreCheckedAtStartUpNamingTheKey() throws Exception {
        Path[] pair = selfSigned("node");
        assertThatThrownBy(() -> config("grpc:\n  tls:\n    cert-chain-file: \"" + pair[0] + "\"\n"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("grpc.tls.private-key-file:").hasMessageContaining("both");
        assertThatThrownBy(() -> config("grpc:\n  tls:\n    private-key-file: \"" + pair[1] + "\"\n"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("grpc.tls.cert-chain-file:");
        assertThatThrownBy(() -> config(tls(tmp.resolve("missing.pem"), pair[1])))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("grpc.tls.cert-chain-file:").hasMessageContaining("missing.pem");

        Path garbage = Files.writeString(tmp.resolve("garbage.pem"), "not a PEM file\n");
        assertThatThrownBy(() -> IdentifierNode.start(config(tls(garbage, pair[1]))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("grpc.tls.cert-chain-file:");
        assertThatThrownBy(() -> IdentifierNode.start(config(tls(pair[0], garbage))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("grpc.tls.private-key-file:");
        assertThatThrownBy(() -> IdentifierNode.start(config(tls(pair[1], pair[0]))))
                .as("key and certificate swapped").isInstanceOf(ConfigException.class).hasMessageStartingWith("grpc.tls.cert-chain-file:");

        // After those refusals the data folder is free again: a node starts on it.
        try (IdentifierNode node = IdentifierNode.start(config(tls(pair[0], pair[1])))) {
            assertThat(node.grpcAddress()).isPresent();
        }
    }

    @Test
    void aGrpcPortInUseIsNamedAndLeavesTheDataFolderFree() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            NodeConfig busy = config("").withOverrides(null, null, null, taken.getLocalPort(), null);
            assertThatThrownBy(() -> IdentifierNode.start(busy))
                    .isInstanceOf(java.io.UncheckedIOException.class)
                    .hasMessageContaining("gRPC port").hasMessageContaining(Integer.toString(taken.getLocalPort()));
        }
        try (IdentifierNode node = IdentifierNode.start(config(""))) {
            assertThat(node.grpcAddress()).isPresent();
        }
    }

    @Test
    void aNodeWithGrpcOffServesTheOtherInterfacesOnly() throws Exception {
        TestNode.importLines(tmp.resolve("data"), List.of(RECORD));
        try (IdentifierNode node = IdentifierNode.start(config("grpc:\n  enabled: false\n"))) {
            assertThat(node.grpcAddress()).isEmpty();
            java.net.http.HttpResponse<String> rest = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + "/api/handles/88.999.1/TLS-1")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(rest.statusCode()).isEqualTo(200);
        }
        try (IdentifierNode node = IdentifierNode.start(config("").withoutGrpc())) {
            assertThat(node.grpcAddress()).isEmpty();
        }
    }
}
