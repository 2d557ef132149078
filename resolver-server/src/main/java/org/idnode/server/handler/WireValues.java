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
 * build and walk such blocks.
 *
 * <p>Immutable and thread-safe.
 */
final class WireValues extends PackedValues {
    /** Heap of this list object itself. */
    private static final int OBJECT_BYTES = 24;

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
        int[] out = offsets(block);
        for (int i = 0; i < out.length; i++) {
            out[i] = Encoder.getHandleValueIndex(block, out[i]);
        }
        return out;
    }

    @Override
    public int size() {
        return Encoder.readInt(block, 0);
    }

    /** Decodes value {@code i}, walking the block to it. */
    @Override
    public HandleValue get(int i) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException("index " + i + " of " + size() + " values");
        }
        int offset = 4;
        for (int k = 0; k < i; k++) {
            offset += Encoder.calcHandleValueSize(block, offset);
        }
        return decode(block, offset);
    }

    @Override
    public Iterator<HandleValue> iterator() {
        return new Iterator<>() {
            private final int count = size();
            private int next;
            private int offset = 4;

            @Override
            public boolean hasNext() {
                return next < count;
            }

            @Override
            public HandleValue next() {
                if (next >= count) {
                    throw new NoSuchElementException();
                }
                HandleValue v = decode(block, offset);
                offset += Encoder.calcHandleValueSize(block, offset);
                next++;
                return v;
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
     * public, else a new block with their encodings copied in order.
     */
    static byte[] publicOnly(byte[] block) {
        int[] offsets = offsets(block);
        int publicCount = 0;
        for (int offset : offsets) {
            if (isPublic(block, offset)) {
                offsets[publicCount++] = offset;
            }
        }
        return publicCount == offsets.length ? block : subset(block, Arrays.copyOf(offsets, publicCount));
    }

    /** Where each value of {@code block} starts, in order. */
    static int[] offsets(byte[] block) {
        int[] out = new int[Encoder.readInt(block, 0)];
        for (int i = 0, offset = 4; i < out.length; i++) {
            out[i] = offset;
            offset += Encoder.calcHandleValueSize(block, offset);
        }
        return out;
    }

    /** A new block of the values of {@code block} that start at {@code offsets} ({@link #offsets}), in that order. */
    static byte[] subset(byte[] block, int[] offsets) {
        int[] lengths = new int[offsets.length];
        int size = 4;
        for (int i = 0; i < offsets.length; i++) {
            lengths[i] = Encoder.calcHandleValueSize(block, offsets[i]);
            size += lengths[i];
        }
        byte[] out = new byte[size];
        int p = Encoder.writeInt(out, 0, offsets.length);
        for (int i = 0; i < offsets.length; i++) {
            System.arraycopy(block, offsets[i], out, p, lengths[i]);
            p += lengths[i];
        }
        return out;
    }

    private static boolean isPublic(byte[] block, int offset) {
        return Permissions.fromBits(Encoder.getHandleValuePermissions(block, offset)).publicRead();
    }

    /**
     * The value encoded at {@code offset} of a block this node encoded, read field by field as
     * {@link Encoder#decodeHandleValue} reads it (index, timestamp, TTL type, TTL, permission bits, type, data,
     * references), without the library's intermediate value.
     */
    static HandleValue decode(byte[] block, int offset) {
        int p = offset;
        int index = Encoder.readInt(block, p);
        int timestamp = Encoder.readInt(block, p + 4);
        byte ttlType = block[p + 8];
        int ttl = Encoder.readInt(block, p + 9);
        int permissions = block[p + 13];
        p += 14;
        int typeLength = Encoder.readInt(block, p);
        String type = new String(block, p + 4, typeLength, StandardCharsets.UTF_8);
        p += 4 + typeLength;
        int dataLength = Encoder.readInt(block, p);
        byte[] data = Arrays.copyOfRange(block, p + 4, p + 4 + dataLength);
        p += 4 + dataLength;
        int referenceCount = Encoder.readInt(block, p);
        p += 4;
        List<ValueReference> references = referenceCount == 0 ? List.of() : new ArrayList<>(referenceCount);
        for (int i = 0; i < referenceCount; i++) {
            int length = Encoder.readInt(block, p);
            String handle = new String(block, p + 4, length, StandardCharsets.UTF_8);
            p += 4 + length;
            references.add(new ValueReference(handle, Encoder.readInt(block, p)));
            p += 4;
        }
        return new HandleValue(index, type, data,
                ttlType == net.handle.hdllib.HandleValue.TTL_TYPE_ABSOLUTE ? HandleValue.TtlType.ABSOLUTE : HandleValue.TtlType.RELATIVE,
                ttl, timestamp, references, Permissions.fromBits(permissions));
    }

    /** Heap of a byte array of {@code length} bytes (16-byte header, 8-byte alignment). */
    static int arrayBytes(int length) {
        return (16 + length + 7) & ~7;
    }
}
