package org.idnode.server.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.InvalidHandleException;

/**
 * The node's typed configuration, read from YAML ({@code conf/node.yaml}), overridden by {@code IDNODE_*}
 * environment variables ({@link EnvironmentOverrides}) and validated as a whole at start-up. Every key is
 * optional; unknown keys are refused so that a typo cannot pass silently. See {@code docs/configuration.md}
 * for every key.
 *
 * <p>Adding a key: read it with the {@code Section} helpers in {@link #fromTree} (unconditionally, so that
 * the defaults pass sees it); it then gets its environment variable and is checked against the documentation
 * by the tests without further work.
 *
 * <p>Immutable and thread-safe.
 *
 * @param nodeName       human description of the node, published in its site info
 * @param prefixes       the prefixes this node serves, with every prefix derived from them
 * @param dataDir        the data folder (RocksDB store, node keys)
 * @param bind           address the listeners bind to
 * @param handlePort     Handle protocol port, TCP and UDP (0 = ephemeral)
 * @param httpPort       HTTP port (0 = ephemeral)
 * @param advertisedAddress address published in the site info, or null to derive it from the bind
 *                       address (see {@link #advertisedAddress()})
 * @param siteSerial     serial number of the site info
 * @param privateKeyFile the node's private key (CNRI {@code privkey.bin} format, unencrypted);
 *                       null means {@code <dataDir>/keys/privkey.bin}, created at first start
 * @param recordCache    the record cache's bound ({@code cache.*})
 * @param blockCacheMb   size of RocksDB's block cache in MiB
 * @param storeThreads   threads that read RocksDB on cache misses and sign certified answers
 * @param storeQueue     requests that may wait for one of those threads before the node answers
 *                       {@code SERVER_TOO_BUSY}
 * @param idleTimeoutSeconds a TCP or HTTP connection with nothing to read for this long is closed
 * @param templatesDir   folder of template files ({@code *.json}); null means {@code conf/templates}
 *                       when that folder exists, else no templates
 * @param grpc           the gRPC listener
 * @param federation     the node's place in the federation: its role, its top-level node, filing and recursion ({@code federation:})
 * @param backup         where online backups and exports may be written
 * @param operations     logging, HTTP TLS and shutdown ({@code logging.*}, {@code http.*}, {@code shutdown.*})
 * @param limits         limits against abusive clients ({@code limits.*} besides {@code idle-timeout-seconds})
 */
public record NodeConfig(
        String nodeName,
        List<String> prefixes,
        Path dataDir,
        String bind,
        int handlePort,
        int httpPort,
        String advertisedAddress,
        int siteSerial,
        Path privateKeyFile,
        RecordCache recordCache,
        int blockCacheMb,
        int storeThreads,
        int storeQueue,
        int idleTimeoutSeconds,
        Path templatesDir,
        Grpc grpc,
        Federation federation,
        Backup backup,
        Operations operations,
        Limits limits) {

    /** The template folder used when {@code templates.dir} is not set and it exists. */
    public static final Path DEFAULT_TEMPLATES_DIR = Path.of("conf", "templates");

    private static final Set<String> TOP_KEYS = Set.of("node", "data-dir", "listen", "site", "keys", "cache", "store", "limits", "templates",
            "grpc", "federation", "backup", "logging", "http", "shutdown");

    /**
     * The record cache's bound ({@code cache.*}): the number of handles it holds, or, when {@code cache.max-mb} is
     * set, the estimated heap of its entries. Setting both keys is refused.
     *
     * @param maxEntries {@code cache.max-entries}: handles (found or not) held; the bound unless {@code maxMb} is set
     * @param maxMb      {@code cache.max-mb}: MiB of estimated heap the cached entries may take; 0 when not set
     */
    public record RecordCache(long maxEntries, int maxMb) {
        /** True when the cache is bounded by memory ({@code cache.max-mb}) rather than by entries. */
        public boolean byMemory() {
            return maxMb > 0;
        }

        private static RecordCache read(Section cache) {
            cache.allowOnly(Set.of("max-entries", "max-mb"));
            long maxEntries = cache.integer("max-entries", 1_000_000, 0, Integer.MAX_VALUE);
            int maxMb = cache.integer("max-mb", 0, 1, 1 << 20);
            if (maxMb > 0 && cache.isSet("max-entries")) {
                throw ConfigException.forKey(cache.key("max-mb"), "set either " + cache.key("max-entries") + " (a number of handles) or "
                        + cache.key("max-mb") + " (MiB of heap), not both");
            }
            return new RecordCache(maxEntries, maxMb);
        }
    }

    /**
     * The gRPC listener: on {@code port} of the bind address unless disabled, with TLS when both PEM files are set
     * (both or neither; checked when the configuration is read, and their contents when the node starts).
     *
     * @param enabled            {@code grpc.enabled}
     * @param port               {@code listen.grpc-port} (0 = ephemeral)
     * @param tlsCertChainFile   {@code grpc.tls.cert-chain-file}: the server certificate chain, PEM; null for plaintext
     * @param tlsPrivateKeyFile  {@code grpc.tls.private-key-file}: its private key, PEM PKCS#8; null for plaintext
     */
    public record Grpc(boolean enabled, int port, Path tlsCertChainFile, Path tlsPrivateKeyFile) {
        /** True when the listener speaks TLS. */
        public boolean tls() {
            return tlsCertChainFile != null;
        }
    }

    /** A node's role in the federation. */
    public enum Role {
        /** Serves its own prefix (e.g. 88.999) and the enterprise prefixes under it; files to its top-level node. */
        SECONDARY("secondary", List.of("88.999")),
        /**
         * Plays the national top-level node: answers the root {@code 0.NA/0.NA}, refers derived prefixes of the
         * prefixes it delegated to their secondary nodes, and receives their filings.
         */
        TOP_LEVEL("top-level", List.of("0.NA"));

        private final String text;
        private final List<String> defaultPrefixes;

        Role(String text, List<String> defaultPrefixes) {
            this.text = text;
            this.defaultPrefixes = defaultPrefixes;
        }

        /** The name in the configuration and on the command line. */
        public String text() {
            return text;
        }

        /** {@code node.prefixes} when the configuration does not set it. */
        public List<String> defaultPrefixes() {
            return defaultPrefixes;
        }

        /**
         * The role named {@code text} ({@code secondary} or {@code top-level}).
         *
         * @throws IllegalArgumentException naming the roles, for anything else
         */
        public static Role parse(String text) {
            for (Role r : values()) {
                if (r.text.equals(text)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("expected secondary or top-level, got '" + text + "'");
        }
    }

    /**
     * Online backups ({@code POST /api/admin/backup}, {@code idnode backup} against a running node): the node writes
     * them only into folders under {@code root}, which it creates when needed.
     *
     * @param root {@code backup.root}
     */
    public record Backup(Path root) {
    }

    /**
     * Limits against abusive clients ({@code limits.*}, see {@code docs/limits.md}); the idle timeout is
     * {@link NodeConfig#idleTimeoutSeconds()}.
     *
     * @param readTimeoutSeconds       a Handle TCP or HTTP message must arrive whole within this many seconds of its first byte
     * @param udpRate                  requests per address over Handle UDP
     * @param tcpRate                  requests per address over Handle TCP
     * @param httpRate                 requests per address over HTTP
     * @param grpcRate                 calls per address over gRPC
     * @param sharedRate               one bucket per address for all protocols (at {@code udpRate}, which then equals the others)
     * @param allow                    addresses never rate limited nor capped per address
     * @param trackedAddresses         most client addresses whose rate state is kept, per protocol
     * @param maxConnections           open connections per listener (Handle TCP, HTTP)
     * @param maxConnectionsPerAddress open connections per client address and listener
     * @param maxInFlightPerConnection Handle TCP requests answered at once on one connection
     * @param maxHandleMessageBytes    largest Handle message over TCP (envelope excluded)
     * @param maxUdpRequestBytes       largest Handle UDP request datagram
     * @param maxHttpBodyBytes         largest HTTP request body
     * @param maxGrpcMessageBytes      largest gRPC request message
     * @param udpAmplificationFactor   a UDP answer is at most this many times the size of its request
     * @param grpcMaxCallsPerConnection gRPC calls at once on one connection
     * @param grpcKeepAliveSeconds     gRPC keep-alive ping interval; clients may ping at most as often
     * @param udpIsolatedFlows         most flooding UDP flows (source address and port) moved to sockets of their own; 0: none
     * @param maxInFlightPerAddress    Handle TCP or HTTP requests of one client address answered at once, across its connections
     */
    public record Limits(
            int readTimeoutSeconds,
            Rate udpRate,
            Rate tcpRate,
            Rate httpRate,
            Rate grpcRate,
            boolean sharedRate,
            List<AddressRange> allow,
            int trackedAddresses,
            int maxConnections,
            int maxConnectionsPerAddress,
            int maxInFlightPerConnection,
            int maxHandleMessageBytes,
            int maxUdpRequestBytes,
            int maxHttpBodyBytes,
            int maxGrpcMessageBytes,
            int udpAmplificationFactor,
            int grpcMaxCallsPerConnection,
            int grpcKeepAliveSeconds,
            int udpIsolatedFlows,
            int maxInFlightPerAddress) {

        static final Set<String> KEYS = Set.of("idle-timeout-seconds", "read-timeout-seconds", "rate", "allow", "tracked-addresses",
                "connections", "message-bytes", "udp-amplification-factor", "grpc", "udp-isolated-flows");
        private static final List<String> PROTOCOLS = List.of("udp", "tcp", "http", "grpc");
        /** Smallest amplification factor: every refusal and error answer fits in twice the smallest request. */
        public static final int MIN_UDP_AMPLIFICATION_FACTOR = 2;

        public Limits {
            allow = List.copyOf(allow);
        }

        /**
         * A token bucket: {@code perSecond} requests per second on average, up to {@code burst} at once; 0 per second
         * means unlimited.
         */
        public record Rate(int perSecond, int burst) {
            /** True when this rate never refuses. */
            public boolean unlimited() {
                return perSecond == 0;
            }
        }

        /**
         * An address block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}), or one address (all bits).
         *
         * @param network      the block's first address
         * @param prefixLength leading bits that must match, 0 to 32 (IPv4) or 128 (IPv6)
         */
        public record AddressRange(InetAddress network, int prefixLength) {
            /**
             * Reads {@code address} or {@code address/bits}.
             *
             * @throws IllegalArgumentException saying what is wrong
             */
            public static AddressRange parse(String text) {
                int slash = text.indexOf('/');
                String host = slash < 0 ? text : text.substring(0, slash);
                if (host.isEmpty() || !host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
                    throw new IllegalArgumentException("'" + text + "' is not an IP address");
                }
                InetAddress address;
                try {
                    address = InetAddress.getByName(host); // a literal: no name lookup
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("'" + text + "' is not an IP address");
                }
                int bits = address.getAddress().length * 8;
                int prefix = bits;
                if (slash >= 0) {
                    try {
                        prefix = Integer.parseInt(text.substring(slash + 1));
                    } catch (NumberFormatException e) {
                        prefix = -1;
                    }
                    if (prefix < 0 || prefix > bits) {
                        throw new IllegalArgumentException("'" + text + "': the prefix length must be 0 to " + bits);
                    }
                }
                byte[] masked = address.getAddress();
                for (int i = 0; i < masked.length; i++) {
                    int keep = Math.max(0, Math.min(8, prefix - i * 8));
                    masked[i] &= (byte) (0xff << (8 - keep));
                }
                try {
                    return new AddressRange(InetAddress.getByAddress(masked), prefix);
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }

            /** True when {@code address} is in this block (an IPv4 address is never in an IPv6 block). */
            public boolean contains(InetAddress address) {
                byte[] a = address.getAddress();
                byte[] n = network.getAddress();
                if (a.length != n.length) {
                    return false;
                }
                for (int i = 0; i < n.length && i * 8 < prefixLength; i++) {
                    int keep = Math.min(8, prefixLength - i * 8);
                    int mask = (0xff << (8 - keep)) & 0xff;
                    if ((a[i] & mask) != (n[i] & mask)) {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public String toString() {
                return network.getHostAddress() + "/" + prefixLength;
            }
        }

        /** The limits with every default. */
        public static Limits defaults() {
            return from(new Section("limits", MissingNode.getInstance(), null));
        }

        private static Limits from(Section limits) {
            Section rate = limits.section("rate");
            Set<String> rateKeys = new java.util.HashSet<>(PROTOCOLS);
            rateKeys.addAll(Set.of("per-second", "burst", "shared"));
            rate.allowOnly(rateKeys);
            Rate common = rate(rate, new Rate(2000, 4000));
            boolean shared = rate.bool("shared", false);
            List<Rate> perProtocol = new ArrayList<>();
            for (String p : PROTOCOLS) {
                Section s = rate.section(p);
                if (shared && !s.node().isMissingNode() && !s.node().isNull()) {
                    throw ConfigException.forKey(s.path(), "per-protocol rates cannot be combined with " + rate.key("shared")
                            + ": true; set " + rate.key("per-second") + " and " + rate.key("burst") + " only");
                }
                s.allowOnly(Set.of("per-second", "burst"));
                perProtocol.add(rate(s, common));
            }
            List<AddressRange> allow = new ArrayList<>();
            for (String text : limits.stringList("allow", List.of())) {
                try {
                    allow.add(AddressRange.parse(text));
                } catch (IllegalArgumentException e) {
                    throw ConfigException.forKey(limits.key("allow"), e.getMessage()
                            + "; expected IP addresses or CIDR blocks, e.g. [\"192.0.2.10\", \"10.0.0.0/8\"]");
                }
            }
            Section connections = limits.section("connections");
            connections.allowOnly(Set.of("max", "per-address", "max-in-flight", "max-in-flight-per-address"));
            Section bytes = limits.section("message-bytes");
            bytes.allowOnly(Set.of("handle-tcp", "udp", "http-body", "grpc"));
            Section grpc = limits.section("grpc");
            grpc.allowOnly(Set.of("max-calls-per-connection", "keepalive-seconds"));
            return new Limits(
                    limits.integer("read-timeout-seconds", 30, 1, 3600),
                    perProtocol.get(0), perProtocol.get(1), perProtocol.get(2), perProtocol.get(3), shared,
                    allow,
                    limits.integer("tracked-addresses", 100_000, 100, 10_000_000),
                    connections.integer("max", 20_000, 1, 1_000_000),
                    connections.integer("per-address", 256, 1, 1_000_000),
                    connections.integer("max-in-flight", 16, 1, 1024),
                    bytes.integer("handle-tcp", 262_144, 64, 262_144),
                    bytes.integer("udp", 1024, 64, 2048),
                    bytes.integer("http-body", 8 << 20, 1024, 1 << 30),
                    bytes.integer("grpc", 16 << 20, 1024, 1 << 30),
                    limits.integer("udp-amplification-factor", 5, MIN_UDP_AMPLIFICATION_FACTOR, 100),
                    grpc.integer("max-calls-per-connection", 256, 1, 100_000),
                    grpc.integer("keepalive-seconds", 60, 10, 86_400),
                    limits.integer("udp-isolated-flows", 64, 0, 4096),
                    connections.integer("max-in-flight-per-address", 8, 1, 1_000_000));
        }

        private static Rate rate(Section s, Rate dflt) {
            int perSecond = s.integer("per-second", dflt.perSecond(), 0, 100_000_000);
            int burst = s.integer("burst", perSecond == dflt.perSecond() ? dflt.burst() : Math.max(1, 2 * perSecond), 1, 1_000_000_000);
            return new Rate(perSecond, burst);
        }
    }

    public NodeConfig {
        prefixes = List.copyOf(prefixes);
    }

    /** The configuration with every default and no file. */
    public static NodeConfig defaults() {
        return defaults(null);
    }

    /** The configuration with every default and no file, in {@code role} (null: the default role). */
    public static NodeConfig defaults(Role role) {
        return fromTree(MissingNode.getInstance(), Path.of("."), role, null);
    }

    /**
     * Reads and validates a YAML file. Relative paths inside it are resolved against the working
     * directory, like the command-line options.
     *
     * @throws ConfigException naming the bad key, or saying the file cannot be read
     */
    public static NodeConfig load(Path file) {
        return load(file, null, Map.of());
    }

    /** Reads and validates a YAML file in {@code role} (null: as configured), without environment overrides. */
    public static NodeConfig load(Path file, Role role) {
        return load(file, role, Map.of());
    }

    /** Reads a YAML file (null: the defaults) with the {@code IDNODE_*} variables of {@code environment} applied. */
    public static NodeConfig load(Path file, Map<String, String> environment) {
        return load(file, null, environment);
    }

    /**
     * Reads a YAML file (or nothing when {@code file} is null: the defaults), applies the {@code IDNODE_*}
     * variables of {@code environment} on top ({@link EnvironmentOverrides}), and validates the result as a
     * whole, exactly as a file. The role given on the command line replaces {@code federation.role} (null: as
     * configured); it is applied before the defaults that depend on it ({@code node.prefixes}).
     *
     * @throws ConfigException naming the bad key, and the environment variable when the value came from one
     */
    public static NodeConfig load(Path file, Role role, Map<String, String> environment) {
        JsonNode tree = file == null ? MissingNode.getInstance() : readYaml(file);
        EnvironmentOverrides.Applied applied = EnvironmentOverrides.apply(tree, environment, schema());
        try {
            return fromTree(applied.tree(), Path.of("."), role, null);
        } catch (ConfigException e) {
            String variable = e.key() == null ? null : applied.variableOf(e.key());
            throw variable == null ? e : e.fromVariable(variable);
        }
    }

    /**
     * Every key the configuration reads, with the kind of value it takes: one pass over the defaults, made the first
     * time it is asked for and shared afterwards (by every thread; it is not changed after it is made).
     */
    static ConfigSchema schema() {
        return SchemaOnce.SCHEMA;
    }

    /** The JVM initialises this class once, on the first {@link #schema()}, and publishes its field to every thread. */
    private static final class SchemaOnce {
        static final ConfigSchema SCHEMA = new ConfigSchema();

        static {
            fromTree(MissingNode.getInstance(), Path.of("."), null, SCHEMA);
        }
    }

    private static JsonNode readYaml(Path file) {
        JsonNode tree;
        try (InputStream in = Files.newInputStream(file)) {
            tree = new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("configuration file " + file + " is not valid YAML: " + e.getMessage(), e);
        }
        return tree == null ? MissingNode.getInstance() : tree;
    }

    /** Validates {@code root}; every key read is recorded in {@code schema} when it is not null. */
    private static NodeConfig fromTree(JsonNode root, Path base, Role roleOverride, ConfigSchema schema) {
        Section top = new Section("", root, schema);
        top.allowOnly(TOP_KEYS);
        Section node = top.section("node");
        node.allowOnly(Set.of("name", "prefixes"));
        Section listen = top.section("listen");
        listen.allowOnly(Set.of("bind", "handle-port", "http-port", "grpc-port"));
        Section site = top.section("site");
        site.allowOnly(Set.of("advertised-address", "serial"));
        Section keys = top.section("keys");
        keys.allowOnly(Set.of("private-key-file"));
        Section store = top.section("store");
        store.allowOnly(Set.of("block-cache-mb", "threads", "queue"));
        Section limits = top.section("limits");
        limits.allowOnly(Limits.KEYS);
        Section templates = top.section("templates");
        templates.allowOnly(Set.of("dir"));
        String templatesDir = templates.string("dir", null);
        Section grpc = top.section("grpc");
        grpc.allowOnly(Set.of("enabled", "tls"));
        Section tls = grpc.section("tls");
        tls.allowOnly(Set.of("cert-chain-file", "private-key-file"));
        Path[] grpcTls = tlsFiles(tls, base);
        Grpc grpcSettings = new Grpc(grpc.bool("enabled", true), listen.integer("grpc-port", 9000, 0, 65535), grpcTls[0], grpcTls[1]);

        Federation federation = Federation.read(top.section("federation"), base, roleOverride);
        List<String> prefixes = node.stringList("prefixes", federation.role().defaultPrefixes());
        if (prefixes.isEmpty()) {
            throw ConfigException.forKey("node.prefixes", "at least one prefix is required, e.g. [\"88.999\"]");
        }
        for (String p : prefixes) {
            try {
                HandleName.checkPrefix(p);
            } catch (InvalidHandleException e) {
                throw ConfigException.forKey("node.prefixes", "'" + p + "' is not a valid prefix: " + e.getMessage());
            }
        }
        String bind = listen.string("bind", "127.0.0.1");
        address(bind, "listen.bind");
        String advertised = site.string("advertised-address", null);
        if (advertised != null && address(advertised, "site.advertised-address").isAnyLocalAddress()) {
            throw ConfigException.forKey("site.advertised-address", "'" + advertised + "' is a wildcard address; clients need a reachable address");
        }
        String keyFile = keys.string("private-key-file", null);
        Section backup = top.section("backup");
        backup.allowOnly(Set.of("root"));
        Backup backupSettings = new Backup(base.resolve(backup.string("root", "backups")));
        return new NodeConfig(
                node.string("name", "idnode secondary node"),
                prefixes,
                base.resolve(top.string("data-dir", "data")),
                bind,
                listen.integer("handle-port", 2641, 0, 65535),
                listen.integer("http-port", 8000, 0, 65535),
                advertised,
                site.integer("serial", 1, 0, 65535),
                keyFile == null ? null : base.resolve(keyFile),
                RecordCache.read(top.section("cache")),
                store.integer("block-cache-mb", 256, 8, 1 << 20),
                store.integer("threads", 4, 1, 256),
                store.integer("queue", 10_000, 1, 1_000_000),
                limits.integer("idle-timeout-seconds", 60, 1, 86_400),
                templatesDir == null ? null : base.resolve(templatesDir),
                grpcSettings,
                federation, backupSettings, operations(top, base),
                Limits.from(limits));
    }

    /**
     * The address published in the site info: {@code site.advertised-address} when configured, else the
     * bind address, or loopback when binding a wildcard address.
     */
    @Override
    public String advertisedAddress() {
        if (advertisedAddress != null) {
            return advertisedAddress;
        }
        return address(bind, "listen.bind").isAnyLocalAddress() ? "127.0.0.1" : bind;
    }

    /** A copy with command-line overrides applied; null arguments keep the configured value. */
    public NodeConfig withOverrides(Path dataDir, Integer handlePort, Integer httpPort, Integer grpcPort, String bind) {
        checkPort(handlePort, "--handle-port");
        checkPort(httpPort, "--http-port");
        checkPort(grpcPort, "--grpc-port");
        String newBind = bind == null ? this.bind : bind;
        if (bind != null) {
            address(bind, "--bind");
        }
        Grpc newGrpc = grpcPort == null ? grpc : new Grpc(grpc.enabled(), grpcPort, grpc.tlsCertChainFile(), grpc.tlsPrivateKeyFile());
        return new NodeConfig(nodeName, prefixes, dataDir == null ? this.dataDir : dataDir, newBind,
                handlePort == null ? this.handlePort : handlePort, httpPort == null ? this.httpPort : httpPort,
                advertisedAddress, siteSerial, privateKeyFile, recordCache, blockCacheMb, storeThreads, storeQueue,
                idleTimeoutSeconds, templatesDir, newGrpc, federation, backup, operations, limits);
    }

    /** A copy without the gRPC listener ({@code serve --no-grpc}). */
    public NodeConfig withoutGrpc() {
        return new NodeConfig(nodeName, prefixes, dataDir, bind, handlePort, httpPort, advertisedAddress, siteSerial, privateKeyFile,
                recordCache, blockCacheMb, storeThreads, storeQueue, idleTimeoutSeconds, templatesDir,
                new Grpc(false, grpc.port(), grpc.tlsCertChainFile(), grpc.tlsPrivateKeyFile()), federation, backup, operations, limits);
    }

    /**
     * A copy with the federation options of {@code serve} applied: {@code --prefix} (the one prefix the node serves, its
     * secondary prefix) and {@code --top-level HOST:PORT}; null arguments keep the configured value. Recursion follows
     * the top level as when it is configured in the file, unless the file sets it. ({@code --role} is applied when the
     * file is read, since defaults depend on it.)
     */
    public NodeConfig withFederationOverrides(String prefix, String topLevel) {
        List<String> newPrefixes = prefixes;
        if (prefix != null) {
            try {
                HandleName.checkPrefix(prefix);
            } catch (InvalidHandleException e) {
                throw new ConfigException("--prefix: '" + prefix + "' is not a valid prefix: " + e.getMessage());
            }
            newPrefixes = List.of(prefix);
        }
        Federation.Address newTop = topLevel == null ? federation.topLevel() : Federation.Address.parse(topLevel, "--top-level");
        Federation f = new Federation(federation.role(), newTop, federation.filing(),
                federation.recursion().withDefaultFor(federation.role(), newTop)).checked("--top-level");
        return new NodeConfig(nodeName, newPrefixes, dataDir, bind, handlePort, httpPort, advertisedAddress, siteSerial, privateKeyFile,
                recordCache, blockCacheMb, storeThreads, storeQueue, idleTimeoutSeconds, templatesDir, grpc, f, backup, operations, limits);
    }

    /**
     * The {@code federation} section: the node's role and, for a secondary node, its top-level node, how it files with
     * it and how it resolves identifiers it does not serve (docs/federation.md).
     *
     * @param role      {@code federation.role}: {@code secondary} (default) or {@code top-level}
     * @param topLevel  {@code federation.top-level}: the top-level node's Handle address ({@code HOST:PORT}); null for a
     *                  node that has none (it files nothing and does not recurse)
     * @param filing    {@code federation.filing.*}
     * @param recursion {@code federation.recursion.*}
     */
    public record Federation(Role role, Address topLevel, Filing filing, Recursion recursion) {
        public Federation {
            if (role == null) {
                throw new IllegalArgumentException("a federation role is needed");
            }
        }

        /** A {@code HOST:PORT} address. */
        public record Address(String host, int port) {
            static Address parse(String text, String key) {
                Address parsed;
                try {
                    parsed = of(text);
                } catch (IllegalArgumentException e) {
                    throw ConfigException.forKey(key, e.getMessage() + ", got '" + text + "'");
                }
                address(parsed.host(), key);
                return parsed;
            }

            /**
             * Splits {@code HOST:PORT} ({@code [v6]:PORT} for IPv6) without resolving the host.
             *
             * @throws IllegalArgumentException saying what form is expected, when {@code text} is not in it
             */
            public static Address of(String text) {
                int colon = text == null ? -1 : text.lastIndexOf(':');
                String host = colon < 0 ? "" : text.substring(0, colon);
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                int port;
                try {
                    port = colon < 0 ? -1 : Integer.parseInt(text.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
                if (host.isEmpty() || port < 1 || port > 65535) {
                    throw new IllegalArgumentException("expected HOST:PORT with a port from 1 to 65535, e.g. 127.0.0.1:2641");
                }
                return new Address(host, port);
            }

            @Override
            public String toString() {
                return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
            }
        }

        /** What is filed: every registration, or per enterprise prefix counts. Enterprise-prefix changes always. */
        public enum FilingPolicy { FULL, COUNT }

        /**
         * How the node files with its top level.
         *
         * @param address              {@code federation.filing.address}: the top level's gRPC address; null to take the top
         *                             level's host and the {@code grpc-port} attribute of its site info
         * @param tlsCaFile            {@code federation.filing.tls-ca-file}: PEM certificates to trust for TLS to that
         *                             address; null for plaintext
         * @param policy               {@code federation.filing.policy}: {@code full} or {@code count}
         * @param countIntervalSeconds {@code federation.filing.count-interval-seconds}: how often counts are filed
         * @param backoffMinMillis     {@code federation.filing.backoff-min-ms}: first retry delay
         * @param backoffMaxMillis     {@code federation.filing.backoff-max-ms}: longest retry delay
         * @param callTimeoutSeconds   {@code federation.filing.call-timeout-seconds}: deadline of one filing call
         */
        public record Filing(Address address, Path tlsCaFile, FilingPolicy policy, int countIntervalSeconds, int backoffMinMillis,
                             int backoffMaxMillis, int callTimeoutSeconds) {
        }

        /**
         * How the node resolves identifiers it does not serve.
         *
         * @param enabled            {@code federation.recursion.enabled}; default true for a secondary node with a top level
         * @param maxReferrals       {@code federation.recursion.max-referrals}: referrals followed for one resolution
         * @param deadlineMillis     {@code federation.recursion.deadline-ms}: the longest one recursive resolution may take
         * @param threads            {@code federation.recursion.threads}: resolutions in flight at once
         * @param queue              {@code federation.recursion.queue}: resolutions waiting for a thread
         * @param cacheMaxEntries    {@code federation.recursion.cache-max-entries}: answers (found or not) kept
         * @param maxTtlSeconds      {@code federation.recursion.max-ttl-seconds}: cap on the values' TTL
         * @param negativeTtlSeconds {@code federation.recursion.negative-ttl-seconds}: how long "not found" is kept
         * @param explicit           whether {@code enabled} was set in the file (else it follows the top level)
         */
        public record Recursion(boolean enabled, int maxReferrals, int deadlineMillis, int threads, int queue, int cacheMaxEntries,
                                int maxTtlSeconds, int negativeTtlSeconds, boolean explicit) {
            Recursion withDefaultFor(Role role, Address topLevel) {
                return explicit ? this : new Recursion(role == Role.SECONDARY && topLevel != null, maxReferrals, deadlineMillis, threads,
                        queue, cacheMaxEntries, maxTtlSeconds, negativeTtlSeconds, false);
            }
        }

        /** True for a secondary node with a top level: it files and (by default) resolves recursively. */
        public boolean joined() {
            return role == Role.SECONDARY && topLevel != null;
        }

        static Federation read(Section f, Path base, Role roleOverride) {
            f.allowOnly(Set.of("role", "top-level", "filing", "recursion"));
            Section filing = f.section("filing");
            filing.allowOnly(Set.of("address", "tls-ca-file", "policy", "count-interval-seconds", "backoff-min-ms", "backoff-max-ms",
                    "call-timeout-seconds"));
            Section rec = f.section("recursion");
            rec.allowOnly(Set.of("enabled", "max-referrals", "deadline-ms", "threads", "queue", "cache-max-entries", "max-ttl-seconds",
                    "negative-ttl-seconds"));
            Role role = roleOverride;
            if (role == null) {
                try {
                    role = Role.parse(f.string("role", Role.SECONDARY.text()));
                } catch (IllegalArgumentException e) {
                    throw ConfigException.forKey(f.key("role"), e.getMessage());
                }
            }
            String top = f.string("top-level", null);
            Address topLevel = top == null ? null : Address.parse(top, f.key("top-level"));
            String address = filing.string("address", null);
            String policy = filing.string("policy", "full");
            FilingPolicy filingPolicy;
            if (policy.equalsIgnoreCase("full")) {
                filingPolicy = FilingPolicy.FULL;
            } else if (policy.equalsIgnoreCase("count")) {
                filingPolicy = FilingPolicy.COUNT;
            } else {
                throw ConfigException.forKey(filing.key("policy"), "expected full or count, got '" + policy + "'");
            }
            int backoffMin = filing.integer("backoff-min-ms", 500, 10, 3_600_000);
            int backoffMax = filing.integer("backoff-max-ms", 60_000, 10, 3_600_000);
            if (backoffMax < backoffMin) {
                throw ConfigException.forKey(filing.key("backoff-max-ms"), "must not be below " + filing.key("backoff-min-ms") + " ("
                        + backoffMin + "), got " + backoffMax);
            }
            Filing filingSettings = new Filing(address == null ? null : Address.parse(address, filing.key("address")),
                    filing.file("tls-ca-file", base), filingPolicy, filing.integer("count-interval-seconds", 300, 1, 86_400),
                    backoffMin, backoffMax, filing.integer("call-timeout-seconds", 30, 1, 3600));
            boolean explicit = rec.node().has("enabled");
            Recursion recursion = new Recursion(rec.bool("enabled", false), rec.integer("max-referrals", 8, 1, 30),
                    rec.integer("deadline-ms", 10_000, 100, 600_000), rec.integer("threads", 8, 1, 256), rec.integer("queue", 1000, 1, 1_000_000),
                    rec.integer("cache-max-entries", 100_000, 0, Integer.MAX_VALUE), rec.integer("max-ttl-seconds", 86_400, 0, 30 * 86_400),
                    rec.integer("negative-ttl-seconds", 60, 0, 86_400), explicit);
            return new Federation(role, topLevel, filingSettings, recursion.withDefaultFor(role, topLevel)).checked(f.key("top-level"));
        }

        /** Refuses recursion without a top level to ask. */
        Federation checked(String topLevelKey) {
            if (recursion.enabled() && topLevel == null) {
                throw ConfigException.forKey("federation.recursion.enabled", "recursive resolution needs a top-level node; set " + topLevelKey
                        + " (HOST:PORT) or turn recursion off");
            }
            return this;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Operations: logging, HTTP TLS, shutdown
    // ---------------------------------------------------------------------------------------------

    /** The access log's line format ({@code logging.access}). */
    public enum AccessLogFormat {
        /** One line per request laid out as CNRI's Handle server writes its access log. */
        CNRI,
        /** One JSON object per line. */
        JSON,
        /** No access log. */
        OFF
    }

    /**
     * How the node is operated: its logs, TLS on the HTTP port, and how it stops.
     *
     * @param loggingConfig      {@code logging.config}: the logback configuration the launcher applies; null means
     *                           {@code conf/logback.xml} when it exists, else the one bundled in the jar
     * @param logDir             {@code logging.dir}: folder of the log files (the {@code idnode.log.dir} property of
     *                           the logback configuration)
     * @param accessLog          {@code logging.access}: the access log's format, or {@code OFF}
     * @param accessLogFile      {@code logging.access-file}: the access log (the {@code idnode.access.file} property);
     *                           {@code <logDir>/access.log} unless set
     * @param httpTlsCertChainFile  {@code http.tls.cert-chain-file}: the HTTP listener's certificate chain, PEM; null for plaintext
     * @param httpTlsPrivateKeyFile {@code http.tls.private-key-file}: its private key, PEM PKCS#8; null for plaintext
     * @param drainSeconds       {@code shutdown.drain-timeout-seconds}: how long a stopping node waits for requests in
     *                           flight before it closes its listeners anyway
     * @param announceSeconds    {@code shutdown.announce-seconds}: how long a stopping node keeps serving while it
     *                           already reports not ready, so that load balancers stop sending it requests
     */
    public record Operations(Path loggingConfig, Path logDir, AccessLogFormat accessLog, Path accessLogFile,
                             Path httpTlsCertChainFile, Path httpTlsPrivateKeyFile, int drainSeconds, int announceSeconds) {
        /** True when the HTTP listener speaks TLS. */
        public boolean httpTls() {
            return httpTlsCertChainFile != null;
        }
    }

    private static Operations operations(Section top, Path base) {
        Section logging = top.section("logging");
        logging.allowOnly(Set.of("config", "dir", "access", "access-file"));
        JsonNode accessNode = logging.node().path("access");
        // YAML reads an unquoted off (or no, false) as the boolean false.
        String access = accessNode.isBoolean() && !accessNode.asBoolean() ? "off" : logging.string("access", "off");
        AccessLogFormat format;
        try {
            format = AccessLogFormat.valueOf(access.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ConfigException.forKey(logging.key("access"), "expected cnri, json or off, got '" + access + "'");
        }
        Path logDir = base.resolve(logging.string("dir", "logs"));
        String accessFile = logging.string("access-file", null);
        Section http = top.section("http");
        http.allowOnly(Set.of("tls"));
        Section tls = http.section("tls");
        tls.allowOnly(Set.of("cert-chain-file", "private-key-file"));
        Path[] httpTls = tlsFiles(tls, base);
        Section shutdown = top.section("shutdown");
        shutdown.allowOnly(Set.of("drain-timeout-seconds", "announce-seconds"));
        return new Operations(logging.file("config", base), logDir, format,
                accessFile == null ? logDir.resolve("access.log") : base.resolve(accessFile), httpTls[0], httpTls[1],
                shutdown.integer("drain-timeout-seconds", 20, 0, 3600), shutdown.integer("announce-seconds", 0, 0, 600));
    }

    /**
     * The {@code cert-chain-file} and {@code private-key-file} of a {@code tls} section: both existing files, or both
     * null for plaintext.
     */
    private static Path[] tlsFiles(Section tls, Path base) {
        Path cert = tls.file("cert-chain-file", base);
        Path key = tls.file("private-key-file", base);
        if ((cert == null) != (key == null)) {
            String missing = cert == null ? tls.key("cert-chain-file") : tls.key("private-key-file");
            throw ConfigException.forKey(missing, "missing; TLS needs both " + tls.key("cert-chain-file") + " and "
                    + tls.key("private-key-file") + " (PEM), or neither for plaintext");
        }
        return new Path[] {cert, key};
    }

    private static void checkPort(Integer port, String option) {
        if (port != null && (port < 0 || port > 65535)) {
            throw new ConfigException(option + ": expected a port number 0-65535, got " + port);
        }
    }

    private static InetAddress address(String text, String key) {
        if (text.isEmpty() || !text.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == ':' || c == '-')) {
            throw ConfigException.forKey(key, "expected an IP address or host name, got '" + text + "'");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw ConfigException.forKey(key, "cannot resolve '" + text + "'");
        }
    }

    /**
     * A mapping in the YAML tree, remembering its dotted path for error messages; every typed read records its key
     * in {@code schema} (when not null), which is how environment variables find the keys.
     */
    private record Section(String path, JsonNode node, ConfigSchema schema) {
        Section {
            if (!node.isMissingNode() && !node.isNull() && !node.isObject()) {
                String where = path.isEmpty() ? "the configuration" : path;
                throw ConfigException.forKey(where, "expected a mapping of keys, got " + node.getNodeType().name().toLowerCase());
            }
        }

        String key(String name) {
            return path.isEmpty() ? name : path + "." + name;
        }

        Section section(String name) {
            return new Section(key(name), node.path(name), schema);
        }

        void allowOnly(Set<String> keys) {
            List<String> unknown = new ArrayList<>();
            node.fieldNames().forEachRemaining(n -> {
                if (!keys.contains(n)) {
                    unknown.add(key(n));
                }
            });
            if (!unknown.isEmpty()) {
                throw ConfigException.forKey(unknown.get(0), "unknown key; expected one of " + keys.stream().sorted().map(this::key).toList());
            }
        }

        /** True when the key has a value (not missing, not null). */
        boolean isSet(String name) {
            JsonNode v = node.path(name);
            return !v.isMissingNode() && !v.isNull();
        }

        /** The value of a leaf key (missing or null when unset), recorded in the schema with its kind. */
        private JsonNode leaf(String name, ConfigSchema.Kind kind) {
            if (schema != null) {
                schema.add(key(name), kind);
            }
            return node.path(name);
        }

        String string(String name, String dflt) {
            JsonNode v = leaf(name, ConfigSchema.Kind.STRING);
            if (v.isMissingNode() || v.isNull()) {
                return dflt;
            }
            if (!v.isTextual() && !v.isNumber()) {
                throw ConfigException.forKey(key(name), "expected a string, got " + v.getNodeType().name().toLowerCase());
            }
            return v.asText();
        }

        boolean bool(String name, boolean dflt) {
            JsonNode v = leaf(name, ConfigSchema.Kind.BOOLEAN);
            if (v.isMissingNode() || v.isNull()) {
                return dflt;
            }
            if (!v.isBoolean()) {
                throw ConfigException.forKey(key(name), "expected true or false, got '" + v.asText() + "'");
            }
            return v.asBoolean();
        }

        /** A path to an existing, readable file, resolved against {@code base}; null when not set. */
        Path file(String name, Path base) {
            String text = string(name, null);
            if (text == null) {
                return null;
            }
            Path p = base.resolve(text);
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                throw ConfigException.forKey(key(name), "file " + p + " does not exist or cannot be read");
            }
            return p;
        }

        int integer(String name, int dflt, int min, int max) {
            JsonNode v = leaf(name, ConfigSchema.Kind.INTEGER);
            if (v.isMissingNode() || v.isNull()) {
                return dflt;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
                throw ConfigException.forKey(key(name), "expected an integer from " + min + " to " + max + ", got '" + v.asText() + "'");
            }
            return v.asInt();
        }

        List<String> stringList(String name, List<String> dflt) {
            JsonNode v = leaf(name, ConfigSchema.Kind.STRING_LIST);
            if (v.isMissingNode() || v.isNull()) {
                return dflt;
            }
            if (!v.isArray()) {
                throw ConfigException.forKey(key(name), "expected a list of strings, e.g. [\"88.999\"]");
            }
            List<String> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isTextual()) {
                    throw ConfigException.forKey(key(name), "expected a list of strings, found the " + e.getNodeType().name().toLowerCase()
                            + " " + e.asText() + "; write prefixes in quotes, e.g. [\"88.999\"]");
                }
                out.add(e.asText());
            }
            return out;
        }
    }
}
