package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.config.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code idnode export} then {@code idnode import} into a fresh data folder keeps every stored record byte for byte
 * (the encoded records in RocksDB compared with RocksDB's own API), timestamps included; exporting the copy gives
 * the same file. The data is made through the node's normal write paths: the operator commands (enterprise prefixes
 * with HS_ADMIN, HS_SECKEY and an RSA HS_PUBKEY, operators, tokens, a lifecycle change), the sample PCB supply-chain
 * import (template-bound records, restricted values, reference items), REST writes of a running node (non-ASCII
 * handles and types, binary data that is not UTF-8, HS_ADMIN and HS_VLIST values, a template-bound batch, added and
 * deleted values, a deleted handle), and an import of values with the edge cases of every field (zero, negative and
 * largest timestamps, absolute and negative TTLs, every permission combination, value references, empty data).
 */
class ExportImportRoundTripTest {
    static final String SECRET = "round-trip-s3cr3t";

    @TempDir
    Path tmp;

    @Test
    void exportThenImportKeepsEveryRecordByteForByte() throws Exception {
        Path data = tmp.resolve("data");
        String d = data.toString();
        Path root = Path.of(System.getProperty("idnode.project.root"));
        JsonHttp.cli("import", root.resolve("conf/sample-data/pcb-sample.jsonl").toString(), "--data-dir", d);
        Path pem = tmp.resolve("admin.pem");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(
                KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        JsonHttp.cli("prefix", "add", "88.999.5", "--enterprise", "往返测试 Round Trip Co.", "--admin-secret", SECRET, "--admin-key", pem.toString(),
                "--data-dir", d);
        JsonHttp.cli("prefix", "add", "88.999.6", "--enterprise", "Disabled Co.", "--admin-secret", "other", "--data-dir", d);
        JsonHttp.cli("prefix", "state", "88.999.6", "disabled", "--data-dir", d);
        JsonHttp.cli("operator", "add", "--admin-secret", "ops", "--data-dir", d);
        JsonHttp.cli("token", "add", "88.999.5", "--name", "erp", "--data-dir", d);
        JsonHttp.cli("import", Files.write(tmp.resolve("edge.jsonl"), edgeCases()).toString(), "--data-dir", d);
        writeThroughRest(data, root.resolve("conf/templates"));
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(data, 8)) {
            List<HandleValue> values = store.get(HandleName.parse("88.999.5/EDGE-时间")).orElseThrow().values();
            assertThat(values).extracting(HandleValue::timestamp).as("explicit timestamps are kept by import, zero included")
                    .containsExactly(0, -1, Integer.MAX_VALUE, 1_750_000_000);
        }

        Path export = tmp.resolve("export.jsonl");
        CliRun exported = CliRun.of("export", "--out", export.toString(), "--data-dir", d);
        assertThat(exported.code()).as(exported.toString()).isZero();
        assertThat(exported.out()).contains("exported ");
        Map<String, String> original = RawStore.records(data.resolve("store"));
        assertThat(Files.readAllLines(export)).hasSize(original.size());
        try (var s = Files.list(data)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("the export's checkpoint is removed").containsExactlyInAnyOrder("store", "keys");
        }

        Path copy = tmp.resolve("copy");
        CliRun imported = CliRun.of("import", export.toString(), "--data-dir", copy.toString());
        assertThat(imported.code()).as(imported.toString()).isZero();
        Map<String, String> restored = RawStore.records(copy.resolve("store"));
        assertThat(restored.keySet()).containsExactlyElementsOf(original.keySet());
        for (Map.Entry<String, String> e : original.entrySet()) {
            assertThat(restored.get(e.getKey())).as("record %s", new String(java.util.HexFormat.of().parseHex(e.getKey()), StandardCharsets.UTF_8))
                    .isEqualTo(e.getValue());
        }

        Path again = tmp.resolve("again.jsonl");
        assertThat(CliRun.of("export", "--out", again.toString(), "--data-dir", copy.toString()).code()).isZero();
        assertThat(Files.readAllBytes(again)).as("exporting the copy gives the same file").isEqualTo(Files.readAllBytes(export));
    }

    /** Writes through the REST API of a node running on {@code data} with the shipped templates. */
    private void writeThroughRest(Path data, Path templates) throws Exception {
        Path yaml = Files.writeString(tmp.resolve("node.yaml"), "templates: {dir: \"" + templates.toAbsolutePath() + "\"}\n");
        try (IdentifierNode node = IdentifierNode.start(NodeConfig.load(yaml).withOverrides(data, 0, 0, 0, "127.0.0.1"))) {
            JsonHttp http = new JsonHttp(node.httpAddress().getPort());
            String owner = JsonHttp.basic("301:0.NA/88.999.5", SECRET);
            JsonArray values = new JsonArray();
            values.add(value(1, "URL", "string", "https://example.com/批次/Ä-001"));
            byte[] allBytes = new byte[256];
            for (int i = 0; i < allBytes.length; i++) {
                allBytes[i] = (byte) i;
            }
            values.add(value(2, "BIN.数据", "base64", Base64.getEncoder().encodeToString(allBytes)));
            values.add(value(3, "HEX", "hex", "c328ff00"));
            JsonObject admin = JsonParser.parseString("{\"index\":100,\"type\":\"HS_ADMIN\",\"data\":{\"format\":\"admin\",\"value\":"
                    + "{\"handle\":\"0.NA/88.999.5\",\"index\":301,\"permissions\":\"111111111111\"}},\"permissions\":\"1110\"}").getAsJsonObject();
            values.add(admin);
            values.add(JsonParser.parseString("{\"index\":200,\"type\":\"HS_VLIST\",\"data\":{\"format\":\"vlist\",\"value\":"
                    + "[{\"handle\":\"0.NA/88.999.5\",\"index\":300},{\"handle\":\"0.NA/88.999.5\",\"index\":301}]}}").getAsJsonObject());
            JsonObject restricted = value(4, "UNIT_COST", "string", "12.80");
            restricted.addProperty("permissions", "1100");
            values.add(restricted);
            JsonObject body = new JsonObject();
            body.add("values", values);
            for (String h : List.of("88.999.5/批次-Ä-001", "88.999.5/LOT-À-SUPPRIMER")) {
                assertThat(http.send("PUT", "/api/handles/" + encode(h), body.toString(), owner).status()).isEqualTo(200);
            }
            assertThat(http.send("PUT", "/api/handles/" + encode("88.999.5/批次-Ä-001") + "?index=various",
                    "{\"values\":[" + value(5, "NOTE", "string", "追加 added later") + "]}", owner).status()).isEqualTo(200);
            assertThat(http.send("DELETE", "/api/handles/" + encode("88.999.5/批次-Ä-001") + "?index=3", null, owner).status()).isEqualTo(200);
            assertThat(http.send("DELETE", "/api/handles/" + encode("88.999.5/LOT-À-SUPPRIMER"), null, owner).status()).isEqualTo(200);
            JsonHttp.Resp batch = http.send("POST", "/api/batch", RestWriteTest.batch(
                    RestWriteTest.pcbLot("88.999.5/PCB.87.01.01.A2.250601.000900", Map.of()),
                    RestWriteTest.pcbLot("88.999.5/PCB.87.01.01.A2.250601.000901", Map.of(2005, "8"))), owner);
            assertThat(batch.status()).isEqualTo(200);
            assertThat(batch.json().get("accepted").getAsInt()).as(batch.json().toString()).isEqualTo(2);
        }
    }

    private static String encode(String handle) {
        return java.net.URLEncoder.encode(handle, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
    }

    private static JsonObject value(int index, String type, String format, String data) {
        JsonObject v = new JsonObject();
        v.addProperty("index", index);
        v.addProperty("type", type);
        JsonObject d = new JsonObject();
        d.addProperty("format", format);
        d.addProperty("value", data);
        v.add("data", d);
        return v;
    }

    /** Values with the edge cases of every field, as an import file. */
    private static List<String> edgeCases() {
        return List.of(
                "{\"handle\":\"88.999.5/EDGE-时间\",\"values\":["
                        + "{\"index\":1,\"type\":\"T0\",\"data\":{\"format\":\"string\",\"value\":\"\"},\"timestamp\":\"1970-01-01T00:00:00Z\",\"ttl\":0,\"permissions\":\"0000\"},"
                        + "{\"index\":2,\"type\":\"NEG\",\"data\":{\"format\":\"base64\",\"value\":\"7aCA\"},\"timestamp\":\"1969-12-31T23:59:59Z\",\"ttl\":-1,\"permissions\":\"1111\"},"
                        + "{\"index\":3,\"type\":\"MAX\",\"data\":{\"format\":\"string\",\"value\":\"\\u0000\\uFEFF\\uD83D\\uDE00\"},\"timestamp\":\"2038-01-19T03:14:07Z\","
                        + "\"ttl\":\"2030-01-01T00:00:00Z\",\"permissions\":\"0101\"},"
                        + "{\"index\":2147483647,\"type\":\"REFS\",\"data\":{\"format\":\"string\",\"value\":\"x\"},\"timestamp\":\"2025-06-15T15:06:40Z\","
                        + "\"references\":[{\"handle\":\"88.999.1/ENTERPRISE\",\"index\":1},{\"handle\":\"0.NA/88.999.5\",\"index\":300}],\"permissions\":\"1010\"}"
                        + "]}",
                "{\"handle\":\"88.999.5/EMPTY\",\"values\":[]}");
    }
}
