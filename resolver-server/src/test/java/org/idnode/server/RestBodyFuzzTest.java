package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import net.handle.hdllib.Common;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.idnode.server.backup.Backups;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.fuzz.HandleMessages;
import org.idnode.server.fuzz.Mutations;

/**
 * Property-based fuzzing of everything that parses an HTTP request body or an {@code Authorization} header, against an
 * in-process node over real HTTP on 127.0.0.1: REST writes ({@code PUT /api/handles/...}, with and without
 * {@code index=various}), batch registration ({@code POST /api/batch}), the operator API (prefixes, lifecycle, tokens,
 * backups), native Handle messages ({@code POST} with {@code application/x-hdl-message}), and the Basic, Bearer and
 * {@code Handle} authorization schemes. Bodies are valid requests mutated byte-wise, random JSON, deeply nested JSON
 * and random bytes. Properties: every request is answered within the client's timeout, never with a 5xx; a JSON API
 * answers a JSON object with a {@code responseCode}; a native message gets a Handle message back or a 400.
 */
@Tag("fuzz")
class RestBodyFuzzTest {
    static final String SECRET = "fuzz-s3cr3t";
    /** Statuses a well-behaved API may answer a bad request with. */
    static final Set<Integer> ALLOWED = Set.of(200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 413, 414, 431);

    static Path dir;
    static IdentifierNode node;
    static String base;
    static String opsToken;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("rest-fuzz");
        String d = dir.resolve("data").toString();
        JsonHttp.cli("prefix", "add", "88.999.1", "--enterprise", "Fuzz Co.", "--admin-secret", SECRET, "--data-dir", d);
        JsonHttp.cli("operator", "add", "--admin-secret", "ops", "--data-dir", d);
        opsToken = JsonHttp.cli("token", "add", "88.999", "--name", "ops", "--data-dir", d);
        Path templates = Path.of(System.getProperty("idnode.project.root"), "conf", "templates");
        Path yaml = Files.writeString(dir.resolve("node.yaml"), "templates: {dir: \"" + templates + "\"}\nbackup: {root: \"" + dir.resolve("backups") + "\"}\n");
        node = IdentifierNode.start(NodeConfig.load(yaml).withOverrides(dir.resolve("data"), 0, 0, 0, "127.0.0.1"));
        base = "http://127.0.0.1:" + node.httpAddress().getPort();
    }

    @AfterContainer
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
        Backups.deleteRecursively(dir);
    }

    /** One request: method, path, which credentials, content type and body. */
    record Call(String method, String path, String auth, String contentType, byte[] body) {
        @Override
        public String toString() {
            return method + " " + path + " auth=" + auth + " type=" + contentType + " body=" + new String(body, StandardCharsets.UTF_8);
        }
    }

    private static final Map<String, String> SEEDS = Map.of(
            "PUT /api/handles/88.999.1/FUZZ-1", "{\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com\"},"
                    + "\"ttl\":86400,\"permissions\":\"1110\",\"timestamp\":\"2025-01-01T00:00:00Z\",\"references\":[{\"handle\":\"88.999.1/X\",\"index\":1}]}]}",
            "PUT /api/handles/88.999.1/FUZZ-2?index=various", "[{\"index\":2,\"type\":\"HS_ADMIN\",\"data\":{\"format\":\"admin\",\"value\":"
                    + "{\"handle\":\"0.NA/88.999.1\",\"index\":301,\"permissions\":\"111111111111\"}}}]",
            "POST /api/batch", RestWriteTest.batch(RestWriteTest.pcbLot("88.999.1/PCB.FUZZ", Map.of()),
                    RestWriteTest.record("88.999.1/FUZZ-B", RestWriteTest.url(1, "https://example.com/b"))),
            "POST /api/admin/prefixes", "{\"prefix\":\"88.999.77\",\"enterprise\":\"X Co.\",\"adminSecret\":\"s\",\"state\":\"under-review\"}",
            "PUT /api/admin/prefixes/88.999.77/state", "{\"state\":\"enabled\"}",
            "POST /api/admin/prefixes/88.999.1/tokens", "{\"name\":\"t\",\"identity\":\"301:0.NA/88.999.1\"}",
            "POST /api/admin/backup", "{\"to\":\"fuzz\"}");

    @Provide
    Arbitrary<Call> jsonCalls() {
        Arbitrary<Map.Entry<String, String>> seed = Arbitraries.of(List.copyOf(SEEDS.entrySet()));
        Arbitrary<byte[]> deep = Combinators.combine(Arbitraries.integers().between(1, 30_000), Arbitraries.of(true, false),
                        Arbitraries.of("{\"records\":[%s]}", "{\"values\":%s}", "[{\"index\":1,\"type\":\"X\",\"data\":%s}]", "{\"state\":%s}"))
                .as((n, closed, where) -> String.format(where, "[".repeat(n) + (closed ? "]".repeat(n) : "")).getBytes(StandardCharsets.UTF_8));
        return seed.flatMap(e -> {
            String[] mp = e.getKey().split(" ", 2);
            byte[] valid = e.getValue().getBytes(StandardCharsets.UTF_8);
            Arbitrary<byte[]> body = Arbitraries.frequencyOf(
                    Tuple.of(7, Mutations.mutated(Arbitraries.just(valid))),
                    Tuple.of(1, deep),
                    Tuple.of(1, Mutations.randomBytes(200)),
                    Tuple.of(1, Arbitraries.just(valid)));
            String auth = mp[1].startsWith("/api/admin") ? "ops" : "owner";
            return body.map(b -> new Call(mp[0], mp[1], auth, "application/json", b));
        });
    }

    @Provide
    Arbitrary<Call> nativeCalls() {
        return Mutations.inputs(HandleMessages.wholeMessages(), 300).map(b -> new Call("POST", "/", "none", Common.HDL_MIME_TYPE, b));
    }

    @Provide
    Arbitrary<String> authorizations() {
        Arbitrary<String> valid = Arbitraries.of(
                JsonHttp.basic("301:0.NA/88.999.1", SECRET),
                "Bearer " + "x".repeat(43),
                "Handle sessionId=\"abc\", id=\"300:0.NA/88.999.1\", type=\"HS_PUBKEY\", cnonce=\"AAAA\", alg=\"SHA256\", signature=\"AAAA\"",
                "Handle version=\"0\", sessionId=\"s\"");
        return Mutations.mutated(valid.map(s -> s.getBytes(StandardCharsets.US_ASCII)))
                .map(b -> new String(b, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", "A"))
                .filter(s -> !s.isBlank());
    }

    /**
     * Found by this fuzzer: a batch record nested thousands deep overflowed the stack when it was printed
     * (StackOverflowError, answered 500, and the store thread died); a value's data, when CNRI's reader took it.
     */
    @Example
    void deeplyNestedBodiesAreRefusedWith400() throws Exception {
        String deep = "[".repeat(50_000) + "]".repeat(50_000);
        for (Call call : List.of(
                new Call("POST", "/api/batch", "owner", "application/json", ("{\"records\":[" + deep + "]}").getBytes(StandardCharsets.UTF_8)),
                new Call("PUT", "/api/handles/88.999.1/FUZZ-DEEP", "owner", "application/json",
                        ("[{\"index\":1,\"type\":\"X\",\"data\":" + deep + "}]").getBytes(StandardCharsets.UTF_8)),
                new Call("POST", "/api/admin/prefixes", "ops", "application/json", ("{\"prefix\":" + deep + "}").getBytes(StandardCharsets.UTF_8)))) {
            HttpResponse<byte[]> resp = send(call);
            assertThat(resp.statusCode()).as(call.path()).isEqualTo(400);
            assertThat(new String(resp.body(), StandardCharsets.UTF_8)).contains("nest deeper than");
        }
    }

    @Property(tries = 300)
    void jsonApisAnswerEveryBodyWithJson(@ForAll("jsonCalls") Call call) throws Exception {
        HttpResponse<byte[]> resp = send(call);
        assertThat(resp.statusCode()).as("%s", call).isIn(ALLOWED);
        assertJsonObject(resp, call);
    }

    @Property(tries = 200)
    void nativeMessagesGetAHandleAnswerOrA400(@ForAll("nativeCalls") Call call) throws Exception {
        HttpResponse<byte[]> resp = send(call);
        assertThat(resp.statusCode()).as("%s", call).isIn(200, 400);
        if (resp.statusCode() == 400) {
            assertJsonObject(resp, call);
            return;
        }
        byte[] answer = resp.body();
        assertThat(answer.length).isGreaterThanOrEqualTo(HandleMessageCodec.ENVELOPE_SIZE);
        // The envelope's length field, read as is: an error answer to a request of an unsupported protocol version
        // carries that version back, which decodeEnvelope would refuse.
        assertThat(java.nio.ByteBuffer.wrap(answer, 16, 4).getInt())
                .as("a whole Handle message").isEqualTo(answer.length - HandleMessageCodec.ENVELOPE_SIZE);
    }

    @Property(tries = 200)
    void anyAuthorizationHeaderIsAnsweredWithJson(@ForAll("authorizations") String authorization,
                                                  @ForAll("authorizedPaths") String methodAndPath) throws Exception {
        String[] mp = methodAndPath.split(" ", 2);
        Call call = new Call(mp[0], mp[1], authorization, "application/json",
                mp[0].equals("GET") || mp[0].equals("DELETE") ? new byte[0] : SEEDS.get("PUT /api/handles/88.999.1/FUZZ-1").getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> resp = send(call);
        assertThat(resp.statusCode()).as("%s", call).isIn(ALLOWED);
        if (resp.statusCode() != 204 && !call.path().startsWith("/api/sessions")) {
            assertJsonObject(resp, call);
        } else if (resp.statusCode() != 204) {
            assertThat(JsonParser.parseString(new String(resp.body(), StandardCharsets.UTF_8)).isJsonObject()).as("%s", call).isTrue();
        }
    }

    @Provide
    Arbitrary<String> authorizedPaths() {
        return Arbitraries.of("GET /api/handles/88.999.1/FUZZ-1", "PUT /api/handles/88.999.1/FUZZ-A", "GET /api/handles?prefix=88.999.1",
                "GET /api/admin/prefixes", "POST /api/sessions", "PUT /api/sessions/this", "GET /api/sessions/this", "DELETE /api/sessions/this",
                "GET /api/audit/88.999.1/FUZZ-1");
    }

    private static HttpResponse<byte[]> send(Call call) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + call.path())).timeout(Duration.ofSeconds(20))
                .header("Content-Type", call.contentType())
                .method(call.method(), call.body().length == 0 && !call.method().equals("POST") && !call.method().equals("PUT")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(call.body()));
        switch (call.auth()) {
            case "owner" -> b.header("Authorization", JsonHttp.basic("301:0.NA/88.999.1", SECRET));
            case "ops" -> b.header("Authorization", JsonHttp.bearer(opsToken));
            case "none" -> { }
            default -> b.header("Authorization", call.auth());
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new AssertionError("no answer within 20 s (a hang) to " + call, e);
        }
    }

    private static void assertJsonObject(HttpResponse<byte[]> resp, Call call) {
        String text = new String(resp.body(), StandardCharsets.UTF_8);
        JsonElement json;
        try {
            json = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new AssertionError("not JSON: " + text + " for " + call, e);
        }
        assertThat(json.isJsonObject()).as("a JSON object for %s: %s", call, text).isTrue();
        assertThat(json.getAsJsonObject().has("responseCode") || json.getAsJsonObject().has("sessionId"))
                .as("a responseCode in %s", text).isTrue();
    }
}
