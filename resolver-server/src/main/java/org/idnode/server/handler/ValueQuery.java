package org.idnode.server.handler;

import java.util.List;

import net.handle.hdllib.Util;

/**
 * A resolution asked for in the record model rather than as a Handle message (gRPC): a handle and the Handle
 * protocol's filters. With no index and no type every readable value is returned; otherwise the values whose index
 * is asked for OR whose type matches an asked type ({@code URL} matches only {@code URL}; {@code URL.} matches
 * {@code URL} and its sub-types such as {@code URL.1}), exactly as {@code OC_RESOLUTION} selects them.
 *
 * <p>Immutable and thread-safe.
 */
public final class ValueQuery {
    private final String handle;
    private final int[] indexes;
    private final byte[][] types;

    private ValueQuery(String handle, int[] indexes, byte[][] types) {
        this.handle = handle;
        this.indexes = indexes;
        this.types = types;
    }

    /**
     * @param handle  {@code prefix/suffix}, or a prefix handle {@code 0.NA/<prefix>} (a bare prefix is read as one,
     *                as over the Handle protocol)
     * @param indexes value indexes to return; empty for no index filter
     * @param types   value types to return; empty for no type filter
     */
    public static ValueQuery of(String handle, List<Integer> indexes, List<String> types) {
        return new ValueQuery(handle == null ? "" : handle,
                indexes.stream().mapToInt(Integer::intValue).toArray(),
                types.stream().map(Util::encodeString).toArray(byte[][]::new));
    }

    /** The handle as asked for. */
    public String handle() {
        return handle;
    }

    int[] indexes() {
        return indexes;
    }

    byte[][] types() {
        return types;
    }
}
