package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/trace/...} over the shipped PCB sample data on a real node. */
class GenealogyTraceTest {
    static final String PCBA = "88.999.4/PCBA.87.02.01.CTRLA2.250616.000401";
    static final String LOT = "88.999.2/PCB.87.01.01.A2.250601.000123";
    static final String CCL = "88.999.1/CCL.28.01.01.FR4S1141.250601.000123";

    @TempDir
    static Path dataDir;
    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(
                Path.of(System.getProperty("idnode.project.root"), "conf", "sample-data", "pcb-sample.jsonl"), StandardCharsets.UTF_8));
        // A loop, and a restricted reference that must stay hidden.
        lines.add(ref("88.999.9/LOOP-A", "REF.NEXT", "88.999.9/LOOP-B", "1110"));
        lines.add(ref("88.999.9/LOOP-B", "REF.NEXT", "88.999.9/LOOP-A", "1110"));
        lines.add(ref("88.999.9/SECRET-LINK", "REF.SUPPLIER", CCL, "1100"));
        node = TestNode.start(dataDir, lines);
    }

    static String ref(String handle, String type, String target, String perms) {
        return "{\"handle\":\"" + handle + "\",\"values\":[{\"index\":2000,\"type\":\"" + type
                + "\",\"data\":{\"format\":\"string\",\"value\":\"" + target + "\"},\"permissions\":\"" + perms + "\"}]}";
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static JsonObject get(String path, int expectedStatus) throws Exception {
        CnriResolutionTest.HttpResult r = http(path);
        assertThat(r.status()).as(r.body()).isEqualTo(expectedStatus);
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    static CnriResolutionTest.HttpResult http(String path) throws Exception {
        java.net.http.HttpResponse<String> resp = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + node.httpPort() + path)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return new CnriResolutionTest.HttpResult(resp.statusCode(), resp.body());
    }

    static List<String> children(JsonObject node) {
        List<String> out = new ArrayList<>();
        for (JsonElement c : node.getAsJsonArray("children")) {
            out.add(c.getAsJsonObject().get("relation").getAsString() + " " + c.getAsJsonObject().get("handle").getAsString());
        }
        return out;
    }

    static JsonObject child(JsonObject node, String handle) {
        for (JsonElement c : node.getAsJsonArray("children")) {
            if (c.getAsJsonObject().get("handle").getAsString().equals(handle)) {
                return c.getAsJsonObject();
            }
        }
        throw new AssertionError(handle + " not among the children of " + node.get("handle"));
    }

    @Test
    void upFromAPcbaUnitReachesItsBoardLotLaminateAndReels() throws Exception {
        JsonObject trace = get("/api/trace/" + PCBA + "?direction=up&depth=3", 200);
        JsonObject root = trace.getAsJsonObject("tree");
        assertThat(root.get("handle").getAsString()).isEqualTo(PCBA);
        assertThat(children(root)).contains("REF.PCB_LOT " + LOT,
                "REF.REEL 88.999.3/REEL.31.01.01.RC0402F10K.250415.000301",
                "REF.REEL 88.999.3/REEL.32.01.01.CONUSBCRA.250428.000321").hasSize(6);
        assertThat(children(child(root, LOT))).containsExactly("REF.CCL_LOT " + CCL);
        assertThat(trace.get("truncated").getAsBoolean()).isFalse();
    }

    @Test
    void downFromALaminateLotReachesTheBoardsAndUnitsMadeFromIt() throws Exception {
        JsonObject root = get("/api/trace/" + CCL + "?direction=down&depth=2", 200).getAsJsonObject("tree");
        assertThat(children(root)).contains("REF.CCL_LOT " + LOT)
                .as("a restricted link is not followed").noneMatch(c -> c.contains("SECRET-LINK"));
        assertThat(children(child(root, LOT))).contains("REF.PCB_LOT " + PCBA);
    }

    @Test
    void depthLimitsTheWalkAndSaysSo() throws Exception {
        JsonObject trace = get("/api/trace/" + PCBA + "?direction=up&depth=1", 200);
        assertThat(child(trace.getAsJsonObject("tree"), LOT).getAsJsonArray("children")).isEmpty();
        assertThat(trace.get("truncated").getAsBoolean()).isTrue();
    }

    @Test
    void loopsAreWalkedOnce() throws Exception {
        JsonObject root = get("/api/trace/88.999.9/LOOP-A?direction=up&depth=10", 200).getAsJsonObject("tree");
        JsonArray level1 = root.getAsJsonArray("children");
        assertThat(level1).hasSize(1);
        assertThat(level1.get(0).getAsJsonObject().getAsJsonArray("children")).isEmpty();
    }

    @Test
    void badRequestsAreRefusedWithAReason() throws Exception {
        assertThat(get("/api/trace/88.999.1/NO-SUCH?direction=up", 404).get("responseCode").getAsInt()).isEqualTo(100);
        assertThat(get("/api/trace/" + PCBA + "?direction=sideways", 400).get("message").getAsString()).contains("up or down");
        assertThat(get("/api/trace/" + PCBA + "?depth=99", 400).get("message").getAsString()).contains("depth");
        assertThat(get("/api/trace/no-slash", 400).get("responseCode").getAsInt()).isEqualTo(102);
    }
}
