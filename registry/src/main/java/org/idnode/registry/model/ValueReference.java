package org.idnode.registry.model;

/**
 * A reference from a handle value to a value of another handle ({@code index:handle}).
 * The handle is kept as written; it need not be one this node serves.
 *
 * <p>Immutable and thread-safe.
 */
public record ValueReference(String handle, int index) {
    public ValueReference {
        if (handle == null) {
            throw new IllegalArgumentException("reference handle is null");
        }
    }
}
