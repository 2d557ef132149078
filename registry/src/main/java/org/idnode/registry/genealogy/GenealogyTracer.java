package org.idnode.registry.genealogy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.store.HandleRecordStore;

/**
 * Walks the genealogy of an identifier through its reference items ({@code REF.*} values holding
 * another identifier): {@link Direction#UP} follows a record's own references (a PCBA unit to its board
 * lot, the lot to its laminate lots), {@link Direction#DOWN} finds the records that reference it (a
 * laminate lot to the board lots made from it), through the store's genealogy index confirmed against
 * each referrer's current record.
 *
 * <p>Only public reference values are followed: a restricted link stays hidden from a trace as from a
 * resolution. Each identifier appears once per trace; the walk stops at {@code depth} levels and at
 * {@link #MAX_NODES} identifiers, and says so. Thread-safe; reads the store, so it may block.
 */
public final class GenealogyTracer {
    /** Largest depth a trace may ask for. */
    public static final int MAX_DEPTH = 16;
    /** Most identifiers one trace visits. */
    public static final int MAX_NODES = 10_000;

    /** Which way to walk. */
    public enum Direction {
        /** Towards what an identifier was made from. */
        UP,
        /** Towards what was made from it. */
        DOWN
    }

    /** A trace: its tree, and whether a limit cut it short. */
    public record Trace(TraceNode root, boolean truncated) {
    }

    private final HandleRecordStore store;

    public GenealogyTracer(HandleRecordStore store) {
        this.store = store;
    }

    /**
     * Traces from {@code start}.
     *
     * @param depth levels to walk, 1 to {@link #MAX_DEPTH}
     */
    public Trace trace(HandleName start, Direction direction, int depth) {
        if (depth < 1 || depth > MAX_DEPTH) {
            throw new IllegalArgumentException("depth must be from 1 to " + MAX_DEPTH + ", got " + depth);
        }
        Walk walk = new Walk(direction);
        walk.visited.add(start);
        TraceNode root = walk.node(start, null, depth);
        return new Trace(root, walk.truncated);
    }

    private final class Walk {
        final Direction direction;
        final Set<HandleName> visited = new HashSet<>();
        boolean truncated;

        Walk(Direction direction) {
            this.direction = direction;
        }

        TraceNode node(HandleName handle, String relation, int levelsLeft) {
            Optional<HandleRecord> record = store.get(handle);
            String shown = record.map(r -> r.handle().toString()).orElse(handle.toString());
            List<TraceNode> children = new ArrayList<>();
            if (record.isPresent()) {
                List<Link> links = direction == Direction.UP ? up(record.get()) : down(handle);
                if (levelsLeft == 0) {
                    truncated |= !links.isEmpty();
                } else {
                    for (Link link : links) {
                        if (visited.size() >= MAX_NODES) {
                            truncated = true;
                            break;
                        }
                        if (visited.add(link.handle)) {
                            children.add(node(link.handle, link.relation, levelsLeft - 1));
                        }
                    }
                }
            }
            return new TraceNode(shown, relation, record.isPresent(), children);
        }

        private List<Link> up(HandleRecord record) {
            List<Link> out = new ArrayList<>();
            for (HandleValue v : record.values()) {
                HandleName target = publicReference(v);
                if (target != null) {
                    out.add(new Link(target, v.type()));
                }
            }
            return out;
        }

        private List<Link> down(HandleName target) {
            List<Link> out = new ArrayList<>();
            for (HandleName candidate : store.referrerCandidates(target, MAX_NODES)) {
                Optional<HandleRecord> referrer = store.get(candidate);
                if (referrer.isEmpty()) {
                    continue;
                }
                for (HandleValue v : referrer.get().values()) {
                    if (target.equals(publicReference(v))) {
                        out.add(new Link(referrer.get().handle(), v.type()));
                        break;
                    }
                }
            }
            return out;
        }
    }

    private record Link(HandleName handle, String relation) {
    }

    /** The identifier a public reference value points at, or null when the value is no such reference. */
    private static HandleName publicReference(HandleValue v) {
        return v.permissions().publicRead() ? v.referencedHandle().orElse(null) : null;
    }
}
