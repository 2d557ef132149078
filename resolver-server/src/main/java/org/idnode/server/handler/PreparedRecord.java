package org.idnode.server.handler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.Util;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.server.codec.HandleValueConverter;

/**
 * A record's readable values in their Handle wire encoding, in one of two shapes:
 * <ul>
 *   <li>kept with a cached record ({@link #of(HandleRecord)}, {@link PackedRecords}): the public values only as the
 *       body of the unfiltered answer (value count, then the values), which {@link #answer} hands out as is, so that
 *       a resolution answered from the cache encodes nothing. Everything else (a filtered answer, the values one
 *       array each, the values decoded) is made per use from that block, so that the cached record holds its value
 *       data once;</li>
 *   <li>made for one answer of the general path ({@link #of(List, boolean)}, {@link #of(List, Predicate)}): the
 *       values, and each value's encoding in an array of its own.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
final class PreparedRecord {
    /** Heap of a prepared record of the cached shape with its answer, without any value block. */
    private static final int CACHED_BYTES = 56;

    private final boolean withheld;
    /** The cached shape's unfiltered answer; null for the per-answer shape. */
    private final CachedAnswer unfiltered;
    /** The per-answer shape's values and their encodings (same order); null for the cached shape. */
    private final List<HandleValue> values;
    private final byte[][] encoded;

    private PreparedRecord(boolean withheld, CachedAnswer unfiltered, List<HandleValue> values, byte[][] encoded) {
        this.withheld = withheld;
        this.unfiltered = unfiltered;
        this.values = values;
        this.encoded = encoded;
    }

    /**
     * The cached shape for the values encoded in {@code block} ({@link WireValues#encode}): their public ones, in
     * {@code block} itself when every value is public, else in a block of their own.
     */
    static PreparedRecord cached(byte[] block) {
        byte[] publicBlock = WireValues.publicOnly(block);
        return new PreparedRecord(publicBlock != block, answerOver(publicBlock), null, null);
    }

    /** A successful answer over {@code block}, or {@link CachedAnswer#VALUES_NOT_FOUND} when it holds no value. */
    private static CachedAnswer answerOver(byte[] block) {
        return ValueBlockReader.count(block) == 0 ? CachedAnswer.VALUES_NOT_FOUND : CachedAnswer.ofBlock(block);
    }

    /** The public values of a record, in the cached shape (for a record cached as read; see {@link PackedRecords}). */
    static PreparedRecord of(HandleRecord record) {
        return cached(WireValues.encode(record.values()));
    }

    /**
     * The public values, or every value when {@code includeRestricted} (for an authorised reader), for
     * one answer of the general path.
     */
    static PreparedRecord of(List<HandleValue> values, boolean includeRestricted) {
        return of(values, includeRestricted ? v -> true : PreparedRecord::isPublic);
    }

    /** The values {@code readable} accepts, for one answer of the general path. */
    static PreparedRecord of(List<HandleValue> values, Predicate<HandleValue> readable) {
        List<HandleValue> accepted = readable(values, readable);
        byte[][] encoded = new byte[accepted.size()][];
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = Encoder.encodeHandleValue(HandleValueConverter.toWire(accepted.get(i)));
        }
        return new PreparedRecord(accepted.size() < values.size(), null, List.copyOf(accepted), encoded);
    }

    private static boolean isPublic(HandleValue v) {
        return v.permissions().publicRead();
    }

    private static List<HandleValue> readable(List<HandleValue> values, Predicate<HandleValue> accepted) {
        List<HandleValue> out = new ArrayList<>(values.size());
        for (HandleValue v : values) {
            if (accepted.test(v)) {
                out.add(v);
            }
        }
        return out;
    }

    /**
     * Heap of the cached shape besides the block it was made from: itself, its answer and, when values were withheld,
     * the block of the public ones.
     */
    int ownBytes() {
        byte[] publicBlock = withheld ? unfiltered.valueBlock() : null;
        return CACHED_BYTES + (publicBlock == null ? 0 : WireValues.arrayBytes(publicBlock.length));
    }

    /** True when restricted values were left out. */
    boolean withheld() {
        return withheld;
    }

    /**
     * The answer to a request for these values (cached shape only): the one prepared with the record for an
     * unfiltered request or one that selects every value, otherwise a new one whose block holds the values
     * {@link #select} selects; {@link CachedAnswer#VALUES_NOT_FOUND} when nothing is selected.
     */
    CachedAnswer answer(int[] requestedIndexes, byte[][] requestedTypes) {
        if (isEmpty(requestedIndexes) && isEmpty(requestedTypes)) {
            return unfiltered;
        }
        byte[] block = unfiltered.valueBlock();
        if (block == null) {
            return unfiltered;
        }
        byte[] selected = WireValues.filter(block, PreparedRecord::matches, requestedIndexes, requestedTypes);
        return selected == block ? unfiltered : answerOver(selected);
    }

    /**
     * The encoded values that pass CNRI's filter rule: with no index and no type requested, all of them;
     * otherwise those whose index is requested OR whose type matches a requested type (a type ending in
     * {@code .} also matches its subtypes). The arrays may be shared: callers must not modify them.
     */
    byte[][] select(int[] requestedIndexes, byte[][] requestedTypes) {
        if (encoded != null) {
            if (isEmpty(requestedIndexes) && isEmpty(requestedTypes)) {
                return encoded;
            }
            List<byte[]> out = new ArrayList<>(encoded.length);
            for (byte[] v : encoded) {
                if (matches(v, requestedIndexes, requestedTypes)) {
                    out.add(v);
                }
            }
            return out.toArray(new byte[0][]);
        }
        byte[] block = unfiltered.valueBlock();
        if (block == null) {
            return new byte[0][];
        }
        ValueBlockReader value = new ValueBlockReader(block);
        byte[][] out = new byte[value.count()][];
        int n = 0;
        while (value.next()) {
            if (matches(value, requestedIndexes, requestedTypes)) {
                out[n++] = Arrays.copyOfRange(block, value.offset(), value.offset() + value.length());
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** The values {@link #select} picks, as values rather than encoded (for the record-model interfaces). */
    List<HandleValue> selectValues(int[] requestedIndexes, byte[][] requestedTypes) {
        if (values != null) {
            if (isEmpty(requestedIndexes) && isEmpty(requestedTypes)) {
                return values;
            }
            List<HandleValue> out = new ArrayList<>(values.size());
            for (int i = 0; i < encoded.length; i++) {
                if (matches(encoded[i], requestedIndexes, requestedTypes)) {
                    out.add(values.get(i));
                }
            }
            return out;
        }
        byte[] block = unfiltered.valueBlock();
        List<HandleValue> out = new ArrayList<>();
        if (block == null) {
            return out;
        }
        ValueBlockReader value = new ValueBlockReader(block);
        while (value.next()) {
            if (matches(value, requestedIndexes, requestedTypes)) {
                out.add(WireValues.decode(value));
            }
        }
        return out;
    }

    /** Whether the current value of a cached shape's block passes the filter; every value passes when no part is given. */
    private static boolean matches(ValueBlockReader value, int[] requestedIndexes, byte[][] requestedTypes) {
        return isEmpty(requestedIndexes) && isEmpty(requestedTypes) || indexMatches(value.index(), requestedIndexes)
                || !isEmpty(requestedTypes) && Util.isParentTypeInArray(requestedTypes, value.typeBytes());
    }

    /** Whether the value encoded alone in {@code encoded} passes the filter; every value passes when no part is given. */
    private static boolean matches(byte[] encoded, int[] requestedIndexes, byte[][] requestedTypes) {
        if (isEmpty(requestedIndexes) && isEmpty(requestedTypes) || indexMatches(Encoder.getHandleValueIndex(encoded, 0), requestedIndexes)) {
            return true;
        }
        try {
            return !isEmpty(requestedTypes) && Util.isParentTypeInArray(requestedTypes, Encoder.getHandleValueType(encoded, 0));
        } catch (HandleException e) {
            throw new IllegalStateException("a value encoded by this node does not decode", e);
        }
    }

    private static boolean indexMatches(int index, int[] requestedIndexes) {
        return !isEmpty(requestedIndexes) && Util.isInArray(requestedIndexes, index);
    }

    private static boolean isEmpty(int[] a) {
        return a == null || a.length == 0;
    }

    private static boolean isEmpty(byte[][] a) {
        return a == null || a.length == 0;
    }
}
