package org.idnode.server.handler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

import net.handle.hdllib.Encoder;
import net.handle.hdllib.Util;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.server.codec.HandleValueConverter;

/**
 * A record's readable values in their Handle wire encoding. The public ones are prepared once per cached
 * record (see {@link HandleRecord#derived}) so that a resolution answered from the cache encodes
 * nothing: the values are kept as the body of the unfiltered answer (value count, then the values), which
 * {@link #answer} hands out as is; restricted values are included only when preparing for an
 * authorised reader.
 *
 * <p>Immutable and thread-safe.
 */
final class PreparedRecord {
    private final List<HandleValue> values;
    /** Start of each value in the unfiltered answer's value block, and its end as the last element. */
    private final int[] offsets;
    private final boolean withheld;
    private final CachedAnswer unfiltered;
    /**
     * The values one array each, for the general path's answer objects. A record prepared for one answer keeps them;
     * a record kept in the cache makes them per use, so that it holds its values once (in the value block).
     */
    private final byte[][] split;

    private PreparedRecord(List<HandleValue> values, byte[][] encoded, boolean withheld, boolean keepSplit) {
        this.values = values;
        this.withheld = withheld;
        this.split = keepSplit ? encoded : null;
        this.unfiltered = encoded.length == 0 ? CachedAnswer.VALUES_NOT_FOUND : CachedAnswer.of(encoded);
        this.offsets = new int[encoded.length + 1];
        offsets[0] = 4;
        for (int i = 0; i < encoded.length; i++) {
            offsets[i + 1] = offsets[i] + encoded[i].length;
        }
    }

    /** The public values of a record, as cached for anonymous resolutions. */
    static PreparedRecord of(HandleRecord record) {
        return of(record.values(), PreparedRecord::isPublic, false);
    }

    /**
     * The public values, or every value when {@code includeRestricted} (for an authorised reader), for
     * one answer of the general path.
     */
    static PreparedRecord of(List<HandleValue> values, boolean includeRestricted) {
        return of(values, includeRestricted ? v -> true : PreparedRecord::isPublic, true);
    }

    /** The values {@code readable} accepts, for one answer of the general path. */
    static PreparedRecord of(List<HandleValue> values, Predicate<HandleValue> readable) {
        return of(values, readable, true);
    }

    private static boolean isPublic(HandleValue v) {
        return v.permissions().publicRead();
    }

    private static PreparedRecord of(List<HandleValue> values, Predicate<HandleValue> accepted, boolean keepSplit) {
        List<HandleValue> readable = new ArrayList<>(values.size());
        for (HandleValue v : values) {
            if (accepted.test(v)) {
                readable.add(v);
            }
        }
        int n = readable.size();
        byte[][] encoded = new byte[n][];
        for (int i = 0; i < n; i++) {
            encoded[i] = Encoder.encodeHandleValue(HandleValueConverter.toWire(readable.get(i)));
        }
        boolean withheld = n < values.size();
        // List.copyOf returns an immutable list itself: a record whose values are all readable shares its list.
        return new PreparedRecord(List.copyOf(withheld ? readable : values), encoded, withheld, keepSplit);
    }

    /** True when restricted values were left out. */
    boolean withheld() {
        return withheld;
    }

    /**
     * The answer to a request for these values: for an unfiltered request the one prepared with the
     * record, otherwise a new one holding the values {@link #select} would select, copied from the
     * record's value block; {@link CachedAnswer#VALUES_NOT_FOUND} when nothing is selected.
     */
    CachedAnswer answer(int[] requestedIndexes, byte[][] requestedTypes) {
        if (isEmpty(requestedIndexes) && isEmpty(requestedTypes)) {
            return unfiltered;
        }
        int count = 0;
        int size = 4;
        for (int i = 0; i < values.size(); i++) {
            if (matches(i, requestedIndexes, requestedTypes)) {
                count++;
                size += offsets[i + 1] - offsets[i];
            }
        }
        if (count == 0) {
            return CachedAnswer.VALUES_NOT_FOUND;
        }
        byte[] all = unfiltered.valueBlock();
        byte[] block = new byte[size];
        Encoder.writeInt(block, 0, count);
        int p = 4;
        for (int i = 0; i < values.size(); i++) {
            if (matches(i, requestedIndexes, requestedTypes)) {
                int length = offsets[i + 1] - offsets[i];
                System.arraycopy(all, offsets[i], block, p, length);
                p += length;
            }
        }
        return CachedAnswer.ofBlock(block);
    }

    /**
     * The encoded values that pass CNRI's filter rule: with no index and no type requested, all of them;
     * otherwise those whose index is requested OR whose type matches a requested type (a type ending in
     * {@code .} also matches its subtypes). The arrays are shared: callers must not modify them.
     */
    byte[][] select(int[] requestedIndexes, byte[][] requestedTypes) {
        byte[][] all = split();
        boolean noIndexes = isEmpty(requestedIndexes);
        boolean noTypes = isEmpty(requestedTypes);
        if (noIndexes && noTypes) {
            return all;
        }
        List<byte[]> out = new ArrayList<>(all.length);
        for (int i = 0; i < all.length; i++) {
            if (matches(i, requestedIndexes, requestedTypes)) {
                out.add(all[i]);
            }
        }
        return out.toArray(new byte[0][]);
    }

    /** The values {@link #select} picks, as values rather than encoded (for the record-model interfaces). */
    List<HandleValue> selectValues(int[] requestedIndexes, byte[][] requestedTypes) {
        if (isEmpty(requestedIndexes) && isEmpty(requestedTypes)) {
            return values;
        }
        List<HandleValue> out = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            if (matches(i, requestedIndexes, requestedTypes)) {
                out.add(values.get(i));
            }
        }
        return out;
    }

    /**
     * Whether value {@code i} passes a filter of which at least one part is given. The type is encoded per call
     * rather than kept: filtering by type is rare next to the cache's memory, which holds millions of records.
     */
    private boolean matches(int i, int[] requestedIndexes, byte[][] requestedTypes) {
        HandleValue v = values.get(i);
        return (!isEmpty(requestedIndexes) && Util.isInArray(requestedIndexes, v.index()))
                || (!isEmpty(requestedTypes) && Util.isParentTypeInArray(requestedTypes, Util.encodeString(v.type())));
    }

    private byte[][] split() {
        if (split != null) {
            return split;
        }
        byte[][] s = new byte[values.size()][];
        for (int i = 0; i < s.length; i++) {
            s[i] = Arrays.copyOfRange(unfiltered.valueBlock(), offsets[i], offsets[i + 1]);
        }
        return s;
    }

    private static boolean isEmpty(int[] a) {
        return a == null || a.length == 0;
    }

    private static boolean isEmpty(byte[][] a) {
        return a == null || a.length == 0;
    }
}
