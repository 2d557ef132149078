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
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.InvalidHandleException;

/**
 * The node's typed configuration, read from YAML ({@code conf/node.yaml}) and validated as a whole
 * at start-up. Every key is optional; unknown keys are refused so that a typo cannot pass silently.
 * See {@code docs/configuration.md} for every key.
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
 * @param cacheMaxEntries maximum number of handles (found or not) held in the record cache
 * @param blockCacheMb   size of RocksDB's block cache in MiB
 * @param storeThreads   threads that read RocksDB on cache misses and sign certified answers
 * @param storeQueue     requests that may wait for one of those threads before the node answers
 *                       {@code SERVER_TOO_BUSY}
 * @param idleTimeoutSeconds a TCP or HTTP connection with nothing to read for this long is closed
 * @param templatesDir   folder of template files ({@code *.json}); null means {@code conf/templates}
 *                       when that folder exists, else no templates
 * @param grpc           the gRPC listener
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
        long cacheMaxEntries,
        int blockCacheMb,
        int storeThreads,
        int storeQueue,
        int idleTimeoutSeconds,
        Path templatesDir,
        Grpc grpc,
        Limits limits) {

    /** The template folder used when {@code templates.dir} is not set and it exists. */
    public static final Path DEFAULT_TEMPLATES_DIR = Path.of("conf", "templates");

    private static final Set<String> TOP_KEYS = Set.of("node", "data-dir", "listen", "site", "keys", "cache", "store", "limits", "templates",
            "grpc");

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
            int grpcKeepAliveSeconds) {

        static final Set<String> KEYS = Set.of("idle-timeout-seconds", "read-timeout-seconds", "rate", "allow", "tracked-addresses",
                "connections", "message-bytes", "udp-amplification-factor", "grpc");
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
            return from(new Section("limits", MissingNode.getInstance()));
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
                    throw new ConfigException(s.path() + ": per-protocol rates cannot be combined with " + rate.key("shared")
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
                    throw new ConfigException(limits.key("allow") + ": " + e.getMessage()
                            + "; expected IP addresses or CIDR blocks, e.g. [\"192.0.2.10\", \"10.0.0.0/8\"]");
                }
            }
            Section connections = limits.section("connections");
            connections.allowOnly(Set.of("max", "per-address", "max-in-flight"));
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
                    grpc.integer("keepalive-seconds", 60, 10, 86_400));
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
        return fromTree(MissingNode.getInstance(), Path.of("."));
    }

    /**
     * Reads and validates a YAML file. Relative paths inside it are resolved against the working
     * directory, like the command-line options.
     *
     * @throws ConfigException naming the bad key, or saying the file cannot be read
     */
    public static NodeConfig load(Path file) {
        JsonNode tree;
        try (InputStream in = Files.newInputStream(file)) {
            tree = new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("configuration file " + file + " is not valid YAML: " + e.getMessage(), e);
        }
        return fromTree(tree == null ? MissingNode.getInstance() : tree, Path.of("."));
    }

    static NodeConfig fromTree(JsonNode root, Path base) {
        Section top = new Section("", root);
        top.allowOnly(TOP_KEYS);
        Section node = top.section("node");
        node.allowOnly(Set.of("name", "prefixes"));
        Section listen = top.section("listen");
        listen.allowOnly(Set.of("bind", "handle-port", "http-port", "grpc-port"));
        Section site = top.section("site");
        site.allowOnly(Set.of("advertised-address", "serial"));
        Section keys = top.section("keys");
        keys.allowOnly(Set.of("private-key-file"));
        Section cache = top.section("cache");
        cache.allowOnly(Set.of("max-entries"));
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
        Grpc grpcSettings = new Grpc(grpc.bool("enabled", true), listen.integer("grpc-port", 9000, 0, 65535),
                tls.file("cert-chain-file", base), tls.file("private-key-file", base));
        if ((grpcSettings.tlsCertChainFile() == null) != (grpcSettings.tlsPrivateKeyFile() == null)) {
            String missing = grpcSettings.tlsCertChainFile() == null ? tls.key("cert-chain-file") : tls.key("private-key-file");
            throw new ConfigException(missing + ": missing; TLS needs both " + tls.key("cert-chain-file") + " and "
                    + tls.key("private-key-file") + " (PEM), or neither for plaintext");
        }

        List<String> prefixes = node.stringList("prefixes", List.of("88.999"));
        if (prefixes.isEmpty()) {
            throw new ConfigException("node.prefixes: at least one prefix is required, e.g. [\"88.999\"]");
        }
        for (String p : prefixes) {
            try {
                HandleName.checkPrefix(p);
            } catch (InvalidHandleException e) {
                throw new ConfigException("node.prefixes: '" + p + "' is not a valid prefix: " + e.getMessage());
            }
        }
        String bind = listen.string("bind", "127.0.0.1");
        address(bind, "listen.bind");
        String advertised = site.string("advertised-address", null);
        if (advertised != null && address(advertised, "site.advertised-address").isAnyLocalAddress()) {
            throw new ConfigException("site.advertised-address: '" + advertised + "' is a wildcard address; clients need a reachable address");
        }
        String keyFile = keys.string("private-key-file", null);
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
                cache.integer("max-entries", 1_000_000, 0, Integer.MAX_VALUE),
                store.integer("block-cache-mb", 256, 8, 1 << 20),
                store.integer("threads", 4, 1, 256),
                store.integer("queue", 10_000, 1, 1_000_000),
                limits.integer("idle-timeout-seconds", 60, 1, 86_400),
                templatesDir == null ? null : base.resolve(templatesDir),
                grpcSettings,
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
                advertisedAddress, siteSerial, privateKeyFile, cacheMaxEntries, blockCacheMb, storeThreads, storeQueue,
                idleTimeoutSeconds, templatesDir, newGrpc, limits);
    }

    /** A copy without the gRPC listener ({@code serve --no-grpc}). */
    public NodeConfig withoutGrpc() {
        return new NodeConfig(nodeName, prefixes, dataDir, bind, handlePort, httpPort, advertisedAddress, siteSerial, privateKeyFile,
                cacheMaxEntries, blockCacheMb, storeThreads, storeQueue, idleTimeoutSeconds, templatesDir,
                new Grpc(false, grpc.port(), grpc.tlsCertChainFile(), grpc.tlsPrivateKeyFile()), limits);
    }

    private static void checkPort(Integer port, String option) {
        if (port != null && (port < 0 || port > 65535)) {
            throw new ConfigException(option + ": expected a port number 0-65535, got " + port);
        }
    }

    private static InetAddress address(String text, String key) {
        if (text.isEmpty() || !text.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == ':' || c == '-')) {
            throw new ConfigException(key + ": expected an IP address or host name, got '" + text + "'");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new ConfigException(key + ": cannot resolve '" + text + "'");
        }
    }

    /** A mapping in the YAML tree, remembering its dotted path for error messages. */
    private record Section(String path, JsonNode node) {
        Section {
            if (!node.isMissingNode() && !node.isNull() && !node.isObject()) {
                throw new ConfigException((path.isEmpty() ? "the configuration" : path) + ": expected a mapping of keys, got " + node.getNodeType().name().toLowerCase());
            }
        }

        String key(String name) {
            return path.isEmpty() ? name : path + "." + name;
        }

        Section section(String name) {
            return new Section(key(name), node.path(name));
        }

        void allowOnly(Set<String> keys) {
            List<String> unknown = new ArrayList<>();
            node.fieldNames().forEachRemaining(n -> {
                if (!keys.contains(n)) {
                    unknown.add(key(n));
                }
            });
            if (!unknown.isEmpty()) {
                throw new ConfigException(unknown.get(0) + ": unknown key; expected one of " + keys.stream().sorted().map(this::key).toList());
            }
        }

        String string(String name, String dflt) {
            JsonNode v = node.path(name);
            if (v.isMissingNode() || v.isNull()) {
                return dflt;
            }
            if (!v.isTextual() && !v.isNumber()) {
                throw new ConfigException(key(name) + ": expected a string, got " + v.getNodeType().name().toLowerCase());
            }
            return v.asText();
        }

        boolean bool(String name, boolean dflt) {
            JsonNode v = node.path(name);
            if (v.isMissingNode() || v.isNull()) {
                return dflt;
            }
            if (!v.isBoolean()) {
                throw new ConfigException(key(name) + ": expected true or false, got '" + v.asText() + "'");
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
                throw new ConfigException(key(name) + ": file " + p + " does not exist or cannot be read");
            }
            return p;
        }

        int integer(String name, int dflt, int min, int max) {
            JsonNode v = node.path(name);
            if (v.isMissingNode() || v.isNull()) {
                return dflt;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
                throw new ConfigException(key(name) + ": expected an integer from " + min + " to " + max + ", got '" + v.asText() + "'");
            }
            return v.asInt();
        }

        List<String> stringList(String name, List<String> dflt) {
            JsonNode v = node.path(name);
            if (v.isMissingNode() || v.isNull()) {
                return dflt;
            }
            if (!v.isArray()) {
                throw new ConfigException(key(name) + ": expected a list of strings, e.g. [\"88.999\"]");
            }
            List<String> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isTextual()) {
                    throw new ConfigException(key(name) + ": expected a list of strings, found the " + e.getNodeType().name().toLowerCase()
                            + " " + e.asText() + "; write prefixes in quotes, e.g. [\"88.999\"]");
                }
                out.add(e.asText());
            }
            return out;
        }
    }
}
