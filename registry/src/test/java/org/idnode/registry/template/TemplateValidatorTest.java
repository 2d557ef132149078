package org.idnode.registry.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.idnode.registry.template.SampleData.value;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TemplateValidator} against the shipped templates, starting from valid sample records and breaking
 * one field at a time.
 */
class TemplateValidatorTest {
    private static final String PCB_LOT = "88.999/TPL.PCB_LOT version 1.0";

    private static TemplateCatalog catalog;
    private static TemplateValidator validator;
    private static HandleRecord lot;
    private static HandleRecord pcba;

    @BeforeAll
    static void load() throws IOException {
        catalog = TemplateCatalog.load(SampleData.templatesDir());
        validator = new TemplateValidator(catalog);
        List<HandleRecord> sample = SampleData.pcbSample();
        lot = find(sample, "88.999.2/PCB.87.01.01.A2.250601.000123");
        pcba = find(sample, "88.999.4/PCBA.87.02.01.CTRLA2.250616.000401");
    }

    private static HandleRecord find(List<HandleRecord> records, String handle) {
        return records.stream().filter(r -> r.handle().equals(HandleName.parse(handle))).findFirst().orElseThrow();
    }

    /** The record with {@code v} replacing the value at its index, or added. */
    private static HandleRecord with(HandleRecord r, HandleValue... vs) {
        List<HandleValue> values = new ArrayList<>(r.values());
        for (HandleValue v : vs) {
            values.removeIf(x -> x.index() == v.index());
            values.add(v);
        }
        return new HandleRecord(r.handle(), values);
    }

    private static HandleRecord without(HandleRecord r, int... indexes) {
        List<HandleValue> values = new ArrayList<>(r.values());
        for (int i : indexes) {
            values.removeIf(x -> x.index() == i);
        }
        return new HandleRecord(r.handle(), values);
    }

    private static List<String> problems(HandleRecord r) {
        return validator.problems(r);
    }

    // ------------------------------------------------------------------ binding

    @Test
    void theBaseRecordsAreValid() {
        assertThat(problems(lot)).isEmpty();
        assertThat(problems(pcba)).isEmpty();
    }

    @Test
    void aRecordWithoutTemplateIdIsNotBound() {
        HandleRecord plain = new HandleRecord(HandleName.parse("88.999.2/X"), List.of(
                value(1, "URL", "https://example.com/"),
                value(1500, "ANY", "thing"),
                value(2005, "LAYER_COUNT", "four")));
        assertThat(problems(plain)).isEmpty();
        assertThat(problems(new HandleRecord(HandleName.parse("88.999.2/EMPTY"), List.of()))).isEmpty();
    }

    @Test
    void aTemplateVersionWithoutTheTemplateIsRefused() {
        // e.g. what remains when index 1000 is removed from a bound record: it must not escape its template's checks
        HandleRecord orphan = new HandleRecord(HandleName.parse("88.999.2/X"), List.of(
                value(1, "URL", "https://example.com/"),
                value(1001, "TEMPLATE", "1.0"),
                value(2005, "LAYER_COUNT", "four")));
        assertThat(problems(orphan)).singleElement().asString().startsWith("1001 TEMPLATE: ").contains("1000 TEMPLATE_ID");
    }

    @Test
    void unknownTemplate() {
        HandleRecord r = with(lot, value(1000, "TEMPLATE_ID", "88.999/TPL.X"), value(1001, "TEMPLATE", "2.0"));
        assertThat(problems(r)).containsExactly("1000 TEMPLATE_ID: unknown template 88.999/TPL.X version 2.0");
    }

    @Test
    void unknownVersionOfAKnownTemplate() {
        HandleRecord r = with(lot, value(1001, "TEMPLATE", "2.0"));
        assertThat(problems(r)).containsExactly("1000 TEMPLATE_ID: unknown template 88.999/TPL.PCB_LOT version 2.0 (known versions: 1.0)");
    }

    @Test
    void templateIdIsComparedAsAHandle() {
        assertThat(problems(with(lot, value(1000, "TEMPLATE_ID", "88.999/tpl.pcb_lot")))).isEmpty();
    }

    @Test
    void missingVersion() {
        assertThat(problems(without(lot, 1001))).containsExactly(
                "1001 TEMPLATE: missing (a record bound to template 88.999/TPL.PCB_LOT names the template version at index 1001)");
    }

    @Test
    void wrongBindingTypes() {
        assertThat(problems(with(lot, value(1000, "URL", "88.999/TPL.PCB_LOT"))))
                .containsExactly("1000 URL: index 1000 is reserved for TEMPLATE_ID, the template the record uses");
        assertThat(problems(with(lot, value(1001, "VERSION", "1.0"))))
                .containsExactly("1001 VERSION: index 1001 is reserved for TEMPLATE, the template version");
        assertThat(problems(with(lot, value(1000, "TEMPLATE_ID", "TPL.PCB_LOT"))))
                .containsExactly("1000 TEMPLATE_ID: \"TPL.PCB_LOT\" is not a template handle: handle 'TPL.PCB_LOT' has no '/' between prefix and suffix");
    }

    // ------------------------------------------------------------------ free and reserved indexes

    @Test
    void indexesBelow1000AreFree() {
        HandleRecord r = with(lot,
                value(3, "EMAIL", "trace@fab.example.com"),
                value(100, "HS_ADMIN", "anything"),
                value(300, "HS_PUBKEY", "key"),
                value(999, "WHATEVER", "four"));
        assertThat(problems(r)).isEmpty();
    }

    @Test
    void indexes1002To1999AreReserved() {
        assertThat(problems(with(lot, value(1500, "NOTE", "x"), value(1999, "MORE", "y")))).containsExactly(
                "1500 NOTE: index 1500 is reserved in a record bound to a template (free values use 1 to 999, template items 2000 and above)",
                "1999 MORE: index 1999 is reserved in a record bound to a template (free values use 1 to 999, template items 2000 and above)");
    }

    // ------------------------------------------------------------------ items

    @Test
    void unknownItemIndex() {
        assertThat(problems(with(lot, value(2050, "FOO", "bar"))))
                .containsExactly("2050 FOO: template " + PCB_LOT + " has no item at index 2050");
    }

    @Test
    void aKnownTypeAtAnUnknownIndexSaysWhereItBelongs() {
        assertThat(problems(with(lot, value(2030, "LAYER_COUNT", "4"))))
                .containsExactly("2030 LAYER_COUNT: template " + PCB_LOT + " has no item at index 2030 (LAYER_COUNT belongs at index 2005)");
    }

    @Test
    void typeMismatchAtAKnownIndex() {
        assertThat(problems(with(lot, value(2005, "LAYERS", "4"))))
                .containsExactly("2005 LAYERS: index 2005 holds LAYER_COUNT in template " + PCB_LOT + ", not LAYERS");
        assertThat(problems(with(lot, value(2005, "layer_count", "4"))))
                .containsExactly("2005 layer_count: index 2005 holds LAYER_COUNT in template " + PCB_LOT + ", not layer_count");
    }

    @Test
    void missingRequiredItem() {
        assertThat(problems(without(lot, 2005))).containsExactly("2005 LAYER_COUNT: required by template " + PCB_LOT + " but missing");
        assertThat(problems(without(lot, 2019))).containsExactly("2019 REF.CCL_LOT: required by template " + PCB_LOT + " but missing");
    }

    @Test
    void optionalItemsMayBeLeftOut() {
        assertThat(problems(without(lot, 2002, 2017, 2021, 2022))).isEmpty();
    }

    @Test
    void repeatableItems() {
        HandleRecord twoLots = with(lot, value(2020, "REF.CCL_LOT", "88.999.1/CCL.28.01.01.FR4S1141.250603.000124"));
        assertThat(problems(twoLots)).isEmpty();
        // The first of a repeatable item's indexes may be empty: the item is present through another one.
        assertThat(problems(without(twoLots, 2019))).isEmpty();
        HandleRecord threeLots = with(twoLots, value(2021, "REF.CCL_LOT", "88.999.1/CCL.28.01.01.FR4TG170.250528.000087"));
        assertThat(problems(threeLots)).containsExactly(
                "2021 REF.CCL_LOT: index 2021 holds PROCESS_YIELD in template " + PCB_LOT + ", not REF.CCL_LOT (REF.CCL_LOT belongs at indexes 2019-2020)");
        assertThat(problems(with(pcba, value(2015, "REF.REEL", "88.999.3/REEL.31.03.01.LED0603GRN.250505.000322")))).isEmpty();
        assertThat(problems(without(pcba, 2011, 2012, 2013, 2014, 2015)))
                .containsExactly("2011 REF.REEL: required by template 88.999/TPL.PCBA_UNIT version 1.0 but missing");
    }

    // ------------------------------------------------------------------ numbers

    @Test
    void badNumber() {
        assertThat(problems(with(lot, value(2005, "LAYER_COUNT", "four")))).containsExactly("2005 LAYER_COUNT: \"four\" is not a number");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 4", "4 ", "+4", "1e1", "4.", ".5", "0x10", "４", "NaN", "-", "1,5"})
    void numbersArePlainDecimals(String bad) {
        assertThat(problems(with(lot, value(2005, "LAYER_COUNT", bad)))).singleElement().asString()
                .startsWith("2005 LAYER_COUNT: \"").endsWith("\" is not a number");
    }

    @Test
    void numberRange() {
        assertThat(problems(with(lot, value(2005, "LAYER_COUNT", "99")))).containsExactly("2005 LAYER_COUNT: 99 is above the maximum of 64");
        assertThat(problems(with(lot, value(2005, "LAYER_COUNT", "0")))).containsExactly("2005 LAYER_COUNT: 0 is below the minimum of 1");
        assertThat(problems(with(lot, value(2005, "LAYER_COUNT", "-2")))).containsExactly("2005 LAYER_COUNT: -2 is below the minimum of 1");
        assertThat(problems(with(lot, value(2005, "LAYER_COUNT", "64")))).isEmpty();
        assertThat(problems(with(lot, value(2021, "PROCESS_YIELD", "100.01")))).containsExactly("2021 PROCESS_YIELD: 100.01 is above the maximum of 100");
        assertThat(problems(with(lot, value(2006, "BOARD_THICKNESS_MM", "0.05")))).containsExactly("2006 BOARD_THICKNESS_MM: 0.05 is below the minimum of 0.1");
    }

    @Test
    void numberDecimals() {
        assertThat(problems(with(lot, value(2005, "LAYER_COUNT", "4.5")))).containsExactly("2005 LAYER_COUNT: 4.5 is not a whole number");
        assertThat(problems(with(lot, value(2022, "UNIT_COST", "1.23456"))))
                .containsExactly("2022 UNIT_COST: 1.23456 has 5 digits after the decimal point, more than the maximum of 4");
        assertThat(problems(with(lot, value(2022, "UNIT_COST", "1.2345")))).isEmpty();
    }

    @Test
    void aHugeNumberIsRefusedWithoutParsing() {
        assertThat(problems(with(lot, value(2016, "QUANTITY", "9".repeat(5000)))))
                .containsExactly("2016 QUANTITY: the value is 5000 characters long, too long for a number");
    }

    // ------------------------------------------------------------------ strings

    @Test
    void stringTooLong() {
        assertThat(problems(with(lot, value(2000, "CUSTOMER_PN", "X".repeat(65)))))
                .containsExactly("2000 CUSTOMER_PN: the value is 65 characters long, more than the maximum of 64");
        assertThat(problems(with(lot, value(2000, "CUSTOMER_PN", "X".repeat(64))))).isEmpty();
    }

    @Test
    void lengthCountsCharactersNotBytes() {
        assertThat(problems(with(lot, value(2000, "CUSTOMER_PN", "板".repeat(64))))).isEmpty();
        assertThat(problems(with(lot, value(2000, "CUSTOMER_PN", "😀".repeat(64))))).isEmpty();
        assertThat(problems(with(lot, value(2000, "CUSTOMER_PN", "板".repeat(65)))))
                .containsExactly("2000 CUSTOMER_PN: the value is 65 characters long, more than the maximum of 64");
    }

    @Test
    void stringTooShort() {
        assertThat(problems(with(lot, value(2015, "DATE_CODE", "252")))).containsExactly("2015 DATE_CODE: \"252\" is 3 characters long, fewer than the minimum of 4");
    }

    @Test
    void requiredStringMayNotBeEmpty() {
        assertThat(problems(with(lot, value(2000, "CUSTOMER_PN", "")))).containsExactly("2000 CUSTOMER_PN: required but empty");
        assertThat(problems(with(lot, value(2009, "SOLDER_MASK_COLOR", "")))).isEmpty();
    }

    @Test
    void dataMustBeUtf8() {
        HandleValue bad = new HandleValue(2000, "CUSTOMER_PN", new byte[] {(byte) 0xC3, 0x28}, HandleValue.TtlType.RELATIVE, 86400,
                SampleData.TIMESTAMP, List.of(), Permissions.PUBLIC_READ);
        assertThat(problems(with(lot, bad))).containsExactly("2000 CUSTOMER_PN: the value is not valid UTF-8 text");
    }

    // ------------------------------------------------------------------ dates

    @Test
    void badDate() {
        assertThat(problems(with(lot, value(2017, "SHIP_DATE", "2025-02-30"))))
                .containsExactly("2017 SHIP_DATE: \"2025-02-30\" is not a valid calendar date (YYYY-MM-DD)");
        assertThat(problems(with(lot, value(2017, "SHIP_DATE", "2025-13-01"))))
                .containsExactly("2017 SHIP_DATE: \"2025-13-01\" is not a valid calendar date (YYYY-MM-DD)");
        assertThat(problems(with(lot, value(2017, "SHIP_DATE", "2025-02-29"))))
                .containsExactly("2017 SHIP_DATE: \"2025-02-29\" is not a valid calendar date (YYYY-MM-DD)");
        assertThat(problems(with(lot, value(2017, "SHIP_DATE", "2024-02-29")))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-6-1", "2025/06/01", "20250601", "2025-06-01T00:00", " 2025-06-01", "yesterday", ""})
    void datesAreWrittenYyyyMmDd(String bad) {
        assertThat(problems(with(lot, value(2017, "SHIP_DATE", bad)))).singleElement().asString()
                .startsWith("2017 SHIP_DATE: \"").endsWith("\" is not a date written YYYY-MM-DD");
    }

    // ------------------------------------------------------------------ references

    @Test
    void badReference() {
        assertThat(problems(with(lot, value(2019, "REF.CCL_LOT", "CCL-000123"))))
                .containsExactly("2019 REF.CCL_LOT: \"CCL-000123\" is not a handle: handle 'CCL-000123' has no '/' between prefix and suffix");
        assertThat(problems(with(lot, value(2019, "REF.CCL_LOT", "88.999.1/"))))
                .containsExactly("2019 REF.CCL_LOT: \"88.999.1/\" is not a handle: handle '88.999.1/' has an empty suffix");
        assertThat(problems(with(lot, value(2019, "REF.CCL_LOT", ""))))
                .containsExactly("2019 REF.CCL_LOT: \"\" is not a handle: handle is empty");
    }

    @Test
    void referenceTargetsNeedNotExist() {
        assertThat(problems(with(lot, value(2019, "REF.CCL_LOT", "88.999.1/NOT.REGISTERED.YET")))).isEmpty();
    }

    @Test
    void longValuesAreQuotedShortAndEscaped() {
        String bad = "\"" + "x".repeat(100) + "\n";
        assertThat(problems(with(lot, value(2005, "LAYER_COUNT", bad))))
                .containsExactly("2005 LAYER_COUNT: \"\\\"" + "x".repeat(63) + "…\" is not a number");
        assertThat(problems(with(lot, value(2005, "LAYER_COUNT", "a\tb"))))
                .containsExactly("2005 LAYER_COUNT: \"a\\u0009b\" is not a number");
    }

    // ------------------------------------------------------------------ several problems

    @Test
    void oneMessagePerOffendingFieldInIndexOrder() {
        HandleRecord r = without(with(lot,
                value(2017, "SHIP_DATE", "2025-02-30"),
                value(2005, "LAYER_COUNT", "four"),
                value(2050, "FOO", "bar"),
                value(2000, "CUSTOMER_PN", "X".repeat(100))), 2014);
        assertThat(problems(r)).containsExactly(
                "2000 CUSTOMER_PN: the value is 100 characters long, more than the maximum of 64",
                "2005 LAYER_COUNT: \"four\" is not a number",
                "2014 WORK_ORDER: required by template " + PCB_LOT + " but missing",
                "2017 SHIP_DATE: \"2025-02-30\" is not a valid calendar date (YYYY-MM-DD)",
                "2050 FOO: template " + PCB_LOT + " has no item at index 2050");
    }

    // ------------------------------------------------------------------ disabled items, owners, catalogue swaps

    private static Template enterpriseTemplate(String version, boolean enabled) {
        return new Template("88.999.2/TPL.BOX", version, "88.999.2", "boxes", List.of(
                TemplateItem.builder(2000, "BOX_ID", DataType.STRING).names("箱号", "Box ID").required(true).build(),
                TemplateItem.builder(2001, "WEIGHT_KG", DataType.NUMBER).names("重量", "Weight").min(BigDecimal.ZERO).enabled(enabled).build(),
                TemplateItem.builder(2002, "SEAL", DataType.STRING).names("封条", "Seal").required(true).enabled(enabled).build()));
    }

    private static HandleRecord box(String handle, String version, HandleValue... more) {
        List<HandleValue> values = new ArrayList<>(List.of(
                value(1000, "TEMPLATE_ID", "88.999.2/TPL.BOX"), value(1001, "TEMPLATE", version), value(2000, "BOX_ID", "B1")));
        values.addAll(List.of(more));
        return new HandleRecord(HandleName.parse(handle), values);
    }

    @Test
    void disabledItems() {
        TemplateValidator v = new TemplateValidator(TemplateCatalog.of(List.of(enterpriseTemplate("1.0", true), enterpriseTemplate("1.1", false))));
        assertThat(v.problems(box("88.999.2/BOX1", "1.0", value(2001, "WEIGHT_KG", "2.5"))))
                .containsExactly("2002 SEAL: required by template 88.999.2/TPL.BOX version 1.0 but missing");
        // In 1.1 both items are disabled: SEAL is no longer required, WEIGHT_KG may no longer be written.
        assertThat(v.problems(box("88.999.2/BOX1", "1.1"))).isEmpty();
        assertThat(v.problems(box("88.999.2/BOX1", "1.1", value(2001, "WEIGHT_KG", "2.5"))))
                .containsExactly("2001 WEIGHT_KG: the item is disabled in template 88.999.2/TPL.BOX version 1.1");
    }

    @Test
    void anEnterpriseTemplateServesOnlyItsPrefix() {
        TemplateValidator v = new TemplateValidator(TemplateCatalog.of(List.of(enterpriseTemplate("1.1", false))));
        assertThat(v.problems(box("88.999.2/BOX1", "1.1"))).isEmpty();
        assertThat(v.problems(box("88.999.2.7/BOX1", "1.1"))).isEmpty();
        assertThat(v.problems(box("88.999.3/BOX1", "1.1"))).containsExactly(
                "1000 TEMPLATE_ID: template 88.999.2/TPL.BOX version 1.1 belongs to enterprise prefix 88.999.2, so records under 88.999.3 may not use it");
    }

    @Test
    void theCatalogMayBeSwapped() {
        AtomicReference<TemplateCatalog> current = new AtomicReference<>(TemplateCatalog.EMPTY);
        TemplateValidator v = new TemplateValidator(current::get);
        HandleRecord r = box("88.999.2/BOX1", "1.1");
        assertThat(v.problems(r)).containsExactly("1000 TEMPLATE_ID: unknown template 88.999.2/TPL.BOX version 1.1");
        current.set(TemplateCatalog.of(List.of(enterpriseTemplate("1.1", false))));
        assertThat(v.problems(r)).isEmpty();
    }
}
