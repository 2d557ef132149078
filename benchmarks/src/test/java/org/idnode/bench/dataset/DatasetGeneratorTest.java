package org.idnode.bench.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.template.TemplateCatalog;
import org.idnode.registry.template.TemplateItem;
import org.idnode.registry.template.TemplateValidator;
import org.idnode.server.importer.RecordImporter;
import org.idnode.server.importer.RecordJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetGeneratorTest {
    @TempDir
    Path dir;

    @Test
    void twoThousandRecordsImportCleanlyWithTheNodesImporter() throws Exception {
        Path out = dir.resolve("records.jsonl");
        Path keys = dir.resolve("keys.txt");
        long written = new DatasetGenerator("88.999", 42, DatasetGenerator.Shape.REALISTIC).writeFiles(2000, out, keys);

        assertThat(written).isEqualTo(2000);
        assertThat(new RecordImporter(out).validate()).isEqualTo(2000);
        List<String> handles = handles(out);
        assertThat(Files.readAllLines(keys, StandardCharsets.UTF_8)).containsExactlyElementsOf(handles);
    }

    @Test
    void everyRecordBoundToATemplateValidatesAgainstTheShippedTemplates() throws Exception {
        Path projectRoot = Path.of(System.getProperty("idnode.project.root", "..")).toAbsolutePath().normalize();
        TemplateValidator validator = new TemplateValidator(TemplateCatalog.load(projectRoot.resolve("conf/templates")));
        Path out = dir.resolve("templated.jsonl");
        new DatasetGenerator("88.999", 11, DatasetGenerator.Shape.REALISTIC).writeFiles(4000, out, null);

        Set<String> templates = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            HandleRecord record = RecordJson.parse(line, 0);
            record.values().stream().filter(v -> v.index() == TemplateItem.TEMPLATE_ID_INDEX)
                    .forEach(v -> templates.add(new String(v.data(), StandardCharsets.UTF_8)));
            validator.problems(record).forEach(p -> problems.add(record.handle() + ": " + p));
        }
        assertThat(problems).as("template problems").isEmpty();
        assertThat(templates).containsExactlyInAnyOrder("88.999/TPL.CCL_LOT", "88.999/TPL.PCB_LOT", "88.999/TPL.PCB_PANEL",
                "88.999/TPL.COMPONENT_REEL", "88.999/TPL.PCBA_UNIT");
    }

    @Test
    void sameSeedGivesTheSameBytesAndAnotherSeedDoesNot() throws Exception {
        assertThat(generate(7, 1500)).isEqualTo(generate(7, 1500));
        assertThat(generate(7, 1500)).isNotEqualTo(generate(8, 1500));
        // A shorter run is a prefix of a longer one with the same seed.
        String longer = new String(generate(7, 1500), StandardCharsets.UTF_8);
        String shorter = new String(generate(7, 700), StandardCharsets.UTF_8);
        assertThat(longer).startsWith(shorter);
    }

    @Test
    void recordsFormASupplyChainWithBackwardReferencesRestrictedValuesAndTestHostsOnly() throws Exception {
        Path out = dir.resolve("chain.jsonl");
        new DatasetGenerator("88.999", 3, DatasetGenerator.Shape.REALISTIC).writeFiles(2000, out, null);
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);

        assertThat(lines.subList(0, 4)).extracting(l -> parse(l).get("handle").getAsString())
                .containsExactly("0.NA/88.999.1", "0.NA/88.999.2", "0.NA/88.999.3", "0.NA/88.999.4");
        Set<String> seen = new HashSet<>();
        Set<String> kinds = new HashSet<>();
        int restricted = 0;
        int references = 0;
        int minValues = Integer.MAX_VALUE;
        int maxValues = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonObject record = parse(lines.get(i));
            String handle = record.get("handle").getAsString();
            assertThat(handle).matches("(0\\.NA/)?88\\.999\\.[1-4](/.*)?");
            assertThat(seen.add(handle)).as("unique handle %s", handle).isTrue();
            Set<Integer> indexes = new HashSet<>();
            int count = record.getAsJsonArray("values").size();
            if (i >= DatasetGenerator.HEADER_RECORDS) {
                kinds.add(handle.substring(handle.indexOf('/') + 1, handle.indexOf('.', handle.indexOf('/'))));
                minValues = Math.min(minValues, count);
                maxValues = Math.max(maxValues, count);
            }
            for (JsonElement e : record.getAsJsonArray("values")) {
                JsonObject v = e.getAsJsonObject();
                assertThat(indexes.add(v.get("index").getAsInt())).as("unique index in %s", handle).isTrue();
                String type = v.get("type").getAsString();
                String value = v.getAsJsonObject("data").get("value").toString();
                if (v.get("permissions").getAsString().equals("1100")) {
                    restricted++;
                }
                if (type.startsWith("REF.")) {
                    references++;
                    assertThat(seen).as("%s in %s refers back", type, handle)
                            .contains(v.getAsJsonObject("data").get("value").getAsString());
                }
                if (value.contains("://")) {
                    assertThat(value).contains("https://example.com/");
                }
                if (type.equals("EMAIL")) {
                    assertThat(value).endsWith(".example.com\"");
                }
            }
        }
        assertThat(kinds).containsExactlyInAnyOrder("CCL", "PCB", "PNL", "REEL", "PCBA");
        assertThat(minValues).isEqualTo(8);
        assertThat(maxValues).isBetween(20, 25);
        assertThat(restricted).isGreaterThan(100);
        assertThat(references).isGreaterThan(1000);
    }

    @Test
    void anchorShapeHasSixPublicValuesPerRecordAndImports() throws Exception {
        Path out = dir.resolve("anchor.jsonl");
        new DatasetGenerator("88.999", 1, DatasetGenerator.Shape.ANCHOR).writeFiles(500, out, null);
        assertThat(new RecordImporter(out).validate()).isEqualTo(500);
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        for (String line : lines.subList(DatasetGenerator.HEADER_RECORDS, lines.size())) {
            JsonObject r = parse(line);
            assertThat(r.getAsJsonArray("values")).hasSize(6);
            assertThat(line).doesNotContain("\"1100\"");
        }
    }

    @Test
    void fewerRecordsThanTheHeaderAreAPrefixOfTheHeader() throws Exception {
        StringWriter keys = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(new DatasetGenerator("88.999", 1, DatasetGenerator.Shape.REALISTIC).write(3, out, keys)).isEqualTo(3);
        assertThat(keys.toString()).isEqualTo("0.NA/88.999.1\n0.NA/88.999.2\n0.NA/88.999.3\n");
        assertThat(new DatasetGenerator("88.999", 1, DatasetGenerator.Shape.REALISTIC).write(0, new ByteArrayOutputStream(), null)).isZero();
    }

    @Test
    void aSubPrefixIsHonouredAndForeignPrefixesAreRefused() throws Exception {
        StringWriter keys = new StringWriter();
        new DatasetGenerator("88.999.7", 1, DatasetGenerator.Shape.REALISTIC).write(20, new ByteArrayOutputStream(), keys);
        assertThat(keys.toString().lines()).allMatch(h -> h.startsWith("0.NA/88.999.7.") || h.startsWith("88.999.7."));
        assertThatThrownBy(() -> new DatasetGenerator("86.5000", 1, DatasetGenerator.Shape.REALISTIC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("88.999");
        assertThatThrownBy(() -> new DatasetGenerator("88.9990", 1, DatasetGenerator.Shape.REALISTIC))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] generate(long seed, long count) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DatasetGenerator("88.999", seed, DatasetGenerator.Shape.REALISTIC).write(count, out, null);
        return out.toByteArray();
    }

    private static List<String> handles(Path file) throws Exception {
        List<String> handles = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            handles.add(parse(line).get("handle").getAsString());
        }
        return handles;
    }

    private static JsonObject parse(String line) {
        return JsonParser.parseString(line).getAsJsonObject();
    }
}
