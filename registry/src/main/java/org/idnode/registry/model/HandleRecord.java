package org.idnode.registry.model;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A handle and its values, as stored. Value indexes are unique within a record; the values keep the
 * order they were given in.
 *
 * <p>Immutable and thread-safe.
 */
public record HandleRecord(HandleName handle, List<HandleValue> values) {
    /**
     * @throws InvalidHandleException when two values share an index
     */
    public HandleRecord {
        if (handle == null) {
            throw new InvalidHandleException("record has no handle");
        }
        values = List.copyOf(values);
        Set<Integer> seen = new HashSet<>();
        for (HandleValue v : values) {
            if (!seen.add(v.index())) {
                throw new InvalidHandleException("handle " + handle + " has two values with index " + v.index());
            }
        }
    }
}
