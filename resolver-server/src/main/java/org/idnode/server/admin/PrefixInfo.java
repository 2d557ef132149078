package org.idnode.server.admin;

import java.util.List;

/**
 * What the operator sees of an enterprise prefix: read from its prefix handle {@code 0.NA/<prefix>}.
 * Immutable and thread-safe.
 *
 * @param prefix     the prefix, e.g. {@code 88.999.1}
 * @param enterprise the enterprise that owns it ({@value PrefixRecords#ENTERPRISE_TYPE}); empty when the prefix
 *                   handle names none (e.g. imported)
 * @param state      its lifecycle state
 * @param selfHosted true when the enterprise runs its own node (the prefix handle carries that node's site)
 * @param admins     the admin identities ({@code index:handle}) its {@code HS_ADMIN} values name, by value index
 */
public record PrefixInfo(String prefix, String enterprise, PrefixState state, boolean selfHosted, List<String> admins) {
    public PrefixInfo {
        admins = List.copyOf(admins);
    }
}
