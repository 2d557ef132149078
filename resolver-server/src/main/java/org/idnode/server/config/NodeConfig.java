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
 * @param operations     logging, HTTP TLS and shutdown ({@code logging.*}, {@code http.*}, {@code shutdown.*})
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
        Operations operations) {

    /** The template folder used when {@code templates.dir} is not set and it exists. */
    public static final Path DEFAULT_TEMPLATES_DIR = Path.of("conf", "templates");

    private static final Set<String> TOP_KEYS = Set.of("node", "data-dir", "listen", "site", "keys", "cache", "store", "limits", "templates",
            "grpc", "logging", "http", "shutdown");

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
        limits.allowOnly(Set.of("idle-timeout-seconds"));
        Section templates = top.section("templates");
        templates.allowOnly(Set.of("dir"));
        String templatesDir = templates.string("dir", null);
        Section grpc = top.section("grpc");
        grpc.allowOnly(Set.of("enabled", "tls"));
        Section tls = grpc.section("tls");
        tls.allowOnly(Set.of("cert-chain-file", "private-key-file"));
        Path[] grpcTls = tlsFiles(tls, base);
        Grpc grpcSettings = new Grpc(grpc.bool("enabled", true), listen.integer("grpc-port", 9000, 0, 65535), grpcTls[0], grpcTls[1]);

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
                operations(top, base));
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
                idleTimeoutSeconds, templatesDir, newGrpc, operations);
    }

    /** A copy without the gRPC listener ({@code serve --no-grpc}). */
    public NodeConfig withoutGrpc() {
        return new NodeConfig(nodeName, prefixes, dataDir, bind, handlePort, httpPort, advertisedAddress, siteSerial, privateKeyFile,
                cacheMaxEntries, blockCacheMb, storeThreads, storeQueue, idleTimeoutSeconds, templatesDir,
                new Grpc(false, grpc.port(), grpc.tlsCertChainFile(), grpc.tlsPrivateKeyFile()), operations);
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
            throw new ConfigException(logging.key("access") + ": expected cnri, json or off, got '" + access + "'");
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
            throw new ConfigException(missing + ": missing; TLS needs both " + tls.key("cert-chain-file") + " and "
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
