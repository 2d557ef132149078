package org.idnode.server.handler;

import java.util.Arrays;

import net.handle.hdllib.Encoder;

/**
 * A forward cursor over a value block in the Handle wire encoding ({@code I count}, then each value as
 * {@link Encoder#encodeHandleValue} writes it: index, timestamp, TTL type, TTL, permission bits, type, data,
 * references), which the record cache keeps ({@link CachedAnswer#valueBlock}). It gives each field of the current
 * value, or where its bytes lie in the block, without decoding the value, so that a transport can write its own
 * encoding straight from the block. It is the one place that knows the layout: everything that walks a value block
 * walks it with a reader.
 *
 * <p>The block must be one this node encoded (it is not validated). Not thread-safe: one reader per walk.
 */
public final class ValueBlockReader {
    private final byte[] block;
    private final int count;
    private int read;
    /** Start of the current value, then of its data and references (each a 4-byte length or count first). */
    private int value;
    private int data;
    private int references;
    private int end = 4;

    /** A reader before the first value of {@code block}, which it reads in place. */
    public ValueBlockReader(byte[] block) {
        this.block = block;
        this.count = count(block);
    }

    /** The number of values in {@code block}, without a reader. */
    public static int count(byte[] block) {
        return Encoder.readInt(block, 0);
    }

    /** The number of values in the block. */
    public int count() {
        return count;
    }

    /** Moves to the next value; false when there is none. */
    public boolean next() {
        if (read == count) {
            return false;
        }
        read++;
        value = end;
        data = type() + 4 + typeLength();
        references = data + 4 + Encoder.readInt(block, data);
        end = references + 4;
        for (int i = referenceCount(); i > 0; i--) {
            end = nextReference(end);
        }
        return true;
    }

    /** Where the current value's encoding starts in {@link #block}. */
    public int offset() {
        return value;
    }

    /** The length of the current value's encoding, which {@link #offset} starts and the next value follows. */
    public int length() {
        return end - value;
    }

    /** The block being read (shared: do not modify). */
    public byte[] block() {
        return block;
    }

    public int index() {
        return Encoder.readInt(block, value);
    }

    /** Seconds since the epoch, as the signed int the encoding holds. */
    public int timestamp() {
        return Encoder.readInt(block, value + 4);
    }

    /** Whether {@link #ttl} is an absolute time (seconds since the epoch) rather than seconds to live. */
    public boolean ttlAbsolute() {
        return block[value + 8] != net.handle.hdllib.HandleValue.TTL_TYPE_RELATIVE;
    }

    public int ttl() {
        return Encoder.readInt(block, value + 9);
    }

    /** The permission bits: admin read 0x08, admin write 0x04, public read 0x02, public write 0x01. */
    public int permissionBits() {
        return block[value + 13] & 0x0f;
    }

    /** Where the type's bytes start in {@link #block}. */
    public int typeOffset() {
        return type() + 4;
    }

    public int typeLength() {
        return Encoder.readInt(block, type());
    }

    /** Where the type (its 4-byte length first) starts: after index, timestamp, TTL type, TTL and permissions. */
    private int type() {
        return value + 14;
    }

    /** The type's bytes, in a new array. */
    public byte[] typeBytes() {
        return Arrays.copyOfRange(block, typeOffset(), typeOffset() + typeLength());
    }

    /** Where the data's bytes start in {@link #block}. */
    public int dataOffset() {
        return data + 4;
    }

    public int dataLength() {
        return Encoder.readInt(block, data);
    }

    public int referenceCount() {
        return Encoder.readInt(block, references);
    }

    /**
     * Where the first reference starts in {@link #block}; each reference is its handle's length (4 bytes), the
     * handle's bytes, then the index (4 bytes), and the next reference follows ({@link #nextReference}).
     */
    public int referencesOffset() {
        return references + 4;
    }

    /** The length of the handle of the reference that starts at {@code reference} ({@link #referencesOffset}). */
    public int referenceHandleLength(int reference) {
        return Encoder.readInt(block, reference);
    }

    /** Where the handle's bytes of the reference that starts at {@code reference} start. */
    public int referenceHandleOffset(int reference) {
        return reference + 4;
    }

    /** The index of the reference that starts at {@code reference}. */
    public int referenceIndex(int reference) {
        return Encoder.readInt(block, referenceHandleOffset(reference) + referenceHandleLength(reference));
    }

    /** Where the reference after the one that starts at {@code reference} starts (or the value's end after its last). */
    public int nextReference(int reference) {
        return referenceHandleOffset(reference) + referenceHandleLength(reference) + 4;
    }
}
