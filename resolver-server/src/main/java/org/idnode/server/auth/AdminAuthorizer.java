package org.idnode.server.auth;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AdminRecord;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.ValueReference;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;

/**
 * Decides whether an authenticated identity may do something, from {@code HS_ADMIN} values
 * (handle-protocol.md §3.4 step 4): those of the handle itself for delete, add, remove and modify,
 * those of the prefix handle {@code 0.NA/<prefix>} for create and list (for a derived prefix handle,
 * those of its parent prefix handle: {@link #authorityForCreate}).
 *
 * <p>An {@code HS_ADMIN} value grants its permissions to the {@code index:handle} it names: to that
 * exact identity, to any index of the handle when the index is 0, and to every member of the
 * {@code HS_VLIST} group that {@code index:handle} is, followed recursively through nested groups
 * (a member with index 0 again stands for any index). As in CNRI's server, one {@code HS_ADMIN}
 * value must carry all the permissions asked for, and a reference with index 0 is not opened as a
 * group. Groups are read from this node's store only; group handles held elsewhere are not followed.
 * Nesting is followed to a bounded depth and a bounded number of group lookups; loops end there.
 *
 * <p>A refusal says why: {@code RC_INVALID_ADMIN} (400) when the identity is not an administrator of
 * the handle at all, {@code RC_INSUFFICIENT_PERMISSIONS} (401) when it is one (directly or through a
 * group) but no {@code HS_ADMIN} value gives it every permission asked for. (CNRI's server answers
 * 400 in both cases.)
 *
 * <p>Threading: thread-safe; blocking when groups are involved (store reads through
 * {@link IdentityKeyLookup}): call it on a blocking-work thread.
 */
public final class AdminAuthorizer {
    /** Group nesting followed by default: the groups named by HS_ADMIN are level 1. */
    public static final int DEFAULT_MAX_DEPTH = 8;
    /** Group values read by default per decision. */
    public static final int DEFAULT_MAX_GROUP_LOOKUPS = 64;

    private static final String ADMIN_TYPE = "HS_ADMIN";
    private static final String GROUP_TYPE = "HS_VLIST";

    /** The permission bits of an {@code HS_ADMIN} value, in CNRI's {@link AdminRecord} order. */
    public enum Permission {
        ADD_HANDLE(AdminRecord.ADD_HANDLE),
        DELETE_HANDLE(AdminRecord.DELETE_HANDLE),
        /** Add a derived prefix ("add NA"). */
        ADD_NA(AdminRecord.ADD_DERIVED_PREFIX),
        /** Delete a derived prefix ("delete NA"). */
        DELETE_NA(AdminRecord.DELETE_DERIVED_PREFIX),
        MODIFY_VALUE(AdminRecord.MODIFY_VALUE),
        REMOVE_VALUE(AdminRecord.REMOVE_VALUE),
        ADD_VALUE(AdminRecord.ADD_VALUE),
        MODIFY_ADMIN(AdminRecord.MODIFY_ADMIN),
        REMOVE_ADMIN(AdminRecord.REMOVE_ADMIN),
        ADD_ADMIN(AdminRecord.ADD_ADMIN),
        READ_VALUE(AdminRecord.READ_VALUE),
        LIST_HANDLES(AdminRecord.LIST_HANDLES);

        private final int recordIndex;

        Permission(int recordIndex) {
            this.recordIndex = recordIndex;
        }

        /** The index of this permission in {@link AdminRecord#perms}. */
        public int recordIndex() {
            return recordIndex;
        }
    }

    /**
     * The decision.
     *
     * @param granted      whether the identity may go ahead
     * @param responseCode {@code RC_SUCCESS} when granted, else {@code RC_INVALID_ADMIN} or
     *                     {@code RC_INSUFFICIENT_PERMISSIONS}
     * @param reason       why, in words fit for the error message and the audit log
     */
    public record Decision(boolean granted, int responseCode, String reason) {
        static Decision grant(String reason) {
            return new Decision(true, AbstractMessage.RC_SUCCESS, reason);
        }

        static Decision refuse(int responseCode, String reason) {
            return new Decision(false, responseCode, reason);
        }
    }

    private final IdentityKeyLookup lookup;
    private final int maxDepth;
    private final int maxGroupLookups;

    /** With {@link #DEFAULT_MAX_DEPTH} and {@link #DEFAULT_MAX_GROUP_LOOKUPS}. */
    public AdminAuthorizer(IdentityKeyLookup lookup) {
        this(lookup, DEFAULT_MAX_DEPTH, DEFAULT_MAX_GROUP_LOOKUPS);
    }

    public AdminAuthorizer(IdentityKeyLookup lookup, int maxDepth, int maxGroupLookups) {
        if (maxDepth < 0 || maxGroupLookups < 0) {
            throw new IllegalArgumentException("limits must not be negative");
        }
        this.lookup = lookup;
        this.maxDepth = maxDepth;
        this.maxGroupLookups = maxGroupLookups;
    }

    /**
     * The handle whose {@code HS_ADMIN} values authorise creating {@code handle}: {@code 0.NA/<prefix>}
     * for an ordinary handle; for a derived prefix handle {@code 0.NA/88.999.1} its parent
     * {@code 0.NA/88.999} (creating it needs {@link Permission#ADD_NA} there); for a top-level prefix
     * handle {@code 0.NA/88}, {@code 0.NA/0.NA}.
     */
    public static HandleName authorityForCreate(HandleName handle) {
        if (!handle.isPrefixHandle()) {
            return HandleName.ofPrefix(handle.prefix());
        }
        String named = handle.suffix();
        int dot = named.lastIndexOf('.');
        return HandleName.ofPrefix(dot > 0 ? named.substring(0, dot) : HandleName.PREFIX_HANDLE_PREFIX);
    }

    /** Decides from the {@code HS_ADMIN} values of {@code authority} (its other values are ignored). */
    public Decision authorize(AdminIdentity who, HandleRecord authority, Permission... needed) {
        return authorize(who, authority.handle().toString(), authority.values(), EnumSet.copyOf(List.of(needed)));
    }

    /**
     * Decides from the {@code HS_ADMIN} values among {@code values} (the values of {@code subject}, or
     * the ones the node serves for it when nothing is stored, such as a configured prefix).
     *
     * @param subject the handle the values belong to, for the reason
     * @param needed  every permission the operation needs; one HS_ADMIN value must grant them all
     */
    public Decision authorize(AdminIdentity who, String subject, Collection<HandleValue> values, Set<Permission> needed) {
        if (needed.isEmpty()) {
            throw new IllegalArgumentException("no permission asked for");
        }
        String wanted = needed.stream().map(Enum::name).sorted().collect(Collectors.joining("+"));
        List<AdminRef> admins = new ArrayList<>();
        int unreadable = 0;
        for (HandleValue v : values) {
            if (!v.type().equalsIgnoreCase(ADMIN_TYPE)) {
                continue;
            }
            AdminRecord record = decodeAdminRecord(v.data());
            if (record == null) {
                unreadable++;
                continue;
            }
            admins.add(new AdminRef(v.index(), AdminIdentity.of(record.adminId, record.adminIdIndex), record.perms));
        }
        if (admins.isEmpty()) {
            return Decision.refuse(AbstractMessage.RC_INVALID_ADMIN, subject + " has no " + (unreadable > 0 ? "readable " : "") + "HS_ADMIN value");
        }
        List<AdminRef> granting = admins.stream().filter(a -> a.grantsAll(needed)).toList();

        for (AdminRef a : granting) {
            if (a.admin().isMatchedBy(who)) {
                return Decision.grant("HS_ADMIN " + a.valueIndex() + " of " + subject + " grants " + wanted + " to " + a.admin());
            }
        }
        GroupSearch search = new GroupSearch(who);
        Optional<String> via = search.find(granting);
        if (via.isPresent()) {
            return Decision.grant(via.get() + "; HS_ADMIN of " + subject + " grants it " + wanted);
        }

        boolean adminAtAll = admins.stream().anyMatch(a -> a.admin().isMatchedBy(who))
                || new GroupSearch(who).find(admins).isPresent();
        String limits = search.limited ? " (group nesting beyond " + maxDepth + " levels or " + maxGroupLookups + " lookups was not followed)" : "";
        if (adminAtAll) {
            return Decision.refuse(AbstractMessage.RC_INSUFFICIENT_PERMISSIONS,
                    who + " is an administrator of " + subject + " but no HS_ADMIN value grants it " + wanted + limits);
        }
        return Decision.refuse(AbstractMessage.RC_INVALID_ADMIN, who + " is not an administrator of " + subject + limits);
    }

    /**
     * Whether {@code who} is what {@code reference} names, matched as an {@code HS_ADMIN} reference is: that
     * identity (any index of the handle when the reference's index is 0), or a member of the {@code HS_VLIST}
     * group {@code reference} is, nested groups followed within the limits. Blocking when groups are involved.
     */
    public boolean isNamedBy(AdminIdentity who, AdminIdentity reference) {
        return reference.isMatchedBy(who) || new GroupSearch(who).find(List.of(new AdminRef(0, reference, new boolean[0]))).isPresent();
    }

    /** One decoded HS_ADMIN value. */
    private record AdminRef(int valueIndex, AdminIdentity admin, boolean[] perms) {
        boolean grantsAll(Set<Permission> needed) {
            for (Permission p : needed) {
                if (p.recordIndex() >= perms.length || !perms[p.recordIndex()]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Breadth-first search through HS_VLIST groups, bounded in depth and lookups, loop-safe. */
    private final class GroupSearch {
        private final AdminIdentity who;
        private final Set<String> visited = new HashSet<>();
        private int lookups;
        boolean limited;

        GroupSearch(AdminIdentity who) {
            this.who = who;
        }

        private record Step(AdminIdentity group, int depth, String path) {
        }

        /** How {@code who} belongs to one of the groups named by {@code roots}, if it does. */
        Optional<String> find(List<AdminRef> roots) {
            Deque<Step> queue = new ArrayDeque<>();
            for (AdminRef r : roots) {
                queue.add(new Step(r.admin(), 1, r.admin().toString()));
            }
            while (!queue.isEmpty()) {
                Step step = queue.poll();
                AdminIdentity group = step.group();
                if (group.index() == 0 || !visited.add(group.lookupKey())) {
                    continue;
                }
                if (step.depth() > maxDepth || lookups >= maxGroupLookups) {
                    limited = true;
                    continue;
                }
                lookups++;
                for (AdminIdentity member : members(group)) {
                    if (member.isMatchedBy(who)) {
                        return Optional.of(who + " belongs to group " + step.path() + " (listed there as " + member + ")");
                    }
                    queue.add(new Step(member, step.depth() + 1, step.path() + " -> " + member));
                }
            }
            return Optional.empty();
        }

        private List<AdminIdentity> members(AdminIdentity group) {
            for (HandleValue v : lookup.valuesOf(group)) {
                if (v.index() == group.index() && v.type().equalsIgnoreCase(GROUP_TYPE)) {
                    return decodeGroup(v.data());
                }
            }
            return List.of();
        }
    }

    /** An {@code HS_ADMIN} payload, or null when it cannot be read. */
    static AdminRecord decodeAdminRecord(byte[] data) {
        // int2 permissions, S handle, I index: check the handle length before CNRI's decoder sizes an array from it.
        if (data.length < 2 + 4 + 4) {
            return null;
        }
        int handleLength = Encoder.readInt(data, 2);
        if (handleLength < 0 || handleLength > data.length - 2 - 4 - 4) {
            return null;
        }
        try {
            AdminRecord record = Encoder.decodeAdminRecord(data, 0);
            return record.adminId == null || record.perms == null ? null : record;
        } catch (Exception e) {
            return null;
        }
    }

    /** An {@code HS_VLIST} payload ({@code I n}, then {@code S handle, I index} n times); empty when unreadable. */
    static List<AdminIdentity> decodeGroup(byte[] data) {
        // Each entry takes at least 8 bytes: check the count before CNRI's decoder sizes an array from it.
        if (data.length < 4) {
            return List.of();
        }
        int n = Encoder.readInt(data, 0);
        if (n < 0 || n > (data.length - 4) / 8) {
            return List.of();
        }
        int p = 4;
        for (int i = 0; i < n; i++) {
            if (data.length - p < 8) {
                return List.of();
            }
            int len = Encoder.readInt(data, p);
            if (len < 0 || len > data.length - p - 8) {
                return List.of();
            }
            p += 8 + len;
        }
        try {
            ValueReference[] refs = Encoder.decodeValueReferenceList(data, 0);
            List<AdminIdentity> out = new ArrayList<>(refs.length);
            for (ValueReference r : refs) {
                out.add(AdminIdentity.of(r.handle, r.index));
            }
            return out;
        } catch (Exception e) {
            return List.of();
        }
    }
}
