package org.idnode.server.federation;

import java.security.PrivateKey;
import java.util.Optional;

import org.idnode.registry.federation.ChangeFiler;
import org.idnode.registry.federation.Outbox;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.config.NodeConfig.Federation;
import org.idnode.server.handler.ForeignResolver;
import org.idnode.server.site.NodeSite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secondary role's part in the federation, as the configuration asks for it: with a top-level node
 * ({@code federation.top-level}), the {@link FilingRules} that put filings into the outbox with every write, and once
 * the node is up a site filing and the {@link FilingShipper}; with {@code federation.recursion.enabled}, the
 * {@link RecursiveResolver}. A node without a top level has neither: its writes file nothing.
 *
 * <p>Thread-safe after {@link #start}; {@link #start} and {@link #close} are called once, by the node.
 */
public final class SecondaryFederation implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SecondaryFederation.class);

    private final Federation settings;
    private final String secondaryPrefix;
    private final FilingRules rules;
    private final RecursiveResolver recursion;
    private volatile FilingShipper shipper;

    private SecondaryFederation(NodeConfig config) {
        this.settings = config.federation();
        this.secondaryPrefix = config.prefixes().get(0);
        this.rules = filer(config);
        this.recursion = settings.recursion().enabled() ? new RecursiveResolver(settings.topLevel(), settings.recursion()) : null;
    }

    /** The part the configuration asks for; the secondary prefix is the first of {@code node.prefixes}. */
    public static SecondaryFederation of(NodeConfig config) {
        return new SecondaryFederation(config);
    }

    /**
     * What writes on a node with this configuration file, the node's own and the offline commands' ({@code import},
     * {@code prefix}): the {@link FilingRules} for a secondary node with a top level, else null (nothing).
     */
    public static FilingRules filer(NodeConfig config) {
        Federation f = config.federation();
        return f.joined() ? new FilingRules(config.prefixes().get(0), f.filing().policy()) : null;
    }

    /** What every write files, or null when the node files nothing (no top level). */
    public ChangeFiler filer() {
        return rules;
    }

    /** The recursive resolver, or null when recursion is off. */
    public ForeignResolver recursion() {
        return recursion;
    }

    /**
     * Once the node answers: files its site info (so the top level's referral to it is current) and starts shipping
     * the outbox. Does nothing for a node without a top level.
     *
     * @throws org.idnode.server.config.ConfigException when {@code federation.filing.tls-ca-file} is unusable
     */
    public void start(Outbox outbox, PrivateKey key, NodeSite site) {
        if (rules == null) {
            return;
        }
        long seq = outbox.append(FilingRules.siteFiling(site.encoded()));
        log.info("filing with the top-level node at {} as {} (policy {}); site info filed as {}", settings.topLevel(), secondaryPrefix,
                settings.filing().policy().name().toLowerCase(java.util.Locale.ROOT), seq);
        FilingShipper s = new FilingShipper(outbox, secondaryPrefix, key, FilingEndpoint.of(settings.topLevel(), settings.filing()),
                settings.filing());
        s.start();
        shipper = s;
    }

    /** The shipper, once started on a node with a top level. */
    public Optional<FilingShipper> shipper() {
        return Optional.ofNullable(shipper);
    }

    /** The secondary prefix filings are made under. */
    public String secondaryPrefix() {
        return secondaryPrefix;
    }

    /** The federation settings. */
    public Federation settings() {
        return settings;
    }

    @Override
    public void close() {
        FilingShipper s = shipper;
        if (s != null) {
            s.close();
        }
        if (recursion != null) {
            recursion.close();
        }
    }
}
