package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AuthenticationInfo;
import net.handle.hdllib.ChallengeResponse;
import net.handle.hdllib.Common;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.GenericRequest;
import net.handle.hdllib.PublicKeyAuthenticationInfo;
import net.handle.hdllib.SecretKeyAuthenticationInfo;
import net.handle.hdllib.Util;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.admin.PrefixRecords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API's {@code Handle} authentication scheme and {@code /api/sessions}, as CNRI's server serves them,
 * against a real node (RocksDB, 127.0.0.1). Answers are signed by CNRI's own {@link PublicKeyAuthenticationInfo}
 * and {@link SecretKeyAuthenticationInfo} (the classes its client signs Handle challenges with), with the client
 * nonce in the place of the request digest, and sent as {@code Authorization: Handle ...}.
 */
class HandleAuthSchemeTest {
    static final String SECRET1 = "s3cr3t-fab";
    static final String SECRET2 = "s3cr3t-other";

    @TempDir
    static Path dataDir;
    static TestNode node;
    static KeyPair fab;
    static KeyPair other;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        fab = gen.generateKeyPair();
        other = gen.generateKeyPair();
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(dataDir, 16)) {
            store.putAll(List.of(PrefixRecords.hostedPrefix("88.999.1", "Example PCB Fab", fab.getPublic(), SECRET1),
                    PrefixRecords.hostedPrefix("88.999.2", "Someone Else", other.getPublic(), SECRET2)));
        }
        node = TestNode.start(dataDir, List.of());
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    // ---------------------------------------------------------------------------------------------

    @Test
    void aSessionAuthenticatedWithAnRsaKeyWritesListsReadsAndEnds() throws Exception {
        Resp opened = send("POST", "/api/sessions", null, null);
        assertThat(opened.status).isEqualTo(201);
        assertThat(opened.response.headers().firstValue("Location")).hasValue("/api/sessions/this");
        String session = opened.json.get("sessionId").getAsString();
        byte[] nonce = Base64.getDecoder().decode(opened.json.get("nonce").getAsString());
        assertThat(nonce).hasSize(16);
        assertThat(opened.json.get("authenticated").getAsBoolean()).isFalse();

        // Naming the session alone proves nothing yet.
        Resp early = send("PUT", "/api/handles/88.999.1/SESSION-1", urlValue("https://example.com/s1"), sessionOnly(session));
        assertThat(early.status).isEqualTo(401);

        Resp auth = send("PUT", "/api/sessions/this", null, handleHeader(session, nonce, pubkey("88.999.1", fab)));
        assertThat(auth.status).as(auth.toString()).isEqualTo(200);
        assertThat(auth.json.get("authenticated").getAsBoolean()).isTrue();
        assertThat(auth.json.get("id").getAsString()).isEqualTo("300:0.NA/88.999.1");
        assertThat(auth.json.get("sessionId").getAsString()).isEqualTo(session);

        Resp state = send("GET", "/api/sessions/this", null, sessionOnly(session));
        assertThat(state.status).isEqualTo(200);
        assertThat(state.json.get("authenticated").getAsBoolean()).isTrue();
        assertThat(state.json.get("id").getAsString()).isEqualTo("300:0.NA/88.999.1");

        String body = "{\"values\":[" + url(1, "https://example.com/s1") + ","
                + "{\"index\":2021,\"type\":\"PROCESS_YIELD\",\"data\":{\"format\":\"string\",\"value\":\"97.1\"},\"permissions\":\"1100\"}]}";
        assertThat(send("PUT", "/api/handles/88.999.1/SESSION-1?overwrite=false", body, sessionOnly(session)).status).isEqualTo(201);
        assertThat(send("GET", "/api/handles/88.999.1/SESSION-1", null, sessionOnly(session)).body()).contains("97.1");
        assertThat(send("GET", "/api/handles/88.999.1/SESSION-1", null, null).body()).contains("example.com/s1").doesNotContain("97.1");
        Resp list = send("GET", "/api/handles?prefix=88.999.1", null, sessionOnly(session));
        assertThat(list.status).isEqualTo(200);
        assertThat(list.body()).contains("88.999.1/SESSION-1");
        assertThat(send("DELETE", "/api/handles/88.999.1/SESSION-1?index=2021", null, sessionOnly(session)).status).isEqualTo(200);

        // The session is authorised like any identity: not under another enterprise's prefix.
        Resp foreign = send("PUT", "/api/handles/88.999.2/SESSION-1", urlValue("https://example.com/x"), sessionOnly(session));
        assertThat(foreign.status).isEqualTo(403);
        assertThat(foreign.rc()).isEqualTo(AbstractMessage.RC_INVALID_ADMIN);

        HttpResponse<String> ended = raw("DELETE", "/api/sessions/this", null, sessionOnly(session));
        assertThat(ended.statusCode()).isEqualTo(204);
        Resp after = send("PUT", "/api/handles/88.999.1/SESSION-2", urlValue("https://example.com/s2"), sessionOnly(session));
        assertThat(after.status).isEqualTo(401);
        assertThat(after.message()).contains(session).contains("unknown or has expired");
        Challenge offered = handleChallenge(after.response);
        assertThat(offered.sessionId).isNotEqualTo(session);
        assertThat(send("GET", "/api/sessions/this", null, sessionOnly(session)).status).isEqualTo(403);
        assertThat(raw("DELETE", "/api/sessions/this", null, sessionOnly(session)).statusCode()).isEqualTo(403);
        assertThat(send("GET", "/api/handles/88.999.1/SESSION-2", null, null).status).isEqualTo(404);
    }

    @Test
    void aForgedOrReplayedSignatureIs401WithAMessageAndAuthenticatesNothing() throws Exception {
        Resp opened = send("POST", "/api/sessions", null, null);
        String session = opened.json.get("sessionId").getAsString();
        byte[] nonce = Base64.getDecoder().decode(opened.json.get("nonce").getAsString());

        // Signed with another enterprise's key while claiming 300:0.NA/88.999.1.
        AuthenticationInfo forger = new PublicKeyAuthenticationInfo(Util.encodeString("0.NA/88.999.1"), 300, other.getPrivate());
        Resp forged = send("PUT", "/api/sessions/this", null, handleHeader(session, nonce, forger));
        assertThat(forged.status).isEqualTo(401);
        assertThat(forged.json.get("authenticated").getAsBoolean()).isFalse();
        assertThat(forged.json.get("error").getAsString()).contains("does not verify").contains("300:0.NA/88.999.1");
        assertThat(handleChallenge(forged.response).sessionId).as("retry in the same session").isEqualTo(session);

        // A correct signature of another session's nonce does not open this one.
        Resp second = send("POST", "/api/sessions", null, null);
        byte[] otherNonce = Base64.getDecoder().decode(second.json.get("nonce").getAsString());
        Resp replayed = send("PUT", "/api/sessions/this", null, handleHeader(session, otherNonce, pubkey("88.999.1", fab)));
        assertThat(replayed.status).isEqualTo(401);

        // A wrong secret, a garbled signature, a bad version, missing fields, an unknown type or alg: all 401 with a reason.
        AuthenticationInfo wrongSecret = new SecretKeyAuthenticationInfo(Util.encodeString("0.NA/88.999.1"), 301, "guess".getBytes(StandardCharsets.UTF_8));
        String good = handleHeader(session, nonce, pubkey("88.999.1", fab));
        for (String header : List.of(handleHeader(session, nonce, wrongSecret),
                good.replaceFirst("signature=\"[^\"]*\"", "signature=\"AAAA\""),
                good.replaceFirst("signature=\"[^\"]*\"", "signature=\"!!not base64!!\""),
                good.replace("version=\"0\"", "version=\"7\""),
                good.replaceFirst(", cnonce=\"[^\"]*\"", ""),
                good.replace("type=\"HS_PUBKEY\"", "type=\"HS_FOO\""),
                good.replaceFirst("alg=\"[^\"]*\"", "alg=\"MD2\""),
                "Handle sessionId=\"" + session + "\", id=\"300:0.NA/88.999.1\" type=\"HS_PUBKEY\"",
                "Handle sessionId=\"" + session + "\", id=\"unterminated")) {
            Resp r = send("PUT", "/api/sessions/this", null, header);
            assertThat(r.status).as(header).isEqualTo(401);
            assertThat(r.json.get("error").getAsString()).as(header).isNotBlank();
            assertThat(r.json.get("authenticated").getAsBoolean()).isFalse();
        }
        Resp write = send("PUT", "/api/handles/88.999.1/FORGED", urlValue("https://example.com/f"), sessionOnly(session));
        assertThat(write.status).isEqualTo(401);
        assertThat(write.rc()).isEqualTo(AbstractMessage.RC_AUTHENTICATION_NEEDED);
        assertThat(send("GET", "/api/handles/88.999.1/FORGED", null, null).status).isEqualTo(404);

        // The session still works for the real key holder.
        assertThat(send("PUT", "/api/sessions/this", null, good).status).isEqualTo(200);
        assertThat(send("GET", "/api/sessions/this", null, sessionOnly(session)).json.get("authenticated").getAsBoolean()).isTrue();
    }

    @Test
    void secretKeysAuthenticateWithPbkdf2AndHmacAnswers() throws Exception {
        SecretKeyAuthenticationInfo secret = new SecretKeyAuthenticationInfo(Util.encodeString("0.NA/88.999.1"), 301,
                SECRET1.getBytes(StandardCharsets.UTF_8));
        // PBKDF2-HMAC-SHA1 as CNRI's client answers at protocol 2.7+, the parameters in their own fields...
        Resp s1 = send("POST", "/api/sessions", null, null);
        Resp a1 = send("PUT", "/api/sessions/this", null, handleHeader(s1.json.get("sessionId").getAsString(),
                Base64.getDecoder().decode(s1.json.get("nonce").getAsString()), secret));
        assertThat(a1.status).as(a1.toString()).isEqualTo(200);
        assertThat(a1.json.get("id").getAsString()).isEqualTo("301:0.NA/88.999.1");

        // ... or HMAC-SHA256 over nonce || cnonce, computed by CNRI's Util.doMac.
        Resp s2 = send("POST", "/api/sessions", null, null);
        String session = s2.json.get("sessionId").getAsString();
        byte[] nonce = Base64.getDecoder().decode(s2.json.get("nonce").getAsString());
        byte[] cnonce = new byte[16];
        new SecureRandom().nextBytes(cnonce);
        byte[] mac = Util.doMac(Common.HASH_CODE_HMAC_SHA256, Util.concat(nonce, cnonce), SECRET1.getBytes(StandardCharsets.UTF_8));
        String header = "Handle version=\"0\", sessionId=\"" + session + "\", id=\"301%3A0.NA%2F88.999.1\", type=\"HS_SECKEY\", cnonce=\""
                + b64(cnonce) + "\", alg=\"HMAC-SHA256\", signature=\"" + b64(mac) + "\"";
        Resp a2 = send("PUT", "/api/sessions/this", null, header);
        assertThat(a2.status).as(a2.toString()).isEqualTo(200);
        assertThat(a2.json.get("id").getAsString()).isEqualTo("301:0.NA/88.999.1");
        assertThat(send("PUT", "/api/handles/88.999.1/SECKEY-SESSION", urlValue("https://example.com/k"), sessionOnly(session)).status).isEqualTo(200);
    }

    @Test
    void withoutASessionA401OffersOneAndTheSignedRetryRunsTheRequest() throws Exception {
        String path = "/api/handles/88.999.1/SINGLE-REQUEST";
        Resp first = send("PUT", path, urlValue("https://example.com/single"), null);
        assertThat(first.status).isEqualTo(401);
        assertThat(first.response.headers().allValues("WWW-Authenticate")).anySatisfy(v -> assertThat(v).startsWith("Basic"));
        Challenge c = handleChallenge(first.response);

        // One request carries the proof and the write; no POST /api/sessions.
        Resp retry = send("PUT", path, urlValue("https://example.com/single"), handleHeader(c.sessionId, c.nonce, pubkey("88.999.1", fab)));
        assertThat(retry.status).as(retry.toString()).isEqualTo(200);
        assertThat(send("GET", "/api/handles/88.999.1/SINGLE-REQUEST", null, null).body()).contains("example.com/single");

        // A proof without a session to sign in is answered with one.
        Resp noSession = send("PUT", path, urlValue("https://example.com/x"),
                handleHeader(c.sessionId, c.nonce, pubkey("88.999.1", fab)).replaceFirst("sessionId=\"[^\"]*\", ", ""));
        assertThat(noSession.status).isEqualTo(401);
        assertThat(noSession.message()).contains("sessionId");
        assertThat(handleChallenge(noSession.response).sessionId).isNotBlank();

        // POST /api/sessions with Basic: the session is authenticated at once. POST naming a session is a client error.
        Resp basic = send("POST", "/api/sessions", null, "Basic " + b64(("301%3A0.NA%2F88.999.1:" + SECRET1).getBytes(StandardCharsets.UTF_8)));
        assertThat(basic.status).isEqualTo(201);
        assertThat(basic.json.get("authenticated").getAsBoolean()).isTrue();
        Resp badBasic = send("POST", "/api/sessions", null, "Basic " + b64(("301%3A0.NA%2F88.999.1:nope").getBytes(StandardCharsets.UTF_8)));
        assertThat(badBasic.status).isEqualTo(403);
        assertThat(send("POST", "/api/sessions", null, sessionOnly(c.sessionId)).status).isEqualTo(400);
        assertThat(send("GET", "/api/sessions", null, null).status).isEqualTo(405);
        assertThat(send("GET", "/api/sessions/other", null, null).status).isEqualTo(404);
    }

    // ---------------------------------------------------------------------------------------------

    static AuthenticationInfo pubkey(String prefix, KeyPair key) {
        return new PublicKeyAuthenticationInfo(Util.encodeString("0.NA/" + prefix), 300, key.getPrivate());
    }

    /**
     * {@code Authorization: Handle ...} signing {@code nonce || cnonce} with CNRI's own authentication code: the
     * client nonce is the digest of a request, so CNRI's {@code authenticate(challenge, request)} signs it as it
     * signs a Handle challenge; its answer is then split into the header's fields.
     */
    static String handleHeader(String sessionId, byte[] nonce, AuthenticationInfo who) throws Exception {
        GenericRequest req = new GenericRequest(Util.encodeString("0.NA/88.999.1"), AbstractMessage.OC_GET_SITE_INFO, null);
        req.majorProtocolVersion = Common.MAJOR_VERSION;
        req.minorProtocolVersion = Common.MINOR_VERSION;
        ChallengeResponse challenge = new ChallengeResponse(AbstractMessage.OC_GET_SITE_INFO, nonce);
        challenge.majorProtocolVersion = Common.MAJOR_VERSION;
        challenge.minorProtocolVersion = Common.MINOR_VERSION;
        challenge.suggestMajorProtocolVersion = Common.MAJOR_VERSION;
        challenge.suggestMinorProtocolVersion = Common.MINOR_VERSION;
        challenge.rdHashType = Common.HASH_CODE_SHA256;
        challenge.requestDigest = Util.doDigest(Common.HASH_CODE_SHA256, req.getEncodedMessageBody());
        byte[] cnonce = challenge.requestDigest;
        byte[] answer = who.authenticate(challenge, req);
        String type = Util.decodeString(who.getAuthType());
        StringBuilder h = new StringBuilder("Handle version=\"0\", sessionId=\"").append(sessionId)
                .append("\", id=\"").append(who.getUserIdIndex()).append(':').append(Util.decodeString(who.getUserIdHandle()))
                .append("\", type=\"").append(type).append("\", cnonce=\"").append(b64(cnonce)).append('"');
        if (type.equals("HS_PUBKEY")) {
            byte[] alg = Encoder.readByteArray(answer, 0);
            byte[] sig = Encoder.readByteArray(answer, Encoder.INT_SIZE + alg.length);
            h.append(", alg=\"").append(Util.decodeString(alg)).append("\", signature=\"").append(b64(sig)).append('"');
        } else {
            assertThat(answer[0]).as("CNRI answers PBKDF2 at protocol 2.11").isEqualTo(Common.HASH_CODE_PBKDF2_HMAC_SHA1);
            byte[] salt = Encoder.readByteArray(answer, 1);
            int p = 1 + Encoder.INT_SIZE + salt.length;
            int iterations = Encoder.readInt(answer, p);
            int length = Encoder.readInt(answer, p + Encoder.INT_SIZE);
            byte[] hmac = Encoder.readByteArray(answer, p + 2 * Encoder.INT_SIZE);
            h.append(", alg=\"PBKDF2-HMAC-SHA1\", salt=\"").append(b64(salt)).append("\", iterations=\"").append(iterations)
                    .append("\", length=\"").append(length).append("\", signature=\"").append(b64(hmac)).append('"');
        }
        return h.toString();
    }

    static String sessionOnly(String sessionId) {
        return "Handle version=\"0\", sessionId=\"" + sessionId + "\"";
    }

    record Challenge(String sessionId, byte[] nonce) {
    }

    private static final Pattern CHALLENGE = Pattern.compile("^Handle sessionId=\"([^\"]+)\", nonce=\"([^\"]+)\"");

    /** The session a 401 offers in {@code WWW-Authenticate: Handle sessionId="...", nonce="..."}. */
    static Challenge handleChallenge(HttpResponse<String> resp) {
        for (String v : resp.headers().allValues("WWW-Authenticate")) {
            Matcher m = CHALLENGE.matcher(v);
            if (m.find()) {
                return new Challenge(m.group(1), Base64.getDecoder().decode(m.group(2)));
            }
        }
        throw new AssertionError("no WWW-Authenticate: Handle in " + resp.headers().map());
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static String url(int index, String url) {
        return "{\"index\":" + index + ",\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"" + url + "\"}}";
    }

    static String urlValue(String url) {
        return "{\"values\":[" + url(1, url) + "]}";
    }

    record Resp(int status, JsonObject json, HttpResponse<String> response) {
        int rc() {
            return json.get("responseCode").getAsInt();
        }

        String message() {
            JsonElement m = json.get("message");
            return m == null ? "" : m.getAsString();
        }

        String body() {
            return response.body();
        }

        @Override
        public String toString() {
            return status + " " + response.body();
        }
    }

    static HttpResponse<String> raw(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static Resp send(String method, String path, String body, String authorization) throws Exception {
        HttpResponse<String> resp = raw(method, path, body, authorization);
        JsonElement parsed = JsonParser.parseString(resp.body());
        assertThat(parsed.isJsonObject()).as("a JSON object answer to %s %s: %s", method, path, resp.body()).isTrue();
        return new Resp(resp.statusCode(), parsed.getAsJsonObject(), resp);
    }
}
