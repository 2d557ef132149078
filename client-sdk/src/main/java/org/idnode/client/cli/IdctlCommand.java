package org.idnode.client.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.idnode.client.IdClient;
import org.idnode.client.IdNodeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code idctl}, the command line for an idnode node's gRPC API: resolve, register, import, trace, templates, and
 * the operator's prefixes, enterprises and tokens. Human tables by default, {@code --json} for scripts. See
 * docs/idctl.md for the commands, the CSV format, the configuration and the exit codes.
 */
@Command(name = "idctl", mixinStandardHelpOptions = true, versionProvider = IdctlCommand.Version.class,
        description = "Command line for an idnode identifier resolution node (gRPC API).",
        subcommands = {ResolveCommand.class, RegisterCommand.class, ImportCommand.class, TraceCommand.class,
                TemplateCommand.class, PrefixCommand.class, EnterpriseCommand.class, TokenCommand.class,
                CommandLine.HelpCommand.class},
        footerHeading = "%nConfiguration:%n",
        footer = {"--node, --token, --tls-ca and --timeout default to the environment (IDCTL_NODE, IDCTL_TOKEN, IDCTL_TLS_CA, "
                + "IDCTL_TIMEOUT), then to the file $IDCTL_CONFIG or ~/.config/idctl/config.properties (keys node, token, "
                + "tls-ca, timeout), then to --node 127.0.0.1:9000."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:input refused (an import with refused lines, a refused registration or change)",
            "2:usage or configuration error",
            "3:node unreachable, unavailable or failing",
            "4:not found",
            "5:authentication or permission error"})
public final class IdctlCommand implements Runnable {
    @Option(names = "--node", scope = ScopeType.INHERIT, split = ",", paramLabel = "HOST:PORT",
            description = "the node's gRPC address; repeat or separate with commas for fail-over")
    List<String> nodes;
    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
            description = "API token (idt_...) for writes and restricted values; prefer IDCTL_TOKEN or the config file, "
                    + "which other users cannot see in the process list")
    String token;
    @Option(names = "--tls-ca", scope = ScopeType.INHERIT, paramLabel = "PEM", description = "use TLS, trusting these CA certificates")
    Path tlsCa;
    @Option(names = "--tls", scope = ScopeType.INHERIT, description = "use TLS, trusting the system's CA certificates")
    boolean tls;
    @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "DURATION", converter = Settings.DurationConverter.class,
            description = "deadline of each call, e.g. 10s, 500ms, 2m")
    Duration timeout;
    @Option(names = "--json", scope = ScopeType.INHERIT, description = "print JSON for scripts instead of tables")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;
    /** Whether stderr is a terminal (decides whether import shows its progress unasked). */
    final boolean terminal;
    private Settings settings;
    private IdClient client;

    IdctlCommand(Map<String, String> env, boolean terminal) {
        this.env = env;
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(run(out, err, System.getenv(), stderrIsTerminal(), args));
    }

    /** On Linux, whether fd 2 is a terminal even when stdout is redirected; elsewhere, whether there is a console. */
    private static boolean stderrIsTerminal() {
        try {
            String target = java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    /** Runs idctl with the process environment and returns its exit code (for tests that run it in-process). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, System.getenv(), false, args);
    }

    /** Runs idctl with {@code env} in place of the process environment. */
    static int run(PrintWriter out, PrintWriter err, Map<String, String> env, boolean terminal, String... args) {
        IdctlCommand root = new IdctlCommand(env, terminal);
        CommandLine cl = new CommandLine(root)
                .setOut(out)
                .setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(IdctlCommand::badUsage)
                .setExecutionExceptionHandler((e, cmd, parsed) -> root.failed(e, cmd.getErr()));
        try {
            return cl.execute(args);
        } finally {
            root.closeClient();
            out.flush();
            err.flush();
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The connection settings: options, then environment, then config file, then defaults. */
    Settings settings() {
        if (settings == null) {
            settings = Settings.resolve(this, env);
        }
        return settings;
    }

    /** The client, connected on first use and closed when the command ends. */
    IdClient client() {
        if (client == null) {
            client = settings().connect();
        }
        return client;
    }

    Map<String, String> env() {
        return env;
    }

    private void closeClient() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    /** A short message and a pointer to the help rather than the whole usage. */
    private static int badUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("idctl: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        return Exit.USAGE;
    }

    private int failed(Exception e, PrintWriter err) {
        if (e instanceof IdNodeException) {
            IdNodeException ie = (IdNodeException) e;
            Errors.print(err, ie, settings == null ? List.of() : settings.nodes());
            return Exit.of(ie);
        }
        if (e instanceof UsageException) {
            err.println("idctl: " + e.getMessage());
            return Exit.USAGE;
        }
        if (e instanceof IOException || e instanceof UncheckedIOException) {
            err.println("idctl: " + Errors.ioMessage(e));
            return Exit.USAGE;
        }
        err.println("idctl: internal error: " + e);
        e.printStackTrace(err);
        return Exit.REFUSED;
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = IdctlCommand.class.getPackage().getImplementationVersion();
            return new String[] {"idctl " + (v == null ? "(development build)" : v)};
        }
    }
}
