package org.idnode.server.federation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import net.handle.hdllib.Common;
import net.handle.hdllib.Util;
import org.idnode.registry.federation.FilingLedger;
import org.idnode.registry.federation.SecondaryNode;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;
import org.idnode.server.admin.PrefixRecords;

/**
 * The prefixes a top-level node delegated, as its Handle answers use them: for each registered secondary node, the
 * values of its prefix handle {@code 0.NA/<secondary prefix>} and the prefix referral for the prefixes derived from
 * it. An immutable snapshot of the {@link FilingLedger}'s secondary nodes, replaced as a whole by {@link #refresh()}
 * after every change to them (registration, removal, site filing).
 *
 * <p>The prefix handle {@code 0.NA/88.999} of a delegated prefix holds: {@code HS_SITE} at index 1 and
 * {@code HS_SITE.PREFIX} at index 2, both the secondary node's site (clients resolve handles directly under 88.999
 * there, and CNRI's resolver follows {@code HS_SITE.PREFIX} for {@code 0.NA/88.999.x}); {@code HS_ADMIN} at 100 for
 * {@code 300:0.NA/88.999} and the secondary node's key as {@code HS_PUBKEY} at 300, the layout of CNRI's prefix handles.
 *
 * <p>Thread-safe: lookups read the current snapshot without locking (they sit on the resolution path).
 */
public final class Delegations {
    /** Index of {@code HS_SITE} on a delegated prefix handle. */
    public static final int SITE_INDEX = PrefixRecords.SITE_INDEX;
    /** Index of {@code HS_SITE.PREFIX} on a delegated prefix handle. */
    public static final int PREFIX_SITE_INDEX = 2;
    /** The type of the derived-prefix site value. */
    public static final String PREFIX_SITE_TYPE = Util.decodeString(Common.DERIVED_PREFIX_SITE_TYPE);

    private final FilingLedger ledger;
    /** Delegations by ASCII upper-cased secondary prefix. */
    private volatile Map<String, Delegation> byPrefix = Map.of();

    /**
     * A delegated prefix.
     *
     * @param prefix             the secondary prefix, as registered
     * @param site               the secondary node's servers in one line, for messages
     * @param prefixHandleValues the values of {@code 0.NA/<prefix>}
     * @param referralValues     the {@code HS_SITE.PREFIX} values a prefix referral carries
     */
    public record Delegation(String prefix, String site, List<HandleValue> prefixHandleValues, List<HandleValue> referralValues) {
        public Delegation {
            prefixHandleValues = List.copyOf(prefixHandleValues);
            referralValues = List.copyOf(referralValues);
        }

        /** The prefix handle {@code 0.NA/<prefix>}. */
        public HandleName prefixHandle() {
            return HandleName.ofPrefix(prefix);
        }
    }

    /** The delegations the ledger holds now. */
    public Delegations(FilingLedger ledger) {
        this.ledger = ledger;
        refresh();
    }

    /** Re-reads the secondary nodes from the ledger. */
    public synchronized void refresh() {
        Map<String, Delegation> next = new HashMap<>();
        for (SecondaryNode n : ledger.secondaries()) {
            next.put(HandleName.asciiUpperCase(n.prefix()), delegation(n));
        }
        byPrefix = Map.copyOf(next);
    }

    /**
     * The delegation {@code prefix} falls under: the one of {@code prefix} itself or of the nearest prefix it is derived
     * from ({@code 88.999} for {@code 88.999.1.2}); null when none.
     */
    public Delegation covering(String prefix) {
        Map<String, Delegation> current = byPrefix;
        if (current.isEmpty()) {
            return null;
        }
        String p = HandleName.asciiUpperCase(prefix);
        while (true) {
            Delegation d = current.get(p);
            if (d != null) {
                return d;
            }
            int dot = p.lastIndexOf('.');
            if (dot <= 0) {
                return null;
            }
            p = p.substring(0, dot);
        }
    }

    private static Delegation delegation(SecondaryNode n) {
        int timestamp = (int) (n.siteChangedMillis() / 1000);
        HandleName prefixHandle = HandleName.ofPrefix(n.prefix());
        HandleValue referral = value(PREFIX_SITE_INDEX, PREFIX_SITE_TYPE, n.site(), timestamp);
        List<HandleValue> values = new ArrayList<>();
        values.add(value(SITE_INDEX, "HS_SITE", n.site(), timestamp));
        values.add(referral);
        values.addAll(PrefixRecords.adminValues(prefixHandle, SecondaryRegistry.publicKey(n), null, (int) (n.addedMillis() / 1000)));
        return new Delegation(n.prefix(), SecondaryRegistry.describeSite(n), values, List.of(referral));
    }

    private static HandleValue value(int index, String type, byte[] data, int timestamp) {
        return new HandleValue(index, type, data, HandleValue.TtlType.RELATIVE, HandleValue.DEFAULT_TTL, timestamp, List.of(),
                Permissions.PUBLIC_READ);
    }
}
