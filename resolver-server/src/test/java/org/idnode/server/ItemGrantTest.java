package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.AuthenticationInfo;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.Interface;
import net.handle.hdllib.PublicKeyAuthenticationInfo;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.SecretKeyAuthenticationInfo;
import net.handle.hdllib.Util;
import net.handle.hdllib.ValueReference;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.admin.PrefixRecords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Read grants per template item: the fab (88.999.2) grants its customer the assembler (any key of 0.NA/88.999.4) the
 * {@code PROCESS_YIELD} item of {@code 88.999/TPL.PCB_LOT}, and its partner group the {@code UNIT_COST} item, with
 * {@code ID_ITEM_GRANT} values it writes on its prefix handle through the REST API. Over the Handle protocol (CNRI's
 * {@link HandleResolver}, after challenge/response) and over REST (Basic), each grantee then reads that item of
 * every lot bound to the template, and nothing else restricted; the owner reads everything; others nothing.
 */
class ItemGrantTest {
    static final String FAB_SECRET = "fab-s3cr3t";
    static final String ASSEMBLER_SECRET = "asm-s3cr3t";
    static final String PARTNER_SECRET = "partner-s3cr3t";
    static final String STRANGER_SECRET = "other-s3cr3t";
    static final String LOT1 = "88.999.2/PCB.LOT-1";
    static final String LOT2 = "88.999.2/PCB.LOT-2";
    static final String PANEL = "88.999.2/PNL-1";
    static final String UNBOUND = "88.999.2/NOTEMPLATE-1";

    @TempDir
    static Path dataDir;
    static TestNode node;
    static KeyPair fab;
    static KeyPair assembler;
    static KeyPair stranger;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        fab = gen.generateKeyPair();
        assembler = gen.generateKeyPair();
        stranger = gen.generateKeyPair();
        int now = (int) (System.currentTimeMillis() / 1000);
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(dataDir, 16)) {
            store.putAll(List.of(PrefixRecords.hostedPrefix("88.999.2", "Example PCB Fab", fab.getPublic(), FAB_SECRET),
                    PrefixRecords.hostedPrefix("88.999.4", "Example Assembler", assembler.getPublic(), ASSEMBLER_SECRET),
                    PrefixRecords.hostedPrefix("88.999.5", "Someone Else", stranger.getPublic(), STRANGER_SECRET),
                    PrefixRecords.hostedPrefix("88.999.6", "Example Partner", null, PARTNER_SECRET),
                    // The fab's partner group: 301:0.NA/88.999.6.
                    new HandleRecord(HandleName.parse("88.999.2/PARTNERS"), List.of(new HandleValue(1, "HS_VLIST",
                            Encoder.encodeValueReferenceList(new ValueReference[] {new ValueReference(Util.encodeString("0.NA/88.999.6"), 301)}),
                            HandleValue.TtlType.RELATIVE, 86400, now, List.of(), Permissions.PUBLIC_READ))),
                    lot(LOT1, "88.999/TPL.PCB_LOT", "98.7", "12.80", now),
                    lot(LOT2, "88.999/tpl.pcb_lot", "91.0", "13.10", now),
                    lot(PANEL, "88.999/TPL.PCB_PANEL", "77.7", "1.00", now),
                    lot(UNBOUND, null, "55.5", "9.99", now)));
        }
        node = TestNode.start(dataDir, List.of());
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

        // The fab grants the items through the REST API, as ordinary values of its prefix handle.
        String grants = "{\"values\":[" + grant(500, "88.999/TPL.PCB_LOT", "PROCESS_YIELD", "0:0.NA/88.999.4") + ","
                + grant(501, "88.999/TPL.PCB_LOT", "UNIT_COST", "1:88.999.2/PARTNERS") + ","
                + "{\"index\":502,\"type\":\"ID_ITEM_GRANT\",\"data\":{\"format\":\"string\",\"value\":\"not a grant\"},\"permissions\":\"1100\"}]}";
        HttpResponse<String> put = rest("PUT", "/api/handles/0.NA/88.999.2?index=various", grants, basic("88.999.2", FAB_SECRET));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    /** A lot bound to {@code template} (or to none) with two restricted items, PROCESS_YIELD and UNIT_COST. */
    static HandleRecord lot(String handle, String template, String yield, String cost, int now) {
        List<HandleValue> values = new ArrayList<>(List.of(HandleValue.ofString(1, "URL", "https://example.com/" + handle, now),
                new HandleValue(2021, "PROCESS_YIELD", yield.getBytes(StandardCharsets.UTF_8), HandleValue.TtlType.RELATIVE, 86400, now, List.of(), Permissions.RESTRICTED),
                new HandleValue(2022, "UNIT_COST", cost.getBytes(StandardCharsets.UTF_8), HandleValue.TtlType.RELATIVE, 86400, now, List.of(), Permissions.RESTRICTED),
                new HandleValue(300, "INTERNAL_NOTE", "restricted, not an item".getBytes(StandardCharsets.UTF_8), HandleValue.TtlType.RELATIVE, 86400, now, List.of(), Permissions.RESTRICTED)));
        if (template != null) {
            values.add(HandleValue.ofString(1000, "TEMPLATE_ID", template, now));
            values.add(HandleValue.ofString(1001, "TEMPLATE", "1.0", now));
        }
        return new HandleRecord(HandleName.parse(handle), values);
    }

    static String grant(int index, String template, String item, String grantee) {
        JsonObject data = new JsonObject();
        data.addProperty("template", template);
        data.addProperty("item", item);
        data.addProperty("grantee", grantee);
        JsonObject v = new JsonObject();
        v.addProperty("index", index);
        v.addProperty("type", "ID_ITEM_GRANT");
        JsonObject d = new JsonObject();
        d.addProperty("format", "string");
        d.addProperty("value", data.toString());
        v.add("data", d);
        v.addProperty("permissions", "1100");
        return v.toString();
    }

    // --------------------------------------------------------------------------------------------- Handle protocol

    static List<String> handleRead(String handle, AuthenticationInfo who, boolean sessions) throws Exception {
        HandleResolver r = CnriClients.resolver(node.site(), "88.999.2", Interface.SP_HDL_TCP);
        if (!sessions) {
            r.setSessionTracker(null);
        }
        ResolutionRequest req = new ResolutionRequest(Util.encodeString(handle), null, null, who);
        req.ignoreRestrictedValues = false;
        AbstractResponse resp = r.processRequest(req);
        assertThat(resp.responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
        return Arrays.stream(((ResolutionResponse) resp).getHandleValues()).map(v -> v.getTypeAsString() + "=" + v.getDataAsString()).toList();
    }

    static AuthenticationInfo key(String prefix, KeyPair k) {
        return new PublicKeyAuthenticationInfo(Util.encodeString("0.NA/" + prefix), 300, k.getPrivate());
    }

    static AuthenticationInfo secret(String prefix, String s) {
        return new SecretKeyAuthenticationInfo(Util.encodeString("0.NA/" + prefix), 301, s.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "sessions={0}")
    @ValueSource(booleans = {true, false})
    void overTheHandleProtocolEachGranteeReadsItsItemOfEveryBoundLotOnly(boolean sessions) throws Exception {
        for (String lot : List.of(LOT1, LOT2)) {
            assertThat(handleRead(lot, key("88.999.4", assembler), sessions)).as(lot)
                    .anyMatch(v -> v.startsWith("PROCESS_YIELD=")).noneMatch(v -> v.startsWith("UNIT_COST="))
                    .noneMatch(v -> v.startsWith("INTERNAL_NOTE=")).contains("URL=https://example.com/" + lot);
            assertThat(handleRead(lot, secret("88.999.6", PARTNER_SECRET), sessions)).as("the group member, " + lot)
                    .anyMatch(v -> v.startsWith("UNIT_COST=")).noneMatch(v -> v.startsWith("PROCESS_YIELD="))
                    .noneMatch(v -> v.startsWith("INTERNAL_NOTE="));
            assertThat(handleRead(lot, key("88.999.5", stranger), sessions)).as("a stranger, " + lot)
                    .noneMatch(v -> v.startsWith("PROCESS_YIELD=") || v.startsWith("UNIT_COST=") || v.startsWith("INTERNAL_NOTE="));
            assertThat(handleRead(lot, key("88.999.2", fab), sessions)).as("the owner, " + lot)
                    .anyMatch(v -> v.startsWith("PROCESS_YIELD=")).anyMatch(v -> v.startsWith("UNIT_COST="))
                    .anyMatch(v -> v.startsWith("INTERNAL_NOTE="));
        }
        assertThat(handleRead(LOT1, key("88.999.4", assembler), sessions)).contains("PROCESS_YIELD=98.7");
        // Not for lots of another template, nor for records bound to none.
        for (String other : List.of(PANEL, UNBOUND)) {
            assertThat(handleRead(other, key("88.999.4", assembler), sessions)).as(other).noneMatch(v -> v.startsWith("PROCESS_YIELD="));
            assertThat(handleRead(other, secret("88.999.6", PARTNER_SECRET), sessions)).as(other).noneMatch(v -> v.startsWith("UNIT_COST="));
        }
    }

    // --------------------------------------------------------------------------------------------- REST

    static HttpResponse<String> rest(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static String basic(String prefix, String secret) {
        String user = URLEncoder.encode("301:0.NA/" + prefix, StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    /** The value types a REST read returns. */
    static List<String> restTypes(String handle, String authorization) throws Exception {
        HttpResponse<String> r = rest("GET", "/api/handles/" + handle, null, authorization);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> types = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("values")) {
            types.add(e.getAsJsonObject().get("type").getAsString());
        }
        return types;
    }

    @Test
    void overRestEachGranteeReadsItsItemAndRevokingAGrantEndsIt() throws Exception {
        String asm = basic("88.999.4", ASSEMBLER_SECRET);
        String partner = basic("88.999.6", PARTNER_SECRET);
        assertThat(restTypes(LOT2, asm)).contains("PROCESS_YIELD", "URL").doesNotContain("UNIT_COST", "INTERNAL_NOTE");
        assertThat(restTypes(LOT2, partner)).contains("UNIT_COST").doesNotContain("PROCESS_YIELD", "INTERNAL_NOTE");
        assertThat(restTypes(LOT2, basic("88.999.5", STRANGER_SECRET))).doesNotContain("PROCESS_YIELD", "UNIT_COST", "INTERNAL_NOTE");
        assertThat(restTypes(LOT2, null)).doesNotContain("PROCESS_YIELD", "UNIT_COST", "INTERNAL_NOTE");
        assertThat(restTypes(LOT2, basic("88.999.2", FAB_SECRET))).contains("PROCESS_YIELD", "UNIT_COST", "INTERNAL_NOTE");
        assertThat(restTypes(PANEL, asm)).doesNotContain("PROCESS_YIELD");

        // A read grant is no write grant, and the grants themselves are not public.
        HttpResponse<String> write = rest("PUT", "/api/handles/" + LOT2 + "?index=various",
                "{\"values\":[{\"index\":2,\"type\":\"DESC\",\"data\":{\"format\":\"string\",\"value\":\"x\"}}]}", asm);
        assertThat(write.statusCode()).isEqualTo(403);
        assertThat(restTypes("0.NA/88.999.2", null)).doesNotContain("ID_ITEM_GRANT");
        assertThat(restTypes("0.NA/88.999.2", asm)).doesNotContain("ID_ITEM_GRANT");

        // The fab revokes the assembler's grant by removing the value; the group's grant stays.
        assertThat(rest("DELETE", "/api/handles/0.NA/88.999.2?index=500", null, basic("88.999.2", FAB_SECRET)).statusCode()).isEqualTo(200);
        assertThat(restTypes(LOT2, asm)).doesNotContain("PROCESS_YIELD");
        assertThat(handleRead(LOT1, key("88.999.4", assembler), false)).noneMatch(v -> v.startsWith("PROCESS_YIELD="));
        assertThat(restTypes(LOT2, partner)).contains("UNIT_COST");
        // ... and grants it again.
        assertThat(rest("PUT", "/api/handles/0.NA/88.999.2?index=various",
                "{\"values\":[" + grant(500, "88.999/TPL.PCB_LOT", "PROCESS_YIELD", "0:0.NA/88.999.4") + "]}", basic("88.999.2", FAB_SECRET))
                .statusCode()).isEqualTo(200);
        assertThat(restTypes(LOT2, asm)).contains("PROCESS_YIELD");
    }
}
