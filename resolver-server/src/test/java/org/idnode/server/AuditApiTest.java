package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.admin.PrefixRecords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/audit/{handle}}: every change to an identifier, readable by its owner only. */
class AuditApiTest {
    @TempDir
    static Path dataDir;
    static TestNode node;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(dataDir, 16)) {
            store.putAll(List.of(PrefixRecords.hostedPrefix("88.999.1", "Owner Co.", null, "owner-secret"),
                    PrefixRecords.hostedPrefix("88.999.2", "Other Co.", null, "other-secret")));
        }
        node = TestNode.start(dataDir, List.of());
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static String basic(String prefix, String secret) {
        String user = URLEncoder.encode("301:0.NA/" + prefix, StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> send(String method, String path, String auth, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theOwnerReadsWhoChangedWhatAndOthersCannot() throws Exception {
        String owner = basic("88.999.1", "owner-secret");
        String value = "{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/a\"}}";
        assertThat(send("PUT", "/api/handles/88.999.1/AUDITED", owner, "{\"values\":[" + value + "]}").statusCode()).isEqualTo(200);
        assertThat(send("PUT", "/api/handles/88.999.1/AUDITED?index=various", owner,
                "[{\"index\":2,\"type\":\"EMAIL\",\"data\":{\"format\":\"string\",\"value\":\"qa@example.com\"}}]").statusCode()).isEqualTo(200);
        assertThat(send("DELETE", "/api/handles/88.999.1/AUDITED?index=2", owner, null).statusCode()).isEqualTo(200);

        HttpResponse<String> resp = send("GET", "/api/audit/88.999.1/AUDITED", owner, null);
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        JsonArray entries = JsonParser.parseString(resp.body()).getAsJsonObject().getAsJsonArray("entries");
        assertThat(entries.asList().stream().map(e -> e.getAsJsonObject().get("operation").getAsString()))
                .containsExactly("create", "add-values", "remove-values");
        JsonObject first = entries.get(0).getAsJsonObject();
        assertThat(first.get("actor").getAsString()).isEqualTo("301:0.NA/88.999.1");
        assertThat(first.get("time").getAsString()).endsWith("Z");

        assertThat(send("GET", "/api/audit/88.999.1/AUDITED", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/api/audit/88.999.1/AUDITED", basic("88.999.2", "other-secret"), null).statusCode()).isEqualTo(403);
        assertThat(send("GET", "/api/audit/88.999.1/AUDITED", basic("88.999.1", "wrong"), null).statusCode()).isEqualTo(403);
    }
}
