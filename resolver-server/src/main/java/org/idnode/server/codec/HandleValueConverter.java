package org.idnode.server.codec;

import java.util.ArrayList;
import java.util.List;

import net.handle.hdllib.Util;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.model.ValueReference;

/**
 * Converts between the registry's immutable {@link HandleValue} and the Handle.net library's mutable
 * {@link net.handle.hdllib.HandleValue}, the form the wire encoder and CNRI's JSON use.
 *
 * <p>Stateless and thread-safe.
 */
public final class HandleValueConverter {
    private HandleValueConverter() {
    }

    /** A new library value holding the same fields. */
    public static net.handle.hdllib.HandleValue toWire(HandleValue v) {
        net.handle.hdllib.ValueReference[] refs = new net.handle.hdllib.ValueReference[v.references().size()];
        for (int i = 0; i < refs.length; i++) {
            ValueReference r = v.references().get(i);
            refs[i] = new net.handle.hdllib.ValueReference(Util.encodeString(r.handle()), r.index());
        }
        Permissions p = v.permissions();
        return new net.handle.hdllib.HandleValue(v.index(), Util.encodeString(v.type()), v.data(),
                v.ttlType() == HandleValue.TtlType.ABSOLUTE ? net.handle.hdllib.HandleValue.TTL_TYPE_ABSOLUTE
                        : net.handle.hdllib.HandleValue.TTL_TYPE_RELATIVE,
                v.ttl(), v.timestamp(), refs, p.adminRead(), p.adminWrite(), p.publicRead(), p.publicWrite());
    }

    /**
     * A registry value from a library value.
     *
     * @throws IllegalArgumentException when the library value breaks a registry rule (index, type)
     */
    public static HandleValue fromWire(net.handle.hdllib.HandleValue v) {
        List<ValueReference> refs = new ArrayList<>();
        net.handle.hdllib.ValueReference[] wireRefs = v.getReferences();
        if (wireRefs != null) {
            for (net.handle.hdllib.ValueReference r : wireRefs) {
                refs.add(new ValueReference(Util.decodeString(r.handle), r.index));
            }
        }
        return new HandleValue(v.getIndex(), v.getTypeAsString(), v.getData(),
                v.getTTLType() == net.handle.hdllib.HandleValue.TTL_TYPE_ABSOLUTE ? HandleValue.TtlType.ABSOLUTE : HandleValue.TtlType.RELATIVE,
                v.getTTL(), v.getTimestamp(), refs,
                new Permissions(v.getAdminCanRead(), v.getAdminCanWrite(), v.getAnyoneCanRead(), v.getAnyoneCanWrite()));
    }

    /** Every value of a wire array (null for none) in the registry's model, in order. */
    public static List<HandleValue> fromWire(net.handle.hdllib.HandleValue[] wire) {
        List<HandleValue> out = new ArrayList<>(wire == null ? 0 : wire.length);
        if (wire != null) {
            for (net.handle.hdllib.HandleValue v : wire) {
                out.add(fromWire(v));
            }
        }
        return out;
    }
}
