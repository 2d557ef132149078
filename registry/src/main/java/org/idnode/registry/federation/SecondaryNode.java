package org.idnode.registry.federation;

/**
 * A secondary node a top-level node delegated a prefix to, as the ledger keeps it.
 *
 * @param prefix            the secondary prefix, as registered (e.g. {@code 88.999})
 * @param publicKey         the secondary node's public key in the Handle {@code HS_PUBKEY} encoding (CNRI {@code pubkey.bin});
 *                          it authenticates the node's filings
 * @param site              the node's site info in the {@code HS_SITE} encoding; the top level refers clients there
 * @param addedMillis       when the node was registered
 * @param siteChangedMillis when {@code site} was last set (registration or site filing)
 * @param appliedThrough    the highest filing sequence applied; 0 before the first
 *
 * <p>Immutable (the arrays are not copied: callers must not modify them).
 */
public record SecondaryNode(String prefix, byte[] publicKey, byte[] site, long addedMillis, long siteChangedMillis, long appliedThrough) {
    public SecondaryNode {
        if (prefix == null || prefix.isEmpty() || publicKey == null || site == null || appliedThrough < 0) {
            throw new IllegalArgumentException("a secondary node needs a prefix, a public key, a site and a sequence >= 0");
        }
    }

    /** A node just registered: nothing filed yet. */
    public static SecondaryNode registered(String prefix, byte[] publicKey, byte[] site, long nowMillis) {
        return new SecondaryNode(prefix, publicKey, site, nowMillis, nowMillis, 0);
    }

    SecondaryNode withSite(byte[] newSite, long nowMillis) {
        return new SecondaryNode(prefix, publicKey, newSite, addedMillis, nowMillis, appliedThrough);
    }

    SecondaryNode withAppliedThrough(long sequence) {
        return new SecondaryNode(prefix, publicKey, site, addedMillis, siteChangedMillis, sequence);
    }
}
