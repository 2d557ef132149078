package org.idnode.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.idnode.api.v1.HandleValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading CSV files into records bound to the project's real templates: the column mapping and the line numbers. */
class CsvSourceTest {
    static final TemplateRef PCB_LOT = new TemplateRef("88.999/TPL.PCB_LOT", "1.0");
    static final String HEADER = "handle,CUSTOMER_PN,INTERNAL_PN,MANUFACTURER,LAYER_COUNT,WORK_ORDER,QUANTITY,"
            + "REF.CCL_LOT,REF.CCL_LOT,UNIT_COST,1:URL";

    @TempDir
    Path tmp;

    @Test
    void mapsColumnsToTheTemplateItemsWithTheirDefaultAccessAndBindsTheTemplate() throws IOException {
        List<InputLine> lines = readAll(csv(HEADER,
                "88.999.2/PCB.1,CPN-1,IPN-1,\"Example PCB Fab Co., Ltd.\",4,WO-1,100,88.999.1/CCL.A,88.999.1/CCL.B,12.5,https://example.com/1",
                "88.999.2/PCB.2,CPN-2,IPN-2,示例电路板,6,WO-2,200,88.999.1/CCL.A,,,"), PCB_LOT);

        assertThat(lines).hasSize(2).allSatisfy(l -> assertThat(l.refusal()).isNull());
        Map<Integer, HandleValue> first = byIndex(lines.get(0));
        assertThat(first.keySet()).containsExactly(1, 1000, 1001, 2000, 2001, 2003, 2005, 2014, 2016, 2019, 2020, 2022);
        assertThat(text(first.get(1000))).isEqualTo("88.999/TPL.PCB_LOT");
        assertThat(first.get(1000).getType()).isEqualTo("TEMPLATE_ID");
        assertThat(text(first.get(1001))).isEqualTo("1.0");
        assertThat(text(first.get(2003))).isEqualTo("Example PCB Fab Co., Ltd.");
        assertThat(first.get(2019).getType()).isEqualTo("REF.CCL_LOT");
        assertThat(text(first.get(2019))).isEqualTo("88.999.1/CCL.A");
        assertThat(text(first.get(2020))).isEqualTo("88.999.1/CCL.B");
        assertThat(first.get(1).getType()).isEqualTo("URL");
        assertThat(first.get(2022).getType()).isEqualTo("UNIT_COST");
        assertThat(first.get(2022).getPublicRead()).as("UNIT_COST is publicRead false in pcb-lot.json").isFalse();
        assertThat(first.get(2005).getPublicRead()).isTrue();
        assertThat(first.values()).allSatisfy(v -> assertThat(v.getAdminRead() && v.getAdminWrite()).isTrue());

        Map<Integer, HandleValue> second = byIndex(lines.get(1));
        assertThat(second.keySet()).as("empty cells give no value").containsExactly(1000, 1001, 2000, 2001, 2003, 2005, 2014, 2016, 2019);
        assertThat(text(second.get(2003))).isEqualTo("示例电路板");
    }

    @Test
    void numbersLinesPhysicallyAcrossBlankLinesCrLfAndMultiLineCells() throws IOException {
        String content = HEADER + "\r\n"
                + "88.999.2/PCB.1,C,I,M,4,W,1,88.999.1/CCL.A,,,\r\n"       // line 2
                + "\r\n"                                                    // line 3, blank
                + "88.999.2/PCB.3,\"two\nlines\",I,M,4,W,1,88.999.1/CCL.A,,,\r\n" // lines 4-5
                + "88.999.2/PCB.6,C,I,M,4,W,1\r\n"                         // line 6, too few fields
                + ",C,I,M,4,W,1,88.999.1/CCL.A,,,\r\n"                     // line 7, no handle
                + "PCB-WITHOUT-PREFIX,C,I,M,4,W,1,88.999.1/CCL.A,,,\r\n"   // line 8, not a handle
                + "88.999.2/PCB.9,C,I,M,4,W,1,88.999.1/CCL.A,,,";           // line 9, no final newline
        Path file = tmp.resolve("crlf.csv");
        Files.writeString(file, content, StandardCharsets.UTF_8);

        List<InputLine> lines = readAll(file, PCB_LOT);

        assertThat(lines).extracting(InputLine::number).containsExactly(2L, 4L, 6L, 7L, 8L, 9L);
        assertThat(text(byIndex(lines.get(1)).get(2000))).isEqualTo("two\nlines");
        assertThat(lines.get(2).refusal()).isEqualTo("7 fields, but the header has 11");
        assertThat(lines.get(2).handle()).isEqualTo("88.999.2/PCB.6");
        assertThat(lines.get(3).refusal()).isEqualTo("no identifier in column 'handle'");
        assertThat(lines.get(4).refusal()).contains("'PCB-WITHOUT-PREFIX' is not an identifier");
        assertThat(lines.get(5).refusal()).isNull();
    }

    @Test
    void aTemplateColumnChoosesTheTemplatePerLineAndAnUnknownOneRefusesOnlyItsLine() throws IOException {
        List<InputLine> lines = readAll(csv("\uFEFFhandle,template,MANUFACTURER,GRADE,LAYER_COUNT",
                "88.999.1/CCL.1,88.999/TPL.CCL_LOT@1.0,Example Laminate Co.,FR-4,",
                "88.999.2/PCB.2,88.999/TPL.PCB_LOT,Example PCB Fab Co.,,8",
                "88.999.2/PCB.3,88.999/TPL.NOPE@1.0,Example PCB Fab Co.,,8",
                "88.999.2/PCB.4,88.999/TPL.PCB_LOT@1.0,Example PCB Fab Co.,FR-4,8",
                "88.999.2/PCB.5,not a template,x,,1"), null);

        assertThat(lines).extracting(InputLine::number).containsExactly(2L, 3L, 4L, 5L, 6L);
        assertThat(byIndex(lines.get(0)).get(2002).getType()).isEqualTo("GRADE");
        assertThat(text(byIndex(lines.get(0)).get(1000))).isEqualTo("88.999/TPL.CCL_LOT");
        assertThat(text(byIndex(lines.get(1)).get(1001))).as("ID alone: the latest version").isEqualTo("1.0");
        assertThat(byIndex(lines.get(1)).get(2005).getType()).isEqualTo("LAYER_COUNT");
        assertThat(lines.get(2).refusal()).isEqualTo("unknown template 88.999/TPL.NOPE@1.0");
        assertThat(lines.get(3).refusal()).contains("column 'GRADE' is not an item of 88.999/TPL.PCB_LOT@1.0");
        assertThat(lines.get(4).refusal()).contains("'not a template' is not a template");
    }

    @Test
    void aHeaderThatDoesNotFitIsAUsageError() throws IOException {
        assertThatThrownBy(() -> readAll(csv("CUSTOMER_PN,LAYER_COUNT", "a,1"), PCB_LOT))
                .isInstanceOf(UsageException.class).hasMessageContaining("no 'handle' column");
        assertThatThrownBy(() -> readAll(csv("handle,LAYERS,CUSTOMER_PN", "88.999.2/X,1,a"), PCB_LOT))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("column 'LAYERS' is not an item of 88.999/TPL.PCB_LOT@1.0")
                .hasMessageContaining("LAYER_COUNT");
        assertThatThrownBy(() -> readAll(csv("handle,REF.CCL_LOT,REF.CCL_LOT,REF.CCL_LOT", "88.999.2/X,a/1,a/2,a/3"), PCB_LOT))
                .isInstanceOf(UsageException.class).hasMessageContaining("takes at most 2 values");
        assertThatThrownBy(() -> readAll(csv("handle,LAYER_COUNT", "88.999.2/X,1"), null))
                .isInstanceOf(UsageException.class).hasMessageContaining("no template is given");
        assertThatThrownBy(() -> readAll(csv("handle,LAYER_COUNT", "88.999.2/X,1"), new TemplateRef("88.999/TPL.NOPE", null)))
                .isInstanceOf(UsageException.class).hasMessageContaining("no such template");
    }

    @Test
    void anUnclosedQuoteStopsTheReadingAtItsLine() throws IOException {
        List<InputLine> lines = new ArrayList<>();
        String stopped;
        try (CsvSource source = new CsvSource(csv(HEADER,
                "88.999.2/PCB.1,C,I,M,4,W,1,88.999.1/CCL.A,,,",
                "88.999.2/PCB.2,\"C,I,M,4,W,1,88.999.1/CCL.A,,,",
                "88.999.2/PCB.3,C,I,M,4,W,1,88.999.1/CCL.A,,,"), PCB_LOT, TemplateFiles.cache())) {
            for (InputLine l = source.next(); l != null; l = source.next()) {
                lines.add(l);
            }
            stopped = source.stoppedBecause();
        }
        assertThat(lines).extracting(InputLine::number).containsExactly(2L);
        assertThat(stopped).startsWith("line 3: ").contains("the rest of the file was not read");
    }

    private Path csv(String... lines) throws IOException {
        Path file = Files.createTempFile(tmp, "in", ".csv");
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        return file;
    }

    private static List<InputLine> readAll(Path file, TemplateRef template) throws IOException {
        List<InputLine> out = new ArrayList<>();
        try (CsvSource source = new CsvSource(file, template, TemplateFiles.cache())) {
            for (InputLine l = source.next(); l != null; l = source.next()) {
                out.add(l);
            }
            assertThat(source.stoppedBecause()).isNull();
        }
        return out;
    }

    private static Map<Integer, HandleValue> byIndex(InputLine line) {
        assertThat(line.refusal()).as("line %s", line.number()).isNull();
        Map<Integer, HandleValue> m = new TreeMap<>();
        line.record().getValuesList().forEach(v -> m.put(v.getIndex(), v));
        return m;
    }

    private static String text(HandleValue v) {
        return v.getData().toStringUtf8();
    }
}
