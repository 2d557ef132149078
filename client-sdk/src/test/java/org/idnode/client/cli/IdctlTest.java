package org.idnode.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.ResolveResult;
import org.idnode.client.IdClient;
import org.idnode.client.NodeProcess;
import org.idnode.client.Values;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * idctl against one real node process (gRPC on, RocksDB on disk, 127.0.0.1): the 100k-line CSV import of PCB lots with
 * bad lines, then resolve and trace on what landed; the other commands; the exit codes; the configuration.
 */
class IdctlTest {
    static final String CCL_PREFIX = "88.999.1";
    static final String FAB_PREFIX = "88.999.2";
    static final int CCL_LOTS = 20;
    static final int LOTS = 100_000;
    static final String PCB_LOT = "88.999/TPL.PCB_LOT@1.0";

    @TempDir
    static Path tmp;
    static NodeProcess node;
    /** Acts as the laminate maker (88.999.1). */
    static String cclToken;
    /** Acts as the PCB fab (88.999.2). */
    static String fabToken;
    /** Acts as the node's operator (a token of the node's own prefix 88.999). */
    static String opsToken;
    /** A config file that sets nothing, so that no test reads the user's own. */
    static Path emptyConfig;

    @BeforeAll
    static void startNode() throws Exception {
        Path config = NodeProcess.writeConfig(tmp.resolve("conf"));
        Path data = tmp.resolve("data");
        cclToken = prefixWithToken(config, data, CCL_PREFIX, "Example Laminate Co.");
        fabToken = prefixWithToken(config, data, FAB_PREFIX, "Example PCB Fab Co.");
        NodeProcess.idnode(config, data, "operator", "add", "--admin-secret", "operator-secret");
        opsToken = NodeProcess.idnode(config, data, "token", "add", "88.999", "--name", "ops");
        emptyConfig = Files.writeString(tmp.resolve("empty.properties"), "");
        node = NodeProcess.start(data, config, true);
    }

    /** Creates an enterprise prefix (secret-key admin) and issues a token for it; returns the token. */
    private static String prefixWithToken(Path config, Path data, String prefix, String enterprise) {
        NodeProcess.addPrefix(config, data, prefix, enterprise);
        return NodeProcess.addToken(config, data, prefix, "idctl-test");
    }

    @AfterAll
    static void stopNode() throws InterruptedException {
        if (node != null) {
            node.close();
        }
    }

    static Idctl.Result idctl(String... args) {
        List<String> all = new ArrayList<>(List.of("--node", node.grpcAddress(), "--timeout", "30s"));
        all.addAll(List.of(args));
        return Idctl.run(Idctl.env(emptyConfig), all.toArray(String[]::new));
    }

    static Idctl.Result idctlAs(String token, String... args) {
        List<String> all = new ArrayList<>(List.of("--token", token));
        all.addAll(List.of(args));
        return idctl(all.toArray(String[]::new));
    }

    // -----------------------------------------------------------------------------------------------------------------
    // The data: CCL lots as JSON lines, PCB lots as CSV
    // -----------------------------------------------------------------------------------------------------------------

    static String ccl(int n) {
        return String.format("%s/CCL.28.01.01.FR4S1141.250601.%06d", CCL_PREFIX, n);
    }

    static String pcb(int i) {
        return String.format("%s/PCB.87.01.01.A2.250601.%06d", FAB_PREFIX, i);
    }

    static int layers(int i) {
        return 2 + 2 * (i % 8);
    }

    /** The first CCL lot of PCB lot i: lot 0 only for PCB lot 1, so that its downward trace is one lot. */
    static String firstCcl(int i) {
        return i == 1 ? ccl(0) : ccl(1 + i % CCL_LOTS);
    }

    static String secondCcl(int i) {
        return i % 3 == 0 ? ccl(1 + (i + 7) % CCL_LOTS) : "";
    }

    static String jsonLine(String handle, Object... indexTypeText) {
        JsonObject obj = new JsonObject();
        obj.addProperty("handle", handle);
        JsonArray values = new JsonArray();
        for (int k = 0; k < indexTypeText.length; k += 3) {
            JsonObject v = new JsonObject();
            v.addProperty("index", (Integer) indexTypeText[k]);
            v.addProperty("type", (String) indexTypeText[k + 1]);
            JsonObject data = new JsonObject();
            data.addProperty("format", "string");
            data.addProperty("value", (String) indexTypeText[k + 2]);
            v.add("data", data);
            values.add(v);
        }
        obj.add("values", values);
        return obj.toString();
    }

    static String cclJson(int n) {
        return jsonLine(ccl(n), 1000, "TEMPLATE_ID", "88.999/TPL.CCL_LOT", 1001, "TEMPLATE", "1.0",
                2000, "MANUFACTURER", "示例覆铜板有限公司 / Example Laminate Co.", 2002, "GRADE", "S1141",
                2004, "CORE_THICKNESS_MM", "1.5", 2013, "LOT_CODE", "L" + n, 2014, "PRODUCTION_DATE", "2025-06-01",
                2016, "QUANTITY", "500", 2019, "UNIT_COST", "85.50");
    }

    static final String CSV_HEADER = "handle,template,CUSTOMER_PN,INTERNAL_PN,REVISION,MANUFACTURER,LAYER_COUNT,"
            + "BOARD_THICKNESS_MM,SURFACE_FINISH,WORK_ORDER,DATE_CODE,QUANTITY,SHIP_DATE,INSPECTION_RESULT,"
            + "REF.CCL_LOT,REF.CCL_LOT,PROCESS_YIELD,UNIT_COST,1:URL";

    /** A bad line of the CSV: where it is, its identifier as reported, who refuses it, and a piece of the reason. */
    record Bad(long line, String handle, String by, String reason) {
    }

    /** PCB lot i as a CSV row, made bad in one way when {@code fault} is not null. */
    static String pcbRow(int i, String fault) {
        String manufacturer = i % 2 == 0 ? "\"Example PCB Fab Co., Ltd.\"" : "示例电路板制造有限公司";
        String inspection = i == 3 ? "\"passed\nAOI: 0 defects\"" : "passed";
        String[] f = {pcb(i), PCB_LOT, "CPN-" + (i % 500), "IPN-A2-" + (i % 97), "A", manufacturer, String.valueOf(layers(i)),
            "1.6", "ENIG", "WO-" + i, "2523", String.valueOf(100 + i % 900), String.format("2025-06-%02d", 1 + i % 28), inspection,
            firstCcl(i), secondCcl(i), "97.5", "12.80", "https://example.com/pcb/lot/" + i};
        if (fault != null) {
            switch (fault) {
                case "no-customer-pn":
                    f[2] = "";
                    break;
                case "bad-number":
                    f[6] = "four";
                    break;
                case "bad-handle":
                    f[0] = "PCB-NO-PREFIX-" + i;
                    break;
                case "unknown-template":
                    f[1] = "88.999/TPL.NOPE@1.0";
                    break;
                case "bad-date":
                    f[12] = "2025-02-30";
                    break;
                case "negative-quantity":
                    f[11] = "-5";
                    break;
                case "other-prefix":
                    f[0] = String.format("%s/PCB.WRONG.%06d", CCL_PREFIX, i);
                    break;
                case "short":
                    return String.join(",", List.of(f).subList(0, 10));
                default:
                    throw new IllegalArgumentException(fault);
            }
        }
        return String.join(",", f);
    }

    /** Writes the 100k-line CSV; returns the bad lines by row number with their expected reports. */
    static Map<Integer, Bad> writeLots(Path file) throws IOException {
        Map<Integer, String> faults = new LinkedHashMap<>();
        faults.put(10, "no-customer-pn");
        faults.put(1_000, "bad-number");
        faults.put(25_000, "bad-handle");
        faults.put(40_000, "short");
        faults.put(50_000, "unknown-template");
        faults.put(60_000, "bad-date");
        faults.put(75_000, "other-prefix");
        faults.put(99_999, "negative-quantity");
        Map<Integer, Bad> bad = new LinkedHashMap<>();
        long line = 1;
        try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(CSV_HEADER);
            w.write('\n');
            for (int i = 1; i <= LOTS; i++) {
                line++;
                String fault = faults.get(i);
                w.write(pcbRow(i, fault));
                w.write('\n');
                if (fault != null) {
                    bad.put(i, expected(line, i, fault));
                }
                if (i == 3) {
                    line++; // its INSPECTION_RESULT cell spans two lines
                }
            }
        }
        return bad;
    }

    private static Bad expected(long line, int i, String fault) {
        switch (fault) {
            case "no-customer-pn":
                return new Bad(line, pcb(i), "node", "CUSTOMER_PN");
            case "bad-number":
                return new Bad(line, pcb(i), "node", "LAYER_COUNT");
            case "bad-handle":
                return new Bad(line, "PCB-NO-PREFIX-" + i, "idctl", "is not an identifier");
            case "short":
                return new Bad(line, pcb(i), "idctl", "10 fields, but the header has 19");
            case "unknown-template":
                return new Bad(line, pcb(i), "idctl", "unknown template 88.999/TPL.NOPE@1.0");
            case "bad-date":
                return new Bad(line, pcb(i), "node", "SHIP_DATE");
            case "other-prefix":
                return new Bad(line, String.format("%s/PCB.WRONG.%06d", CCL_PREFIX, i), "node", "INVALID_ADMIN");
            default:
                return new Bad(line, pcb(i), "node", "QUANTITY");
        }
    }

    // -----------------------------------------------------------------------------------------------------------------
    // The showcase: 100k lines in, bad lines reported by number, good lines resolvable and traceable
    // -----------------------------------------------------------------------------------------------------------------

    @Test
    void importsA100kLineCsvReportingBadLinesByNumberThenResolvesAndTracesWhatLanded() throws Exception {
        // The laminate maker's CCL lots first, as JSON lines; line 5 is not a record.
        List<String> cclLines = new ArrayList<>();
        for (int n = 0; n <= CCL_LOTS; n++) {
            cclLines.add(cclJson(n));
        }
        cclLines.add(4, "{\"handle\": \"" + ccl(999) + "\", \"values\": \"not an array\"}");
        Path cclFile = Files.write(tmp.resolve("ccl-lots.jsonl"), cclLines, StandardCharsets.UTF_8);
        Idctl.Result ccl = idctlAs(cclToken, "import", cclFile.toString());
        assertThat(ccl.exit()).as("%s", ccl).isEqualTo(1);
        assertThat(ccl.out()).contains("accepted    " + (CCL_LOTS + 1))
                .contains("line 5: " + ccl(999) + ": \"values\" is missing or not an array");

        // The fab's 100k PCB lots, by a separate idctl process configured through its environment.
        Path csv = tmp.resolve("pcb-lots.csv");
        Map<Integer, Bad> bad = writeLots(csv);
        Path rejects = tmp.resolve("rejects.txt");
        Idctl.Result lots = Idctl.process(tmp, Map.of("IDCTL_CONFIG", emptyConfig.toString(), "IDCTL_NODE", node.grpcAddress(),
                "IDCTL_TOKEN", fabToken), "import", csv.toString(), "--rejects", rejects.toString(), "--progress");

        assertThat(lots.exit()).as("%s", lots).isEqualTo(1);
        assertThat(lots.outLines()).contains("  lines read  " + LOTS, "  accepted    " + (LOTS - bad.size()),
                "  refused     " + bad.size());
        assertThat(lots.out()).containsPattern("rate +\\d+ lines/s");
        for (Bad b : bad.values()) {
            assertThat(lots.outLines()).as("%s in%n%s", b, lots.out())
                    .anyMatch(l -> l.startsWith("  line " + b.line() + ": " + b.handle() + ": ") && l.contains(b.reason()));
        }
        assertThat(Files.readAllLines(rejects)).hasSize(bad.size())
                .allMatch(l -> bad.values().stream().anyMatch(b -> l.startsWith("line " + b.line() + ": " + b.handle() + ": ")));
        assertThat(lots.err()).as("progress on stderr with --progress").contains("progress [").contains("lines/s")
                .containsPattern("\\[#{24}\\] 100%  " + String.format("%,d", LOTS) + " lines");

        // The good lines landed (a sample, through the SDK, anonymously), the node-refused ones did not.
        List<String> sample = new ArrayList<>();
        for (int i = 1; i <= LOTS; i += 997) {
            if (!bad.containsKey(i)) {
                sample.add(pcb(i));
            }
        }
        sample.add(pcb(LOTS));
        try (IdClient client = IdClient.builder().endpoints(node.grpcAddress()).callTimeout(Duration.ofSeconds(30)).build()) {
            List<ResolveResult> results = client.resolveBatch(sample);
            for (int k = 0; k < sample.size(); k++) {
                int i = Integer.parseInt(sample.get(k).substring(sample.get(k).lastIndexOf('.') + 1));
                assertThat(results.get(k).hasRecord()).as("%s: %s", sample.get(k), results.get(k)).isTrue();
                HandleRecord r = results.get(k).getRecord();
                assertThat(Values.text(Values.find(r, "LAYER_COUNT").orElseThrow())).isEqualTo(String.valueOf(layers(i)));
                assertThat(Values.text(Values.find(r, "REF.CCL_LOT").orElseThrow())).isEqualTo(firstCcl(i));
                assertThat(Values.find(r, "UNIT_COST")).as("restricted by the template").isEmpty();
            }
            List<String> refusedByNode = bad.values().stream().filter(b -> b.by().equals("node")).map(Bad::handle).toList();
            assertThat(client.resolveBatch(refusedByNode)).allSatisfy(r -> assertThat(r.getError().getReason()).isEqualTo("HANDLE_NOT_FOUND"));
        }

        // idctl resolve: the table, anonymously and as the owner (who also reads the restricted UNIT_COST).
        int i = 4_242;
        Idctl.Result table = idctl("resolve", pcb(i));
        assertThat(table.exit()).as("%s", table).isZero();
        assertThat(table.outLines().get(0)).isEqualToIgnoringCase(pcb(i));
        assertThat(table.outLines().get(1)).matches("INDEX +TYPE +TTL +ACCESS +DATA");
        assertThat(table.outLines()).anyMatch(Pattern.compile("2005 +LAYER_COUNT +86400 +public +" + layers(i)).asMatchPredicate())
                .anyMatch(Pattern.compile("2019 +REF\\.CCL_LOT +86400 +public +" + Pattern.quote(firstCcl(i))).asMatchPredicate())
                .anyMatch(Pattern.compile("2003 +MANUFACTURER +86400 +public +Example PCB Fab Co\\., Ltd\\.").asMatchPredicate())
                .anyMatch(Pattern.compile("1000 +TEMPLATE_ID +86400 +public +88\\.999/TPL\\.PCB_LOT").asMatchPredicate())
                .noneMatch(l -> l.contains("UNIT_COST"));
        assertThat(idctlAs(fabToken, "resolve", pcb(i)).outLines())
                .anyMatch(Pattern.compile("2022 +UNIT_COST +86400 +restricted +12\\.80").asMatchPredicate());

        // idctl resolve --json: the import format, every value with its permissions.
        Idctl.Result json = idctlAs(fabToken, "resolve", pcb(i), "--json");
        assertThat(json.exit()).as("%s", json).isZero();
        JsonObject record = json.json().getAsJsonObject();
        assertThat(record.get("handle").getAsString()).isEqualToIgnoringCase(pcb(i));
        Map<Integer, JsonObject> values = new LinkedHashMap<>();
        record.getAsJsonArray("values").forEach(v -> values.put(v.getAsJsonObject().get("index").getAsInt(), v.getAsJsonObject()));
        assertThat(values.get(2019).getAsJsonObject("data").get("value").getAsString()).isEqualTo(firstCcl(i));
        assertThat(values.get(2019).get("type").getAsString()).isEqualTo("REF.CCL_LOT");
        assertThat(values.get(2022).get("permissions").getAsString()).isEqualTo("1100");
        assertThat(values.get(2005).get("permissions").getAsString()).isEqualTo("1110");
        assertThat(values).containsKeys(1, 1000, 1001, 2000, 2001, 2002, 2003, 2005, 2014, 2016, 2019, 2021, 2022);

        // idctl trace: up from a lot made of two CCL lots, down from the CCL lot only lot 1 uses.
        int two = 3_000;
        Idctl.Result up = idctl("trace", pcb(two));
        assertThat(up.exit()).as("%s", up).isZero();
        assertThat(up.outLines().get(0)).isEqualToIgnoringCase(pcb(two));
        assertThat(up.outLines()).hasSize(3)
                .anyMatch(l -> l.startsWith("├── ") && l.toUpperCase().contains(ccl(1 + two % CCL_LOTS).toUpperCase()) && l.endsWith("(REF.CCL_LOT)"))
                .anyMatch(l -> l.startsWith("└── ") && l.toUpperCase().contains(ccl(1 + (two + 7) % CCL_LOTS).toUpperCase()));
        Idctl.Result down = idctl("trace", ccl(0), "--down");
        assertThat(down.exit()).as("%s", down).isZero();
        assertThat(down.outLines()).hasSize(2);
        assertThat(down.outLines().get(1).toUpperCase()).startsWith("└── " + pcb(1).toUpperCase()).endsWith("(REF.CCL_LOT)");
        Idctl.Result upJson = idctl("trace", pcb(1), "--json");
        JsonObject root = upJson.json().getAsJsonObject().getAsJsonObject("root");
        assertThat(root.get("found").getAsBoolean()).isTrue();
        JsonObject child = root.getAsJsonArray("children").get(0).getAsJsonObject();
        assertThat(child.get("handle").getAsString()).isEqualToIgnoringCase(ccl(0));
        assertThat(child.get("relation").getAsString()).isEqualTo("REF.CCL_LOT");
        assertThat(child.get("found").getAsBoolean()).isTrue();
    }

    // -----------------------------------------------------------------------------------------------------------------
    // Import: the JSON summary, the stream and the batch calls agree
    // -----------------------------------------------------------------------------------------------------------------

    @Test
    void theJsonSummaryListsEveryRefusalAndBatchCallsReportTheSameAsTheStream() throws IOException {
        List<String> rows = new ArrayList<>(List.of(CSV_HEADER));
        for (int i = 1; i <= 12; i++) {
            String fault = i == 4 ? "bad-number" : i == 7 ? "short" : i == 11 ? "bad-date" : null;
            rows.add(pcbRow(i, fault).replace(FAB_PREFIX + "/PCB.", FAB_PREFIX + "/SMALL."));
        }
        Path csv = Files.write(tmp.resolve("small.csv"), rows, StandardCharsets.UTF_8);
        // Row 3 spans two lines, so rows 4, 7 and 11 are on lines 6, 9 and 13.
        List<String> expected = List.of("6 node LAYER_COUNT", "9 idctl ", "13 node SHIP_DATE");

        for (String[] mode : List.of(new String[0], new String[] {"--batch", "5"})) {
            List<String> args = new ArrayList<>(List.of("import", csv.toString(), "--json"));
            args.addAll(List.of(mode));
            Idctl.Result r = idctlAs(fabToken, args.toArray(String[]::new));
            assertThat(r.exit()).as("%s", r).isEqualTo(1);
            JsonObject summary = r.json().getAsJsonObject();
            assertThat(summary.get("linesRead").getAsLong()).isEqualTo(12);
            assertThat(summary.get("accepted").getAsLong()).isEqualTo(9);
            assertThat(summary.get("refused").getAsLong()).isEqualTo(3);
            assertThat(summary.get("complete").getAsBoolean()).isTrue();
            JsonArray refusals = summary.getAsJsonArray("refusals");
            List<String> got = new ArrayList<>();
            for (JsonElement e : refusals) {
                JsonObject o = e.getAsJsonObject();
                String field = o.has("fieldErrors") ? o.getAsJsonArray("fieldErrors").get(0).getAsJsonObject().get("field").getAsString() : "";
                got.add(o.get("line").getAsLong() + " " + o.get("refusedBy").getAsString() + " " + field);
            }
            assertThat(got).as("mode %s: %s", List.of(mode), refusals).containsExactlyElementsOf(expected);
            assertThat(refusals.get(0).getAsJsonObject().get("reason").getAsString()).isEqualTo("INVALID_VALUE");
            assertThat(refusals.get(0).getAsJsonObject().get("handle").getAsString()).isEqualTo(FAB_PREFIX + "/SMALL.87.01.01.A2.250601.000004");
        }
        assertThat(idctl("resolve", FAB_PREFIX + "/SMALL.87.01.01.A2.250601.000012").exit()).isZero();
    }

    @Test
    void aCsvHeaderThatDoesNotFitTheTemplateIsAUsageErrorAndNothingIsSent() throws IOException {
        Path csv = Files.write(tmp.resolve("bad-header.csv"),
                List.of("handle,CUSTOMER_PN,LAYERS", FAB_PREFIX + "/HDR.1,CPN,4"), StandardCharsets.UTF_8);
        Idctl.Result r = idctlAs(fabToken, "import", csv.toString(), "--template", PCB_LOT);
        assertThat(r.exit()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).contains("column 'LAYERS' is not an item of 88.999/TPL.PCB_LOT@1.0");
        assertThat(idctl("resolve", FAB_PREFIX + "/HDR.1").exit()).isEqualTo(4);
    }

    // -----------------------------------------------------------------------------------------------------------------
    // register, template
    // -----------------------------------------------------------------------------------------------------------------

    @Test
    void registersFromOptionsWithATemplateAndFromAJsonFile() throws IOException {
        String lot = FAB_PREFIX + "/REG.1";
        Idctl.Result created = idctlAs(fabToken, "register", lot, "--template", PCB_LOT,
                "--value", "CUSTOMER_PN=CPN-REG", "--value", "INTERNAL_PN=IPN-REG", "--value", "MANUFACTURER=Example PCB Fab Co.",
                "--value", "LAYER_COUNT=8", "--value", "WORK_ORDER=WO-REG", "--value", "QUANTITY=10",
                "--value", "REF.CCL_LOT=" + ccl(1), "--value", "REF.CCL_LOT=" + ccl(2), "--value", "UNIT_COST=3.5",
                "--value", "1:URL:https://example.com/reg/1?a=b:c", "--value", "2:DESC:internal note", "--restricted", "2");
        assertThat(created.exit()).as("%s", created).isZero();
        assertThat(created.out()).startsWith("created " + lot);

        Idctl.Result owner = idctlAs(fabToken, "resolve", lot, "--json");
        Map<Integer, JsonObject> values = new LinkedHashMap<>();
        owner.json().getAsJsonObject().getAsJsonArray("values")
                .forEach(v -> values.put(v.getAsJsonObject().get("index").getAsInt(), v.getAsJsonObject()));
        assertThat(values.get(2020).getAsJsonObject("data").get("value").getAsString()).isEqualTo(ccl(2));
        assertThat(values.get(1).getAsJsonObject("data").get("value").getAsString()).isEqualTo("https://example.com/reg/1?a=b:c");
        assertThat(values.get(2022).get("permissions").getAsString()).as("UNIT_COST: the item's default").isEqualTo("1100");
        assertThat(values.get(2).get("permissions").getAsString()).as("--restricted 2").isEqualTo("1100");
        assertThat(values.get(1001).getAsJsonObject("data").get("value").getAsString()).isEqualTo("1.0");

        Idctl.Result again = idctlAs(fabToken, "register", lot, "--value", "1:URL:https://example.com/x");
        assertThat(again.exit()).as("%s", again).isEqualTo(1);
        assertThat(again.err()).contains("--overwrite");

        // The JSON that resolve printed, changed, goes back with --file --overwrite.
        JsonObject changed = owner.json().getAsJsonObject();
        for (JsonElement v : changed.getAsJsonArray("values")) {
            if (v.getAsJsonObject().get("index").getAsInt() == 2005) {
                v.getAsJsonObject().getAsJsonObject("data").addProperty("value", "10");
            }
        }
        Path file = Files.writeString(tmp.resolve("reg.json"), changed.toString());
        Idctl.Result replaced = idctlAs(fabToken, "register", "--file", file.toString(), "--overwrite");
        assertThat(replaced.exit()).as("%s", replaced).isZero();
        assertThat(replaced.out()).startsWith("replaced ");
        Path notARecord = Files.writeString(tmp.resolve("not-a-record.json"), "{\"values\": []}");
        Idctl.Result bad = idctlAs(fabToken, "register", "--file", notARecord.toString());
        assertThat(bad.exit()).as("%s", bad).isEqualTo(1);
        assertThat(bad.err()).contains("\"handle\" is missing");
        assertThat(idctl("resolve", lot, "--type", "LAYER_COUNT").outLines())
                .anyMatch(Pattern.compile("2005 +LAYER_COUNT +86400 +public +10").asMatchPredicate());
    }

    @Test
    void aRecordThatBreaksItsTemplateIsRefusedWithOneLinePerField() {
        Idctl.Result r = idctlAs(fabToken, "register", FAB_PREFIX + "/REG.BAD", "--template", PCB_LOT,
                "--value", "CUSTOMER_PN=CPN", "--value", "LAYER_COUNT=four");
        assertThat(r.exit()).as("%s", r).isEqualTo(1);
        assertThat(r.err()).contains("LAYER_COUNT").contains("INTERNAL_PN").contains("WORK_ORDER");
        assertThat(r.err().lines().filter(l -> l.startsWith("  ")).count()).as("%s", r).isGreaterThanOrEqualTo(4);
    }

    @Test
    void listsAndShowsTemplates() {
        Idctl.Result list = idctl("template", "list");
        assertThat(list.exit()).as("%s", list).isZero();
        assertThat(list.outLines().get(0)).matches("ID +VERSION +OWNER +ITEMS +DESCRIPTION");
        assertThat(list.outLines()).anyMatch(Pattern.compile("88\\.999/TPL\\.PCB_LOT +1\\.0 +node +22 +.*").asMatchPredicate())
                .anyMatch(Pattern.compile("88\\.999/TPL\\.CCL_LOT +1\\.0 +node +21 +.*").asMatchPredicate());

        Idctl.Result show = idctl("template", "show", "88.999/TPL.PCB_LOT");
        assertThat(show.exit()).as("%s", show).isZero();
        assertThat(show.outLines())
                .anyMatch(Pattern.compile("2005 +LAYER_COUNT +层数 / Layer count +number +yes +1\\.\\.64, 0 decimals +public").asMatchPredicate())
                .anyMatch(Pattern.compile("2019-2020 +REF\\.CCL_LOT +.* +reference +yes +-> 88\\.999/TPL\\.CCL_LOT, up to 2 values +public")
                        .asMatchPredicate())
                .anyMatch(Pattern.compile("2022 +UNIT_COST +.* +number +no +.* +restricted").asMatchPredicate());

        Idctl.Result json = idctl("template", "show", "88.999/TPL.PCB_LOT", "--version", "1.0", "--json");
        JsonObject t = json.json().getAsJsonObject();
        assertThat(t.get("id").getAsString()).isEqualTo("88.999/TPL.PCB_LOT");
        assertThat(t.getAsJsonArray("items")).hasSize(22);
        Idctl.Result missing = idctl("template", "show", "88.999/TPL.PCB_LOT@9.9");
        assertThat(missing.exit()).as("%s", missing).isEqualTo(4);
    }

    // -----------------------------------------------------------------------------------------------------------------
    // Operator commands
    // -----------------------------------------------------------------------------------------------------------------

    @Test
    void operatorsCreatePrefixesMoveTheirStateAndIssueAndRevokeTokens() {
        String prefix = "88.999.9";
        String h = prefix + "/REEL.1";
        Idctl.Result created = idctlAs(opsToken, "prefix", "create", prefix, "--enterprise", "Example Reel Co.",
                "--admin-secret", "reel-secret", "--state", "under-review");
        assertThat(created.exit()).as("%s", created).isZero();
        assertThat(created.outLines()).contains("created prefix " + prefix + " for Example Reel Co.")
                .anyMatch(Pattern.compile(Pattern.quote(prefix) + " +Example Reel Co\\. +under-review +here +.*").asMatchPredicate());

        Idctl.Result issued = idctlAs(opsToken, "token", "issue", prefix, "--name", "erp");
        assertThat(issued.exit()).as("%s", issued).isZero();
        String erpToken = issued.out().trim();
        assertThat(erpToken).startsWith("idt_");
        assertThat(issued.err()).contains("token 'erp' acts as");

        Idctl.Result whileUnderReview = idctlAs(erpToken, "register", h, "--value", "1:URL:https://example.com/reel/1");
        assertThat(whileUnderReview.exit()).as("only an enabled prefix takes registrations: %s", whileUnderReview).isNotZero();

        Idctl.Result refusedMove = idctlAs(opsToken, "prefix", "state", prefix, "pending-delete");
        assertThat(refusedMove.exit()).as("under-review cannot become pending-delete: %s", refusedMove).isEqualTo(1);
        Idctl.Result enabled = idctlAs(opsToken, "prefix", "state", prefix, "enabled");
        assertThat(enabled.exit()).as("%s", enabled).isZero();
        JsonObject shown = idctlAs(opsToken, "prefix", "show", prefix, "--json").json().getAsJsonObject();
        assertThat(shown.get("state").getAsString()).isEqualTo("enabled");
        assertThat(shown.get("enterprise").getAsString()).isEqualTo("Example Reel Co.");

        assertThat(idctlAs(erpToken, "register", h, "--value", "1:URL:https://example.com/reel/1").exit()).isZero();

        Idctl.Result list = idctlAs(opsToken, "prefix", "list", "--enterprise", "Example Reel Co.");
        assertThat(list.exit()).as("%s", list).isZero();
        assertThat(list.outLines()).hasSize(2);
        Idctl.Result enterprises = idctlAs(opsToken, "enterprise", "list");
        assertThat(enterprises.outLines())
                .anyMatch(Pattern.compile("Example Laminate Co\\. +88\\.999\\.1 \\(enabled\\)").asMatchPredicate())
                .anyMatch(Pattern.compile("Example Reel Co\\. +88\\.999\\.9 \\(enabled\\)").asMatchPredicate());
        JsonArray all = idctlAs(opsToken, "enterprise", "list", "--json").json().getAsJsonArray();
        assertThat(all).anySatisfy(e -> assertThat(e.getAsJsonObject().get("name").getAsString()).isEqualTo("Example PCB Fab Co."));

        Idctl.Result revoked = idctlAs(opsToken, "token", "revoke", prefix, "--name", "erp");
        assertThat(revoked.exit()).as("%s", revoked).isZero();
        Idctl.Result afterRevoke = idctlAs(erpToken, "register", prefix + "/REEL.2", "--value", "1:URL:https://example.com/reel/2");
        assertThat(afterRevoke.exit()).as("a revoked token: %s", afterRevoke).isEqualTo(5);

        assertThat(idctlAs(fabToken, "prefix", "list").exit()).as("an enterprise token is no operator's").isEqualTo(5);
        assertThat(idctl("enterprise", "list").exit()).as("no token").isEqualTo(5);
        assertThat(idctlAs(opsToken, "prefix", "show", "88.999.77").exit()).isEqualTo(4);
    }

    // -----------------------------------------------------------------------------------------------------------------
    // Exit codes and configuration
    // -----------------------------------------------------------------------------------------------------------------

    @Test
    void failuresEndWithTheirDocumentedExitCodes() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Idctl.Result unreachable = Idctl.run(Idctl.env(emptyConfig), "--node", "127.0.0.1:" + closed, "--timeout", "60s",
                "resolve", pcb(1));
        assertThat(unreachable.exit()).as("%s", unreachable).isEqualTo(3);
        assertThat(unreachable.err()).contains("node 127.0.0.1:" + closed + " unreachable");

        Idctl.Result notFound = idctl("resolve", FAB_PREFIX + "/NO-SUCH-LOT");
        assertThat(notFound.exit()).as("%s", notFound).isEqualTo(4);
        assertThat(notFound.err()).contains("HANDLE_NOT_FOUND");
        assertThat(idctl("trace", FAB_PREFIX + "/NO-SUCH-LOT").exit()).isEqualTo(4);

        Idctl.Result noToken = idctl("register", FAB_PREFIX + "/NOTOKEN.1", "--value", "1:URL:https://example.com/n");
        assertThat(noToken.exit()).as("%s", noToken).isEqualTo(5);
        Idctl.Result wrongToken = idctlAs(cclToken, "register", FAB_PREFIX + "/NOTOKEN.1", "--value", "1:URL:https://example.com/n");
        assertThat(wrongToken.exit()).as("another enterprise's token: %s", wrongToken).isEqualTo(5);

        assertThat(idctl("resolve").exit()).isEqualTo(2);
        assertThat(idctl("resolve", "not-an-identifier").exit()).isEqualTo(2);
        assertThat(idctl("import", tmp.resolve("missing.csv").toString()).exit()).isEqualTo(2);
        Idctl.Result badNode = Idctl.run(Idctl.env(emptyConfig), "--node", "no-port", "resolve", pcb(1));
        assertThat(badNode.exit()).isEqualTo(2);
        assertThat(badNode.err()).contains("'no-port' is not HOST:PORT");
    }

    @Test
    void settingsComeFromOptionsThenEnvironmentThenConfigFile() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Path file = Files.writeString(tmp.resolve("config.properties"),
                "node=127.0.0.1:" + closed + "\ntoken=" + fabToken + "\ntimeout=20s\n");
        Map<String, String> fileOnly = Map.of("IDCTL_CONFIG", file.toString());
        assertThat(Idctl.run(fileOnly, "resolve", pcb(1)).exit()).as("the file's node is closed").isEqualTo(3);

        Map<String, String> envNode = Map.of("IDCTL_CONFIG", file.toString(), "IDCTL_NODE", "127.0.0.1:" + closed + "," + node.grpcAddress());
        Idctl.Result viaEnv = Idctl.run(envNode, "register", FAB_PREFIX + "/CFG.1", "--value", "1:URL:https://example.com/cfg");
        assertThat(viaEnv.exit()).as("IDCTL_NODE (with fail-over past a closed port) and the file's token: %s", viaEnv).isZero();

        assertThat(Idctl.run(envNode, "--node", "127.0.0.1:" + closed, "resolve", FAB_PREFIX + "/CFG.1").exit())
                .as("--node beats IDCTL_NODE").isEqualTo(3);

        Path unknownKey = Files.writeString(tmp.resolve("typo.properties"), "nodes=127.0.0.1:1\n");
        Idctl.Result typo = Idctl.run(Map.of("IDCTL_CONFIG", unknownKey.toString()), "resolve", pcb(1));
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.err()).contains("unknown key 'nodes'");
    }

    @Test
    void runsAsItsOwnProcessWithItsExitCodes() throws Exception {
        String h = FAB_PREFIX + "/PROC.1";
        assertThat(idctlAs(fabToken, "register", h, "--value", "1:URL:https://example.com/proc", "--value", "2:DESC:示例").exit()).isZero();
        Map<String, String> env = Map.of("IDCTL_CONFIG", emptyConfig.toString());

        Idctl.Result found = Idctl.process(tmp, env, "--node", node.grpcAddress(), "resolve", h);
        assertThat(found.exit()).as("%s", found).isZero();
        assertThat(found.outLines()).anyMatch(Pattern.compile("2 +DESC +86400 +public +示例").asMatchPredicate());

        Idctl.Result missing = Idctl.process(tmp, env, "--node", node.grpcAddress(), "resolve", FAB_PREFIX + "/PROC.NONE");
        assertThat(missing.exit()).as("%s", missing).isEqualTo(4);
        assertThat(missing.err()).contains("HANDLE_NOT_FOUND");
    }
}
