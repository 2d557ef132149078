package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import net.handle.apps.simple.SiteInfoConverter;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.SiteInfo;
import net.handle.hdllib.Util;
import org.idnode.server.JsonHttp.Resp;
import org.idnode.server.site.NodeSite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator API ({@code /api/admin/}) of a running node over real HTTP on 127.0.0.1: operator credentials
 * (token and Basic), refusals for everybody else, and the prefix, lifecycle and token calls.
 */
class OperatorApiTest {
    static final String OPS_SECRET = "operator-s3cr3t";
    static final String ENTERPRISE_SECRET = "fab-s3cr3t";

    @TempDir
    static Path dir;
    static TestNode node;
    static String opsToken;
    static String enterpriseToken;
    static JsonHttp http;

    @BeforeAll
    static void start() throws Exception {
        String d = dir.resolve("data").toString();
        JsonHttp.cli("operator", "add", "--admin-secret", OPS_SECRET, "--data-dir", d);
        opsToken = JsonHttp.cli("token", "add", "88.999", "--name", "ops", "--data-dir", d);
        JsonHttp.cli("prefix", "add", "88.999.1", "--enterprise", "Example PCB Fab", "--admin-secret", ENTERPRISE_SECRET, "--data-dir", d);
        enterpriseToken = JsonHttp.cli("token", "add", "88.999.1", "--name", "erp", "--data-dir", d);
        node = TestNode.start(dir.resolve("data"), List.of());
        http = new JsonHttp(node.httpPort());
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static Resp send(String method, String path, String body, String authorization) throws Exception {
        return http.send(method, path, body, authorization);
    }

    static String ops() {
        return JsonHttp.bearer(opsToken);
    }

    static JsonObject newPrefix(String prefix, String enterprise) {
        JsonObject o = new JsonObject();
        o.addProperty("prefix", prefix);
        o.addProperty("enterprise", enterprise);
        o.addProperty("adminSecret", "secret-of-" + prefix);
        return o;
    }

    static List<String> prefixes(Resp list) {
        List<String> out = new ArrayList<>();
        list.json().getAsJsonArray("prefixes").forEach(e -> out.add(e.getAsJsonObject().get("prefix").getAsString()));
        return out;
    }

    @Test
    void onlyOperatorsGetIn() throws Exception {
        Resp anonymous = send("GET", "/api/admin/prefixes", null, null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.rc()).isEqualTo(AbstractMessage.RC_AUTHENTICATION_NEEDED);
        assertThat(anonymous.message()).contains("operator");
        assertThat(anonymous.response().headers().firstValue("WWW-Authenticate")).isPresent();

        for (String enterprise : List.of(JsonHttp.bearer(enterpriseToken), JsonHttp.basic("301:0.NA/88.999.1", ENTERPRISE_SECRET))) {
            Resp denied = send("POST", "/api/admin/prefixes", newPrefix("88.999.66", "Sneaky").toString(), enterprise);
            assertThat(denied.status()).as(enterprise).isEqualTo(403);
            assertThat(denied.message()).contains("operator", "0.NA/88.999.1");
            assertThat(send("PUT", "/api/admin/prefixes/88.999.1/state", "{\"state\":\"disabled\"}", enterprise).status()).isEqualTo(403);
        }
        assertThat(send("GET", "/api/admin/prefixes/88.999.66", null, ops()).status()).isEqualTo(404);

        Resp wrongSecret = send("GET", "/api/admin/prefixes", null, JsonHttp.basic("301:0.NA/88.999", "not-it"));
        assertThat(wrongSecret.status()).isEqualTo(403);
        assertThat(wrongSecret.rc()).isEqualTo(AbstractMessage.RC_AUTHENTICATION_FAILED);
        assertThat(send("GET", "/api/admin/prefixes", null, JsonHttp.bearer(opsToken + "x")).status()).isEqualTo(403);

        assertThat(send("GET", "/api/admin/prefixes", null, ops()).status()).isEqualTo(200);
        assertThat(send("GET", "/api/admin/prefixes", null, JsonHttp.basic("301:0.NA/88.999", OPS_SECRET)).status()).isEqualTo(200);
    }

    @Test
    void createsAPrefixAndWalksItThroughItsLifecycle() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        JsonObject body = newPrefix("88.999.7", "Example Laminates");
        body.addProperty("adminKey", "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(key.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        body.addProperty("state", "applied");
        Resp created = send("POST", "/api/admin/prefixes", body.toString(), ops());
        assertThat(created.status()).as(created.json().toString()).isEqualTo(201);
        assertThat(created.json().get("prefix").getAsString()).isEqualTo("88.999.7");
        assertThat(created.json().get("state").getAsString()).isEqualTo("applied");
        assertThat(created.json().get("selfHosted").getAsBoolean()).isFalse();
        assertThat(created.json().getAsJsonArray("admins").toString()).isEqualTo("[\"300:0.NA/88.999.7\",\"301:0.NA/88.999.7\"]");

        Resp again = send("POST", "/api/admin/prefixes", body.toString(), ops());
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.message()).contains("already exists");

        Resp skip = send("PUT", "/api/admin/prefixes/88.999.7/state", "{\"state\":\"enabled\"}", ops());
        assertThat(skip.status()).isEqualTo(409);
        assertThat(skip.message()).contains("applied", "cannot become enabled", "under-review");
        Resp review = send("PUT", "/api/admin/prefixes/88.999.7/state", "{\"state\":\"under-review\"}", ops());
        assertThat(review.status()).isEqualTo(200);
        assertThat(review.json().get("previousState").getAsString()).isEqualTo("applied");
        assertThat(review.json().get("state").getAsString()).isEqualTo("under-review");

        // Registration waits for the prefix to be enabled.
        String registration = "{\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/l\"}}]}";
        String owner = JsonHttp.basic("301:0.NA/88.999.7", "secret-of-88.999.7");
        Resp early = send("PUT", "/api/handles/88.999.7/LOT-1", registration, owner);
        assertThat(early.status()).isEqualTo(403);
        assertThat(early.message()).contains("under-review");
        assertThat(send("PUT", "/api/admin/prefixes/88.999.7/state", "{\"state\":\"enabled\"}", ops()).status()).isEqualTo(200);
        assertThat(send("PUT", "/api/handles/88.999.7/LOT-1", registration, owner).status()).isEqualTo(200);
        assertThat(send("GET", "/api/admin/prefixes/88.999.7", null, ops()).json().get("state").getAsString()).isEqualTo("enabled");

        Resp bogus = send("PUT", "/api/admin/prefixes/88.999.7/state", "{\"state\":\"bogus\"}", ops());
        assertThat(bogus.status()).isEqualTo(400);
        assertThat(bogus.message()).contains("pending-delete");
        assertThat(send("PUT", "/api/admin/prefixes/88.999.404/state", "{\"state\":\"disabled\"}", ops()).status()).isEqualTo(404);
    }

    @Test
    void selfHostedPrefixesTakeTheSiteAsJsonOrBase64() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        SiteInfo enterpriseNode = NodeSite.of("enterprise node", "127.0.0.1", 1, Util.getBytesFromPublicKey(key.getPublic()), 22641, 28000)
                .siteInfo();
        JsonObject asJson = newPrefix("88.999.8", "Self-hosting Co.");
        asJson.add("selfHostedSite", JsonParser.parseString(SiteInfoConverter.convertToJson(enterpriseNode)));
        JsonObject asBase64 = newPrefix("88.999.9", "Self-hosting Co.");
        asBase64.addProperty("selfHostedSite", Base64.getEncoder().encodeToString(Encoder.encodeSiteInfoRecord(enterpriseNode)));
        for (JsonObject body : List.of(asJson, asBase64)) {
            Resp created = send("POST", "/api/admin/prefixes", body.toString(), ops());
            assertThat(created.status()).as(created.json().toString()).isEqualTo(201);
            assertThat(created.json().get("selfHosted").getAsBoolean()).isTrue();
        }
        // The prefix handle now sends clients to the enterprise's node.
        Resp prefixHandle = send("GET", "/api/handles/0.NA/88.999.9?type=HS_SITE", null, null);
        assertThat(prefixHandle.json().toString()).contains("22641").doesNotContain(String.valueOf(node.handlePort()));

        JsonObject notASite = newPrefix("88.999.11", "X");
        notASite.addProperty("selfHostedSite", Base64.getEncoder().encodeToString("garbage".getBytes(StandardCharsets.UTF_8)));
        Resp refused = send("POST", "/api/admin/prefixes", notASite.toString(), ops());
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.message()).contains("self-hosted site");
        assertThat(send("GET", "/api/admin/prefixes/88.999.11", null, ops()).status()).isEqualTo(404);
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        record Case(String method, String path, String body, int status, String says) {
        }
        for (Case c : List.of(
                new Case("POST", "/api/admin/prefixes", "{not json", 400, "not valid JSON"),
                new Case("POST", "/api/admin/prefixes", "[1]", 400, "JSON object"),
                new Case("POST", "/api/admin/prefixes", "{\"prefix\":\"88.999.20\"}", 400, "\"enterprise\""),
                new Case("POST", "/api/admin/prefixes", "{\"prefix\":\"88.999.20\",\"enterprise\":\"E\"}", 400, "admin"),
                new Case("POST", "/api/admin/prefixes", "{\"prefix\":88,\"enterprise\":\"E\"}", 400, "must be a string"),
                new Case("POST", "/api/admin/prefixes", "{\"prefix\":\"88.999.20\",\"enterprise\":\"E\",\"adminsecret\":\"x\"}", 400, "unknown field"),
                new Case("POST", "/api/admin/prefixes", "{\"prefix\":\"88.998.1\",\"enterprise\":\"E\",\"adminSecret\":\"x\"}", 400, "not derived"),
                new Case("POST", "/api/admin/prefixes", "{\"prefix\":\"88..1\",\"enterprise\":\"E\",\"adminSecret\":\"x\"}", 400, "not a valid prefix"),
                new Case("POST", "/api/admin/prefixes", "{\"prefix\":\"88.999.20\",\"enterprise\":\"E\",\"adminKey\":\"nope\"}", 400, "public key"),
                new Case("PUT", "/api/admin/prefixes/88.999.1/state", "{}", 400, "\"state\""),
                new Case("DELETE", "/api/admin/prefixes", null, 405, "GET"),
                new Case("GET", "/api/admin/prefixes/88.999.1/tokens", null, 405, "POST"),
                new Case("GET", "/api/admin/nothing", null, 404, "no such operator resource"),
                new Case("POST", "/api/admin/prefixes/88.999.1/tokens", "{\"identity\":\"300:0.NA/88.999.1\"}", 400, "\"name\""),
                new Case("DELETE", "/api/admin/prefixes/88.999.1/tokens/none", null, 404, "no token named none"))) {
            Resp r = send(c.method(), c.path(), c.body(), ops());
            assertThat(r.status()).as("%s %s %s: %s", c.method(), c.path(), c.body(), r.json()).isEqualTo(c.status());
            assertThat(r.message()).as("%s %s", c.method(), c.path()).contains(c.says());
        }
        assertThat(send("GET", "/api/admin/prefixes/88.999.20", null, ops()).status()).isEqualTo(404);
    }

    @Test
    void listsPrefixesAndEnterprises() throws Exception {
        for (String p : List.of("88.999.31", "88.999.32")) {
            assertThat(send("POST", "/api/admin/prefixes", newPrefix(p, "Example Assembler").toString(), ops()).status()).isEqualTo(201);
        }
        Resp all = send("GET", "/api/admin/prefixes", null, ops());
        assertThat(prefixes(all)).contains("88.999.1", "88.999.31", "88.999.32").doesNotContain("88.999");
        Resp one = send("GET", "/api/admin/prefixes?enterprise=" + URLEncoder.encode("Example Assembler", StandardCharsets.UTF_8), null, ops());
        assertThat(prefixes(one)).containsExactly("88.999.31", "88.999.32");

        Resp enterprises = send("GET", "/api/admin/enterprises", null, ops());
        assertThat(enterprises.status()).isEqualTo(200);
        JsonObject assembler = null;
        for (JsonElement e : enterprises.json().getAsJsonArray("enterprises")) {
            if (e.getAsJsonObject().get("name").getAsString().equals("Example Assembler")) {
                assembler = e.getAsJsonObject();
            }
        }
        assertThat(assembler).isNotNull();
        assertThat(assembler.getAsJsonArray("prefixes")).hasSize(2);
    }

    @Test
    void issuedTokensWorkUntilRevoked() throws Exception {
        assertThat(send("POST", "/api/admin/prefixes", newPrefix("88.999.40", "Token Co.").toString(), ops()).status()).isEqualTo(201);
        Resp issued = send("POST", "/api/admin/prefixes/88.999.40/tokens", "{\"name\":\"mes\"}", ops());
        assertThat(issued.status()).isEqualTo(201);
        assertThat(issued.json().get("identity").getAsString()).isEqualTo("301:0.NA/88.999.40");
        String token = issued.json().get("token").getAsString();
        assertThat(token).startsWith("idt_88.999.40~");
        assertThat(send("POST", "/api/admin/prefixes/88.999.40/tokens", "{\"name\":\"mes\"}", ops()).status()).isEqualTo(409);
        assertThat(send("POST", "/api/admin/prefixes/88.999.40/tokens", "{\"name\":\"x\",\"identity\":\"301:0.NA/88.999\"}", ops()).status())
                .as("a token acts as an admin of its own prefix").isEqualTo(400);

        String registration = "{\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/t\"}}]}";
        assertThat(send("PUT", "/api/handles/88.999.40/T-1", registration, JsonHttp.bearer(token)).status()).isEqualTo(200);
        assertThat(send("DELETE", "/api/admin/prefixes/88.999.40/tokens/mes", null, ops()).status()).isEqualTo(200);
        Resp revoked = send("PUT", "/api/handles/88.999.40/T-2", registration, JsonHttp.bearer(token));
        assertThat(revoked.status()).isEqualTo(403);
        assertThat(revoked.message()).contains("revoked");
        assertThat(send("DELETE", "/api/admin/prefixes/88.999.40/tokens/mes", null, ops()).status()).isEqualTo(404);

        // An operator may issue another operator token.
        Resp second = send("POST", "/api/admin/prefixes/88.999/tokens", "{\"name\":\"ops-2\"}", JsonHttp.basic("301:0.NA/88.999", OPS_SECRET));
        assertThat(second.status()).isEqualTo(201);
        assertThat(send("GET", "/api/admin/enterprises", null, JsonHttp.bearer(second.json().get("token").getAsString())).status()).isEqualTo(200);
    }
}
