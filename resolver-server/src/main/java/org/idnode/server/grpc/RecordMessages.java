package org.idnode.server.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import com.google.protobuf.ByteString;
import org.idnode.api.v1.TraceNode;
import org.idnode.api.v1.ValueReference;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.template.Template;
import org.idnode.registry.template.TemplateItem;

/**
 * Converts identifiers, values, records and genealogy trees between the registry model and the
 * {@code idnode.v1} messages. Reading a client's values checks them: an index from 1 to 2^31-1 and a type; values
 * asking for {@code default_permissions} get public read, or their template item's default when the record uses a
 * template. Stateless and thread-safe.
 */
final class RecordMessages {
    private RecordMessages() {
    }

    /** A record message with these values. */
    static org.idnode.api.v1.HandleRecord record(String handle, List<HandleValue> values) {
        org.idnode.api.v1.HandleRecord.Builder b = org.idnode.api.v1.HandleRecord.newBuilder().setHandle(handle);
        for (HandleValue v : values) {
            b.addValues(value(v));
        }
        return b.build();
    }

    static org.idnode.api.v1.HandleValue value(HandleValue v) {
        Permissions p = v.permissions();
        org.idnode.api.v1.HandleValue.Builder b = org.idnode.api.v1.HandleValue.newBuilder()
                .setIndex(v.index())
                .setType(v.type())
                .setData(ByteString.copyFrom(v.data()))
                .setTtl(v.ttl())
                .setTtlAbsolute(v.ttlType() == HandleValue.TtlType.ABSOLUTE)
                .setTimestamp(Integer.toUnsignedLong(v.timestamp()))
                .setPublicRead(p.publicRead())
                .setAdminRead(p.adminRead())
                .setAdminWrite(p.adminWrite())
                .setPublicWrite(p.publicWrite());
        for (org.idnode.registry.model.ValueReference r : v.references()) {
            b.addReferences(ValueReference.newBuilder().setHandle(r.handle()).setIndex(r.index()));
        }
        return b.build();
    }

    /**
     * A client's record; values asking for default permissions get those of the template the record names.
     *
     * @param templateOf the template a record's values name, if any
     * @throws org.idnode.registry.model.InvalidHandleException for a bad handle
     * @throws IllegalArgumentException                       for a bad value, naming it
     */
    static HandleRecord record(org.idnode.api.v1.HandleRecord message, Function<List<HandleValue>, Optional<Template>> templateOf) {
        HandleName handle = HandleName.parse(message.getHandle());
        List<HandleValue> values = values(message.getValuesList(), templateOf);
        try {
            return new HandleRecord(handle, values);
        } catch (InvalidHandleException e) {
            // The handle is fine: what the record breaks is a value rule (two values with one index).
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * A client's values; those asking for default permissions get the permissions of their item in the template
     * {@code templateOf} finds for the values (public read when there is none).
     *
     * @throws IllegalArgumentException for a bad value, naming it
     */
    static List<HandleValue> values(List<org.idnode.api.v1.HandleValue> messages, Function<List<HandleValue>, Optional<Template>> templateOf) {
        List<HandleValue> out = new ArrayList<>(messages.size());
        boolean defaults = false;
        for (int i = 0; i < messages.size(); i++) {
            out.add(value(messages.get(i), i + 1));
            defaults |= messages.get(i).getDefaultPermissions();
        }
        if (!defaults) {
            return out;
        }
        Optional<Template> template = templateOf.apply(out);
        for (int i = 0; i < out.size(); i++) {
            if (messages.get(i).getDefaultPermissions()) {
                HandleValue v = out.get(i);
                Permissions p = template.flatMap(t -> t.itemAt(v.index())).map(TemplateItem::defaultPermissions).orElse(Permissions.PUBLIC_READ);
                out.set(i, v.withPermissions(p));
            }
        }
        return out;
    }

    private static HandleValue value(org.idnode.api.v1.HandleValue m, int position) {
        if (m.getIndex() <= 0) {
            throw new IllegalArgumentException("value " + position + ": index must be from 1 to " + Integer.MAX_VALUE
                    + ", got " + Integer.toUnsignedString(m.getIndex()));
        }
        if (m.getType().isEmpty()) {
            throw new IllegalArgumentException("value " + position + " (index " + m.getIndex() + ") has no type");
        }
        List<org.idnode.registry.model.ValueReference> refs = m.getReferencesCount() == 0 ? List.of() : new ArrayList<>(m.getReferencesCount());
        for (ValueReference r : m.getReferencesList()) {
            refs.add(new org.idnode.registry.model.ValueReference(r.getHandle(), r.getIndex()));
        }
        try {
            return new HandleValue(m.getIndex(), m.getType(), m.getData().toByteArray(),
                    m.getTtlAbsolute() ? HandleValue.TtlType.ABSOLUTE : HandleValue.TtlType.RELATIVE, m.getTtl(), 0, refs,
                    new Permissions(m.getAdminRead(), m.getAdminWrite(), m.getPublicRead(), m.getPublicWrite()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("value " + position + ": " + e.getMessage());
        }
    }

    /** A genealogy tree as a message. */
    static TraceNode trace(org.idnode.registry.genealogy.TraceNode node) {
        TraceNode.Builder b = TraceNode.newBuilder()
                .setHandle(node.handle())
                .setRelation(node.relation() == null ? "" : node.relation())
                .setFound(node.found());
        for (org.idnode.registry.genealogy.TraceNode c : node.children()) {
            b.addChildren(trace(c));
        }
        return b.build();
    }
}
