package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.idnode.server.cli.IdnodeCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API tokens: issued and revoked with {@code idnode token}, used as {@code Authorization: Bearer}. */
class ApiTokenTest {
    @TempDir
    Path dir;

    private String cli(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(IdnodeCommand.run(args)).as(String.join(" ", args)).isZero();
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8).trim();
    }

    private static HttpResponse<String> send(TestNode node, String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTokenActsAsItsIdentityUntilRevoked() throws Exception {
        String d = dir.toString();
        cli("prefix", "add", "88.999.1", "--enterprise", "Fab", "--admin-secret", "s1", "--data-dir", d);
        cli("prefix", "add", "88.999.2", "--enterprise", "Other", "--admin-secret", "s2", "--data-dir", d);
        String erp = cli("token", "add", "88.999.1", "--name", "erp", "--data-dir", d);
        String other = cli("token", "add", "88.999.2", "--name", "mes", "--data-dir", d);
        assertThat(erp).startsWith("idt_88.999.1~").doesNotContain("\n");
        String body = "{\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/t\"}},"
                + "{\"index\":2,\"type\":\"UNIT_COST\",\"data\":{\"format\":\"string\",\"value\":\"3.14\"},\"permissions\":\"1100\"}]}";

        try (TestNode node = TestNode.start(dir, java.util.List.of())) {
            assertThat(send(node, "PUT", "/api/handles/88.999.1/TOKEN-1", erp, body).statusCode()).isEqualTo(200);
            assertThat(send(node, "GET", "/api/handles/88.999.1/TOKEN-1", erp, null).body()).contains("3.14");
            assertThat(send(node, "GET", "/api/handles/88.999.1/TOKEN-1", null, null).body()).doesNotContain("3.14");
            HttpResponse<String> foreign = send(node, "PUT", "/api/handles/88.999.1/TOKEN-2", other, body);
            assertThat(foreign.statusCode()).isEqualTo(403);
            assertThat(foreign.body()).contains("\"responseCode\":400");
            assertThat(send(node, "PUT", "/api/handles/88.999.1/TOKEN-2", erp + "x", body).statusCode()).isEqualTo(403);
            assertThat(send(node, "PUT", "/api/handles/88.999.1/TOKEN-2", "not-a-token", body).statusCode()).isEqualTo(403);
        }
        cli("token", "revoke", "88.999.1", "--name", "erp", "--data-dir", d);
        assertThat(IdnodeCommand.run("token", "add", "88.999.1", "--name", "mes", "--data-dir", d, "--identity", "bogus")).isNotZero();
        try (TestNode node = TestNode.start(dir, java.util.List.of())) {
            HttpResponse<String> revoked = send(node, "PUT", "/api/handles/88.999.1/TOKEN-3", erp, body);
            assertThat(revoked.statusCode()).isEqualTo(403);
            assertThat(revoked.body()).contains("revoked");
            HttpResponse<String> restrictedHidden = send(node, "GET", "/api/handles/0.NA/88.999.1", null, null);
            assertThat(restrictedHidden.body()).doesNotContain("sha256");
        }
    }
}
