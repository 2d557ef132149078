package org.idnode.server.handler;

import java.util.ArrayList;
import java.util.List;

import net.handle.hdllib.Encoder;
import net.handle.hdllib.Util;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.server.codec.HandleValueConverter;

/**
 * A record's readable values, as they are and in their Handle wire encoding. The public ones are prepared once per cached
 * record (see {@link HandleRecord#derived}) so that a resolution answered from the cache encodes
 * nothing; restricted values are included only when preparing for an authorised reader.
 *
 * <p>Immutable and thread-safe.
 */
final class PreparedRecord {
    private final List<HandleValue> values;
    private final int[] indexes;
    private final byte[][] types;
    private final byte[][] encoded;
    private final boolean withheld;

    private PreparedRecord(List<HandleValue> values, int[] indexes, byte[][] types, byte[][] encoded, boolean withheld) {
        this.values = values;
        this.indexes = indexes;
        this.types = types;
        this.encoded = encoded;
        this.withheld = withheld;
    }

    /** The public values of a record, as cached for anonymous resolutions. */
    static PreparedRecord of(HandleRecord record) {
        return of(record.values(), false);
    }

    /** The public values, or every value when {@code includeRestricted} (for an authorised reader). */
    static PreparedRecord of(List<HandleValue> values, boolean includeRestricted) {
        List<HandleValue> readable = new ArrayList<>(values.size());
        for (HandleValue v : values) {
            if (includeRestricted || v.permissions().publicRead()) {
                readable.add(v);
            }
        }
        int n = readable.size();
        int[] indexes = new int[n];
        byte[][] types = new byte[n][];
        byte[][] encoded = new byte[n][];
        for (int i = 0; i < n; i++) {
            HandleValue v = readable.get(i);
            indexes[i] = v.index();
            types[i] = Util.encodeString(v.type());
            encoded[i] = Encoder.encodeHandleValue(HandleValueConverter.toWire(v));
        }
        return new PreparedRecord(List.copyOf(readable), indexes, types, encoded, readable.size() < values.size());
    }

    /** True when restricted values were left out. */
    boolean withheld() {
        return withheld;
    }

    /**
     * The encoded public values that pass CNRI's filter rule: with no index and no type requested,
     * all of them; otherwise those whose index is requested OR whose type matches a requested type
     * (a type ending in {@code .} also matches its subtypes). The arrays are shared: callers must not
     * modify them.
     */
    byte[][] select(int[] requestedIndexes, byte[][] requestedTypes) {
        if (isEmpty(requestedIndexes) && isEmpty(requestedTypes)) {
            return encoded;
        }
        List<byte[]> out = new ArrayList<>(encoded.length);
        for (int i = 0; i < encoded.length; i++) {
            if (selected(i, requestedIndexes, requestedTypes)) {
                out.add(encoded[i]);
            }
        }
        return out.toArray(new byte[0][]);
    }

    /** The values {@link #select} picks, as values rather than encoded. */
    List<HandleValue> selectValues(int[] requestedIndexes, byte[][] requestedTypes) {
        if (isEmpty(requestedIndexes) && isEmpty(requestedTypes)) {
            return values;
        }
        List<HandleValue> out = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            if (selected(i, requestedIndexes, requestedTypes)) {
                out.add(values.get(i));
            }
        }
        return out;
    }

    private boolean selected(int i, int[] requestedIndexes, byte[][] requestedTypes) {
        return (!isEmpty(requestedIndexes) && Util.isInArray(requestedIndexes, indexes[i]))
                || (!isEmpty(requestedTypes) && Util.isParentTypeInArray(requestedTypes, types[i]));
    }

    private static boolean isEmpty(int[] a) {
        return a == null || a.length == 0;
    }

    private static boolean isEmpty(byte[][] a) {
        return a == null || a.length == 0;
    }
}
