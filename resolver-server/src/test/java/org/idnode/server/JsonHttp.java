package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * JSON calls to a node's HTTP port on 127.0.0.1 with {@link HttpClient}, and the {@code idnode} command run
 * in-process with its standard output captured: what the operator tests drive a node with.
 */
final class JsonHttp {
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    JsonHttp(int port) {
        this.port = port;
    }

    /** An answer: status, the JSON object body, and the raw response. */
    record Resp(int status, JsonObject json, HttpResponse<String> response) {
        int rc() {
            return json.get("responseCode").getAsInt();
        }

        String message() {
            return json.has("message") ? json.get("message").getAsString() : "";
        }
    }

    /** Sends a request and checks that the answer is a JSON object. */
    Resp send(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        HttpResponse<String> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        JsonElement parsed = JsonParser.parseString(resp.body());
        assertThat(parsed.isJsonObject()).as("a JSON object answer to %s %s: %s", method, path, resp.body()).isTrue();
        return new Resp(resp.statusCode(), parsed.getAsJsonObject(), resp);
    }

    static String bearer(String token) {
        return "Bearer " + token;
    }

    /** HTTP Basic for an identity {@code index:handle} (URL-encoded as CNRI's REST API expects) and its secret. */
    static String basic(String identity, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((URLEncoder.encode(identity, StandardCharsets.UTF_8) + ":" + secret)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Runs {@code idnode} in-process, asserts exit code 0 and returns what it printed on standard output. */
    static String cli(String... args) {
        CliRun r = CliRun.of(args);
        assertThat(r.code()).as("%s; stderr: %s", String.join(" ", args), r.err()).isZero();
        return r.out();
    }
}
