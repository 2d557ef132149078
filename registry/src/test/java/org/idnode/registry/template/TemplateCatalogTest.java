package org.idnode.registry.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.idnode.registry.model.HandleName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Loading {@link TemplateCatalog}s from JSON files: the shipped {@code conf/templates} and bad files. */
class TemplateCatalogTest {
    private static final String GOOD_ITEM =
            "{\"index\": 2000, \"type\": \"SERIAL\", \"nameZh\": \"序列号\", \"nameEn\": \"Serial\", \"dataType\": \"string\", \"required\": true}";

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ shipped templates

    @Test
    void loadsTheShippedTemplates() throws IOException {
        TemplateCatalog catalog = TemplateCatalog.load(SampleData.templatesDir());
        assertThat(catalog.templates()).extracting(Template::label).containsExactly(
                "88.999/TPL.CCL_LOT version 1.0",
                "88.999/TPL.COMPONENT_REEL version 1.0",
                "88.999/TPL.PCBA_UNIT version 1.0",
                "88.999/TPL.PCB_LOT version 1.0",
                "88.999/TPL.PCB_PANEL version 1.0");
        assertThat(catalog.templates()).allSatisfy(t -> {
            assertThat(t.isNodeWide()).isTrue();
            assertThat(t.description()).isNotBlank();
            assertThat(t.items()).allSatisfy(i -> assertThat(i.enabled()).isTrue());
        });
        Template lot = catalog.find("88.999/tpl.pcb_lot", "1.0").orElseThrow();
        TemplateItem layers = lot.itemAt(2005).orElseThrow();
        assertThat(layers.type()).isEqualTo("LAYER_COUNT");
        assertThat(layers.nameZh()).isEqualTo("层数");
        assertThat(layers.nameEn()).isEqualTo("Layer count");
        assertThat(layers.dataType()).isEqualTo(DataType.NUMBER);
        assertThat(layers.required()).isTrue();
        assertThat(layers.min()).contains(BigDecimal.ONE);
        assertThat(layers.max()).contains(new BigDecimal("64"));
        assertThat(layers.maxDecimals()).hasValue(0);
        TemplateItem ccl = lot.itemOfType("REF.CCL_LOT").orElseThrow();
        assertThat(ccl.dataType()).isEqualTo(DataType.REFERENCE);
        assertThat(ccl.targetTemplate()).contains(HandleName.parse("88.999/TPL.CCL_LOT"));
        assertThat(catalog.find("88.999/TPL.PCB_LOT", "1.1")).isEmpty();
        assertThat(catalog.find("not a handle", "1.0")).isEmpty();
        assertThat(catalog.versions(HandleName.parse("88.999/TPL.PCB_LOT"))).containsExactly("1.0");
    }

    @Test
    void restrictedItemsOfTheShippedTemplatesAreNotPublic() throws IOException {
        TemplateCatalog catalog = TemplateCatalog.load(SampleData.templatesDir());
        for (Template t : catalog.templates()) {
            for (TemplateItem i : t.items()) {
                boolean restricted = List.of("UNIT_COST", "PROCESS_YIELD", "ETEST_LOG").contains(i.type());
                assertThat(i.publicRead()).as("%s %s", t.label(), i).isEqualTo(!restricted);
            }
        }
    }

    @Test
    void everyReferenceTargetOfTheShippedTemplatesIsShipped() throws IOException {
        TemplateCatalog catalog = TemplateCatalog.load(SampleData.templatesDir());
        for (Template t : catalog.templates()) {
            for (TemplateItem i : t.items()) {
                i.targetTemplate().ifPresent(target ->
                        assertThat(catalog.versions(target)).as("%s %s", t.label(), i).isNotEmpty());
            }
        }
    }

    @Test
    void shippedTemplatesSurviveAJsonRoundTrip() throws IOException {
        for (Template t : TemplateCatalog.load(SampleData.templatesDir()).templates()) {
            String json = TemplateJson.toJson(t);
            assertThat(TemplateJson.parse("round-trip", json)).as(json).isEqualTo(t);
        }
    }

    // ------------------------------------------------------------------ folder handling

    @Test
    void otherFilesAndSubFoldersAreIgnored() throws IOException {
        write("a.json", template("88.999/TPL.A", "1.0", GOOD_ITEM));
        write("README.md", "# not a template");
        Files.createDirectories(dir.resolve("old.json"));
        TemplateCatalog catalog = TemplateCatalog.load(dir);
        assertThat(catalog.size()).isEqualTo(1);
        assertThat(catalog.find("88.999/TPL.A", "1.0")).isPresent();
    }

    @Test
    void severalVersionsOfOneTemplate() throws IOException {
        write("a-1.0.json", template("88.999/TPL.A", "1.0", GOOD_ITEM));
        write("a-1.1.json", template("88.999/TPL.A", "1.1", GOOD_ITEM));
        TemplateCatalog catalog = TemplateCatalog.load(dir);
        assertThat(catalog.versions(HandleName.parse("88.999/TPL.A"))).containsExactly("1.0", "1.1");
    }

    @Test
    void anEmptyFolderGivesAnEmptyCatalog() throws IOException {
        assertThat(TemplateCatalog.load(dir).size()).isZero();
        assertThat(TemplateCatalog.EMPTY.templates()).isEmpty();
    }

    @Test
    void aMissingFolderIsRefused() {
        assertThatThrownBy(() -> TemplateCatalog.load(dir.resolve("nope"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void theSameVersionInTwoFilesIsRefused() throws IOException {
        write("a.json", template("88.999/TPL.A", "1.0", GOOD_ITEM));
        write("b.json", template("88.999/tpl.a", "1.0", GOOD_ITEM));
        assertThatThrownBy(() -> TemplateCatalog.load(dir))
                .isInstanceOfSatisfying(TemplateLoadException.class, e -> {
                    assertThat(e.file()).isEqualTo("b.json");
                    assertThat(e.field()).isEqualTo("version");
                })
                .hasMessage("b.json: version: template 88.999/tpl.a version 1.0 is already defined in a.json");
    }

    @Test
    void ofRefusesDuplicates() {
        Template t = new Template("88.999/TPL.A", "1.0", "node", "", List.of(
                TemplateItem.builder(2000, "A", DataType.STRING).names("甲", "A").build()));
        assertThatThrownBy(() -> TemplateCatalog.of(List.of(t, t))).hasMessage("template 88.999/TPL.A version 1.0 is given twice");
        assertThat(TemplateCatalog.of(List.of(t)).find(t.id(), "1.0")).contains(t);
    }

    // ------------------------------------------------------------------ bad files

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("not JSON", "{\"id\": ", null, "not valid JSON at line 1"),
                Arguments.of("not an object", "[1, 2]", null, "must hold one JSON object"),
                Arguments.of("duplicate key", "{\"id\": \"88.999/TPL.A\", \"id\": \"88.999/TPL.B\"}", null, "not valid JSON"),
                Arguments.of("missing id", "{\"version\": \"1.0\", \"owner\": \"node\", \"items\": [" + GOOD_ITEM + "]}", "id", "missing"),
                Arguments.of("bad id", template("TPL.A", "1.0", GOOD_ITEM), "id", "'TPL.A' is not a handle"),
                Arguments.of("numeric version", "{\"id\": \"88.999/TPL.A\", \"version\": 1.0, \"owner\": \"node\", \"items\": [" + GOOD_ITEM + "]}",
                        "version", "must be a string in double quotes, got the number 1.0"),
                Arguments.of("unknown template field", "{\"id\": \"88.999/TPL.A\", \"version\": \"1.0\", \"owner\": \"node\", \"itemz\": []}",
                        "itemz", "unknown field"),
                Arguments.of("missing items", "{\"id\": \"88.999/TPL.A\", \"version\": \"1.0\", \"owner\": \"node\"}", "items", "missing"),
                Arguments.of("items not a list", "{\"id\": \"88.999/TPL.A\", \"version\": \"1.0\", \"owner\": \"node\", \"items\": {}}",
                        "items", "must be an array"),
                Arguments.of("item not an object", template("88.999/TPL.A", "1.0", GOOD_ITEM + ", 7"), "items[1]", "must be an object, got 7"),
                Arguments.of("reserved index", template("88.999/TPL.A", "1.0", GOOD_ITEM + ", " + item("1001", "VERSION", "string", "")),
                        "items[1].index", "1001 is reserved"),
                Arguments.of("index below 2000", template("88.999/TPL.A", "1.0", item("150", "X", "string", "")),
                        "items[0].index", "150 is below 2000"),
                Arguments.of("fractional index", template("88.999/TPL.A", "1.0", item("2000.5", "X", "string", "")),
                        "items[0].index", "must be a whole number, got the number 2000.5"),
                Arguments.of("huge index", template("88.999/TPL.A", "1.0", item("99999999999", "X", "string", "")),
                        "items[0].index", "99999999999 is out of range"),
                Arguments.of("missing index", template("88.999/TPL.A", "1.0",
                                "{\"type\": \"X\", \"nameZh\": \"甲\", \"nameEn\": \"A\", \"dataType\": \"string\"}"),
                        "items[0].index", "missing"),
                Arguments.of("unknown item field", template("88.999/TPL.A", "1.0", item("2000", "X", "string", ", \"maxLen\": 5")),
                        "items[0].maxLen", "unknown field"),
                Arguments.of("unknown data type", template("88.999/TPL.A", "1.0", item("2000", "X", "boolean", "")),
                        "items[0].dataType", "'boolean' is not a data type"),
                Arguments.of("required not boolean", template("88.999/TPL.A", "1.0", item("2000", "X", "string", ", \"required\": \"yes\"")),
                        "items[0].required", "must be true or false"),
                Arguments.of("bad state", template("88.999/TPL.A", "1.0", item("2000", "X", "string", ", \"state\": \"on\"")),
                        "items[0].state", "'on' is not a state"),
                Arguments.of("bad min", template("88.999/TPL.A", "1.0", item("2000", "X", "number", ", \"min\": \"low\"")),
                        "items[0].min", "must be a number"),
                Arguments.of("string limit on a number", template("88.999/TPL.A", "1.0", item("2000", "X", "number", ", \"maxLength\": 5")),
                        "items[0].maxLength", "applies only to string items"),
                Arguments.of("duplicate index", template("88.999/TPL.A", "1.0", GOOD_ITEM + ", " + item("2000", "OTHER", "string", "")),
                        "items[1].index", "OTHER at index 2000 overlaps SERIAL at index 2000"),
                Arguments.of("duplicate type", template("88.999/TPL.A", "1.0", GOOD_ITEM + ", " + item("2001", "SERIAL", "string", "")),
                        "items[1].type", "SERIAL is already the type of item 2000"),
                Arguments.of("reference type without REF.", template("88.999/TPL.A", "1.0", item("2000", "LOT", "reference", "")),
                        "items[0].type", "a reference item's type must start with REF."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void aBadFileIsRefusedNamingTheFileAndField(String what, String json, String field, String problem) throws IOException {
        write("a-good.json", template("88.999/TPL.GOOD", "1.0", GOOD_ITEM));
        write("bad.json", json);
        assertThatThrownBy(() -> TemplateCatalog.load(dir))
                .isInstanceOfSatisfying(TemplateLoadException.class, e -> {
                    assertThat(e.file()).isEqualTo("bad.json");
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).startsWith("bad.json: " + (field == null ? "" : field + ": ")).contains(problem);
                });
    }

    @Test
    void aFileThatIsNotUtf8IsRefused() throws IOException {
        Files.write(dir.resolve("bad.json"), new byte[] {'{', (byte) 0xC3, '}'});
        assertThatThrownBy(() -> TemplateCatalog.load(dir)).hasMessage("bad.json: is not valid UTF-8");
    }

    // ------------------------------------------------------------------ helpers

    private static String template(String id, String version, String items) {
        return "{\"id\": \"" + id + "\", \"version\": \"" + version + "\", \"owner\": \"node\", \"description\": \"t\", \"items\": [" + items + "]}";
    }

    private static String item(String index, String type, String dataType, String more) {
        return "{\"index\": " + index + ", \"type\": \"" + type + "\", \"nameZh\": \"甲\", \"nameEn\": \"A\", \"dataType\": \"" + dataType + "\"" + more + "}";
    }

    private void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }
}
