package org.idnode.server.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.model.ValueReference;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.IdentifierNode;
import org.idnode.server.importer.RecordImporter.BadLineException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RecordImporterTest {

    @TempDir
    Path dir;

    private RocksDbHandleRecordStore store;

    @BeforeEach
    void open() {
        store = IdentifierNode.openStore(dir.resolve("data"), 16);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static String line(String handle, int n) {
        return "{\"handle\": \"" + handle + "\", \"values\": [{\"index\": 1, \"type\": \"URL\", "
                + "\"data\": {\"format\": \"string\", \"value\": \"https://example.com/" + n + "\"}}]}";
    }

    private Path write(String name, List<String> lines) throws IOException {
        return Files.write(dir.resolve(name), lines, StandardCharsets.UTF_8);
    }

    private static HandleName h(String text) {
        return HandleName.parse(text);
    }

    // ---------------------------------------------------------------- good files

    @Test
    void importsEveryRecordWithItsValues() throws Exception {
        List<String> lines = List.of(
                "{\"handle\": \"88.999.1/Batch-001\", \"values\": ["
                        + "{\"index\": 1, \"type\": \"URL\", \"data\": {\"format\": \"string\", \"value\": \"https://example.com/批次/1\"}, \"ttl\": 3600, \"permissions\": \"1110\"},"
                        + "{\"index\": 2, \"type\": \"BIN\", \"data\": {\"format\": \"hex\", \"value\": \"00FF10ab00\"}, \"permissions\": \"1100\"},"
                        + "{\"index\": 3, \"type\": \"B64\", \"data\": {\"format\": \"base64\", \"value\": \"AP8QqwA=\"}},"
                        + "{\"index\": 100, \"type\": \"描述\", \"data\": {\"format\": \"string\", \"value\": \"覆铜板\"}, \"timestamp\": \"2020-01-01T00:00:00Z\"}"
                        + "]}",
                line("88.999.2/item", 2),
                line("88.999.3/item", 3));
        Path file = write("good.jsonl", lines);

        long before = System.currentTimeMillis() / 1000;
        RecordImporter importer = new RecordImporter(file);
        long after = System.currentTimeMillis() / 1000;

        assertThat(importer.validate()).isEqualTo(3);
        assertThat(store.get(h("88.999.1/Batch-001"))).as("validate writes nothing").isEmpty();

        assertThat(importer.importInto(store)).isEqualTo(3);

        HandleRecord r = store.get(h("88.999.1/BATCH-001")).orElseThrow();
        assertThat(r.handle().toString()).isEqualTo("88.999.1/Batch-001");
        assertThat(r.values()).extracting(HandleValue::index).containsExactly(1, 2, 3, 100);

        HandleValue url = r.values().get(0);
        assertThat(url.type()).isEqualTo("URL");
        assertThat(url.data()).isEqualTo("https://example.com/批次/1".getBytes(StandardCharsets.UTF_8));
        assertThat(url.ttl()).isEqualTo(3600);
        assertThat(url.ttlType()).isEqualTo(HandleValue.TtlType.RELATIVE);
        assertThat(url.permissions()).isEqualTo(Permissions.PUBLIC_READ);

        HandleValue hex = r.values().get(1);
        assertThat(hex.data()).isEqualTo(HexFormat.of().parseHex("00ff10ab00"));
        assertThat(hex.permissions()).isEqualTo(Permissions.RESTRICTED);
        assertThat(hex.permissions().flags()).isEqualTo("1100");

        HandleValue b64 = r.values().get(2);
        assertThat(b64.data()).isEqualTo(HexFormat.of().parseHex("00ff10ab00"));
        assertThat(b64.permissions().flags()).as("default permissions").isEqualTo("1110");
        assertThat(b64.ttl()).as("default ttl").isEqualTo(86400);

        HandleValue desc = r.values().get(3);
        assertThat(desc.type()).isEqualTo("描述");
        assertThat(desc.data()).isEqualTo("覆铜板".getBytes(StandardCharsets.UTF_8));
        assertThat(desc.timestamp()).isEqualTo(1_577_836_800);

        // missing timestamps become the import time
        for (HandleValue v : r.values().subList(0, 3)) {
            assertThat(v.timestamp()).isNotZero().isBetween((int) before, (int) after);
        }

        for (int n = 2; n <= 3; n++) {
            HandleRecord other = store.get(h("88.999." + n + "/item")).orElseThrow();
            assertThat(other.values()).hasSize(1);
            assertThat(other.values().get(0).data()).isEqualTo(("https://example.com/" + n).getBytes(StandardCharsets.UTF_8));
            assertThat(other.values().get(0).timestamp()).isBetween((int) before, (int) after);
        }
    }

    @Test
    void referencesAndAbsoluteTtlAreImported() throws Exception {
        // CNRI's JSON has no TTL type, so parse a library value with an absolute TTL directly
        net.handle.hdllib.HandleValue wire = new net.handle.hdllib.HandleValue(7, "REF", "x".getBytes(StandardCharsets.UTF_8));
        wire.setTTLType(net.handle.hdllib.HandleValue.TTL_TYPE_ABSOLUTE);
        wire.setTTL(2_000_000_000);
        wire.setReferences(new net.handle.hdllib.ValueReference[] {
                new net.handle.hdllib.ValueReference("0.NA/88.999".getBytes(StandardCharsets.UTF_8), 300)});
        String valueJson = net.handle.hdllib.GsonUtility.getGson().toJson(wire);
        Path file = write("refs.jsonl", List.of("{\"handle\": \"88.999.1/ref\", \"values\": [" + valueJson + "]}"));

        assertThat(new RecordImporter(file).importInto(store)).isEqualTo(1);
        HandleValue v = store.get(h("88.999.1/ref")).orElseThrow().values().get(0);
        assertThat(v.index()).isEqualTo(7);
        assertThat(v.references()).containsExactly(new ValueReference("0.NA/88.999", 300));
        assertThat(v.ttl()).isEqualTo(2_000_000_000);
    }

    @Test
    void blankLinesAreSkippedButCounted() throws Exception {
        Path file = write("blanks.jsonl", List.of("", line("88.999.1/a", 1), "   ", "\t", line("88.999.1/b", 2), ""));
        assertThat(new RecordImporter(file).importInto(store)).isEqualTo(2);
        assertThat(store.get(h("88.999.1/a"))).isPresent();
        assertThat(store.get(h("88.999.1/b"))).isPresent();

        Path bad = write("blanks-bad.jsonl", List.of(line("88.999.1/c", 1), "", "  ", "{not json", line("88.999.1/d", 2)));
        assertThatThrownBy(() -> new RecordImporter(bad).importInto(store))
                .isInstanceOfSatisfying(BadLineException.class, e -> assertThat(e.line()).isEqualTo(4));
        assertThat(store.get(h("88.999.1/c"))).isEmpty();
    }

    @Test
    void windowsLineEndingsAreAccepted() throws Exception {
        Path file = Files.writeString(dir.resolve("crlf.jsonl"), line("88.999.1/w1", 1) + "\r\n" + line("88.999.1/w2", 2) + "\r\n");
        assertThat(new RecordImporter(file).importInto(store)).isEqualTo(2);
        assertThat(store.get(h("88.999.1/w2"))).isPresent();
    }

    @Test
    void emptyFileImportsNothing() throws Exception {
        Path file = Files.writeString(dir.resolve("empty.jsonl"), "");
        assertThat(new RecordImporter(file).importInto(store)).isZero();
    }

    @Test
    void importReplacesExistingRecordsAndIsRepeatable() throws Exception {
        Path v1 = write("v1.jsonl", List.of(line("88.999.1/r", 1)));
        Path v2 = write("v2.jsonl", List.of(line("88.999.1/R", 2)));
        new RecordImporter(v1).importInto(store);
        new RecordImporter(v2).importInto(store);
        new RecordImporter(v2).importInto(store);

        HandleRecord r = store.get(h("88.999.1/r")).orElseThrow();
        assertThat(r.values()).hasSize(1);
        assertThat(r.values().get(0).data()).isEqualTo("https://example.com/2".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void importsMoreRecordsThanOneBatch() throws Exception {
        int n = RecordImporter.BATCH_SIZE + 7;
        List<String> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            lines.add(line("88.999.1/bulk-" + i, i));
        }
        Path file = write("bulk.jsonl", lines);
        assertThat(new RecordImporter(file).importInto(store)).isEqualTo(n);
        for (int i : new int[] {0, RecordImporter.BATCH_SIZE - 1, RecordImporter.BATCH_SIZE, n - 1}) {
            assertThat(store.get(h("88.999.1/bulk-" + i))).as("record %d", i).isPresent();
        }
    }

    // ---------------------------------------------------------------- bad files

    static Stream<Arguments> badLines() {
        return Stream.of(
                Arguments.of("invalid JSON", "{\"handle\": \"88.999.1/x\", \"values\": [", "not valid JSON"),
                Arguments.of("not an object", "[1, 2, 3]", "expected a JSON object"),
                Arguments.of("missing values", "{\"handle\": \"88.999.1/x\"}", "\"values\" is missing"),
                Arguments.of("values not an array", "{\"handle\": \"88.999.1/x\", \"values\": {}}", "\"values\" is missing or not an array"),
                Arguments.of("missing handle", "{\"values\": []}", "\"handle\" is missing"),
                Arguments.of("handle not a string", "{\"handle\": 5, \"values\": []}", "\"handle\" is missing or not a string"),
                Arguments.of("handle without slash", "{\"handle\": \"88.999.1-x\", \"values\": []}", "no '/'"),
                Arguments.of("handle with empty prefix segment", "{\"handle\": \"88..1/x\", \"values\": []}", "empty segment"),
                Arguments.of("handle over 255 bytes",
                        "{\"handle\": \"88.999.1/" + "中".repeat(82) + "x\", \"values\": []}", "256 bytes"),
                Arguments.of("duplicate index", "{\"handle\": \"88.999.1/x\", \"values\": ["
                        + "{\"index\": 1, \"type\": \"URL\", \"data\": \"a\"}, {\"index\": 1, \"type\": \"EMAIL\", \"data\": \"b\"}]}",
                        "two values with index 1"),
                Arguments.of("value without type", "{\"handle\": \"88.999.1/x\", \"values\": [{\"index\": 1, \"data\": \"a\"}]}",
                        "value 1 needs at least \"index\" and \"type\""),
                Arguments.of("second value without index", "{\"handle\": \"88.999.1/x\", \"values\": ["
                        + "{\"index\": 1, \"type\": \"URL\", \"data\": \"a\"}, {\"type\": \"URL\", \"data\": \"b\"}]}",
                        "value 2 needs at least"),
                Arguments.of("index zero", "{\"handle\": \"88.999.1/x\", \"values\": [{\"index\": 0, \"type\": \"URL\", \"data\": \"a\"}]}",
                        "positive integer"),
                Arguments.of("non-numeric index", "{\"handle\": \"88.999.1/x\", \"values\": [{\"index\": \"one\", \"type\": \"URL\", \"data\": \"a\"}]}",
                        "\"index\" must be an integer"),
                Arguments.of("fractional index", "{\"handle\": \"88.999.1/x\", \"values\": [{\"index\": 1.5, \"type\": \"URL\", \"data\": \"a\"}]}",
                        "\"index\" must be an integer"),
                Arguments.of("ttl over 32 bits", "{\"handle\": \"88.999.1/x\", \"values\": [{\"index\": 1, \"type\": \"URL\", \"data\": \"a\", \"ttl\": 99999999999}]}",
                        "\"ttl\" must be an integer"),
                Arguments.of("bad base64 data", "{\"handle\": \"88.999.1/x\", \"values\": [{\"index\": 1, \"type\": \"URL\", "
                        + "\"data\": {\"format\": \"base64\", \"value\": \"!!!\"}}]}", "not valid base64"),
                Arguments.of("bad hex data", "{\"handle\": \"88.999.1/x\", \"values\": [{\"index\": 1, \"type\": \"URL\", "
                        + "\"data\": {\"format\": \"hex\", \"value\": \"zz\"}}]}", "not valid hex"),
                Arguments.of("unknown data format", "{\"handle\": \"88.999.1/x\", \"values\": [{\"index\": 1, \"type\": \"URL\", "
                        + "\"data\": {\"format\": \"bogus\", \"value\": \"a\"}}]}", "value 1 is invalid"),
                Arguments.of("type over 255 bytes", "{\"handle\": \"88.999.1/x\", \"values\": [{\"index\": 1, \"type\": \""
                        + "T".repeat(256) + "\", \"data\": \"a\"}]}", "longer than 255"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLines")
    void badThirdLineOfFiveIsReportedAndNothingIsWritten(String what, String badLine, String reason) throws Exception {
        Path file = write("bad.jsonl", List.of(line("88.999.1/one", 1), line("88.999.1/two", 2), badLine,
                line("88.999.1/four", 4), line("88.999.1/five", 5)));
        RecordImporter importer = new RecordImporter(file);

        assertThatThrownBy(importer::validate)
                .isInstanceOfSatisfying(BadLineException.class, e -> assertThat(e.line()).isEqualTo(3))
                .hasMessageStartingWith("line 3: ")
                .hasMessageContaining(reason);
        assertThatThrownBy(() -> importer.importInto(store))
                .isInstanceOfSatisfying(BadLineException.class, e -> assertThat(e.line()).isEqualTo(3))
                .hasMessageContaining(reason);

        for (String ok : List.of("88.999.1/one", "88.999.1/two", "88.999.1/four", "88.999.1/five")) {
            assertThat(store.get(h(ok))).as("%s must not be written", ok).isEmpty();
        }
    }

    @Test
    void invalidPermissionsAreRefused() throws Exception {
        String bad = "{\"handle\": \"88.999.1/x\", \"values\": [{\"index\": 1, \"type\": \"URL\", \"data\": \"a\", \"permissions\": \"11x0\"}]}";
        Path file = write("perm.jsonl", List.of(line("88.999.1/one", 1), line("88.999.1/two", 2), bad,
                line("88.999.1/four", 4), line("88.999.1/five", 5)));
        assertThatThrownBy(() -> new RecordImporter(file).importInto(store))
                .isInstanceOfSatisfying(BadLineException.class, e -> assertThat(e.line()).isEqualTo(3))
                .hasMessageContaining("permissions");
        assertThat(store.get(h("88.999.1/one"))).isEmpty();
    }

    @Test
    void invalidUtf8IsRefusedAndNothingIsWritten() throws Exception {
        byte[] file = invalidUtf8OnLine3();
        Path path = Files.write(dir.resolve("utf8.jsonl"), file);
        assertThatThrownBy(() -> new RecordImporter(path).importInto(store))
                .isInstanceOf(BadLineException.class)
                .hasMessageContaining("not valid UTF-8");
        for (String ok : List.of("88.999.1/one", "88.999.1/two", "88.999.1/four", "88.999.1/five")) {
            assertThat(store.get(h(ok))).as("%s must not be written", ok).isEmpty();
        }
    }

    @Test
    void invalidUtf8IsReportedOnItsLine() throws Exception {
        Path path = Files.write(dir.resolve("utf8.jsonl"), invalidUtf8OnLine3());
        assertThatThrownBy(() -> new RecordImporter(path).validate())
                .isInstanceOfSatisfying(BadLineException.class, e -> assertThat(e.line()).isEqualTo(3))
                .hasMessageContaining("not valid UTF-8");
    }

    private static byte[] invalidUtf8OnLine3() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] handles = {"one", "two", "three", "four", "five"};
        for (int i = 0; i < 5; i++) {
            byte[] b = (line("88.999.1/" + handles[i], i + 1) + "\n").getBytes(StandardCharsets.UTF_8);
            if (i == 2) {
                // 0xC3 0x28 (bad continuation byte) inside the handle string, then a lone 0xFF
                out.write(b, 0, 20);
                out.write(0xC3);
                out.write(0x28);
                out.write(0xFF);
                out.write(b, 20, b.length - 20);
            } else {
                out.write(b, 0, b.length);
            }
        }
        return out.toByteArray();
    }

    @Test
    void missingFileIsAnIOException() {
        RecordImporter importer = new RecordImporter(dir.resolve("nope.jsonl"));
        assertThatThrownBy(() -> importer.importInto(store)).isInstanceOf(IOException.class);
    }

    // ---------------------------------------------------------------- shipped sample

    @Test
    void shippedSampleFileParses() throws Exception {
        Path sample = Path.of(System.getProperty("idnode.project.root"), "conf", "sample-data", "pcb-sample.jsonl");
        List<String> lines = Files.readAllLines(sample, StandardCharsets.UTF_8);
        int records = 0;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank()) {
                continue;
            }
            HandleRecord r = RecordJson.parse(l, 1_700_000_000);
            assertThat(r.handle().namedPrefix()).as("line %d", i + 1).startsWith("88.999");
            assertThat(r.values()).as("line %d", i + 1).isNotEmpty();
            records++;
        }
        assertThat(records).isPositive();

        RecordImporter importer = new RecordImporter(sample);
        assertThat(importer.validate()).isEqualTo(records);
        assertThat(importer.importInto(store)).isEqualTo(records);
        assertThat(store.get(h("88.999.1/ENTERPRISE"))).isPresent();
    }

    // ---------------------------------------------------------------- found by RecordJsonFuzzTest

    /** CNRI's JSON reader sets adminRead whatever the text says; the import keeps the four flags as written. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"0000", "0001", "0010", "0100", "0110", "0111", "1000", "1111"})
    void everyPermissionCombinationIsKept(String flags) {
        HandleRecord r = RecordJson.parse("{\"handle\": \"88.999.1/p\", \"values\": [{\"index\": 1, \"type\": \"URL\", "
                + "\"data\": \"x\", \"permissions\": \"" + flags + "\"}]}", 1);
        assertThat(r.values().get(0).permissions().flags()).isEqualTo(flags);
    }

    /** A timestamp that is there is kept, even the epoch; only a missing one becomes the import time. */
    @Test
    void anExplicitZeroTimestampIsKept() {
        HandleRecord r = RecordJson.parse("{\"handle\": \"88.999.1/t\", \"values\": [{\"index\": 1, \"type\": \"URL\", "
                + "\"data\": \"x\", \"timestamp\": \"1970-01-01T00:00:00Z\"}, {\"index\": 2, \"type\": \"URL\", \"data\": \"y\"}]}", 1_750_000_000);
        assertThat(r.values()).extracting(HandleValue::timestamp).containsExactly(0, 1_750_000_000);
    }
}
