package org.idnode.bench;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;

import org.idnode.bench.load.LoadException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code idbench}: the idnode load generator and benchmark tool (issue 6). Subcommands:
 * <ul>
 *   <li>{@code resolve} drives a node over Handle UDP, Handle TCP, HTTP REST or gRPC, closed or open loop,
 *       and reports throughput and p50/p99/p99.9 latency as text or JSON;</li>
 *   <li>{@code ceiling} runs the same load against a trivial responder (the harness's ceiling);</li>
 *   <li>{@code responder} runs that responder on its own;</li>
 *   <li>{@code register} measures durable batch registration over REST or the gRPC bulk stream;</li>
 *   <li>{@code dataset} writes a PCB supply-chain data set and its key file;</li>
 *   <li>{@code jmh} runs the JMH micro-benchmarks.</li>
 * </ul>
 * Exit codes: 0 done, 1 the run failed (target unreachable, I/O error), 2 bad usage.
 *
 * <p>{@link #execute} runs a command line in-process and returns its exit code (for tests and
 * scripts); {@link #main} exits the JVM with it. Each call is independent; not meant to be called
 * concurrently with shared output streams.
 */
@Command(name = "idbench", mixinStandardHelpOptions = true, version = "idbench 0.1.0",
        subcommands = {ResolveCommand.class, CeilingCommand.class, ResponderCommand.class, RegisterCommand.class, DatasetCommand.class, PhasesCommand.class, JmhCommand.class},
        description = "Load generator and benchmarks for the idnode identifier resolution node.")
public final class IdBench implements Runnable {
    /** Exit code of a failed run. */
    public static final int EXIT_FAILED = 1;
    /** Exit code of bad usage. */
    public static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: resolve, ceiling, responder, register, dataset or jmh");
    }

    /** Runs a command line and exits the JVM with its exit code. */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line with standard output and error; returns the exit code. */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs a command line writing to the given streams; returns the exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        if (args.length > 0 && args[0].equals("jmh")) {
            try {
                return JmhCommand.run(Arrays.copyOfRange(args, 1, args.length));
            } catch (Exception e) {
                err.println("idbench jmh: " + e.getMessage());
                err.flush();
                return EXIT_FAILED;
            }
        }
        CommandLine cl = new CommandLine(new IdBench());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            String message = e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
            if (e instanceof LoadException || e instanceof UncheckedIOException || e instanceof java.io.IOException) {
                commandLine.getErr().println("idbench " + commandLine.getCommandName() + ": " + message);
                commandLine.getErr().flush();
                return EXIT_FAILED;
            }
            throw e;
        });
        return cl.execute(args);
    }
}
