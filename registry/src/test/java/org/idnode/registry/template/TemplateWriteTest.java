package org.idnode.registry.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.idnode.registry.template.SampleData.value;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.registry.write.HandleOperation;
import org.idnode.registry.write.HandleWriter;
import org.idnode.registry.write.WriteOutcome;
import org.idnode.registry.write.WriteStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HandleWriter} with a {@link TemplateValidator}: template violations are refused before anything is stored. */
class TemplateWriteTest {
    private static final String ACTOR = "300:0.NA/88.999.2";

    @TempDir
    Path dir;

    private RocksDbHandleRecordStore store;
    private HandleWriter writer;
    private HandleRecord lot;

    @BeforeEach
    void open() throws IOException {
        store = RocksDbHandleRecordStore.open(dir.resolve("store"), 8L << 20);
        writer = new HandleWriter(store, new TemplateValidator(TemplateCatalog.load(SampleData.templatesDir())));
        lot = SampleData.pcbSample().stream()
                .filter(r -> r.handle().toString().equals("88.999.2/PCB.87.01.01.A2.250601.000123"))
                .findFirst().orElseThrow();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static List<HandleValue> replaced(List<HandleValue> values, HandleValue... vs) {
        List<HandleValue> out = new ArrayList<>(values);
        for (HandleValue v : vs) {
            out.removeIf(x -> x.index() == v.index());
            out.add(v);
        }
        return out;
    }

    @Test
    void aRecordBreakingItsTemplateIsRefusedWithAMessagePerField() {
        HandleName h = HandleName.parse("88.999.2/PCB.BAD");
        List<HandleValue> bad = replaced(lot.values(),
                value(2005, "LAYER_COUNT", "four"),
                value(2017, "SHIP_DATE", "2025-02-30"));
        WriteOutcome outcome = writer.apply(new HandleOperation.Create(h, bad, false), ACTOR);
        assertThat(outcome.status()).isEqualTo(WriteStatus.INVALID);
        assertThat(outcome.message()).isEqualTo("2005 LAYER_COUNT: \"four\" is not a number; "
                + "2017 SHIP_DATE: \"2025-02-30\" is not a valid calendar date (YYYY-MM-DD)");
        assertThat(store.get(h)).isEmpty();
        assertThat(store.auditTrail(h, 10)).isEmpty();
    }

    @Test
    void aValidRecordIsStored() {
        HandleName h = HandleName.parse("88.999.2/PCB.GOOD");
        WriteOutcome outcome = writer.apply(new HandleOperation.Create(h, lot.values(), false), ACTOR);
        assertThat(outcome.isOk()).as(outcome.message()).isTrue();
        assertThat(store.get(h)).isPresent();
    }

    @Test
    void laterChangesAreValidatedAgainstTheWholeRecord() {
        HandleName h = HandleName.parse("88.999.2/PCB.GOOD");
        assertThat(writer.apply(new HandleOperation.Create(h, lot.values(), false), ACTOR).isOk()).isTrue();

        WriteOutcome remove = writer.apply(new HandleOperation.RemoveValues(h, List.of(2005)), ACTOR);
        assertThat(remove.status()).isEqualTo(WriteStatus.INVALID);
        assertThat(remove.message()).isEqualTo("2005 LAYER_COUNT: required by template 88.999/TPL.PCB_LOT version 1.0 but missing");

        WriteOutcome modify = writer.apply(new HandleOperation.ModifyValues(h, List.of(value(2005, "LAYER_COUNT", "65"))), ACTOR);
        assertThat(modify.status()).isEqualTo(WriteStatus.INVALID);
        assertThat(modify.message()).isEqualTo("2005 LAYER_COUNT: 65 is above the maximum of 64");

        WriteOutcome add = writer.apply(new HandleOperation.AddValues(h, List.of(value(2023, "NOTE", "x")), false), ACTOR);
        assertThat(add.status()).isEqualTo(WriteStatus.INVALID);
        assertThat(add.message()).isEqualTo("2023 NOTE: template 88.999/TPL.PCB_LOT version 1.0 has no item at index 2023");

        WriteOutcome ok = writer.apply(new HandleOperation.AddValues(h,
                List.of(value(2020, "REF.CCL_LOT", "88.999.1/CCL.28.01.01.FR4S1141.250603.000124"), value(3, "EMAIL", "qa@fab.example.com")), false), ACTOR);
        assertThat(ok.isOk()).as(ok.message()).isTrue();
        assertThat(store.get(h).orElseThrow().referencedHandles()).hasSize(2);
    }

    @Test
    void inABatchOnlyTheBadRecordIsRefused() {
        HandleName good = HandleName.parse("88.999.2/PCB.B1");
        HandleName bad = HandleName.parse("88.999.2/PCB.B2");
        List<WriteOutcome> outcomes = writer.applyAll(List.of(
                new HandleOperation.Create(good, lot.values(), false),
                new HandleOperation.Create(bad, replaced(lot.values(), value(1001, "TEMPLATE", "2.0")), false)), ACTOR);
        assertThat(outcomes).extracting(WriteOutcome::status).containsExactly(WriteStatus.OK, WriteStatus.INVALID);
        assertThat(outcomes.get(1).message()).isEqualTo("1000 TEMPLATE_ID: unknown template 88.999/TPL.PCB_LOT version 2.0 (known versions: 1.0)");
        assertThat(store.get(good)).isPresent();
        assertThat(store.get(bad)).isEmpty();
    }

    @Test
    void recordsWithoutTemplateAreUnaffected() {
        HandleName h = HandleName.parse("88.999.2/ENTERPRISE");
        WriteOutcome outcome = writer.apply(new HandleOperation.Create(h,
                List.of(value(1, "URL", "https://example.com/fab/"), value(2050, "ANYTHING", "goes")), false), ACTOR);
        assertThat(outcome.isOk()).isTrue();
    }
}
