package org.idnode.registry.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link HandleRecord#referencedHandles()} (the genealogy edges) and {@link HandleRecord#derived}. */
class HandleRecordReferencesTest {

    private static HandleValue value(int index, String type, String data) {
        return HandleValue.ofString(index, type, data, 1_700_000_000);
    }

    private static HandleRecord record(HandleValue... values) {
        return new HandleRecord(HandleName.parse("88.999.1/pcba-1"), List.of(values));
    }

    private static List<String> names(List<HandleName> handles) {
        return handles.stream().map(HandleName::toString).toList();
    }

    // ---------------------------------------------------------------- referencedHandles

    @ParameterizedTest
    @ValueSource(strings = {"REF.REEL", "REF.CCL_LOT", "ref.reel", "Ref.Ccl_Lot", "rEf.x", "REF."})
    void aValueOfAReferenceTypeInAnyAsciiCaseIsAnEdge(String type) {
        HandleRecord r = record(value(1, "URL", "https://example.com"), value(2, type, "88.999.1/reel-7"));
        assertThat(r.referencedHandles()).containsExactly(HandleName.parse("88.999.1/reel-7"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"URL", "REF", "REFX.REEL", "XREF.REEL", " REF.REEL", "REF_REEL", "RE.F", "", "ＲEF.REEL"})
    void otherTypesAreNotEdgesEvenWithAHandleAsData(String type) {
        assertThat(record(value(1, type, "88.999.1/reel-7")).referencedHandles()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "no-slash", "/suffix-only", "88.999.1/", " 88.999.1/x", "88..999/x", "88.999.1/tab\there"})
    void referenceDataThatIsNotAValidHandleIsIgnored(String data) {
        HandleRecord r = record(value(1, "REF.REEL", data), value(2, "REF.CCL_LOT", "88.999.1/lot-3"));
        assertThat(names(r.referencedHandles())).containsExactly("88.999.1/lot-3");
    }

    @Test
    void binaryReferenceDataThatIsNotAHandleIsIgnored() {
        HandleValue binary = new HandleValue(1, "REF.REEL", new byte[] {0, 1, 2, (byte) 0xFF}, HandleValue.TtlType.RELATIVE,
                86400, 0, List.of(), Permissions.PUBLIC_READ);
        assertThat(record(binary).referencedHandles()).isEmpty();
    }

    @Test
    void eachTargetAppearsOnceInTheOrderOfItsFirstReference() {
        HandleRecord r = record(
                value(1, "REF.CCL_LOT", "88.999.1/lot-3"),
                value(2, "REF.REEL", "88.999.1/reel-7"),
                value(3, "REF.REEL", "88.999.1/REEL-7"),   // same handle in another ASCII case
                value(4, "ref.reel", "88.999.1/reel-7"),
                value(5, "REF.CCL_LOT", "88.999.1/lot-3"),
                value(6, "REF.PANEL", "88.999.2/panel-批次"));

        assertThat(names(r.referencedHandles())).containsExactly("88.999.1/lot-3", "88.999.1/reel-7", "88.999.2/panel-批次");
    }

    @Test
    void aRecordWithoutReferencesHasNoEdges() {
        assertThat(new HandleRecord(HandleName.parse("88.999.1/empty"), List.of()).referencedHandles()).isEmpty();
        assertThat(record(value(1, "URL", "https://a"), value(2, "EMAIL", "a@b")).referencedHandles()).isEmpty();
    }

    @Test
    void referencedHandlesIsAFreshListEachTime() {
        HandleRecord r = record(value(1, "REF.REEL", "88.999.1/reel-7"));
        List<HandleName> first = r.referencedHandles();
        assertThat(r.referencedHandles()).isEqualTo(first).isNotSameAs(first);
    }

    @Test
    void valueReferencesAreNotGenealogyEdges() {
        // RFC 3651 value references (index:handle) are a different thing from REF.* items
        HandleValue withReference = new HandleValue(1, "URL", "https://a".getBytes(StandardCharsets.UTF_8),
                HandleValue.TtlType.RELATIVE, 86400, 0, List.of(new ValueReference("88.999.1/other", 1)), Permissions.PUBLIC_READ);
        assertThat(record(withReference).referencedHandles()).isEmpty();
    }

    // ---------------------------------------------------------------- derived

    @Test
    void aDerivedValueIsComputedOnceAndKeptWithTheRecord() {
        HandleRecord r = record(value(1, "URL", "https://a"));
        AtomicInteger calls = new AtomicInteger();

        String first = r.derived(String.class, rec -> {
            calls.incrementAndGet();
            return "encoded " + rec.values().size();
        });
        String second = r.derived(String.class, rec -> {
            calls.incrementAndGet();
            return "other";
        });

        assertThat(first).isEqualTo("encoded 1");
        assertThat(second).isSameAs(first);
        assertThat(calls).hasValue(1);
    }

    @Test
    void aDerivedValueOfAnotherTypeReplacesTheFirst() {
        HandleRecord r = record(value(1, "URL", "https://a"));
        List<String> computed = new ArrayList<>();

        assertThat(r.derived(String.class, rec -> {
            computed.add("string");
            return "s";
        })).isEqualTo("s");
        assertThat(r.derived(Integer.class, rec -> {
            computed.add("integer");
            return 42;
        })).isEqualTo(42);
        assertThat(r.derived(Integer.class, rec -> {
            computed.add("integer again");
            return 43;
        })).isEqualTo(42);
        assertThat(r.derived(String.class, rec -> {
            computed.add("string again");
            return "t";
        })).isEqualTo("t");

        assertThat(computed).containsExactly("string", "integer", "string again");
    }

    @Test
    void aDerivedValueDoesNotTakePartInEquality() {
        HandleRecord a = record(value(1, "URL", "https://a"));
        HandleRecord b = record(value(1, "URL", "https://a"));
        a.derived(String.class, rec -> "x");

        assertThat(a).isEqualTo(b);
        assertThat(a.hashCode()).isEqualTo(b.hashCode());
        assertThat(b.derived(String.class, rec -> "y")).isEqualTo("y");
    }
}
