package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.AdminRecord;
import net.handle.hdllib.Common;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.GenericRequest;
import net.handle.hdllib.GetSiteInfoResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.SiteInfo;
import net.handle.hdllib.Util;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CNRI's {@link HandleResolver} resolving from a real node (RocksDB folder, ephemeral ports on
 * 127.0.0.1) over UDP, TCP and HTTP.
 */
class CnriResolutionTest {
    @TempDir
    static Path dataDir;
    static TestNode node;

    static final int BIG_VALUES = 40;

    @BeforeAll
    static void start() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("{\"handle\":\"88.999.1/Plain-0001\",\"values\":["
                + "{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/pcb/0001\"},\"ttl\":3600},"
                + "{\"index\":2,\"type\":\"EMAIL\",\"data\":{\"format\":\"string\",\"value\":\"qa@example.com\"}}]}");
        StringBuilder big = new StringBuilder("{\"handle\":\"88.999.1/BIG\",\"values\":[");
        for (int i = 1; i <= BIG_VALUES; i++) {
            big.append(i > 1 ? "," : "").append("{\"index\":").append(i).append(",\"type\":\"PROCESS_STEP\",\"data\":{\"format\":\"string\",\"value\":\"")
                    .append("step ").append(i).append(' ').append("x".repeat(80)).append("\"}}");
        }
        lines.add(big.append("]}").toString());
        lines.add("{\"handle\":\"88.999.1/FILTER\",\"values\":["
                + "{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/a\"}},"
                + "{\"index\":2,\"type\":\"URL.ALT\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/b\"}},"
                + "{\"index\":3,\"type\":\"URLX\",\"data\":{\"format\":\"string\",\"value\":\"not a subtype\"}},"
                + "{\"index\":7,\"type\":\"EMAIL\",\"data\":{\"format\":\"string\",\"value\":\"x@example.com\"}},"
                + "{\"index\":2000,\"type\":\"LAYER_COUNT\",\"data\":{\"format\":\"string\",\"value\":\"4\"}}]}");
        lines.add("{\"handle\":\"88.999.1/批次-0001\",\"values\":["
                + "{\"index\":1,\"type\":\"DESC\",\"data\":{\"format\":\"string\",\"value\":\"覆铜板批次\"}}]}");
        lines.add("{\"handle\":\"88.999.1/SECRET\",\"values\":["
                + "{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/s\"}},"
                + "{\"index\":2,\"type\":\"UNIT_COST\",\"data\":{\"format\":\"string\",\"value\":\"12.50\"},\"permissions\":\"1100\"}]}");
        lines.add("{\"handle\":\"88.999.1/ALLSECRET\",\"values\":["
                + "{\"index\":2,\"type\":\"UNIT_COST\",\"data\":{\"format\":\"string\",\"value\":\"9.99\"},\"permissions\":\"1100\"}]}");
        lines.add("{\"handle\":\"0.NA/88.999.1\",\"values\":["
                + "{\"index\":100,\"type\":\"HS_ADMIN\",\"data\":{\"format\":\"admin\",\"value\":{\"handle\":\"0.NA/88.999.1\",\"index\":300,\"permissions\":\"111111111111\"}}}]}");
        // This class checks how large answers are split into UDP packets, so it lets UDP answers be far larger than
        // their requests; the default factor (answers too large go over TCP) is UdpAmplificationTest's subject.
        node = TestNode.start(dataDir, lines, "limits: {udp-amplification-factor: 100}\n");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static Stream<Arguments> protocols() {
        return Stream.of(Arguments.of("UDP", Interface.SP_HDL_UDP), Arguments.of("TCP", Interface.SP_HDL_TCP),
                Arguments.of("HTTP", Interface.SP_HDL_HTTP));
    }

    static HandleResolver resolver(int protocol) {
        return CnriClients.resolver(node.site(), "88.999.1", protocol);
    }

    static List<String> strings(HandleValue[] values) {
        return Arrays.stream(values).map(v -> v.getIndex() + ":" + v.getTypeAsString() + "=" + v.getDataAsString()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocols")
    void resolvesPlainRecord(String name, int protocol) throws Exception {
        HandleValue[] values = resolver(protocol).resolveHandle("88.999.1/Plain-0001", null, null);
        assertThat(strings(values)).containsExactly("1:URL=https://example.com/pcb/0001", "2:EMAIL=qa@example.com");
        assertThat(values[0].getTTL()).isEqualTo(3600);
        assertThat(values[1].getTTL()).isEqualTo(86400);
        assertThat(values[0].getTimestamp()).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocols")
    void lookupIsAsciiCaseInsensitiveAndEchoesTheRequestedName(String name, int protocol) throws Exception {
        ResolutionRequest req = new ResolutionRequest(Util.encodeString("88.999.1/pLAIN-0001"), null, null, null);
        AbstractResponse resp = resolver(protocol).processRequest(req);
        assertThat(resp).isInstanceOf(ResolutionResponse.class);
        assertThat(Util.decodeString(((ResolutionResponse) resp).handle)).isEqualTo("88.999.1/pLAIN-0001");
        assertThat(((ResolutionResponse) resp).getHandleValues()).hasSize(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocols")
    void resolvesNonAsciiHandleAndData(String name, int protocol) throws Exception {
        assertThat(strings(resolver(protocol).resolveHandle("88.999.1/批次-0001", null, null))).containsExactly("1:DESC=覆铜板批次");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocols")
    void resolvesRecordLargerThanOneUdpPacket(String name, int protocol) throws Exception {
        ResolutionRequest req = new ResolutionRequest(Util.encodeString("88.999.1/BIG"), null, null, null);
        ResolutionResponse resp = (ResolutionResponse) resolver(protocol).processRequest(req);
        assertThat(resp.getEncodedMessage().length).as("answer needs several UDP packets").isGreaterThan(3 * Common.MAX_UDP_DATA_SIZE);
        HandleValue[] values = resp.getHandleValues();
        assertThat(values).hasSize(BIG_VALUES);
        for (int i = 0; i < BIG_VALUES; i++) {
            assertThat(values[i].getIndex()).isEqualTo(i + 1);
            assertThat(values[i].getDataAsString()).isEqualTo("step " + (i + 1) + " " + "x".repeat(80));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocols")
    void filtersByTypeIndexAndSubtype(String name, int protocol) throws Exception {
        HandleResolver r = resolver(protocol);
        assertThat(strings(r.resolveHandle("88.999.1/FILTER", new String[] {"URL"}, null)))
                .containsExactly("1:URL=https://example.com/a");
        assertThat(strings(r.resolveHandle("88.999.1/FILTER", new String[] {"url."}, null)))
                .as("a type ending in '.' matches the type and its subtypes, not URLX")
                .containsExactly("1:URL=https://example.com/a", "2:URL.ALT=https://example.com/b");
        assertThat(strings(r.resolveHandle("88.999.1/FILTER", null, new int[] {7, 2000})))
                .containsExactly("7:EMAIL=x@example.com", "2000:LAYER_COUNT=4");
        assertThat(strings(r.resolveHandle("88.999.1/FILTER", new String[] {"URL.ALT"}, new int[] {7})))
                .as("index OR type, as CNRI's server")
                .containsExactly("2:URL.ALT=https://example.com/b", "7:EMAIL=x@example.com");
        assertThat(r.resolveHandle("88.999.1/FILTER", new String[] {"NOPE"}, null)).isEmpty();
        AbstractResponse none = r.processRequest(new ResolutionRequest(Util.encodeString("88.999.1/FILTER"),
                new byte[][] {Util.encodeString("NOPE")}, null, null));
        assertThat(none.responseCode).isEqualTo(AbstractMessage.RC_VALUES_NOT_FOUND);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocols")
    void restrictedValuesStayHidden(String name, int protocol) throws Exception {
        HandleResolver r = resolver(protocol);
        assertThat(strings(r.resolveHandle("88.999.1/SECRET", null, null))).containsExactly("1:URL=https://example.com/s");
        assertThat(r.resolveHandle("88.999.1/SECRET", new String[] {"UNIT_COST"}, null)).isEmpty();
        assertThat(r.resolveHandle("88.999.1/ALLSECRET", null, null)).isEmpty();

        // A caller that clears the public-only flag is challenged to authenticate; without credentials the
        // client gives up, and no restricted value was sent.
        ResolutionRequest req = new ResolutionRequest(Util.encodeString("88.999.1/SECRET"), null, null, null);
        req.ignoreRestrictedValues = false;
        assertThatThrownBy(() -> r.processRequest(req))
                .isInstanceOfSatisfying(HandleException.class, e -> assertThat(e.getMessage()).contains("authentication"));
        // A record without restricted values is answered without a challenge.
        ResolutionRequest plain = new ResolutionRequest(Util.encodeString("88.999.1/Plain-0001"), null, null, null);
        plain.ignoreRestrictedValues = false;
        assertThat(r.processRequest(plain).responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocols")
    void notFoundCodes(String name, int protocol) throws Exception {
        HandleResolver r = resolver(protocol);
        assertThatThrownBy(() -> r.resolveHandle("88.999.1/NO-SUCH-LOT", null, null))
                .isInstanceOfSatisfying(HandleException.class, e -> assertThat(e.getCode()).isEqualTo(HandleException.HANDLE_DOES_NOT_EXIST));
        AbstractResponse resp = r.processRequest(new ResolutionRequest(Util.encodeString("88.999.1/NO-SUCH-LOT"), null, null, null));
        assertThat(resp.responseCode).isEqualTo(AbstractMessage.RC_HANDLE_NOT_FOUND);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocols")
    void prefixNotServedHereIsServerNotResponsible(String name, int protocol) throws Exception {
        HandleResolver r = CnriClients.resolver(node.site(), "88.998.1", protocol);
        AbstractResponse resp = r.processRequest(new ResolutionRequest(Util.encodeString("88.998.1/X"), null, null, null));
        assertThat(resp.responseCode).isEqualTo(AbstractMessage.RC_SERVER_NOT_RESP);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocols")
    void certifiedAnswersAreSignedWithTheSiteKey(String name, int protocol) throws Exception {
        HandleResolver r = resolver(protocol);
        ResolutionRequest req = new ResolutionRequest(Util.encodeString("88.999.1/Plain-0001"), null, null, null);
        req.certify = true;
        AbstractResponse resp = r.processRequest(req);
        assertThat(resp.responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(resp.signature).as("signed").isNotNull().isNotEmpty();
        assertThat(resp.verifyMessage(Util.getPublicKeyFromBytes(node.site().servers[0].publicKey, 0))).isTrue();

        ResolutionRequest missing = new ResolutionRequest(Util.encodeString("88.999.1/NO-SUCH-LOT"), null, null, null);
        missing.certify = true;
        AbstractResponse notFound = r.processRequest(missing);
        assertThat(notFound.responseCode).isEqualTo(AbstractMessage.RC_HANDLE_NOT_FOUND);
        assertThat(notFound.verifyMessage(Util.getPublicKeyFromBytes(node.site().servers[0].publicKey, 0))).isTrue();
    }

    @Test
    void unsignedAnswerToACertifiedRequestWouldBeRefusedByTheClient() throws Exception {
        // The client checks signatures against the site's key: with a wrong key in the site info, it must refuse.
        SiteInfo wrongKey = Encoder.decodeSiteInfoRecord(Encoder.encodeSiteInfoRecord(node.site()), 0);
        java.security.KeyPairGenerator gen = java.security.KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        wrongKey.servers[0].publicKey = Util.getBytesFromPublicKey(gen.generateKeyPair().getPublic());
        HandleResolver r = CnriClients.resolver(wrongKey, "88.999.1", Interface.SP_HDL_TCP);
        ResolutionRequest req = new ResolutionRequest(Util.encodeString("88.999.1/Plain-0001"), null, null, null);
        req.certify = true;
        assertThatThrownBy(() -> r.processRequest(req)).isInstanceOf(HandleException.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocols")
    void getSiteInfoAnswersTheNodesOwnSite(String name, int protocol) throws Exception {
        HandleResolver r = resolver(protocol);
        GenericRequest req = new GenericRequest(Common.BLANK_HANDLE, AbstractMessage.OC_GET_SITE_INFO, null);
        req.certify = true;
        AbstractResponse resp = r.sendRequestToSite(req, node.site());
        assertThat(resp).isInstanceOf(GetSiteInfoResponse.class);
        SiteInfo got = ((GetSiteInfoResponse) resp).siteInfo;
        assertThat(Encoder.encodeSiteInfoRecord(got)).isEqualTo(Encoder.encodeSiteInfoRecord(node.site()));
        assertThat(got.servers[0].publicKey).isEqualTo(Util.getBytesFromPublicKey(Util.getPublicKeyFromFile(dataDir.resolve("keys/pubkey.bin").toString())));
        assertThat(Arrays.stream(got.servers[0].interfaces).mapToInt(i -> i.port).distinct().toArray())
                .containsExactlyInAnyOrder(node.handlePort(), node.httpPort());
    }

    @Test
    void prefixHandlesCarrySiteAndAdmin() throws Exception {
        HandleResolver r = resolver(Interface.SP_HDL_TCP);
        HandleValue[] configured = r.resolveHandle("0.NA/88.999", null, null);
        assertThat(types(configured)).containsExactly("HS_SITE", "HS_ADMIN");
        SiteInfo published = Encoder.decodeSiteInfoRecord(configured[0].getData(), 0);
        assertThat(Encoder.encodeSiteInfoRecord(published)).isEqualTo(Encoder.encodeSiteInfoRecord(node.site()));
        AdminRecord admin = Encoder.decodeAdminRecord(configured[1].getData(), 0);
        assertThat(Util.decodeString(admin.adminId)).isEqualTo("0.NA/88.999");
        assertThat(admin.adminIdIndex).isEqualTo(300);
        assertThat(admin.perms).containsOnly(true);

        HandleValue[] stored = r.resolveHandle("0.NA/88.999.1", null, null);
        assertThat(types(stored)).as("a stored, hosted prefix handle gets this node's site").containsExactly("HS_SITE", "HS_ADMIN");
        assertThat(stored[1].getIndex()).isEqualTo(100);

        assertThatThrownBy(() -> r.resolveHandle("0.NA/88.999.77", null, null))
                .isInstanceOfSatisfying(HandleException.class, e -> assertThat(e.getCode()).isEqualTo(HandleException.HANDLE_DOES_NOT_EXIST));
        AbstractResponse foreign = r.processRequest(new ResolutionRequest(Util.encodeString("0.NA/88.998"), null, null, null));
        assertThat(foreign.responseCode).isEqualTo(AbstractMessage.RC_SERVER_NOT_RESP);
    }

    @Test
    void clientThatKnowsOnlyTheNodeAsRootFollowsThePrefixHandle() throws Exception {
        HandleResolver r = CnriClients.rootOnlyResolver(node.site());
        assertThat(strings(r.resolveHandle("88.999.1/Plain-0001", new String[] {"URL"}, null)))
                .containsExactly("1:URL=https://example.com/pcb/0001");
    }

    @Test
    void rawUdpAnswerIsChunkedIntoPacketsOf492Bytes() throws Exception {
        ResolutionRequest req = new ResolutionRequest(Util.encodeString("88.999.1/BIG"), null, null, null);
        req.majorProtocolVersion = 2;
        req.minorProtocolVersion = 11;
        req.requestId = 4711;
        byte[] msg = req.getEncodedMessage();
        byte[] datagram = new byte[Common.MESSAGE_ENVELOPE_SIZE + msg.length];
        net.handle.hdllib.MessageEnvelope env = new net.handle.hdllib.MessageEnvelope();
        env.protocolMajorVersion = 2;
        env.protocolMinorVersion = 11;
        env.requestId = 4711;
        env.messageLength = msg.length;
        Encoder.encodeEnvelope(env, datagram);
        System.arraycopy(msg, 0, datagram, Common.MESSAGE_ENVELOPE_SIZE, msg.length);
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(5000);
            socket.send(new java.net.DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), node.handlePort()));
            byte[] buf = new byte[2048];
            java.net.DatagramPacket first = new java.net.DatagramPacket(buf, buf.length);
            socket.receive(first);
            net.handle.hdllib.MessageEnvelope got = new net.handle.hdllib.MessageEnvelope();
            Encoder.decodeEnvelope(Arrays.copyOf(first.getData(), Common.MESSAGE_ENVELOPE_SIZE), got);
            assertThat(got.requestId).isEqualTo(4711);
            assertThat(got.messageLength).isGreaterThan(Common.MAX_UDP_DATA_SIZE);
            int packets = (got.messageLength + Common.MAX_UDP_DATA_SIZE - 1) / Common.MAX_UDP_DATA_SIZE;
            byte[] whole = new byte[got.messageLength];
            boolean[] seen = new boolean[packets];
            java.net.DatagramPacket p = first;
            for (int n = 0; n < packets; n++) {
                if (n > 0) {
                    p = new java.net.DatagramPacket(new byte[2048], 2048);
                    socket.receive(p);
                }
                net.handle.hdllib.MessageEnvelope e = new net.handle.hdllib.MessageEnvelope();
                Encoder.decodeEnvelope(Arrays.copyOf(p.getData(), Common.MESSAGE_ENVELOPE_SIZE), e);
                assertThat(e.messageLength).isEqualTo(got.messageLength);
                assertThat(p.getLength()).isLessThanOrEqualTo(Common.MAX_UDP_PACKET_SIZE);
                seen[e.messageId] = true;
                System.arraycopy(p.getData(), Common.MESSAGE_ENVELOPE_SIZE, whole, e.messageId * Common.MAX_UDP_DATA_SIZE,
                        p.getLength() - Common.MESSAGE_ENVELOPE_SIZE);
            }
            assertThat(seen).containsOnly(true);
            ResolutionResponse resp = (ResolutionResponse) Encoder.decodeMessage(whole, 0, got);
            assertThat(resp.getHandleValues()).hasSize(BIG_VALUES);
        }
    }

    @Test
    void restJsonEqualsWhatCnriGsonUtilityWritesForTheSameValues() throws Exception {
        for (String handle : List.of("88.999.1/批次-0001", "88.999.1/Plain-0001", "88.999.1/FILTER", "88.999.1/SECRET", "88.999.1/BIG")) {
            HandleValue[] values = resolver(Interface.SP_HDL_TCP).resolveHandle(handle, null, null);
            ResolutionRequest req = new ResolutionRequest(Util.encodeString(handle), null, null, null);
            ResolutionResponse expected = new ResolutionResponse(req, Util.encodeString(handle), values);
            String expectedJson = net.handle.hdllib.GsonUtility.serializeResponseToRequest(req, expected).toString();
            HttpResult got = httpGet("/api/handles/" + java.net.URLEncoder.encode(handle, StandardCharsets.UTF_8).replace("%2F", "/"));
            assertThat(got.status).isEqualTo(200);
            assertThat(com.google.gson.JsonParser.parseString(got.body)).isEqualTo(com.google.gson.JsonParser.parseString(expectedJson));
        }
    }

    @Test
    void restStatusesAndFilters() throws Exception {
        HttpResult notFound = httpGet("/api/handles/88.999.1/NO-SUCH");
        assertThat(notFound.status).isEqualTo(404);
        assertThat(json(notFound).get("responseCode").getAsInt()).isEqualTo(100);
        assertThat(json(notFound).get("handle").getAsString()).isEqualTo("88.999.1/NO-SUCH");

        HttpResult filtered = httpGet("/api/handles/88.999.1/FILTER?type=URL.&index=7");
        assertThat(filtered.status).isEqualTo(200);
        assertThat(json(filtered).getAsJsonArray("values").asList().stream().map(v -> v.getAsJsonObject().get("index").getAsInt()))
                .containsExactly(1, 2, 7);

        HttpResult noValues = httpGet("/api/handles/88.999.1/ALLSECRET");
        assertThat(noValues.status).isEqualTo(200);
        assertThat(json(noValues).get("responseCode").getAsInt()).isEqualTo(200);
        assertThat(noValues.body).doesNotContain("9.99");

        HttpResult foreign = httpGet("/api/handles/88.998.1/X");
        assertThat(foreign.status).isEqualTo(400);
        assertThat(json(foreign).get("responseCode").getAsInt()).isEqualTo(301);

        HttpResult badIndex = httpGet("/api/handles/88.999.1/FILTER?index=abc");
        assertThat(badIndex.status).isEqualTo(400);

        HttpResult site = httpGet("/api/site");
        assertThat(site.status).isEqualTo(200);
        assertThat(json(site).getAsJsonObject("site").getAsJsonArray("servers").get(0).getAsJsonObject().get("address").getAsString())
                .isEqualTo("127.0.0.1");

        HttpResult encoded = httpGet("/api/handles/88.999.1%2FPlain-0001");
        assertThat(encoded.status).isEqualTo(200);
    }

    private static List<String> types(HandleValue[] values) {
        return Arrays.stream(values).map(HandleValue::getTypeAsString).toList();
    }

    record HttpResult(int status, String body) {
    }

    static com.google.gson.JsonObject json(HttpResult r) {
        return com.google.gson.JsonParser.parseString(r.body).getAsJsonObject();
    }

    static HttpResult httpGet(String path) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> resp = client.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + node.httpPort() + path))
                        .timeout(java.time.Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new HttpResult(resp.statusCode(), resp.body());
    }
}
