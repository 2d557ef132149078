package org.idnode.server.handler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.ValueReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link ValueBlockReader} over value blocks assembled from CNRI's own {@link Encoder#encodeHandleValue} output: each
 * value's position and length are those of its encoding in the block, and every field it reads is the one the library
 * encoded (references, empty types and data, many values, the empty block).
 */
class ValueBlockReaderTest {

    @Example
    void readsEveryFieldOfAValueWithReferences() {
        HandleValue v = value(2001, "REF.CCL_LOT", "88.999.1/CCL-7", HandleValue.TTL_TYPE_ABSOLUTE, 1_748_736_000, -5,
                new ValueReference[] {new ValueReference(bytes("88.999.1/CCL-7"), 1), new ValueReference(bytes("88.999.2/批次-9"), 0),
                        new ValueReference(new byte[0], Integer.MIN_VALUE)}, 0b1010);
        byte[] block = ValueBlocks.of(List.of(value(1, "URL", "https://example.com/a", HandleValue.TTL_TYPE_RELATIVE, 86_400, 0, null, 0b1110), v));

        ValueBlockReader reader = new ValueBlockReader(block);
        assertThat(reader.next()).isTrue();
        assertThat(reader.next()).isTrue();
        assertReads(reader, v);
        assertThat(reader.referenceCount()).isEqualTo(3);
        int r = reader.referencesOffset();
        assertThat(new String(block, reader.referenceHandleOffset(r), reader.referenceHandleLength(r), StandardCharsets.UTF_8))
                .isEqualTo("88.999.1/CCL-7");
        r = reader.nextReference(reader.nextReference(r));
        assertThat(reader.referenceHandleLength(r)).isZero();
        assertThat(reader.referenceIndex(r)).isEqualTo(Integer.MIN_VALUE);
        assertThat(reader.nextReference(r)).isEqualTo(reader.offset() + reader.length()).isEqualTo(block.length);
        assertThat(reader.next()).isFalse();
    }

    @Example
    void aValueWithEmptyTypeAndDataIsReadAndTheNextFollowsIt() {
        HandleValue empty = value(7, "", "", HandleValue.TTL_TYPE_RELATIVE, 0, 0, null, 0);
        HandleValue after = value(8, "EMAIL", "lot@example.com", HandleValue.TTL_TYPE_RELATIVE, 60, 1, null, 0b1111);
        ValueBlockReader reader = new ValueBlockReader(ValueBlocks.of(List.of(empty, after)));

        assertThat(reader.next()).isTrue();
        assertReads(reader, empty);
        assertThat(reader.typeLength()).isZero();
        assertThat(reader.dataLength()).isZero();
        assertThat(reader.typeBytes()).isEmpty();
        assertThat(reader.next()).isTrue();
        assertReads(reader, after);
        assertThat(reader.offset()).isEqualTo(4 + Encoder.encodeHandleValue(empty).length);
    }

    @Example
    void theEmptyBlockHasNoValue() {
        byte[] block = ValueBlocks.of(List.of());
        assertThat(ValueBlockReader.count(block)).isZero();
        ValueBlockReader reader = new ValueBlockReader(block);
        assertThat(reader.count()).isZero();
        assertThat(reader.next()).isFalse();
    }

    @Example
    void walksManyValuesEachAtItsEncoding() {
        List<HandleValue> values = new ArrayList<>();
        for (int i = 1; i <= 500; i++) {
            ValueReference[] refs = i % 3 == 0 ? new ValueReference[] {new ValueReference(bytes("88.999.1/R-" + i), i)} : null;
            values.add(value(i, "ITEM." + i, "x".repeat(i % 40), HandleValue.TTL_TYPE_RELATIVE, i, i, refs, i % 16));
        }
        assertWalks(values);
    }

    @Property
    void readsWhatTheLibraryEncoded(@ForAll("values") List<HandleValue> values) {
        assertWalks(values);
    }

    /** Walks the block of {@code values}, checking each value against its own encoding, and that the block ends there. */
    private static void assertWalks(List<HandleValue> values) {
        byte[] block = ValueBlocks.of(values);
        ValueBlockReader reader = new ValueBlockReader(block);
        assertThat(ValueBlockReader.count(block)).isEqualTo(values.size());
        assertThat(reader.count()).isEqualTo(values.size());
        int expectedOffset = 4;
        for (HandleValue v : values) {
            assertThat(reader.next()).isTrue();
            assertThat(reader.offset()).isEqualTo(expectedOffset);
            assertReads(reader, v);
            expectedOffset += reader.length();
        }
        assertThat(reader.next()).isFalse();
        assertThat(expectedOffset).isEqualTo(block.length);
    }

    /** The reader's current value is {@code v}: its bytes, each field and each reference. */
    private static void assertReads(ValueBlockReader reader, HandleValue v) {
        byte[] b = reader.block();
        byte[] encoded = Encoder.encodeHandleValue(v);
        assertThat(reader.length()).isEqualTo(encoded.length).isEqualTo(Encoder.calcHandleValueSize(b, reader.offset()));
        assertThat(Arrays.copyOfRange(b, reader.offset(), reader.offset() + reader.length())).isEqualTo(encoded);
        assertThat(reader.index()).isEqualTo(v.getIndex());
        assertThat(reader.timestamp()).isEqualTo(v.getTimestamp());
        assertThat(reader.ttlAbsolute()).isEqualTo(v.getTTLType() == HandleValue.TTL_TYPE_ABSOLUTE);
        assertThat(reader.ttl()).isEqualTo(v.getTTL());
        int bits = (v.getAdminCanRead() ? 0x08 : 0) | (v.getAdminCanWrite() ? 0x04 : 0) | (v.getAnyoneCanRead() ? 0x02 : 0)
                | (v.getAnyoneCanWrite() ? 0x01 : 0);
        assertThat(reader.permissionBits()).isEqualTo(bits);
        assertThat(reader.typeBytes()).isEqualTo(v.getType());
        assertThat(Arrays.copyOfRange(b, reader.typeOffset(), reader.typeOffset() + reader.typeLength())).isEqualTo(v.getType());
        assertThat(Arrays.copyOfRange(b, reader.dataOffset(), reader.dataOffset() + reader.dataLength())).isEqualTo(v.getData());
        ValueReference[] refs = v.getReferences() == null ? new ValueReference[0] : v.getReferences();
        assertThat(reader.referenceCount()).isEqualTo(refs.length);
        int r = reader.referencesOffset();
        for (ValueReference ref : refs) {
            int start = reader.referenceHandleOffset(r);
            assertThat(Arrays.copyOfRange(b, start, start + reader.referenceHandleLength(r))).isEqualTo(ref.handle);
            assertThat(reader.referenceIndex(r)).isEqualTo(ref.index);
            r = reader.nextReference(r);
        }
        assertThat(r).isEqualTo(reader.offset() + reader.length());
    }

    private static HandleValue value(int index, String type, String data, byte ttlType, int ttl, int timestamp, ValueReference[] refs,
                                     int permissionBits) {
        return value(index, bytes(type), bytes(data), ttlType, ttl, timestamp, refs, permissionBits);
    }

    private static HandleValue value(int index, byte[] type, byte[] data, byte ttlType, int ttl, int timestamp, ValueReference[] refs,
                                     int permissionBits) {
        return new HandleValue(index, type, data, ttlType, ttl, timestamp, refs, (permissionBits & 0x08) != 0,
                (permissionBits & 0x04) != 0, (permissionBits & 0x02) != 0, (permissionBits & 0x01) != 0);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Provide
    Arbitrary<List<HandleValue>> values() {
        Arbitrary<byte[]> anyBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<Integer> ints = Arbitraries.oneOf(Arbitraries.of(0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE), Arbitraries.integers());
        Arbitrary<ValueReference[]> refs = Combinators.combine(Arbitraries.bytes().array(byte[].class).ofMaxSize(40), ints)
                .as(ValueReference::new).array(ValueReference[].class).ofMaxSize(4).injectNull(0.2);
        Arbitrary<Byte> ttlTypes = Arbitraries.of(HandleValue.TTL_TYPE_RELATIVE, HandleValue.TTL_TYPE_ABSOLUTE);
        Arbitrary<Integer> permissions = Arbitraries.integers().between(0, 15);
        Arbitrary<HandleValue> value = Combinators.combine(ints, anyBytes.map(b -> Arrays.copyOf(b, Math.min(b.length, 60))), anyBytes,
                ttlTypes, ints, ints, refs, permissions).as(ValueBlockReaderTest::value);
        return value.list().ofMaxSize(20);
    }
}
