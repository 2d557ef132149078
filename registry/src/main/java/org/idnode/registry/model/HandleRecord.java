package org.idnode.registry.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A handle and its values, as stored. Value indexes are unique within a record; the values keep the
 * order they were given in.
 *
 * <p>Immutable and thread-safe. A record can also carry one value derived from it by a reader, such as
 * a transport's ready-made encoding of its values ({@link #derived}), so that a record kept in a cache
 * is prepared once rather than on every read. A record built {@link #packed packed} keeps its values in an
 * encoded form and decodes them on every {@link #values()} read; it equals the same record built from a list.
 */
public final class HandleRecord {
    /** Type prefix of reference items, the genealogy edges between identifiers. */
    public static final String REFERENCE_TYPE_PREFIX = "REF.";

    private final HandleName handle;
    private final List<HandleValue> values;
    private volatile Object derived;

    /**
     * @throws InvalidHandleException when the handle is missing or two values share an index
     */
    public HandleRecord(HandleName handle, List<HandleValue> values) {
        this(List.copyOf(values), handle);
    }

    /**
     * A record over values in packed form ({@link PackedValues}), which it keeps rather than copies, as a cache
     * keeps records: {@link #values()} then decodes on every read. Checked as the constructor checks.
     *
     * @throws InvalidHandleException when the handle is missing or two values share an index
     */
    public static HandleRecord packed(HandleName handle, PackedValues values) {
        return new HandleRecord(values, handle);
    }

    /** Keeps {@code values}, which must not change, and checks its indexes. */
    private HandleRecord(List<HandleValue> values, HandleName handle) {
        if (handle == null) {
            throw new InvalidHandleException("record has no handle");
        }
        this.handle = handle;
        this.values = values;
        int[] indexes = indexesOf(values);
        Arrays.sort(indexes);
        for (int i = 1; i < indexes.length; i++) {
            if (indexes[i] == indexes[i - 1]) {
                throw new InvalidHandleException("handle " + handle + " has two values with index " + indexes[i]);
            }
        }
    }

    private static int[] indexesOf(List<HandleValue> values) {
        if (values instanceof PackedValues packed) {
            return packed.indexes();
        }
        int[] out = new int[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).index();
        }
        return out;
    }

    public HandleName handle() {
        return handle;
    }

    /** The values, an immutable list (decoded on every read for a {@link #packed packed} record). */
    public List<HandleValue> values() {
        return values;
    }

    /**
     * The handles this record points at through reference items: values whose type starts with
     * {@value #REFERENCE_TYPE_PREFIX} (ASCII case-insensitive) and whose data is a valid handle. These
     * are the genealogy edges (a PCB lot's {@code REF.CCL_LOT}, a PCBA unit's {@code REF.REEL}); each
     * target appears once.
     */
    public List<HandleName> referencedHandles() {
        List<HandleName> out = new ArrayList<>();
        for (HandleValue v : values) {
            v.referencedHandle().filter(target -> !out.contains(target)).ifPresent(out::add);
        }
        return out;
    }

    /**
     * A value derived from this record by {@code compute}, computed on first use and kept with the record.
     * One kind of derived value per record: a later call with another {@code type} recomputes and replaces
     * it. {@code compute} must be a pure function of the record; under a race it may run more than once.
     */
    public <T> T derived(Class<T> type, Function<HandleRecord, T> compute) {
        Object d = derived;
        if (type.isInstance(d)) {
            return type.cast(d);
        }
        T fresh = compute.apply(this);
        derived = fresh;
        return fresh;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HandleRecord r && r.handle.equals(handle) && r.handle.toString().equals(handle.toString())
                && r.values.equals(values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(handle, values);
    }

    @Override
    public String toString() {
        return "HandleRecord[handle=" + handle + ", values=" + values + "]";
    }
}
