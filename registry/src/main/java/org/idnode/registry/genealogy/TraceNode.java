package org.idnode.registry.genealogy;

import java.util.List;

/**
 * One identifier in a genealogy tree.
 *
 * @param handle   the identifier, as written in its record (or in the reference, when it is not stored here)
 * @param relation the reference type linking it to its parent in the tree (e.g. {@code REF.CCL_LOT});
 *                 null for the root
 * @param found    whether the identifier's record is stored on this node
 * @param children the next level, in the direction of the trace
 */
public record TraceNode(String handle, String relation, boolean found, List<TraceNode> children) {
    public TraceNode {
        children = List.copyOf(children);
    }
}
