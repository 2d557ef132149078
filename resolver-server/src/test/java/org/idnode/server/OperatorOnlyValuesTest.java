package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import com.google.gson.JsonObject;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.AddValueRequest;
import net.handle.hdllib.AuthenticationInfo;
import net.handle.hdllib.CreateHandleRequest;
import net.handle.hdllib.DeleteHandleRequest;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ModifyValueRequest;
import net.handle.hdllib.RemoveValueRequest;
import net.handle.hdllib.SecretKeyAuthenticationInfo;
import net.handle.hdllib.Util;
import org.idnode.server.JsonHttp.Resp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An enterprise admin administers its prefix handle, but its lifecycle state, enterprise name and API tokens, and
 * the prefix handle's existence, are the operator's: refused over REST and over the Handle protocol (CNRI's
 * client), and so is every change to the node's own prefix handle. A disabled enterprise cannot escape through a
 * derived prefix either.
 */
class OperatorOnlyValuesTest {
    static final String OPS_SECRET = "operator-s3cr3t";
    static final String SECRET = "fab-s3cr3t";

    @TempDir
    static Path dir;
    static TestNode node;
    static JsonHttp http;

    @BeforeAll
    static void start() throws Exception {
        String d = dir.resolve("data").toString();
        JsonHttp.cli("operator", "add", "--admin-secret", OPS_SECRET, "--data-dir", d);
        JsonHttp.cli("prefix", "add", "88.999.1", "--enterprise", "Example PCB Fab", "--admin-secret", SECRET, "--data-dir", d);
        JsonHttp.cli("prefix", "add", "88.999.2", "--enterprise", "Example Assembler", "--admin-secret", SECRET, "--data-dir", d);
        node = TestNode.start(dir.resolve("data"), List.of());
        http = new JsonHttp(node.httpPort());
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static String owner() {
        return JsonHttp.basic("301:0.NA/88.999.1", SECRET);
    }

    static String operator() {
        return JsonHttp.basic("301:0.NA/88.999", OPS_SECRET);
    }

    static String value(int index, String type, String text) {
        return "{\"values\":[{\"index\":" + index + ",\"type\":\"" + type + "\",\"data\":{\"format\":\"string\",\"value\":"
                + new com.google.gson.JsonPrimitive(text) + "}}]}";
    }

    static JsonObject prefixHandle(String prefix) throws Exception {
        return http.send("GET", "/api/handles/0.NA/" + prefix, null, null).json();
    }

    static String valueAt(JsonObject record, int index) {
        for (var e : record.getAsJsonArray("values")) {
            JsonObject v = e.getAsJsonObject();
            if (v.get("index").getAsInt() == index) {
                return v.get("type").getAsString() + "=" + v.getAsJsonObject("data").get("value").getAsString();
            }
        }
        return null;
    }

    static HandleResolver cnri() {
        return CnriClients.resolver(node.site(), "88.999", Interface.SP_HDL_TCP);
    }

    static AuthenticationInfo enterpriseAdmin() {
        return new SecretKeyAuthenticationInfo(Util.encodeString("0.NA/88.999.1"), 301, SECRET.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void restWritesOfOperatorValuesAreRefusedToTheEnterprise() throws Exception {
        record Attempt(String method, String path, String body) {
        }
        String forged = "{\"values\":[{\"index\":450,\"type\":\"ID_API_TOKEN\",\"data\":{\"format\":\"string\",\"value\":"
                + new com.google.gson.JsonPrimitive("{\"name\":\"x\",\"identity\":\"301:0.NA/88.999\",\"sha256\":\"00\",\"created\":\"now\"}")
                + "}}]}";
        for (Attempt a : List.of(
                new Attempt("PUT", "/api/handles/0.NA/88.999.1?index=3", value(3, "ID_PREFIX_STATE", "enabled")),
                new Attempt("PUT", "/api/handles/0.NA/88.999.1?index=2", value(2, "ID_ENTERPRISE", "Renamed")),
                new Attempt("PUT", "/api/handles/0.NA/88.999.1?index=2", value(2, "DESC", "the name is gone")),
                new Attempt("DELETE", "/api/handles/0.NA/88.999.1?index=3", null),
                new Attempt("PUT", "/api/handles/0.NA/88.999.1?index=various", forged),
                new Attempt("DELETE", "/api/handles/0.NA/88.999.1", null),
                new Attempt("PUT", "/api/handles/0.NA/88.999?index=various", value(3, "ID_PREFIX_STATE", "enabled")),
                new Attempt("PUT", "/api/handles/0.NA/88.999.2?index=3", value(3, "ID_PREFIX_STATE", "disabled")))) {
            Resp r = http.send(a.method(), a.path(), a.body(), owner());
            assertThat(r.status()).as("%s %s: %s", a.method(), a.path(), r.json()).isEqualTo(403);
            assertThat(r.message()).as(a.path()).isNotBlank();
        }
        JsonObject after = prefixHandle("88.999.1");
        assertThat(valueAt(after, 2)).isEqualTo("ID_ENTERPRISE=Example PCB Fab");
        assertThat(valueAt(after, 3)).isEqualTo("ID_PREFIX_STATE=enabled");
        assertThat(valueAt(prefixHandle("88.999.2"), 3)).isEqualTo("ID_PREFIX_STATE=enabled");
        assertThat(http.send("GET", "/api/admin/prefixes", null, JsonHttp.bearer("idt_88.999.1~forged")).status())
                .isEqualTo(403);

        Resp message = http.send("PUT", "/api/handles/0.NA/88.999.1?index=3", value(3, "ID_PREFIX_STATE", "enabled"), owner());
        assertThat(message.rc()).isEqualTo(AbstractMessage.RC_INSUFFICIENT_PERMISSIONS);
        assertThat(message.message()).contains("ID_PREFIX_STATE", "operator");

        // The rest of its prefix handle is the enterprise's to change.
        assertThat(http.send("PUT", "/api/handles/0.NA/88.999.1?index=various", value(5, "DESC", "PCB fab, Suzhou"), owner()).status())
                .isEqualTo(200);
        // The operator may rename the enterprise through the same REST call.
        assertThat(http.send("PUT", "/api/handles/0.NA/88.999.2?index=2", value(2, "ID_ENTERPRISE", "Example Assembler Ltd."),
                operator()).status()).isEqualTo(200);
        assertThat(valueAt(prefixHandle("88.999.2"), 2)).isEqualTo("ID_ENTERPRISE=Example Assembler Ltd.");
    }

    @Test
    void handleProtocolWritesOfOperatorValuesAreRefusedToTheEnterprise() throws Exception {
        HandleResolver r = cnri();
        byte[] prefixHandle = Util.encodeString("0.NA/88.999.1");
        List<AbstractResponse> refused = List.of(
                r.processRequest(new ModifyValueRequest(prefixHandle, new HandleValue(3, "ID_PREFIX_STATE", "enabled"), enterpriseAdmin())),
                r.processRequest(new ModifyValueRequest(prefixHandle, new HandleValue(2, "ID_ENTERPRISE", "Renamed"), enterpriseAdmin())),
                r.processRequest(new RemoveValueRequest(prefixHandle, 3, enterpriseAdmin())),
                r.processRequest(new AddValueRequest(prefixHandle, new HandleValue(451, "ID_API_TOKEN", "{}"), enterpriseAdmin())),
                r.processRequest(new DeleteHandleRequest(prefixHandle, enterpriseAdmin())),
                r.processRequest(new AddValueRequest(Util.encodeString("0.NA/88.999"), new HandleValue(3, "ID_PREFIX_STATE", "enabled"),
                        enterpriseAdmin())));
        assertThat(refused).extracting(resp -> resp.responseCode).as("response codes")
                .allSatisfy(code -> assertThat(code).isIn(AbstractMessage.RC_INSUFFICIENT_PERMISSIONS, AbstractMessage.RC_INVALID_ADMIN));
        assertThat(Arrays.stream(cnri().resolveHandle("0.NA/88.999.1", null, null)).map(v -> v.getIndex() + ":" + v.getTypeAsString()).toList())
                .contains("2:ID_ENTERPRISE", "3:ID_PREFIX_STATE", "101:HS_ADMIN");
        assertThat(valueAt(prefixHandle("88.999.1"), 3)).isEqualTo("ID_PREFIX_STATE=enabled");
        // The same client, same identity, may still register under the prefix.
        assertThat(r.processRequest(new CreateHandleRequest(Util.encodeString("88.999.1/LOT-CNRI"),
                new HandleValue[] {new HandleValue(1, "URL", "https://example.com/lot")}, enterpriseAdmin())).responseCode)
                .isEqualTo(AbstractMessage.RC_SUCCESS);
    }

    @Test
    void aDisabledEnterpriseCannotRegisterThroughADerivedPrefix() throws Exception {
        HandleResolver r = cnri();
        HandleValue[] subPrefix = {new HandleValue(101, "HS_ADMIN", net.handle.hdllib.Encoder.encodeAdminRecord(new net.handle.hdllib.AdminRecord(
                Util.encodeString("0.NA/88.999.1"), 301, true, true, true, true, true, true, true, true, true, true, true, true)))};
        assertThat(r.processRequest(new CreateHandleRequest(Util.encodeString("0.NA/88.999.1.5"), subPrefix, enterpriseAdmin())).responseCode)
                .as("an enabled enterprise may derive prefixes").isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(http.send("PUT", "/api/admin/prefixes/88.999.1/state", "{\"state\":\"disabled\"}", operator()).status())
                .isEqualTo(200);
        try {
            HandleValue[] lot = {new HandleValue(1, "URL", "https://example.com/sub")};
            AbstractResponse register = r.processRequest(new CreateHandleRequest(Util.encodeString("88.999.1.5/LOT-1"), lot, enterpriseAdmin()));
            assertThat(register.responseCode).isEqualTo(AbstractMessage.RC_INVALID_ADMIN);
            assertThat(Util.decodeString(((net.handle.hdllib.ErrorResponse) register).message)).contains("88.999.1 is disabled");
            AbstractResponse derive = r.processRequest(new CreateHandleRequest(Util.encodeString("0.NA/88.999.1.6"), subPrefix, enterpriseAdmin()));
            assertThat(derive.responseCode).isEqualTo(AbstractMessage.RC_INVALID_ADMIN);
            assertThat(http.send("PUT", "/api/handles/88.999.1.5/LOT-2", value(1, "URL", "https://example.com/x"), owner()).status())
                    .isEqualTo(403);
        } finally {
            assertThat(http.send("PUT", "/api/admin/prefixes/88.999.1/state", "{\"state\":\"enabled\"}", operator()).status())
                    .isEqualTo(200);
        }
        assertThat(http.send("PUT", "/api/handles/88.999.1.5/LOT-3", value(1, "URL", "https://example.com/y"), owner()).status())
                .isEqualTo(200);
    }
}
