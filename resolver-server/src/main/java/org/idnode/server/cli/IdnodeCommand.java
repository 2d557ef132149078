package org.idnode.server.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import net.handle.apps.simple.LocalInfoConverter;
import net.handle.hdllib.SiteInfo;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.registry.store.StoreException;
import org.idnode.server.IdentifierNode;
import org.idnode.server.admin.PrefixAdministration;
import org.idnode.server.admin.PrefixInfo;
import org.idnode.server.admin.PrefixState;
import org.idnode.server.config.ConfigException;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.federation.SecondaryFederation;
import org.idnode.server.importer.RecordImporter;
import org.idnode.server.keys.NodeKeys;
import org.idnode.server.logging.LoggingSetup;
import org.idnode.server.site.NodeSite;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code idnode} command: {@code serve} runs a node; {@code import} bulk-loads records, and {@code prefix},
 * {@code enterprise}, {@code operator} and {@code token} are the operator's actions
 * ({@link PrefixAdministration}), {@code secondary} and {@code filings} a top-level node operator's
 * ({@link FederationCommands}), all offline on a data folder; {@code backup}, {@code restore} and {@code export}
 * are {@link DataCommands}.
 * Exit codes: 0 success, 1 bad input data, 2 bad usage or configuration, 3 the store or a port is unusable.
 */
@Command(name = "idnode", mixinStandardHelpOptions = true, versionProvider = IdnodeCommand.Version.class,
        description = "Industrial internet identifier resolution node (Handle protocol secondary node).",
        subcommands = {IdnodeCommand.Serve.class, IdnodeCommand.Import.class, IdnodeCommand.ClientConfig.class, IdnodeCommand.Prefix.class,
                IdnodeCommand.Enterprise.class, IdnodeCommand.Operator.class, IdnodeCommand.Token.class,
                FederationCommands.Secondary.class, FederationCommands.Filings.class,
                DataCommands.Backup.class, DataCommands.Restore.class, DataCommands.Export.class, DataCommands.Compact.class})
public final class IdnodeCommand implements Runnable {
    static final int EXIT_BAD_DATA = 1;
    static final int EXIT_CONFIG = 2;
    static final int EXIT_STORE = 3;
    /** The configuration used when no {@code --config} is given and the file exists. */
    static final Path DEFAULT_CONFIG = Path.of("conf", "node.yaml");

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
        @Option(names = "--role", paramLabel = "ROLE",
                description = "the node's role in the federation: secondary or top-level (default: federation.role, else secondary)")
        String role;

        /**
         * The validated configuration: defaults, then the file, then the {@code IDNODE_*} environment variables, then
         * the role and data folder options.
         */
        NodeConfig load() {
            NodeConfig.Role r = null;
            if (role != null) {
                try {
                    r = NodeConfig.Role.parse(role);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("--role: " + e.getMessage());
                }
            }
            return load(r);
        }

        /** The validated configuration in {@code forcedRole} (null: as configured), with the data folder override applied. */
        NodeConfig load(NodeConfig.Role forcedRole) {
            Path file = config != null ? config : Files.exists(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null;
            return NodeConfig.load(file, forcedRole, System.getenv()).withOverrides(dataDir, null, null, null, null);
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Run the node until it is stopped (SIGINT or SIGTERM, which drain requests in flight first: "
                    + "see shutdown.* in docs/configuration.md). Prints one 'listening <kind> <host>:<port>' line per listener, then 'ready'.")
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
        @Option(names = "--prefix", paramLabel = "PREFIX", description = "the secondary prefix this node serves, e.g. 88.999 (as node.prefixes: [PREFIX])")
        String prefix;
        @Option(names = "--top-level", paramLabel = "HOST:PORT",
                description = "Handle address of the top-level node to file with and resolve through (as federation.top-level)")
        String topLevel;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            NodeConfig cfg = options.load().withOverrides(null, handlePort, httpPort, grpcPort, bind)
                    .withFederationOverrides(prefix, topLevel);
            if (noGrpc) {
                cfg = cfg.withoutGrpc();
            }
            LoggingSetup.configure(cfg.operations());
            IdentifierNode node = IdentifierNode.start(cfg);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                node.close();
                LoggingSetup.stop();
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
        DataFolder data;
        @Parameters(paramLabel = "FILE", description = "JSON-lines file, one record per line")
        Path file;

        @Override
        public Integer call() throws Exception {
            NodeConfig cfg = data.config();
            if (!Files.isReadable(file)) {
                return data.refuse(EXIT_CONFIG, "cannot read " + file);
            }
            RecordImporter importer = new RecordImporter(file);
            try {
                importer.validate();
            } catch (RecordImporter.BadLineException e) {
                return data.refuse(EXIT_BAD_DATA, file + " " + e.getMessage() + "; nothing was imported");
            }
            long n;
            long started = System.nanoTime();
            try (RocksDbHandleRecordStore store = IdentifierNode.openStore(cfg.dataDir(), cfg.blockCacheMb())) {
                n = importer.importInto(store, SecondaryFederation.filer(cfg));
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            data.out().printf("imported %d records from %s into %s in %.1f s%n", n, file, cfg.dataDir(), seconds);
            return 0;
        }
    }

    @Command(name = "client-config", mixinStandardHelpOptions = true,
            description = "Write a configuration folder for CNRI's Handle tools (hdl-qresolve = net.handle.apps.simple.HDLTrace, "
                    + "HandleResolver) that sends this node's prefixes to this node and never contacts the global root. "
                    + "Use it with -Dnet.handle.configDir=DIR. Works offline from the configuration and the data folder's key.")
    static final class ClientConfig implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        DataFolder data;
        @Option(names = "--out", paramLabel = "DIR", required = true, description = "folder to write config.dct and local_info.json to")
        Path out;

        @Override
        public Integer call() throws Exception {
            NodeConfig cfg = data.config();
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
            data.out().println("wrote " + out.resolve("config.dct") + " and " + out.resolve("local_info.json"));
            return 0;
        }
    }

    @Command(name = "prefix", mixinStandardHelpOptions = true, description = "Operator actions on enterprise prefixes.",
            subcommands = {PrefixAdd.class, PrefixSetState.class, PrefixList.class})
    static final class Prefix extends CommandGroup {
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Create an enterprise prefix (enabled and hosted here unless told otherwise) offline on a data folder (stop the node first): "
                    + "its prefix handle 0.NA/<prefix> gets HS_ADMIN at 100 for 300:0.NA/<prefix> (HS_PUBKEY at 300) and "
                    + "HS_ADMIN at 101 for 301:0.NA/<prefix> (HS_SECKEY at 301), the layout CNRI's tools expect.")
    static final class PrefixAdd implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        DataFolder data;
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

        @Override
        public Integer call() {
            NodeConfig cfg = data.config();
            if (adminKey == null && adminSecret == null) {
                return data.refuse(EXIT_CONFIG, "give --admin-key, --admin-secret or both");
            }
            PrefixState initial;
            byte[] key;
            byte[] site;
            try {
                initial = PrefixState.parse(state);
                key = readFile("--admin-key", adminKey);
                site = readFile("--self-hosted-site", selfHostedSite);
            } catch (IllegalArgumentException e) {
                return data.refuse(EXIT_CONFIG, e.getMessage());
            }
            return data.administer(cfg, admin -> {
                PrefixInfo created = admin.create(admin.localOperator(),
                        new PrefixAdministration.NewPrefix(prefix, enterprise, key, adminSecret, initial, site));
                data.out().println("created prefix " + created.prefix() + " for " + created.enterprise()
                        + " (" + HandleName.ofPrefix(created.prefix()) + ")");
                return 0;
            });
        }
    }

    @Command(name = "state", mixinStandardHelpOptions = true,
            description = "Move an enterprise prefix to another lifecycle state, offline on a data folder (stop the node first). "
                    + "Allowed: applied -> under-review -> enabled | rejected; enabled <-> disabled; enabled | disabled -> pending-delete -> disabled. "
                    + "Only an enabled prefix accepts registrations.")
    static final class PrefixSetState implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        DataFolder data;
        @Parameters(index = "0", paramLabel = "PREFIX", description = "enterprise prefix, e.g. 88.999.1")
        String prefix;
        @Parameters(index = "1", paramLabel = "STATE", description = "the new state")
        String state;

        @Override
        public Integer call() {
            NodeConfig cfg = data.config();
            PrefixState target;
            try {
                target = PrefixState.parse(state);
            } catch (IllegalArgumentException e) {
                return data.refuse(EXIT_CONFIG, e.getMessage());
            }
            return data.administer(cfg, admin -> {
                PrefixAdministration.StateChange change = admin.setState(admin.localOperator(), prefix, target);
                data.out().println("prefix " + change.prefix().prefix() + ": " + change.from().text() + " -> " + target.text());
                return 0;
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the enterprise prefixes offline on a data folder (stop the node first): one tab-separated line each, "
                    + "prefix, state, hosted or self-hosted, enterprise, admin identities.")
    static final class PrefixList implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        DataFolder data;
        @Option(names = "--enterprise", paramLabel = "NAME", description = "only this enterprise's prefixes (exact name)")
        String enterprise;

        @Override
        public Integer call() {
            return data.administer(data.config(), admin -> {
                PrintWriter out = data.out();
                out.println("PREFIX\tSTATE\tHOSTING\tENTERPRISE\tADMINS");
                for (PrefixInfo p : admin.list(admin.localOperator(), enterprise)) {
                    out.println(String.join("\t", p.prefix(), p.state().text(), p.selfHosted() ? "self-hosted" : "hosted", p.enterprise(),
                            String.join(",", p.admins())));
                }
                return 0;
            });
        }
    }

    @Command(name = "enterprise", mixinStandardHelpOptions = true, description = "Operator views of the enterprises.",
            subcommands = {EnterpriseList.class})
    static final class Enterprise extends CommandGroup {
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the enterprises (the ID_ENTERPRISE names of the prefix handles) offline on a data folder (stop the node "
                    + "first): one tab-separated line each, the name and its prefixes with their states.")
    static final class EnterpriseList implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        DataFolder data;

        @Override
        public Integer call() {
            return data.administer(data.config(), admin -> {
                PrintWriter out = data.out();
                out.println("ENTERPRISE\tPREFIXES");
                for (PrefixAdministration.Enterprise e : admin.enterprises(admin.localOperator())) {
                    out.println(e.name() + "\t" + String.join(", ", e.prefixes().stream().map(p -> p.prefix() + " (" + p.state().text() + ")").toList()));
                }
                return 0;
            });
        }
    }

    @Command(name = "operator", mixinStandardHelpOptions = true,
            description = "The node's operators: admin identities of the node's own prefix handle (0.NA/<node prefix>) with ADD_NA.",
            subcommands = {OperatorAdd.class})
    static final class Operator extends CommandGroup {
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Create or update the operator identities offline on a data folder (stop the node first): the node's prefix handle "
                    + "0.NA/<node prefix> gets HS_ADMIN at 100 for 300:0.NA/<node prefix> (HS_PUBKEY at 300) and/or HS_ADMIN at 101 for "
                    + "301:0.NA/<node prefix> (HS_SECKEY at 301), with every permission. Then 'idnode token add <node prefix> --name ops' "
                    + "issues an operator token for the admin HTTP API and gRPC.")
    static final class OperatorAdd implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        DataFolder data;
        @Option(names = "--admin-key", paramLabel = "PUBKEY_FILE", description = "operator public key: PEM or CNRI pubkey.bin")
        Path adminKey;
        @Option(names = "--admin-secret", paramLabel = "SECRET", description = "operator secret key (HS_SECKEY)")
        String adminSecret;
        @Option(names = "--prefix", paramLabel = "PREFIX", description = "which of node.prefixes (default: the first)")
        String prefix;

        @Override
        public Integer call() {
            NodeConfig cfg = data.config();
            if (adminKey == null && adminSecret == null) {
                return data.refuse(EXIT_CONFIG, "give --admin-key, --admin-secret or both");
            }
            byte[] key;
            try {
                key = readFile("--admin-key", adminKey);
            } catch (IllegalArgumentException e) {
                return data.refuse(EXIT_CONFIG, e.getMessage());
            }
            return data.administer(cfg, admin -> {
                String p = prefix == null ? cfg.prefixes().get(0) : prefix;
                List<String> operators = admin.setOperator(admin.localOperator(), p, key, adminSecret);
                data.out().println("operator identities of " + HandleName.ofPrefix(p) + ": " + String.join(", ", operators));
                return 0;
            });
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "API tokens (HTTP Authorization: Bearer, gRPC) of an enterprise prefix, or of the node's own prefix for operators, "
                    + "offline on a data folder (stop the node first).",
            subcommands = {TokenAdd.class, TokenRevoke.class})
    static final class Token extends CommandGroup {
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Issue a token acting as an admin identity of the prefix; it is printed once, only its hash is kept.")
    static final class TokenAdd implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        DataFolder data;
        @Parameters(paramLabel = "PREFIX", description = "enterprise prefix, e.g. 88.999.1, or the node's own prefix for an operator token")
        String prefix;
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "what the token is for, e.g. erp")
        String name;
        @Option(names = "--identity", paramLabel = "INDEX:HANDLE",
                description = "the admin identity the token acts as, one the prefix's HS_ADMIN values name "
                        + "(default: the one the lowest-index HS_ADMIN names)")
        String identity;

        @Override
        public Integer call() {
            return data.administer(data.config(), admin -> {
                PrefixAdministration.IssuedToken issued = admin.issueToken(admin.localOperator(), prefix, name, identity);
                data.out().println(issued.token());
                data.err().println("token '" + name + "' acts as " + issued.identity() + "; store it now, it is not shown again");
                return 0;
            });
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token by name.")
    static final class TokenRevoke implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        DataFolder data;
        @Parameters(paramLabel = "PREFIX", description = "enterprise prefix, e.g. 88.999.1")
        String prefix;
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "the token's name")
        String name;

        @Override
        public Integer call() {
            return data.administer(data.config(), admin -> {
                admin.revokeToken(admin.localOperator(), prefix, name);
                data.out().println("revoked token '" + name + "' of " + prefix);
                return 0;
            });
        }
    }

    /** The bytes of an option's file, or null when the option is not given. */
    private static byte[] readFile(String option, Path file) {
        if (file == null) {
            return null;
        }
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(option + ": cannot read " + file + ": " + e.getMessage(), e);
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
