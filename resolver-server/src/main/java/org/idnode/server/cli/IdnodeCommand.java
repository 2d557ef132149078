package org.idnode.server.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import java.util.LinkedHashMap;
import java.util.Map;

import net.handle.apps.simple.LocalInfoConverter;
import net.handle.hdllib.SiteInfo;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.registry.write.HandleOperation;
import org.idnode.registry.write.HandleWriter;
import org.idnode.registry.write.RecordValidator;
import org.idnode.registry.write.WriteOutcome;
import org.idnode.registry.store.StoreException;
import org.idnode.server.IdentifierNode;
import org.idnode.server.admin.PrefixRecords;
import org.idnode.server.auth.AdminIdentity;
import org.idnode.server.auth.ApiTokens;
import org.idnode.server.admin.PrefixState;
import org.idnode.server.config.ConfigException;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.importer.RecordImporter;
import org.idnode.server.keys.NodeKeys;
import org.idnode.server.site.NodeSite;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code idnode} command: {@code serve} runs a node, {@code import} bulk-loads records offline.
 * Exit codes: 0 success, 1 bad input data, 2 bad usage or configuration, 3 the store or a port is unusable.
 */
@Command(name = "idnode", mixinStandardHelpOptions = true, versionProvider = IdnodeCommand.Version.class,
        description = "Industrial internet identifier resolution node (Handle protocol secondary node).",
        subcommands = {IdnodeCommand.Serve.class, IdnodeCommand.Import.class, IdnodeCommand.ClientConfig.class, IdnodeCommand.Prefix.class,
                IdnodeCommand.Token.class})
public final class IdnodeCommand implements Runnable {
    static final int EXIT_BAD_DATA = 1;
    static final int EXIT_CONFIG = 2;
    static final int EXIT_STORE = 3;
    /** The configuration used when no {@code --config} is given and the file exists. */
    static final Path DEFAULT_CONFIG = Path.of("conf", "node.yaml");
    /** Actor recorded in the audit log for offline operator commands. */
    static final String OPERATOR = "operator (idnode command line)";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (used by tests that run it in-process). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new IdnodeCommand());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            err.println("idnode: " + e.getMessage());
            err.flush();
            if (e instanceof ConfigException) {
                return EXIT_CONFIG;
            }
            if (e instanceof StoreException || e instanceof java.io.UncheckedIOException) {
                return EXIT_STORE;
            }
            e.printStackTrace(err);
            return EXIT_STORE;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The options every subcommand shares: where the configuration and the data folder are. */
    static final class NodeOptions {
        @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (default: conf/node.yaml when present)")
        Path config;
        @Option(names = "--data-dir", paramLabel = "DIR", description = "data folder (default: from the configuration, else ./data)")
        Path dataDir;

        /** The validated configuration with the data folder override applied. */
        NodeConfig load() {
            NodeConfig base = config != null ? NodeConfig.load(config)
                    : Files.exists(DEFAULT_CONFIG) ? NodeConfig.load(DEFAULT_CONFIG) : NodeConfig.defaults();
            return base.withOverrides(dataDir, null, null, null, null);
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Run the node until it is stopped (SIGINT or SIGTERM). Prints one 'listening <kind> <host>:<port>' "
                    + "line per listener, then 'ready'.")
    static final class Serve implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        NodeOptions options;
        @Option(names = "--handle-port", paramLabel = "N", description = "Handle protocol port, TCP and UDP; 0 = ephemeral (default 2641)")
        Integer handlePort;
        @Option(names = "--http-port", paramLabel = "N", description = "HTTP port; 0 = ephemeral (default 8000)")
        Integer httpPort;
        @Option(names = "--grpc-port", paramLabel = "N", description = "gRPC port; 0 = ephemeral (default 9000)")
        Integer grpcPort;
        @Option(names = "--no-grpc", description = "do not start the gRPC listener (as grpc.enabled: false)")
        boolean noGrpc;
        @Option(names = "--bind", paramLabel = "ADDR", description = "address to listen on (default 127.0.0.1)")
        String bind;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            NodeConfig cfg = options.load().withOverrides(null, handlePort, httpPort, grpcPort, bind);
            if (noGrpc) {
                cfg = cfg.withoutGrpc();
            }
            IdentifierNode node = IdentifierNode.start(cfg);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                node.close();
                stopped.countDown();
            }, "idnode-shutdown"));
            PrintWriter out = spec.commandLine().getOut();
            String host = node.handleAddress().getAddress().getHostAddress();
            out.println("listening handle-tcp " + host + ":" + node.handleAddress().getPort());
            out.println("listening handle-udp " + host + ":" + node.handleAddress().getPort());
            out.println("listening http " + node.httpAddress().getAddress().getHostAddress() + ":" + node.httpAddress().getPort());
            node.grpcAddress().ifPresent(a -> out.println("listening grpc " + a.getAddress().getHostAddress() + ":" + a.getPort()));
            out.println("ready");
            out.flush();
            stopped.await();
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Bulk-load records offline from a file of JSON lines (the REST API's GET shape). "
                    + "The whole file is checked first; a bad line stops the import with its line number and nothing is written.")
    static final class Import implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        NodeOptions options;
        @Parameters(paramLabel = "FILE", description = "JSON-lines file, one record per line")
        Path file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            NodeConfig cfg = options.load();
            if (!Files.isReadable(file)) {
                spec.commandLine().getErr().println("idnode import: cannot read " + file);
                return EXIT_CONFIG;
            }
            RecordImporter importer = new RecordImporter(file);
            try {
                importer.validate();
            } catch (RecordImporter.BadLineException e) {
                spec.commandLine().getErr().println("idnode import: " + file + " " + e.getMessage() + "; nothing was imported");
                return EXIT_BAD_DATA;
            }
            long n;
            long started = System.nanoTime();
            try (RocksDbHandleRecordStore store = IdentifierNode.openStore(cfg.dataDir(), cfg.blockCacheMb())) {
                n = importer.importInto(store);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            spec.commandLine().getOut().printf("imported %d records from %s into %s in %.1f s%n", n, file, cfg.dataDir(), seconds);
            return 0;
        }
    }

    @Command(name = "client-config", mixinStandardHelpOptions = true,
            description = "Write a configuration folder for CNRI's Handle tools (hdl-qresolve = net.handle.apps.simple.HDLTrace, "
                    + "HandleResolver) that sends this node's prefixes to this node and never contacts the global root. "
                    + "Use it with -Dnet.handle.configDir=DIR. Works offline from the configuration and the data folder's key.")
    static final class ClientConfig implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        NodeOptions options;
        @Option(names = "--out", paramLabel = "DIR", required = true, description = "folder to write config.dct and local_info.json to")
        Path out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            NodeConfig cfg = options.load();
            if (cfg.handlePort() == 0 || cfg.httpPort() == 0) {
                throw new ConfigException("client-config needs fixed ports; listen.handle-port and listen.http-port must not be 0");
            }
            NodeKeys keys = NodeKeys.loadOrCreate(cfg.privateKeyFile(), cfg.dataDir());
            SiteInfo site = NodeSite.of(cfg.nodeName(), cfg.advertisedAddress(), cfg.siteSerial(), keys.publicKeyHandleEncoding(),
                    cfg.handlePort(), cfg.httpPort()).siteInfo();
            Map<String, SiteInfo[]> local = new LinkedHashMap<>();
            for (String prefix : cfg.prefixes()) {
                local.put("0.NA/" + prefix, new SiteInfo[] {site});
            }
            local.put("0.NA/0.NA", new SiteInfo[] {site});
            Files.createDirectories(out);
            Files.writeString(out.resolve("config.dct"), "{ \"auto_update_root_info\" = \"no\" }\n");
            Files.writeString(out.resolve("local_info.json"), LocalInfoConverter.convertToJson(local));
            spec.commandLine().getOut().println("wrote " + out.resolve("config.dct") + " and " + out.resolve("local_info.json"));
            return 0;
        }
    }

    @Command(name = "prefix", mixinStandardHelpOptions = true, description = "Operator actions on enterprise prefixes.",
            subcommands = {PrefixAdd.class, PrefixSetState.class})
    static final class Prefix implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Create an enterprise prefix (enabled and hosted here unless told otherwise) offline on a data folder (stop the node first): "
                    + "its prefix handle 0.NA/<prefix> gets HS_ADMIN at 100 for 300:0.NA/<prefix> (HS_PUBKEY at 300) and "
                    + "HS_ADMIN at 101 for 301:0.NA/<prefix> (HS_SECKEY at 301), the layout CNRI's tools expect.")
    static final class PrefixAdd implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        NodeOptions options;
        @Parameters(paramLabel = "PREFIX", description = "enterprise prefix derived from one of node.prefixes, e.g. 88.999.1")
        String prefix;
        @Option(names = "--enterprise", paramLabel = "NAME", required = true, description = "the enterprise that owns the prefix")
        String enterprise;
        @Option(names = "--admin-key", paramLabel = "PUBKEY_FILE", description = "admin public key: PEM or CNRI pubkey.bin")
        Path adminKey;
        @Option(names = "--admin-secret", paramLabel = "SECRET", description = "admin secret key (HS_SECKEY)")
        String adminSecret;
        @Option(names = "--self-hosted-site", paramLabel = "SITEINFO",
                description = "make the prefix self-hosted: its prefix handle sends clients to the enterprise's own node, "
                        + "described by this CNRI siteinfo.json or siteinfo.bin (default: hosted on this node)")
        Path selfHostedSite;
        @Option(names = "--state", paramLabel = "STATE", defaultValue = "enabled",
                description = "lifecycle state: applied, under-review, enabled (default), disabled, pending-delete, rejected")
        String state;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            NodeConfig cfg = options.load();
            PrintWriter err = spec.commandLine().getErr();
            if (adminKey == null && adminSecret == null) {
                err.println("idnode prefix add: give --admin-key, --admin-secret or both");
                return EXIT_CONFIG;
            }
            try {
                HandleName.checkPrefix(prefix);
            } catch (InvalidHandleException e) {
                err.println("idnode prefix add: '" + prefix + "' is not a valid prefix: " + e.getMessage());
                return EXIT_CONFIG;
            }
            if (cfg.prefixes().stream().noneMatch(p -> prefix.length() > p.length() && HandleName.isSameOrDerivedPrefix(prefix, p))) {
                err.println("idnode prefix add: " + prefix + " is not derived from a prefix this node serves " + cfg.prefixes());
                return EXIT_CONFIG;
            }
            PrefixState initial;
            try {
                initial = PrefixState.parse(state);
            } catch (IllegalArgumentException e) {
                err.println("idnode prefix add: --state: " + e.getMessage());
                return EXIT_CONFIG;
            }
            HandleRecord record = PrefixRecords.prefix(prefix, enterprise,
                    adminKey == null ? null : PrefixRecords.readPublicKey(adminKey), adminSecret, initial,
                    selfHostedSite == null ? null : PrefixRecords.readSiteInfo(selfHostedSite));
            try (RocksDbHandleRecordStore store = IdentifierNode.openStore(cfg.dataDir(), cfg.blockCacheMb())) {
                WriteOutcome outcome = new HandleWriter(store, RecordValidator.NONE)
                        .apply(new HandleOperation.Create(record.handle(), record.values(), false), OPERATOR);
                if (!outcome.isOk()) {
                    err.println("idnode prefix add: " + outcome.message());
                    return EXIT_BAD_DATA;
                }
            }
            spec.commandLine().getOut().println("created prefix " + prefix + " for " + enterprise + " (" + record.handle() + ")");
            return 0;
        }
    }

    @Command(name = "state", mixinStandardHelpOptions = true,
            description = "Move an enterprise prefix to another lifecycle state, offline on a data folder (stop the node first). "
                    + "Allowed: applied -> under-review -> enabled | rejected; enabled <-> disabled; enabled | disabled -> pending-delete -> disabled. "
                    + "Only an enabled prefix accepts registrations.")
    static final class PrefixSetState implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        NodeOptions options;
        @Parameters(index = "0", paramLabel = "PREFIX", description = "enterprise prefix, e.g. 88.999.1")
        String prefix;
        @Parameters(index = "1", paramLabel = "STATE", description = "the new state")
        String state;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            NodeConfig cfg = options.load();
            PrintWriter err = spec.commandLine().getErr();
            PrefixState target;
            try {
                target = PrefixState.parse(state);
            } catch (IllegalArgumentException e) {
                err.println("idnode prefix state: " + e.getMessage());
                return EXIT_CONFIG;
            }
            return onPrefixHandle(cfg, prefix, err, (record, writer) -> {
                PrefixState current = PrefixRecords.stateOf(record.values());
                if (!current.next().contains(target)) {
                    err.println("idnode prefix state: " + prefix + " is " + current.text() + " and cannot become " + target.text()
                            + "; from " + current.text() + " it can become " + current.next().stream().map(PrefixState::text).toList());
                    return EXIT_BAD_DATA;
                }
                HandleValue value = PrefixRecords.stateValue(target, (int) (System.currentTimeMillis() / 1000));
                WriteOutcome outcome = writer.apply(new HandleOperation.AddValues(record.handle(), java.util.List.of(value), true), OPERATOR);
                if (!outcome.isOk()) {
                    err.println("idnode prefix state: " + outcome.message());
                    return EXIT_BAD_DATA;
                }
                spec.commandLine().getOut().println("prefix " + prefix + ": " + current.text() + " -> " + target.text());
                return 0;
            });
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "API tokens (HTTP Authorization: Bearer) of an enterprise prefix, offline on a data folder (stop the node first).",
            subcommands = {TokenAdd.class, TokenRevoke.class})
    static final class Token implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Issue a token acting as an admin identity of the prefix; it is printed once, only its hash is kept.")
    static final class TokenAdd implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        NodeOptions options;
        @Parameters(paramLabel = "PREFIX", description = "enterprise prefix, e.g. 88.999.1")
        String prefix;
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "what the token is for, e.g. erp")
        String name;
        @Option(names = "--identity", paramLabel = "INDEX:HANDLE",
                description = "the admin identity the token acts as (default: the one the prefix's first HS_ADMIN names)")
        String identity;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            NodeConfig cfg = options.load();
            PrintWriter err = spec.commandLine().getErr();
            return onPrefixHandle(cfg, prefix, err, (record, writer) -> {
                AdminIdentity who;
                try {
                    who = identity != null ? parseIdentity(identity) : firstAdmin(record);
                    ApiTokens.Issued issued = ApiTokens.issue(prefix, name, who, record.values());
                    WriteOutcome outcome = writer.apply(new HandleOperation.AddValues(record.handle(), java.util.List.of(issued.value()), false), OPERATOR);
                    if (!outcome.isOk()) {
                        err.println("idnode token add: " + outcome.message());
                        return EXIT_BAD_DATA;
                    }
                    spec.commandLine().getOut().println(issued.token());
                    err.println("token '" + name + "' acts as " + who.index() + ":" + who.handle() + "; store it now, it is not shown again");
                    return 0;
                } catch (IllegalArgumentException e) {
                    err.println("idnode token add: " + e.getMessage());
                    return EXIT_BAD_DATA;
                }
            });
        }

        private static AdminIdentity parseIdentity(String text) {
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--identity must be index:handle, e.g. 300:0.NA/88.999.1");
            }
            try {
                return new AdminIdentity(text.substring(colon + 1), Integer.parseInt(text.substring(0, colon)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--identity must be index:handle, e.g. 300:0.NA/88.999.1");
            }
        }

        private static AdminIdentity firstAdmin(HandleRecord record) {
            return record.values().stream().filter(v -> v.type().equals("HS_ADMIN")).findFirst()
                    .map(v -> {
                        try {
                            net.handle.hdllib.AdminRecord a = net.handle.hdllib.Encoder.decodeAdminRecord(v.data(), 0);
                            return new AdminIdentity(net.handle.hdllib.Util.decodeString(a.adminId), a.adminIdIndex);
                        } catch (net.handle.hdllib.HandleException e) {
                            throw new IllegalArgumentException("the prefix handle's HS_ADMIN at " + v.index() + " is unreadable");
                        }
                    })
                    .orElseThrow(() -> new IllegalArgumentException("the prefix handle has no HS_ADMIN; give --identity"));
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token by name.")
    static final class TokenRevoke implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        NodeOptions options;
        @Parameters(paramLabel = "PREFIX", description = "enterprise prefix, e.g. 88.999.1")
        String prefix;
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "the token's name")
        String name;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            NodeConfig cfg = options.load();
            PrintWriter err = spec.commandLine().getErr();
            return onPrefixHandle(cfg, prefix, err, (record, writer) -> {
                java.util.Optional<Integer> index = ApiTokens.indexOf(name, record.values());
                if (index.isEmpty()) {
                    err.println("idnode token revoke: prefix " + prefix + " has no token named " + name);
                    return EXIT_BAD_DATA;
                }
                writer.apply(new HandleOperation.RemoveValues(record.handle(), java.util.List.of(index.get())), OPERATOR);
                spec.commandLine().getOut().println("revoked token '" + name + "' of " + prefix);
                return 0;
            });
        }
    }

    /** Runs an offline operator action on an existing prefix handle. */
    private static int onPrefixHandle(NodeConfig cfg, String prefix, PrintWriter err,
                                      java.util.function.BiFunction<HandleRecord, HandleWriter, Integer> action) {
        HandleName prefixHandle;
        try {
            HandleName.checkPrefix(prefix);
            prefixHandle = HandleName.ofPrefix(prefix);
        } catch (IllegalArgumentException e) {
            err.println("idnode: " + e.getMessage());
            return EXIT_CONFIG;
        }
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(cfg.dataDir(), cfg.blockCacheMb())) {
            java.util.Optional<HandleRecord> record = store.get(prefixHandle);
            if (record.isEmpty()) {
                err.println("idnode: prefix " + prefix + " does not exist on this node");
                return EXIT_BAD_DATA;
            }
            return action.apply(record.get(), new HandleWriter(store, RecordValidator.NONE));
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = IdnodeCommand.class.getPackage().getImplementationVersion();
            return new String[] {"idnode " + (v == null ? "development build" : v)};
        }
    }
}
