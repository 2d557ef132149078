package org.idnode.registry.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.model.ValueReference;

/**
 * The compact binary form of a record in the store: a format byte, then the handle as written and
 * the values, with every integer as an unsigned LEB128 varint and every string as varint length + bytes.
 * Per value: index, flags (bit 4 = absolute TTL, bits 0-3 = permission bits), ttl, timestamp, type,
 * data, reference count, then (handle, index) per reference.
 */
final class RecordCodec {
    static final int FORMAT_V1 = 1;
    private static final int ABSOLUTE_TTL_FLAG = 0x10;

    private RecordCodec() {
    }

    static byte[] encode(HandleRecord record) {
        ByteBuffer out = ByteBuffer.allocate(encodedSize(record));
        encode(record, out);
        return out.array();
    }

    /** The exact length of the record's encoding. */
    static int encodedSize(HandleRecord record) {
        int size = 1 + sizeOfString(record.handle().toString()) + varintSize(record.values().size());
        for (HandleValue v : record.values()) {
            size += varintSize(v.index()) + 1 + varintSize(v.ttl()) + varintSize(v.timestamp())
                    + sizeOfString(v.type()) + varintSize(v.dataLength()) + v.dataLength() + varintSize(v.references().size());
            for (ValueReference r : v.references()) {
                size += sizeOfString(r.handle()) + varintSize(r.index());
            }
        }
        return size;
    }

    /**
     * Writes the record's encoding at {@code out}'s position, which must have {@link #encodedSize} bytes remaining.
     * Value data and ASCII strings go straight into {@code out}, without copies of their own.
     */
    static void encode(HandleRecord record, ByteBuffer out) {
        out.put((byte) FORMAT_V1);
        putString(out, record.handle().toString());
        putVarint(out, record.values().size());
        for (HandleValue v : record.values()) {
            putVarint(out, v.index());
            out.put((byte) ((v.ttlType() == HandleValue.TtlType.ABSOLUTE ? ABSOLUTE_TTL_FLAG : 0) | v.permissions().bits()));
            putVarint(out, v.ttl());
            putVarint(out, v.timestamp());
            putString(out, v.type());
            putVarint(out, v.dataLength());
            v.copyDataTo(out);
            putVarint(out, v.references().size());
            for (ValueReference r : v.references()) {
                putString(out, r.handle());
                putVarint(out, r.index());
            }
        }
    }

    private static int varintSize(int value) {
        long v = Integer.toUnsignedLong(value);
        int n = 1;
        while (v >= 0x80) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    private static void putVarint(ByteBuffer out, int value) {
        long v = Integer.toUnsignedLong(value);
        while (v >= 0x80) {
            out.put((byte) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    /** The length of {@code s} as a length-prefixed string: UTF-8 as {@link String#getBytes} writes it. */
    private static int sizeOfString(String s) {
        int n = isAscii(s) ? s.length() : s.getBytes(StandardCharsets.UTF_8).length;
        return varintSize(n) + n;
    }

    /** {@code s} length-prefixed, in UTF-8 as {@link String#getBytes} writes it; ASCII without an intermediate array. */
    private static void putString(ByteBuffer out, String s) {
        if (isAscii(s)) {
            putVarint(out, s.length());
            for (int i = 0; i < s.length(); i++) {
                out.put((byte) s.charAt(i));
            }
        } else {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            putVarint(out, utf8.length);
            out.put(utf8);
        }
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Only the handle of an encoded record, without decoding its values. */
    static HandleName decodeHandle(byte[] buf) {
        In in = new In(buf);
        if (in.readByte() != FORMAT_V1) {
            throw new StoreException("stored record has an unknown format");
        }
        try {
            return HandleName.fromUtf8(in.bytes());
        } catch (IllegalArgumentException e) {
            throw new StoreException("stored record is corrupt: " + e.getMessage(), e);
        }
    }

    static HandleRecord decode(byte[] buf) {
        return decode(buf, null);
    }

    /**
     * Decodes a record read for {@code asked}: when it is stored under exactly the name asked for (same case), the
     * record shares that {@link HandleName} rather than holding a copy of it, so that a cache keyed by its lookup key
     * holds the name once.
     */
    static HandleRecord decode(byte[] buf, HandleName asked) {
        try {
            return decodeChecked(buf, asked);
        } catch (IllegalArgumentException e) { // InvalidHandleException and the HandleValue/ValueReference checks
            throw new StoreException("stored record is corrupt: " + e.getMessage(), e);
        }
    }

    private static HandleRecord decodeChecked(byte[] buf, HandleName asked) {
        In in = new In(buf);
        int format = in.readByte();
        if (format != FORMAT_V1) {
            throw new StoreException("stored record has unknown format " + format);
        }
        byte[] name = in.bytes();
        HandleName handle = asked != null && asked.toString().equals(new String(name, StandardCharsets.UTF_8)) ? asked : HandleName.fromUtf8(name);
        int n = in.count();
        List<HandleValue> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int index = in.varint();
            int flags = in.readByte();
            int ttl = in.varint();
            int timestamp = in.varint();
            String type = ValueTypes.canonical(new String(in.bytes(), StandardCharsets.UTF_8));
            byte[] data = in.bytes();
            int nRefs = in.count();
            List<ValueReference> refs = nRefs == 0 ? List.of() : new ArrayList<>(nRefs);
            for (int r = 0; r < nRefs; r++) {
                refs.add(new ValueReference(new String(in.bytes(), StandardCharsets.UTF_8), in.varint()));
            }
            values.add(new HandleValue(index, type, data,
                    (flags & ABSOLUTE_TTL_FLAG) != 0 ? HandleValue.TtlType.ABSOLUTE : HandleValue.TtlType.RELATIVE,
                    ttl, timestamp, refs, Permissions.fromBits(flags & 0x0f)));
        }
        if (in.pos != buf.length) {
            throw new StoreException("stored record for " + handle + " has " + (buf.length - in.pos) + " trailing bytes");
        }
        return new HandleRecord(handle, values);
    }

    private static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf) {
            this.buf = buf;
        }

        int readByte() {
            if (pos >= buf.length) {
                throw new StoreException("stored record is truncated");
            }
            return buf[pos++] & 0xff;
        }

        int varint() {
            long result = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int b = readByte();
                result |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return (int) result;
                }
            }
            throw new StoreException("stored record has a malformed varint");
        }

        /** An element count: every element takes at least one byte, so a count above the bytes left is corrupt. */
        int count() {
            int n = varint();
            if (n < 0 || n > buf.length - pos) {
                throw new StoreException("stored record has an impossible element count " + Integer.toUnsignedLong(n));
            }
            return n;
        }

        byte[] bytes() {
            int len = varint();
            if (len < 0 || len > buf.length - pos) {
                throw new StoreException("stored record is truncated");
            }
            byte[] b = new byte[len];
            System.arraycopy(buf, pos, b, 0, len);
            pos += len;
            return b;
        }
    }
}
