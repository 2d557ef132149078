package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.google.gson.JsonParser;
import org.idnode.server.config.ConfigException;
import org.idnode.server.config.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the HTTP port ({@code http.tls.*}) with a self-signed certificate: the JDK's HTTP client trusting it reads
 * the REST API, health and metrics over HTTPS; a client trusting another certificate and a plaintext client are
 * refused; unusable PEM files stop the node at start-up naming the key.
 */
class HttpTlsTest {
    @TempDir
    Path tmp;

    NodeConfig config(String yaml) throws Exception {
        Path file = tmp.resolve("node-" + System.nanoTime() + ".yaml");
        Files.writeString(file, yaml);
        return NodeConfig.load(file).withOverrides(tmp.resolve("data"), 0, 0, 0, "127.0.0.1");
    }

    static String tls(Path cert, Path key) {
        return "http:\n  tls:\n    cert-chain-file: \"" + cert + "\"\n    private-key-file: \"" + key + "\"\n";
    }

    static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void clientsTrustingTheCertificateAreServedOverHttpsAndOthersAreRefused() throws Exception {
        Path[] pair = TestCertificates.selfSigned(tmp, "node");
        Path[] other = TestCertificates.selfSigned(tmp, "other");
        TestNode.importLines(tmp.resolve("data"), List.of(GrpcListenerTest.RECORD));
        try (IdentifierNode node = IdentifierNode.start(config(tls(pair[0], pair[1])))) {
            String base = "https://127.0.0.1:" + node.httpAddress().getPort();
            HttpClient trusting = HttpClient.newBuilder().sslContext(TestCertificates.trusting(pair[0])).connectTimeout(Duration.ofSeconds(10)).build();

            HttpResponse<String> resolved = get(trusting, base + "/api/handles/88.999.1/TLS-1");
            assertThat(resolved.statusCode()).isEqualTo(200);
            assertThat(resolved.sslSession()).hasValueSatisfying(s -> assertThat(s.getProtocol()).startsWith("TLS"));
            assertThat(JsonParser.parseString(resolved.body()).getAsJsonObject().getAsJsonArray("values").get(0).getAsJsonObject()
                    .getAsJsonObject("data").get("value").getAsString()).isEqualTo("https://example.com/tls");
            assertThat(get(trusting, base + "/health/ready").statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(trusting, base + "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(PrometheusText.parse(metrics.body()).value("idnode_requests_total", "protocol", "http", "operation", "resolve", "code", "200"))
                    .isEqualTo(1.0);

            HttpClient untrusting = HttpClient.newBuilder().sslContext(TestCertificates.trusting(other[0])).connectTimeout(Duration.ofSeconds(10)).build();
            assertThatThrownBy(() -> get(untrusting, base + "/api/handles/88.999.1/TLS-1")).isInstanceOf(IOException.class);
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            assertThatThrownBy(() -> get(plain, "http://127.0.0.1:" + node.httpAddress().getPort() + "/api/handles/88.999.1/TLS-1"))
                    .isInstanceOf(IOException.class);

            // The node still serves after the refused handshakes.
            assertThat(get(trusting, base + "/api/handles/88.999.1/TLS-1").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void unusableTlsFilesStopTheNodeAtStartUpNamingTheKey() throws Exception {
        Path[] pair = TestCertificates.selfSigned(tmp, "node");
        assertThatThrownBy(() -> config("http:\n  tls:\n    cert-chain-file: \"" + pair[0] + "\"\n"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("http.tls.private-key-file:").hasMessageContaining("both");
        assertThatThrownBy(() -> config("http:\n  tls:\n    private-key-file: \"" + pair[1] + "\"\n"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("http.tls.cert-chain-file:");
        assertThatThrownBy(() -> config(tls(tmp.resolve("missing.pem"), pair[1])))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("http.tls.cert-chain-file:").hasMessageContaining("missing.pem");
        assertThatThrownBy(() -> config("http:\n  tls:\n    ciphers: all\n"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("http.tls.ciphers: unknown key");

        Path garbage = Files.writeString(tmp.resolve("garbage.pem"), "not a PEM file\n");
        assertThatThrownBy(() -> IdentifierNode.start(config(tls(garbage, pair[1]))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("http.tls.cert-chain-file:");
        assertThatThrownBy(() -> IdentifierNode.start(config(tls(pair[0], garbage))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("http.tls.private-key-file:");
        assertThatThrownBy(() -> IdentifierNode.start(config(tls(pair[1], pair[0]))))
                .as("key and certificate swapped").isInstanceOf(ConfigException.class).hasMessageStartingWith("http.tls.cert-chain-file:");

        // After those refusals the data folder is free again: a node starts on it.
        try (IdentifierNode node = IdentifierNode.start(config(tls(pair[0], pair[1])))) {
            assertThat(node.health().notReadyReason()).isNull();
        }
    }
}
