package org.idnode.server.handler;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AddValueRequest;
import net.handle.hdllib.CreateHandleRequest;
import net.handle.hdllib.ModifyValueRequest;
import net.handle.hdllib.RemoveValueRequest;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.write.HandleOperation;
import org.idnode.server.auth.AdminAuthorizer.Permission;
import org.idnode.server.codec.HandleValueConverter;

/**
 * Translates the Handle protocol's write requests (create, delete, add, modify and remove values)
 * into registry {@link HandleOperation}s, names the {@code HS_ADMIN} permission each needs, and turns
 * outcomes back into responses. Stateless.
 */
final class WriteRequests {
    private WriteRequests() {
    }

    /** True for the opcodes this class translates. */
    static boolean isWrite(int opCode) {
        return opCode == AbstractMessage.OC_CREATE_HANDLE || opCode == AbstractMessage.OC_DELETE_HANDLE
                || opCode == AbstractMessage.OC_ADD_VALUE || opCode == AbstractMessage.OC_MODIFY_VALUE
                || opCode == AbstractMessage.OC_REMOVE_VALUE;
    }

    /**
     * The operation a write request asks for.
     *
     * @throws org.idnode.registry.model.InvalidHandleException for a bad handle or value (answered INVALID_HANDLE / INVALID_VALUE)
     */
    static HandleOperation toOperation(AbstractRequest req) {
        if (req.opCode == AbstractMessage.OC_CREATE_HANDLE && req.mintNewSuffix) {
            return new HandleOperation.Create(HandleName.minted(req.handle), HandleValueConverter.fromWire(((CreateHandleRequest) req).values), false);
        }
        HandleName handle = HandleName.fromUtf8(req.handle);
        return switch (req.opCode) {
            case AbstractMessage.OC_CREATE_HANDLE -> new HandleOperation.Create(handle, HandleValueConverter.fromWire(((CreateHandleRequest) req).values), req.overwriteWhenExists);
            case AbstractMessage.OC_DELETE_HANDLE -> new HandleOperation.Delete(handle);
            case AbstractMessage.OC_ADD_VALUE -> new HandleOperation.AddValues(handle, HandleValueConverter.fromWire(((AddValueRequest) req).values), req.overwriteWhenExists);
            case AbstractMessage.OC_MODIFY_VALUE -> new HandleOperation.ModifyValues(handle, HandleValueConverter.fromWire(((ModifyValueRequest) req).values));
            case AbstractMessage.OC_REMOVE_VALUE -> new HandleOperation.RemoveValues(handle,
                    Arrays.stream(((RemoveValueRequest) req).indexes).boxed().toList());
            default -> throw new IllegalArgumentException("not a write request: opcode " + req.opCode);
        };
    }

    /**
     * The {@code HS_ADMIN} permission creating {@code handle} needs on its authority (see
     * {@code AdminAuthorizer.authorityForCreate}): ADD_HANDLE, or ADD_NA for a prefix handle.
     */
    static Permission createPermission(HandleName handle) {
        return handle.isPrefixHandle() ? Permission.ADD_NA : Permission.ADD_HANDLE;
    }

    /**
     * The {@code HS_ADMIN} permissions any other write needs on the existing record. Deleting needs
     * DELETE_HANDLE (DELETE_NA for a prefix handle). A value operation is judged by the values it replaces or
     * removes as well as by the new ones: adding needs ADD_VALUE (ADD_ADMIN for an HS_ADMIN), replacing
     * needs MODIFY_VALUE (MODIFY_ADMIN when the old or the new value is an HS_ADMIN), removing needs
     * REMOVE_VALUE (REMOVE_ADMIN for an HS_ADMIN).
     */
    static Set<Permission> permissions(HandleOperation op, HandleRecord existing) {
        if (op instanceof HandleOperation.Delete) {
            return Set.of(op.handle().isPrefixHandle() ? Permission.DELETE_NA : Permission.DELETE_HANDLE);
        }
        Map<Integer, HandleValue> old = new HashMap<>();
        existing.values().forEach(v -> old.put(v.index(), v));
        Set<Permission> out = EnumSet.noneOf(Permission.class);
        if (op instanceof HandleOperation.AddValues a) {
            for (HandleValue v : a.values()) {
                HandleValue before = old.get(v.index());
                boolean admin = isAdmin(v) || (before != null && isAdmin(before));
                if (before == null) {
                    out.add(admin ? Permission.ADD_ADMIN : Permission.ADD_VALUE);
                } else {
                    out.add(admin ? Permission.MODIFY_ADMIN : Permission.MODIFY_VALUE);
                }
            }
            if (out.isEmpty()) {
                out.add(Permission.ADD_VALUE);
            }
        } else if (op instanceof HandleOperation.ModifyValues m) {
            for (HandleValue v : m.values()) {
                HandleValue before = old.get(v.index());
                out.add(isAdmin(v) || (before != null && isAdmin(before)) ? Permission.MODIFY_ADMIN : Permission.MODIFY_VALUE);
            }
            if (out.isEmpty()) {
                out.add(Permission.MODIFY_VALUE);
            }
        } else {
            for (int i : ((HandleOperation.RemoveValues) op).indexes()) {
                HandleValue before = old.get(i);
                out.add(before != null && isAdmin(before) ? Permission.REMOVE_ADMIN : Permission.REMOVE_VALUE);
            }
            if (out.isEmpty()) {
                out.add(Permission.REMOVE_VALUE);
            }
        }
        return out;
    }

    /**
     * True when a value operation on {@code existing} writes a value {@code which} accepts, or replaces or removes
     * one. False for create and delete.
     */
    static boolean touches(HandleOperation op, HandleRecord existing, Predicate<HandleValue> which) {
        Map<Integer, HandleValue> old = new HashMap<>();
        existing.values().forEach(v -> old.put(v.index(), v));
        Predicate<Integer> oldMatches = i -> old.containsKey(i) && which.test(old.get(i));
        if (op instanceof HandleOperation.AddValues a) {
            return a.values().stream().anyMatch(v -> which.test(v) || oldMatches.test(v.index()));
        }
        if (op instanceof HandleOperation.ModifyValues m) {
            return m.values().stream().anyMatch(v -> which.test(v) || oldMatches.test(v.index()));
        }
        if (op instanceof HandleOperation.RemoveValues r) {
            return r.indexes().stream().anyMatch(oldMatches);
        }
        return false;
    }

    private static boolean isAdmin(HandleValue v) {
        return v.type().equalsIgnoreCase("HS_ADMIN");
    }

}
