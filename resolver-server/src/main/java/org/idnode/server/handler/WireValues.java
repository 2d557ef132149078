package org.idnode.server.handler;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import net.handle.hdllib.Encoder;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.PackedValues;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.model.ValueReference;
import org.idnode.server.codec.HandleValueConverter;

/**
 * A record's values kept as one value block in the Handle wire encoding ({@code I count}, then each value as
 * {@link Encoder#encodeHandleValue} writes it, which keeps every field of a {@link HandleValue}), decoded value by
 * value on access; the form in which the record cache holds records ({@link PackedRecords}). Also the helpers that
 * build, filter and decode such blocks (walking them with a {@link ValueBlockReader}).
 *
 * <p>Immutable and thread-safe.
 */
final class WireValues extends PackedValues {
    /** Heap of this list object itself. */
    private static final int OBJECT_BYTES = 24;
    /** The block of no values. */
    private static final byte[] NO_VALUES = new byte[4];

    private final byte[] block;
    private final int heapBytes;

    private WireValues(byte[] block, int heapBytes) {
        this.block = block;
        this.heapBytes = heapBytes;
    }

    /**
     * Values over {@code block} (see {@link #encode}), which they keep and do not copy.
     *
     * @param sharedBytes heap kept alive with the values besides this list and its block (a prepared answer)
     */
    static WireValues of(byte[] block, int sharedBytes) {
        return new WireValues(block, OBJECT_BYTES + arrayBytes(block.length) + sharedBytes);
    }

    @Override
    public long heapBytes() {
        return heapBytes;
    }

    @Override
    public int[] indexes() {
        ValueBlockReader value = new ValueBlockReader(block);
        int[] out = new int[value.count()];
        for (int i = 0; value.next(); i++) {
            out[i] = value.index();
        }
        return out;
    }

    @Override
    public int size() {
        return ValueBlockReader.count(block);
    }

    /** Decodes value {@code i}, walking the block to it. */
    @Override
    public HandleValue get(int i) {
        ValueBlockReader value = new ValueBlockReader(block);
        if (i < 0 || i >= value.count()) {
            throw new IndexOutOfBoundsException("index " + i + " of " + value.count() + " values");
        }
        for (int k = 0; k <= i; k++) {
            value.next();
        }
        return decode(value);
    }

    @Override
    public Iterator<HandleValue> iterator() {
        return new Iterator<>() {
            private final ValueBlockReader value = new ValueBlockReader(block);
            private int read;

            @Override
            public boolean hasNext() {
                return read < value.count();
            }

            @Override
            public HandleValue next() {
                if (!value.next()) {
                    throw new NoSuchElementException();
                }
                read++;
                return decode(value);
            }
        };
    }

    /** The value block of {@code values}: their count, then each value's wire encoding, in order. */
    static byte[] encode(List<HandleValue> values) {
        net.handle.hdllib.HandleValue[] wire = new net.handle.hdllib.HandleValue[values.size()];
        int size = 4;
        int i = 0;
        for (HandleValue v : values) {
            wire[i] = HandleValueConverter.toWire(v);
            size += Encoder.calcStorageSize(wire[i++]);
        }
        byte[] block = new byte[size];
        int p = Encoder.writeInt(block, 0, wire.length);
        for (net.handle.hdllib.HandleValue v : wire) {
            p += Encoder.encodeHandleValue(block, p, v);
        }
        return block;
    }

    /**
     * The public-read values of {@code block}, as a block of their own: {@code block} itself when every value is
     * public (see {@link #filter}).
     */
    static byte[] publicOnly(byte[] block) {
        return filter(block, (value, indexes, types) -> Permissions.fromBits(value.permissionBits()).publicRead(), null, null);
    }

    /**
     * The test {@link #filter} puts to each value: whether to keep the current value of {@code value} (without moving
     * it) for a request's indexes and types. They come as arguments so that a test captures nothing: the fast path
     * allocates no test per request.
     */
    interface ValueTest {
        boolean accepts(ValueBlockReader value, int[] indexes, byte[][] types);
    }

    /**
     * The values of {@code block} that {@code accepted} accepts (given {@code indexes} and {@code types}), in order, as a
     * block of their own: {@code block} itself when it accepts every value, else a new block with their encodings copied
     * in, or a shared block of no values (do not modify) when it accepts none. {@code accepted} sees each value once.
     */
    static byte[] filter(byte[] block, ValueTest accepted, int[] indexes, byte[][] types) {
        ValueBlockReader value = new ValueBlockReader(block);
        int count = value.count();
        // Where each value starts, negated when it is left out, then where the last one ends: value i spans
        // |bounds[i]| to |bounds[i + 1]| (every value starts after the count, so no start is 0).
        int[] bounds = new int[count + 1];
        int kept = 0;
        int size = 4;
        for (int i = 0; value.next(); i++) {
            if (accepted.accepts(value, indexes, types)) {
                bounds[i] = value.offset();
                kept++;
                size += value.length();
            } else {
                bounds[i] = -value.offset();
            }
            bounds[i + 1] = value.offset() + value.length();
        }
        if (kept == count) {
            return block;
        }
        if (kept == 0) {
            return NO_VALUES;
        }
        byte[] out = new byte[size];
        int p = Encoder.writeInt(out, 0, kept);
        for (int i = 0; i < count; i++) {
            if (bounds[i] > 0) {
                int length = Math.abs(bounds[i + 1]) - bounds[i];
                System.arraycopy(block, bounds[i], out, p, length);
                p += length;
            }
        }
        return out;
    }

    /** The current value of {@code value}, decoded field by field (without the library's intermediate value). */
    static HandleValue decode(ValueBlockReader value) {
        byte[] b = value.block();
        String type = new String(b, value.typeOffset(), value.typeLength(), StandardCharsets.UTF_8);
        byte[] data = Arrays.copyOfRange(b, value.dataOffset(), value.dataOffset() + value.dataLength());
        int referenceCount = value.referenceCount();
        List<ValueReference> references = referenceCount == 0 ? List.of() : new ArrayList<>(referenceCount);
        for (int i = 0, r = value.referencesOffset(); i < referenceCount; i++, r = value.nextReference(r)) {
            String handle = new String(b, value.referenceHandleOffset(r), value.referenceHandleLength(r), StandardCharsets.UTF_8);
            references.add(new ValueReference(handle, value.referenceIndex(r)));
        }
        return new HandleValue(value.index(), type, data, value.ttlAbsolute() ? HandleValue.TtlType.ABSOLUTE : HandleValue.TtlType.RELATIVE,
                value.ttl(), value.timestamp(), references, Permissions.fromBits(value.permissionBits()));
    }

    /** Heap of a byte array of {@code length} bytes (16-byte header, 8-byte alignment). */
    static int arrayBytes(int length) {
        return (16 + length + 7) & ~7;
    }
}
