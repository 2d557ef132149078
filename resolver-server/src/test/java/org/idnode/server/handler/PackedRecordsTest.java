package org.idnode.server.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.Util;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.registry.model.PackedValues;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.model.ValueReference;
import org.idnode.server.codec.HandleValueConverter;

/**
 * {@link PackedRecords}, the form of the record cache, over generated records: every field of every value survives
 * packing (restricted values, references, absolute TTLs, zero and negative timestamps and TTLs, any permission bits,
 * Unicode types, data and reference handles, arbitrary binary data, empty records); the prepared answer an anonymous
 * resolution gets holds exactly the public values; filtered answers and value selections from the packed form equal
 * those the general path prepares from the values.
 */
class PackedRecordsTest {

    @Property
    void aPackedRecordEqualsTheRecordItWasPackedFrom(@ForAll("records") HandleRecord record) {
        HandleRecord packed = PackedRecords.pack(record);

        assertThat(packed).isEqualTo(record).hasSameHashCodeAs(record);
        assertThat(packed.handle()).isSameAs(record.handle());
        assertThat(packed.values()).isInstanceOf(PackedValues.class).hasSameSizeAs(record.values());
        for (int i = 0; i < record.values().size(); i++) {
            HandleValue want = record.values().get(i);
            HandleValue got = packed.values().get(i);
            assertThat(got.index()).isEqualTo(want.index());
            assertThat(got.type()).isEqualTo(want.type());
            assertThat(got.data()).isEqualTo(want.data());
            assertThat(got.ttlType()).isEqualTo(want.ttlType());
            assertThat(got.ttl()).isEqualTo(want.ttl());
            assertThat(got.timestamp()).isEqualTo(want.timestamp());
            assertThat(got.references()).isEqualTo(want.references());
            assertThat(got.permissions()).isEqualTo(want.permissions());
        }
        assertThat(List.copyOf(packed.values())).isEqualTo(record.values());
        assertThat(packed.referencedHandles()).isEqualTo(record.referencedHandles());
        assertThat(((PackedValues) packed.values()).indexes()).containsExactly(record.values().stream().mapToInt(HandleValue::index).toArray());
    }

    @Property
    void theAnonymousAnswerHoldsExactlyThePublicValues(@ForAll("records") HandleRecord record) {
        PreparedRecord prepared = PackedRecords.pack(record).derived(PreparedRecord.class, r -> {
            throw new AssertionError("the packed record comes prepared");
        });
        List<HandleValue> publicValues = record.values().stream().filter(v -> v.permissions().publicRead()).toList();

        assertThat(prepared.withheld()).isEqualTo(publicValues.size() < record.values().size());
        CachedAnswer answer = prepared.answer(null, null);
        if (publicValues.isEmpty()) {
            assertThat(answer).isSameAs(CachedAnswer.VALUES_NOT_FOUND);
            return;
        }
        assertThat(answer.responseCode()).isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(answer.values()).isDeepEqualTo(encodedEach(publicValues));
        assertThat(List.copyOf(WireValues.of(answer.valueBlock(), 0))).isEqualTo(publicValues);
        assertThat(answer.valueBlock()).isEqualTo(WireValues.encode(publicValues));
        assertThat(prepared.selectValues(null, null)).isEqualTo(publicValues);
    }

    @Property
    void filteredAnswersFromThePackedFormEqualTheGeneralPaths(@ForAll("records") HandleRecord record,
                                                             @ForAll("indexFilters") int[] indexes, @ForAll("typeFilters") byte[][] types) {
        PreparedRecord cached = PackedRecords.pack(record).derived(PreparedRecord.class, PreparedRecord::of);
        PreparedRecord general = PreparedRecord.of(record.values(), false);

        byte[][] want = general.select(indexes, types);
        assertThat(cached.select(indexes, types)).isDeepEqualTo(want);
        assertThat(cached.selectValues(indexes, types)).isEqualTo(general.selectValues(indexes, types));
        CachedAnswer answer = cached.answer(indexes, types);
        if (want.length == 0) {
            assertThat(answer.responseCode()).isEqualTo(AbstractMessage.RC_VALUES_NOT_FOUND);
        } else {
            assertThat(answer.values()).isDeepEqualTo(want);
            assertThat(answer.valueBlock()).isEqualTo(WireValues.encode(general.selectValues(indexes, types)));
        }
    }

    @Property
    void aRecordCachedAsReadIsPreparedAsAPackedOne(@ForAll("records") HandleRecord record) {
        PreparedRecord asRead = PreparedRecord.of(record);
        PreparedRecord packed = PackedRecords.pack(record).derived(PreparedRecord.class, PreparedRecord::of);
        assertThat(asRead.withheld()).isEqualTo(packed.withheld());
        assertThat(asRead.answer(null, null).valueBlock()).isEqualTo(packed.answer(null, null).valueBlock());
    }

    @Example
    void anEmptyRecordPacksToNoValues() {
        HandleRecord empty = new HandleRecord(HandleName.parse("88.999.1/EMPTY"), List.of());
        HandleRecord packed = PackedRecords.pack(empty);
        assertThat(packed).isEqualTo(empty);
        assertThat(packed.values()).isEmpty();
        assertThat(packed.values().iterator().hasNext()).isFalse();
        assertThat(packed.derived(PreparedRecord.class, PreparedRecord::of).answer(null, null)).isSameAs(CachedAnswer.VALUES_NOT_FOUND);
    }

    @Example
    void packedValuesAreAnImmutableList() {
        HandleRecord packed = PackedRecords.pack(new HandleRecord(HandleName.parse("88.999.1/RO"),
                List.of(HandleValue.ofString(1, "URL", "https://example.com/ro", 1_700_000_000))));
        List<HandleValue> values = packed.values();
        assertThatThrownBy(() -> values.add(HandleValue.ofString(2, "URL", "x", 0))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> values.set(0, HandleValue.ofString(2, "URL", "x", 0))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> values.remove(0)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> values.get(1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> values.get(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Example
    void aPackedRecordWithTwoValuesOfOneIndexIsRefused() {
        byte[] block = WireValues.encode(List.of(HandleValue.ofString(7, "URL", "a", 0), HandleValue.ofString(7, "EMAIL", "b", 0)));
        assertThatThrownBy(() -> HandleRecord.packed(HandleName.parse("88.999.1/TWICE"), WireValues.of(block, 0)))
                .isInstanceOf(InvalidHandleException.class).hasMessageContaining("index 7");
    }

    @Example
    void aPackedRecordWeighsItsBlockAndTheSecondBlockOfARecordWithRestrictedValues() {
        List<HandleValue> values = List.of(HandleValue.ofString(1, "URL", "https://example.com/" + "x".repeat(200), 0),
                new HandleValue(2, "COST", "9.99".getBytes(StandardCharsets.UTF_8), HandleValue.TtlType.RELATIVE, 60, 0, List.of(),
                        Permissions.RESTRICTED));
        HandleName name = HandleName.parse("88.999.1/W");
        long allPublic = ((PackedValues) PackedRecords.pack(new HandleRecord(name, values.subList(0, 1))).values()).heapBytes();
        long withRestricted = ((PackedValues) PackedRecords.pack(new HandleRecord(name, values)).values()).heapBytes();
        assertThat(allPublic).isGreaterThan(WireValues.encode(values.subList(0, 1)).length);
        // the whole block (both values) and the public block (the first again)
        assertThat(withRestricted).isGreaterThan(allPublic + WireValues.encode(values.subList(0, 1)).length);
    }

    /** Each value as CNRI's encoder writes it alone. */
    private static byte[][] encodedEach(List<HandleValue> values) {
        byte[][] out = new byte[values.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Encoder.encodeHandleValue(HandleValueConverter.toWire(values.get(i)));
        }
        return out;
    }

    // ---------------------------------------------------------------- generators

    @Provide
    Arbitrary<HandleRecord> records() {
        Arbitrary<HandleName> names = Arbitraries.of("88.999.1/LOT-1", "88.999.2/批次-0001", "88.999.1/mixed-Case", "0.NA/88.999.3",
                "88.999.1/\uD83D\uDD27-tool").map(HandleName::parse);
        Arbitrary<List<HandleValue>> values = values().list().ofMaxSize(12)
                .uniqueElements(HandleValue::index);
        return Combinators.combine(names, values).as(HandleRecord::new);
    }

    private Arbitrary<HandleValue> values() {
        Arbitrary<Integer> indexes = Arbitraries.oneOf(Arbitraries.integers().between(1, 20), Arbitraries.integers().between(1, Integer.MAX_VALUE));
        Arbitrary<String> types = Arbitraries.oneOf(Arbitraries.of("URL", "URL.ALT", "HS_ADMIN", "REF.CCL_LOT", "", "批次类型"),
                text(40));
        Arbitrary<byte[]> data = Arbitraries.oneOf(text(60).map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                Arbitraries.of("88.999.1/CCL-7", "88.999.2/批次-9", "not a handle").map(s -> s.getBytes(StandardCharsets.UTF_8)));
        Arbitrary<HandleValue.TtlType> ttlTypes = Arbitraries.of(HandleValue.TtlType.class);
        Arbitrary<Integer> ints = Arbitraries.oneOf(Arbitraries.of(0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, 86_400, 1_748_736_000),
                Arbitraries.integers());
        Arbitrary<List<ValueReference>> references = Combinators.combine(text(30).filter(s -> !s.isEmpty()), Arbitraries.integers())
                .as(ValueReference::new).list().ofMaxSize(3);
        Arbitrary<Permissions> permissions = Arbitraries.integers().between(0, 15).map(Permissions::fromBits);
        return Combinators.combine(indexes, types, data, ttlTypes, ints, ints, references, permissions).as(HandleValue::new);
    }

    /** Valid Unicode text (no lone surrogates: records read from the store never hold them) of at most {@code max} code points. */
    private static Arbitrary<String> text(int max) {
        Arbitrary<Integer> codePoints = Arbitraries.oneOf(Arbitraries.integers().between(0x20, 0x7e), Arbitraries.integers().between(0, 0xd7ff),
                Arbitraries.integers().between(0xe000, 0x10ffff));
        return codePoints.list().ofMaxSize(max).map(cps -> new String(cps.stream().mapToInt(Integer::intValue).toArray(), 0, cps.size()));
    }

    @Provide
    Arbitrary<int[]> indexFilters() {
        return Arbitraries.integers().between(1, 20).array(int[].class).ofMaxSize(3).injectNull(0.2);
    }

    @Provide
    Arbitrary<byte[][]> typeFilters() {
        return Arbitraries.of("URL", "URL.", "HS_ADMIN", "REF.", "EMAIL", "批次类型").map(Util::encodeString).array(byte[][].class).ofMaxSize(2)
                .injectNull(0.2);
    }

    @Example
    void typeFilterWithAParentTypeMatchesItsSubtypes() {
        HandleRecord r = new HandleRecord(HandleName.parse("88.999.1/F"), List.of(HandleValue.ofString(1, "URL", "a", 0),
                HandleValue.ofString(2, "URL.ALT", "b", 0), HandleValue.ofString(3, "URLX", "c", 0)));
        PreparedRecord cached = PackedRecords.pack(r).derived(PreparedRecord.class, PreparedRecord::of);
        assertThat(cached.selectValues(null, new byte[][] {Util.encodeString("URL.")}).stream().map(HandleValue::index))
                .containsExactly(1, 2);
        assertThat(cached.selectValues(new int[] {3}, new byte[][] {Util.encodeString("URL")}).stream().map(HandleValue::index))
                .containsExactly(1, 3);
        assertThat(Arrays.stream(cached.select(new int[] {9}, null))).isEmpty();
    }
}
