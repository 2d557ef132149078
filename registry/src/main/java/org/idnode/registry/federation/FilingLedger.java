package org.idnode.registry.federation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.store.KeySpace;

/**
 * A top-level node's ledger of federation, in the store's {@code federation} key space: the secondary nodes it
 * delegated a prefix to, and what each of them filed. Keys (prefixes ASCII upper-cased, so that lookups ignore case;
 * 0x00 never occurs in a prefix):
 * <ul>
 *   <li>{@code 'N' 0x00 PREFIX}: the {@link SecondaryNode}, with its applied sequence;</li>
 *   <li>{@code 'E' 0x00 PREFIX 0x00 ENTERPRISE_PREFIX}: the {@link FiledEnterprisePrefix} summary;</li>
 *   <li>{@code 'F' 0x00 PREFIX 0x00 SEQUENCE} (8 bytes, big-endian, so key order is sequence order): the {@link Filed}.</li>
 * </ul>
 * Other components may keep their own keys in the same key space under other leading bytes.
 *
 * <p>{@link #append} applies a batch of filings exactly once and in order: filings at or below the applied sequence
 * are replays and change nothing; the first new one must be the next in sequence. The new filings, the summaries they
 * change and the node's new applied sequence (and site) are written in one atomic, synced write, so a crash leaves
 * either all of a batch or none of it.
 *
 * <p>Thread-safe: changes are serialised on the ledger; reads do not wait for them (RocksDB gives each read a
 * consistent view of single keys).
 */
public final class FilingLedger {
    private static final byte NODE = 'N';
    private static final byte ENTERPRISE = 'E';
    private static final byte FILING = 'F';
    private static final int SCAN_ALL = Integer.MAX_VALUE;

    private final KeySpace space;

    public FilingLedger(KeySpace space) {
        this.space = space;
    }

    /** The outcome of {@link #append}: the node after the batch, and how many of its filings were new. */
    public record Appended(SecondaryNode node, int applied) {
    }

    /** The registered secondary node of {@code prefix} (any case), if any. */
    public Optional<SecondaryNode> secondary(String prefix) {
        byte[] v = space.get(key(NODE, prefix));
        return v == null ? Optional.empty() : Optional.of(LedgerCodec.decodeNode(v));
    }

    /** Every registered secondary node, in prefix order. */
    public List<SecondaryNode> secondaries() {
        List<SecondaryNode> out = new ArrayList<>();
        for (KeySpace.Entry e : space.scan(new byte[] {NODE, 0}, null, SCAN_ALL)) {
            out.add(LedgerCodec.decodeNode(e.value()));
        }
        return out;
    }

    /**
     * Registers a secondary node.
     *
     * @throws LedgerException {@link LedgerException.Kind#ALREADY_REGISTERED} when its prefix is registered, or is derived
     *                         from a registered one, or a registered one is derived from it
     */
    public synchronized void add(SecondaryNode node) {
        for (SecondaryNode other : secondaries()) {
            if (HandleName.isSameOrDerivedPrefix(node.prefix(), other.prefix()) && node.prefix().length() == other.prefix().length()) {
                throw new LedgerException(LedgerException.Kind.ALREADY_REGISTERED, "secondary prefix " + other.prefix() + " is registered already");
            }
            if (HandleName.isSameOrDerivedPrefix(node.prefix(), other.prefix()) || HandleName.isSameOrDerivedPrefix(other.prefix(), node.prefix())) {
                throw new LedgerException(LedgerException.Kind.ALREADY_REGISTERED, "secondary prefix " + node.prefix()
                        + " overlaps the registered secondary prefix " + other.prefix() + "; a prefix is delegated to one node only");
            }
        }
        try (KeySpace.Batch b = space.batch()) {
            b.put(key(NODE, node.prefix()), LedgerCodec.encode(node)).commit();
        }
    }

    /**
     * Removes a secondary node with everything it filed, in one write; false when none is registered for the prefix.
     * Registered again, it starts over at sequence 1.
     */
    public synchronized boolean remove(String prefix) {
        if (secondary(prefix).isEmpty()) {
            return false;
        }
        try (KeySpace.Batch b = space.batch()) {
            b.delete(key(NODE, prefix))
                    .deleteAllStartingWith(withSeparator(key(ENTERPRISE, prefix)))
                    .deleteAllStartingWith(withSeparator(key(FILING, prefix)))
                    .commit();
        }
        return true;
    }

    /**
     * Applies the filings of one batch from the secondary node of {@code prefix}: those at or below its applied
     * sequence are replays and are passed over; the others must follow it without a gap, and are stored with their
     * effects (enterprise prefix summaries, the node's site) and the new applied sequence in one atomic write.
     *
     * @param filings in ascending, consecutive sequence order
     * @throws LedgerException          {@link LedgerException.Kind#UNKNOWN_SECONDARY}, or
     *                                  {@link LedgerException.Kind#SEQUENCE_GAP} naming the expected sequence
     * @throws IllegalArgumentException when the filings are not consecutive
     */
    public synchronized Appended append(String prefix, List<Filed> filings) {
        SecondaryNode node = secondary(prefix).orElseThrow(() -> new LedgerException(LedgerException.Kind.UNKNOWN_SECONDARY,
                "no secondary node is registered for prefix " + prefix));
        for (int i = 1; i < filings.size(); i++) {
            if (filings.get(i).sequence() != filings.get(i - 1).sequence() + 1) {
                throw new IllegalArgumentException("filings of a batch must have consecutive sequences; " + filings.get(i - 1).sequence()
                        + " is followed by " + filings.get(i).sequence());
            }
        }
        long applied = node.appliedThrough();
        List<Filed> fresh = filings.stream().filter(f -> f.sequence() > applied).toList();
        if (fresh.isEmpty()) {
            return new Appended(node, 0);
        }
        if (fresh.get(0).sequence() != applied + 1) {
            throw new LedgerException(LedgerException.Kind.SEQUENCE_GAP, "filing sequence gap for " + node.prefix() + ": expected "
                    + (applied + 1) + ", got " + fresh.get(0).sequence(), applied + 1);
        }
        Map<String, FiledEnterprisePrefix> touched = new LinkedHashMap<>();
        SecondaryNode after = node;
        try (KeySpace.Batch b = space.batch()) {
            for (Filed f : fresh) {
                b.put(filingKey(prefix, f.sequence()), LedgerCodec.encode(f));
                String enterprisePrefix = enterprisePrefixOf(f.fact());
                if (enterprisePrefix != null) {
                    String k = HandleName.asciiUpperCase(enterprisePrefix);
                    FiledEnterprisePrefix before = touched.get(k);
                    if (before == null) {
                        before = enterprisePrefix(prefix, enterprisePrefix).orElse(FiledEnterprisePrefix.first(enterprisePrefix, f.sequence()));
                    }
                    touched.put(k, before.after(f.sequence(), f.fact()));
                } else if (f.fact() instanceof FiledFact.Site s) {
                    after = after.withSite(s.site(), f.receivedMillis());
                }
            }
            for (FiledEnterprisePrefix e : touched.values()) {
                b.put(enterpriseKey(prefix, e.prefix()), LedgerCodec.encode(e));
            }
            after = after.withAppliedThrough(fresh.get(fresh.size() - 1).sequence());
            b.put(key(NODE, prefix), LedgerCodec.encode(after));
            b.commit();
        }
        return new Appended(after, fresh.size());
    }

    /** The filings of a secondary node with a sequence above {@code after}, in sequence order, at most {@code limit}. */
    public List<Filed> filings(String prefix, long after, int limit) {
        List<Filed> out = new ArrayList<>();
        for (KeySpace.Entry e : space.scan(withSeparator(key(FILING, prefix)), filingKey(prefix, after), limit)) {
            out.add(LedgerCodec.decodeFiled(e.value()));
        }
        return out;
    }

    /** What a secondary node's filings say about each of its enterprise prefixes, in prefix order. */
    public List<FiledEnterprisePrefix> enterprisePrefixes(String prefix) {
        List<FiledEnterprisePrefix> out = new ArrayList<>();
        for (KeySpace.Entry e : space.scan(withSeparator(key(ENTERPRISE, prefix)), null, SCAN_ALL)) {
            out.add(LedgerCodec.decodeEnterprisePrefix(e.value()));
        }
        return out;
    }

    /** What a secondary node's filings say about one enterprise prefix, if they mention it. */
    public Optional<FiledEnterprisePrefix> enterprisePrefix(String secondaryPrefix, String enterprisePrefix) {
        byte[] v = space.get(enterpriseKey(secondaryPrefix, enterprisePrefix));
        return v == null ? Optional.empty() : Optional.of(LedgerCodec.decodeEnterprisePrefix(v));
    }

    private static String enterprisePrefixOf(FiledFact fact) {
        if (fact instanceof FiledFact.EnterprisePrefix p) {
            return p.prefix();
        }
        if (fact instanceof FiledFact.Registration r) {
            return r.prefix();
        }
        if (fact instanceof FiledFact.RegistrationCount c) {
            return c.prefix();
        }
        return null;
    }

    /** {@code tag 0x00 PREFIX}. */
    private static byte[] key(byte tag, String prefix) {
        byte[] p = HandleName.asciiUpperCase(prefix).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[2 + p.length];
        out[0] = tag;
        System.arraycopy(p, 0, out, 2, p.length);
        return out;
    }

    /** {@code key 0x00}: the start of every key under it. */
    private static byte[] withSeparator(byte[] key) {
        byte[] out = new byte[key.length + 1];
        System.arraycopy(key, 0, out, 0, key.length);
        return out;
    }

    private static byte[] enterpriseKey(String secondaryPrefix, String enterprisePrefix) {
        byte[] head = withSeparator(key(ENTERPRISE, secondaryPrefix));
        byte[] e = HandleName.asciiUpperCase(enterprisePrefix).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(head.length + e.length).put(head).put(e).array();
    }

    private static byte[] filingKey(String prefix, long sequence) {
        byte[] head = withSeparator(key(FILING, prefix));
        return ByteBuffer.allocate(head.length + Long.BYTES).put(head).putLong(sequence).array();
    }
}
