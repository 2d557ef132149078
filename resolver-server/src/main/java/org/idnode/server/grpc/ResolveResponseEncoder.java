package org.idnode.server.grpc;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import net.handle.hdllib.Encoder;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.ResolveResponse;
import org.idnode.api.v1.ValueReference;
import org.idnode.registry.model.Permissions;
import org.idnode.server.handler.ValueBlockReader;

/**
 * Writes the protobuf encoding of a {@code ResolveResponse} straight from a value block in the Handle wire encoding
 * (value count, then each value as {@link Encoder#encodeHandleValue} writes it: the form the record cache keeps), so
 * that a resolution answered from the cache builds no value objects and no messages. The bytes are exactly those
 * protobuf writes for the message {@link RecordMessages#record} makes from the same values: fields in number order,
 * proto3 defaults left out.
 *
 * <p>Stateless and thread-safe.
 */
final class ResolveResponseEncoder {
    private ResolveResponseEncoder() {
    }

    /**
     * The encoded {@code ResolveResponse} whose record names {@code handle} and holds the values of {@code block}.
     *
     * @param handle the handle as the client asked for it (UTF-8)
     * @param block  a value block this node encoded ({@code I count}, then the values)
     */
    static byte[] encode(ByteString handle, byte[] block) {
        ValueBlockReader sizing = new ValueBlockReader(block);
        int[] valueSizes = new int[sizing.count()];
        int recordSize = handle.isEmpty() ? 0 : CodedOutputStream.computeBytesSize(HandleRecord.HANDLE_FIELD_NUMBER, handle);
        for (int i = 0; sizing.next(); i++) {
            valueSizes[i] = valueSize(sizing);
            recordSize += CodedOutputStream.computeTagSize(HandleRecord.VALUES_FIELD_NUMBER)
                    + CodedOutputStream.computeUInt32SizeNoTag(valueSizes[i]) + valueSizes[i];
        }
        byte[] out = new byte[CodedOutputStream.computeTagSize(ResolveResponse.RECORD_FIELD_NUMBER)
                + CodedOutputStream.computeUInt32SizeNoTag(recordSize) + recordSize];
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        try {
            o.writeTag(ResolveResponse.RECORD_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(recordSize);
            if (!handle.isEmpty()) {
                o.writeBytes(HandleRecord.HANDLE_FIELD_NUMBER, handle);
            }
            ValueBlockReader values = new ValueBlockReader(block);
            for (int i = 0; values.next(); i++) {
                o.writeTag(HandleRecord.VALUES_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                o.writeUInt32NoTag(valueSizes[i]);
                writeValue(o, values);
            }
            o.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException("the sizes computed for a ResolveResponse do not match what was written", e);
        }
        return out;
    }

    /** Size of the {@code HandleValue} message (without its tag and length) for the current value of {@code v}. */
    private static int valueSize(ValueBlockReader v) {
        byte[] b = v.block();
        int size = v.index() == 0 ? 0 : CodedOutputStream.computeUInt32Size(HandleValue.INDEX_FIELD_NUMBER, v.index());
        size += lengthDelimited(HandleValue.TYPE_FIELD_NUMBER, v.typeLength());
        size += lengthDelimited(HandleValue.DATA_FIELD_NUMBER, v.dataLength());
        size += v.ttl() == 0 ? 0 : CodedOutputStream.computeInt32Size(HandleValue.TTL_FIELD_NUMBER, v.ttl());
        size += v.ttlAbsolute() ? CodedOutputStream.computeBoolSize(HandleValue.TTL_ABSOLUTE_FIELD_NUMBER, true) : 0;
        long timestamp = Integer.toUnsignedLong(v.timestamp());
        size += timestamp == 0 ? 0 : CodedOutputStream.computeInt64Size(HandleValue.TIMESTAMP_FIELD_NUMBER, timestamp);
        // Each permission flag that is set is one tag byte and one value byte (fields 7 to 10).
        size += 2 * Integer.bitCount(v.permissionBits());
        for (int i = 0, r = v.referencesOffset(); i < v.referenceCount(); i++, r = v.nextReference(r)) {
            int referenceSize = referenceSize(v, r);
            size += CodedOutputStream.computeTagSize(HandleValue.REFERENCES_FIELD_NUMBER)
                    + CodedOutputStream.computeUInt32SizeNoTag(referenceSize) + referenceSize;
        }
        return size;
    }

    private static int referenceSize(ValueBlockReader v, int reference) {
        int index = v.referenceIndex(reference);
        return lengthDelimited(ValueReference.HANDLE_FIELD_NUMBER, v.referenceHandleLength(reference))
                + (index == 0 ? 0 : CodedOutputStream.computeUInt32Size(ValueReference.INDEX_FIELD_NUMBER, index));
    }

    /** Size of a string or bytes field of {@code length} bytes; 0 when empty (a proto3 default is not written). */
    private static int lengthDelimited(int field, int length) {
        return length == 0 ? 0 : CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(length) + length;
    }

    /** Writes the current value of {@code v} as a {@code HandleValue} message body. */
    private static void writeValue(CodedOutputStream o, ValueBlockReader v) throws IOException {
        byte[] b = v.block();
        if (v.index() != 0) {
            o.writeUInt32(HandleValue.INDEX_FIELD_NUMBER, v.index());
        }
        writeBytes(o, HandleValue.TYPE_FIELD_NUMBER, b, v.typeOffset(), v.typeLength());
        writeBytes(o, HandleValue.DATA_FIELD_NUMBER, b, v.dataOffset(), v.dataLength());
        if (v.ttl() != 0) {
            o.writeInt32(HandleValue.TTL_FIELD_NUMBER, v.ttl());
        }
        if (v.ttlAbsolute()) {
            o.writeBool(HandleValue.TTL_ABSOLUTE_FIELD_NUMBER, true);
        }
        long timestamp = Integer.toUnsignedLong(v.timestamp());
        if (timestamp != 0) {
            o.writeInt64(HandleValue.TIMESTAMP_FIELD_NUMBER, timestamp);
        }
        int bits = v.permissionBits();
        writeFlag(o, HandleValue.PUBLIC_READ_FIELD_NUMBER, bits & Permissions.PUBLIC_READ_BIT);
        writeFlag(o, HandleValue.ADMIN_READ_FIELD_NUMBER, bits & Permissions.ADMIN_READ_BIT);
        writeFlag(o, HandleValue.ADMIN_WRITE_FIELD_NUMBER, bits & Permissions.ADMIN_WRITE_BIT);
        writeFlag(o, HandleValue.PUBLIC_WRITE_FIELD_NUMBER, bits & Permissions.PUBLIC_WRITE_BIT);
        for (int i = 0, r = v.referencesOffset(); i < v.referenceCount(); i++, r = v.nextReference(r)) {
            o.writeTag(HandleValue.REFERENCES_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(referenceSize(v, r));
            writeBytes(o, ValueReference.HANDLE_FIELD_NUMBER, b, v.referenceHandleOffset(r), v.referenceHandleLength(r));
            int referenceIndex = v.referenceIndex(r);
            if (referenceIndex != 0) {
                o.writeUInt32(ValueReference.INDEX_FIELD_NUMBER, referenceIndex);
            }
        }
    }

    /** Writes the {@code length} bytes at {@code offset} as field {@code field}, unless empty. */
    private static void writeBytes(CodedOutputStream o, int field, byte[] b, int offset, int length) throws IOException {
        if (length != 0) {
            o.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(length);
            o.write(b, offset, length);
        }
    }

    private static void writeFlag(CodedOutputStream o, int field, int set) throws IOException {
        if (set != 0) {
            o.writeBool(field, true);
        }
    }
}
