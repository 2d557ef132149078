package org.idnode.server.federation;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ServerInfo;
import net.handle.hdllib.SiteInfo;
import net.handle.hdllib.Util;
import org.idnode.registry.federation.Filed;
import org.idnode.registry.federation.FiledEnterprisePrefix;
import org.idnode.registry.federation.FilingLedger;
import org.idnode.registry.federation.LedgerException;
import org.idnode.registry.federation.SecondaryNode;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.server.admin.AdministrationException;
import org.idnode.server.admin.AdministrationException.Kind;
import org.idnode.server.admin.PrefixRecords;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.site.NodeSite;

/**
 * The top-level node operator's view of its secondary nodes, the one implementation behind {@code idnode secondary}
 * (offline on the data folder), {@code idnode filings} and the operator API under {@code /api/admin/federation/}:
 * register a secondary node for a prefix ({@link #add}), remove it, list them, and read what each filed.
 *
 * <p>A valid secondary prefix is a valid prefix outside the reserved {@code 0.*} space that is neither one of the
 * node's own prefixes ({@code node.prefixes}) nor derived from or a parent of one of them, nor overlapping another
 * secondary prefix. Refusals are {@link AdministrationException}s ({@code INVALID}, {@code NOT_FOUND},
 * {@code ALREADY_EXISTS}). Every change refreshes the {@link Delegations} the node answers from.
 *
 * <p>Thread-safe; every method reads the store and may block.
 */
public final class SecondaryRegistry {
    /** The most filings {@link #filings} returns at once. */
    public static final int MAX_PAGE = 1000;

    private final FilingLedger ledger;
    private final List<String> nodePrefixes;
    private final Delegations delegations;

    /**
     * @param nodePrefixes the node's own prefixes ({@code node.prefixes}), which cannot be delegated
     */
    public SecondaryRegistry(FilingLedger ledger, List<String> nodePrefixes, Delegations delegations) {
        this.ledger = ledger;
        this.nodePrefixes = List.copyOf(nodePrefixes);
        this.delegations = delegations;
    }

    /**
     * Registers the secondary node of {@code prefix}: the top level refers {@code 0.NA/<prefix>.x} to it and accepts
     * its filings signed with {@code publicKey}. Its site is built from {@code hostPort} (Handle TCP and UDP on that
     * port, the public key as the server's key) until the node files its own.
     *
     * @param hostPort  {@code HOST:PORT} of the node's Handle interface ({@code [v6]:PORT} for IPv6)
     * @param publicKey the node's public key: CNRI {@code pubkey.bin} (as a node writes it to {@code <data>/keys/}) or PEM
     */
    public SecondaryNode add(String prefix, String hostPort, byte[] publicKey) {
        checkSecondaryPrefix(prefix);
        HostPort address = HostPort.parse(hostPort);
        PublicKey key;
        try {
            key = PrefixRecords.parsePublicKey(publicKey);
        } catch (IllegalArgumentException e) {
            throw invalid("public key: " + e.getMessage());
        }
        byte[] encodedKey;
        try {
            encodedKey = Util.getBytesFromPublicKey(key);
        } catch (Exception e) {
            throw invalid("public key: cannot encode it: " + e.getMessage());
        }
        byte[] site = NodeSite.of("secondary node " + prefix, address.ip(), 1, encodedKey, address.port(), 0, 0).encoded();
        SecondaryNode node = SecondaryNode.registered(prefix, encodedKey, site, System.currentTimeMillis());
        try {
            ledger.add(node);
        } catch (LedgerException e) {
            throw new AdministrationException(Kind.ALREADY_EXISTS, AbstractMessage.RC_HANDLE_ALREADY_EXISTS, e.getMessage());
        } finally {
            delegations.refresh();
        }
        return node;
    }

    /** Removes the secondary node of {@code prefix} and everything it filed; registered again, it files from sequence 1. */
    public void remove(String prefix) {
        checkPrefixSyntax(prefix);
        boolean removed;
        try {
            removed = ledger.remove(prefix);
        } finally {
            delegations.refresh();
        }
        if (!removed) {
            throw notFound(prefix);
        }
    }

    /** Every registered secondary node, in prefix order. */
    public List<SecondaryNode> list() {
        return ledger.secondaries();
    }

    /** The secondary node of {@code prefix}. */
    public SecondaryNode get(String prefix) {
        checkPrefixSyntax(prefix);
        return ledger.secondary(prefix).orElseThrow(() -> notFound(prefix));
    }

    /** What the node of {@code prefix} filed about each of its enterprise prefixes. */
    public List<FiledEnterprisePrefix> enterprisePrefixes(String prefix) {
        get(prefix);
        return ledger.enterprisePrefixes(prefix);
    }

    /** The filings of the node of {@code prefix} above sequence {@code after}, in order, at most {@code limit} (1 to {@value #MAX_PAGE}). */
    public List<Filed> filings(String prefix, long after, int limit) {
        get(prefix);
        if (after < 0) {
            throw invalid("after must be 0 or more, got " + after);
        }
        if (limit < 1 || limit > MAX_PAGE) {
            throw invalid("limit must be from 1 to " + MAX_PAGE + ", got " + limit);
        }
        return ledger.filings(prefix, after, limit);
    }

    /** The node's registered public key. */
    static PublicKey publicKey(SecondaryNode node) {
        try {
            return Util.getPublicKeyFromBytes(node.publicKey(), 0);
        } catch (Exception e) {
            throw new IllegalStateException("the stored public key of secondary node " + node.prefix() + " is unreadable", e);
        }
    }

    /** The node's site info, decoded. */
    public static SiteInfo site(SecondaryNode node) {
        try {
            return Encoder.decodeSiteInfoRecord(node.site(), 0);
        } catch (HandleException e) {
            throw new IllegalStateException("the stored site of secondary node " + node.prefix() + " is unreadable", e);
        }
    }

    /** The node's servers in one line, e.g. {@code 127.0.0.1 tcp:2641 udp:2641 http:8000 grpc:9000}. */
    public static String describeSite(SecondaryNode node) {
        SiteInfo site = site(node);
        List<String> servers = new ArrayList<>();
        for (ServerInfo s : site.servers) {
            StringBuilder b = new StringBuilder(s.getAddressString());
            for (Interface i : s.interfaces) {
                b.append(' ').append(Interface.protocolName(i.protocol).toLowerCase(Locale.ROOT)).append(':').append(i.port);
            }
            servers.add(b.toString());
        }
        String grpc = NodeSite.grpcPort(site).isPresent() ? " grpc:" + NodeSite.grpcPort(site).getAsInt() : "";
        return String.join(", ", servers) + grpc;
    }

    private void checkSecondaryPrefix(String prefix) {
        checkPrefixSyntax(prefix);
        if (prefix.equals("0") || prefix.startsWith("0.")) {
            throw invalid("prefix " + prefix + " is reserved for the Handle system's own handles and cannot be delegated");
        }
        for (String own : nodePrefixes) {
            if (HandleName.isSameOrDerivedPrefix(prefix, own) || HandleName.isSameOrDerivedPrefix(own, prefix)) {
                throw invalid("prefix " + prefix + " overlaps this node's own prefix " + own + " (node.prefixes " + nodePrefixes
                        + "); a top-level node delegates prefixes it does not serve itself");
            }
        }
    }

    private static void checkPrefixSyntax(String prefix) {
        try {
            HandleName.checkPrefix(prefix);
        } catch (InvalidHandleException e) {
            throw new AdministrationException(Kind.INVALID, AbstractMessage.RC_INVALID_HANDLE, "'" + prefix
                    + "' is not a valid secondary prefix: " + e.getMessage());
        }
    }

    private static AdministrationException notFound(String prefix) {
        return new AdministrationException(Kind.NOT_FOUND, AbstractMessage.RC_HANDLE_NOT_FOUND,
                "no secondary node is registered for prefix " + prefix + " (idnode secondary add)", Map.of("prefix", prefix));
    }

    private static AdministrationException invalid(String message) {
        return new AdministrationException(Kind.INVALID, AbstractMessage.RC_INVALID_VALUE, message);
    }

    /** {@code HOST:PORT} with the host resolved to an IP address. */
    private record HostPort(String ip, int port) {
        static HostPort parse(String text) {
            if (text == null || text.isBlank()) {
                throw invalid("the secondary node's site is needed as HOST:PORT (its Handle TCP/UDP port), e.g. 127.0.0.1:2641");
            }
            NodeConfig.Federation.Address parsed;
            try {
                parsed = NodeConfig.Federation.Address.of(text);
            } catch (IllegalArgumentException e) {
                throw invalid("site '" + text + "': " + e.getMessage());
            }
            String host = parsed.host();
            try {
                InetAddress address = InetAddress.getByName(host);
                if (address.isAnyLocalAddress()) {
                    throw invalid("site '" + text + "': " + host + " is a wildcard address; give an address clients can reach");
                }
                return new HostPort(address.getHostAddress(), parsed.port());
            } catch (UnknownHostException e) {
                throw invalid("site '" + text + "': cannot resolve host " + host);
            }
        }
    }
}
