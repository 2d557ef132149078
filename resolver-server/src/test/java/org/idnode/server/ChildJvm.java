package org.idnode.server;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A class on the test classpath run in its own JVM, for the tests that exercise {@code idnode} and CNRI's tools as
 * operators run them (a node, an import, a CNRI command-line tool): {@code java -cp <java.class.path> <mainClass>}
 * with {@link #BASE_JVM_OPTIONS} and the caller's options, in the working directory the caller gives (never the
 * repository, so its {@code conf/node.yaml} is not picked up). Its stdout and stderr are read on their own threads
 * and kept; a node's start-up ({@code listening <kind> 127.0.0.1:<port>} lines, then {@code ready}) is awaited with
 * {@link #awaitReady()} and its ports read with {@link NodePorts#of}. Every wait is bounded.
 *
 * <p>The caller keeps the children it launches and stops them after each test ({@link #kill()} or
 * {@link #killForcibly()}).
 */
final class ChildJvm {
    /** How long {@link #awaitReady()} waits for {@code ready}. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** How long {@link #waitExit()} waits for the process to end on its own. */
    static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);
    /** How long {@link #kill()} waits after SIGTERM, and after SIGKILL; and {@link #killForcibly()} after SIGKILL. */
    private static final long KILL_WAIT_S = 15;
    /** How long the output readers are waited for once the process has ended. */
    private static final long READER_JOIN_MS = 10_000;

    /**
     * The options every child JVM gets before the caller's: a small serial heap tuned for start-up, and CNRI code
     * kept off {@code ~/.handle} (a tool's own {@code net.handle.configDir}, given later by the caller, wins).
     */
    static final List<String> BASE_JVM_OPTIONS = List.of(
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1", // short-lived JVMs: start faster
            "-XX:+UseSerialGC",
            "-Dnet.handle.configDir=" + CnriClients.CONFIG_DIR);

    /** A line a node prints for each listener before {@code ready}: group 1 the kind, group 2 the port. */
    static final Pattern LISTENING = Pattern.compile("listening (handle-tcp|handle-udp|http|grpc) 127\\.0\\.0\\.1:(\\d+)");

    private static final String EOF = new String("<eof>"); // compared by identity

    private final String name;
    private final Process process;
    private final LinkedBlockingQueue<String> outLines = new LinkedBlockingQueue<>();
    private final List<String> out = Collections.synchronizedList(new ArrayList<>());
    private final List<String> err = Collections.synchronizedList(new ArrayList<>());
    private final Thread outReader;
    private final Thread errReader;

    /** The ports a node printed in its {@link #LISTENING} lines; -1 for a kind it did not print. */
    record NodePorts(int handle, int udp, int http, int grpc) {
        /** The ports in {@code lines} (as {@link #awaitReady()} returns them); lines of another shape are passed over. */
        static NodePorts of(List<String> lines) {
            int handle = -1;
            int udp = -1;
            int http = -1;
            int grpc = -1;
            for (String line : lines) {
                Matcher m = LISTENING.matcher(line);
                if (m.matches()) {
                    int port = Integer.parseInt(m.group(2));
                    switch (m.group(1)) {
                        case "handle-tcp" -> handle = port;
                        case "handle-udp" -> udp = port;
                        case "grpc" -> grpc = port;
                        default -> http = port;
                    }
                }
            }
            return new NodePorts(handle, udp, http, grpc);
        }
    }

    private ChildJvm(String name, Process process) {
        this.name = name;
        this.process = process;
        outReader = reader(process.getInputStream(), line -> {
            out.add(line);
            outLines.add(line);
        }, () -> outLines.add(EOF), "stdout");
        errReader = reader(process.getErrorStream(), err::add, () -> { }, "stderr");
    }

    /**
     * Starts {@code mainClass} from the test classpath in a new JVM with {@link #BASE_JVM_OPTIONS}, then
     * {@code jvmOptions}, in {@code workDir}, with {@code args}.
     */
    static ChildJvm launch(Path workDir, String mainClass, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(BASE_JVM_OPTIONS);
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        return new ChildJvm(mainClass.substring(mainClass.lastIndexOf('.') + 1) + " " + String.join(" ", args), pb.start());
    }

    private static Thread reader(InputStream in, Consumer<String> sink, Runnable atEnd, String what) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // The process was killed; what was read is kept.
            } finally {
                atEnd.run();
            }
        }, "child-" + what);
        t.setDaemon(true);
        t.start();
        return t;
    }

    Process process() {
        return process;
    }

    void closeStdin() throws IOException {
        process.getOutputStream().close();
    }

    /**
     * Waits (up to {@link #START_TIMEOUT}) for the {@code ready} line; returns the stdout lines before it. Fails if it
     * does not come or the process ends first.
     */
    List<String> awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        List<String> before = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : outLines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                return fail("%s: no 'ready' within %ss; stdout %s; stderr:%n%s", name, START_TIMEOUT.toSeconds(), before, stderr());
            }
            if (line == EOF) {
                process.waitFor(10, TimeUnit.SECONDS);
                errReader.join(5000);
                return fail("%s: ended (exit %s) before 'ready'; stdout %s; stderr:%n%s", name,
                        process.isAlive() ? "?" : process.exitValue(), before, stderr());
            }
            if (line.equals("ready")) {
                return before;
            }
            before.add(line);
        }
    }

    /**
     * Waits (up to {@link #EXIT_TIMEOUT}; {@link #kill() killed} and failed on timeout) for the process to end on its
     * own and for all its output; returns the exit code.
     */
    int waitExit() throws InterruptedException {
        if (!process.waitFor(EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            kill();
            return fail("%s: still running after %ss; stdout:%n%s%nstderr:%n%s", name, EXIT_TIMEOUT.toSeconds(), stdout(), stderr());
        }
        joinReaders();
        return process.exitValue();
    }

    /**
     * SIGTERM, as an operator or systemd stops a node, and a wait of up to {@code timeout} for the orderly shutdown
     * and all its output; on timeout SIGKILL and a failure.
     */
    void terminate(Duration timeout) throws InterruptedException {
        // Through the process handle: Process.destroy() would also close our ends of its pipes at once, losing what
        // the process writes while it shuts down.
        process.toHandle().destroy();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            killForcibly();
            fail("%s: did not stop within %ss of SIGTERM; stderr:%n%s", name, timeout.toSeconds(), stderr());
        }
        joinReaders();
    }

    /** Stops the process whatever its state: SIGTERM, then SIGKILL (each with a bounded wait). */
    void kill() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(KILL_WAIT_S, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(KILL_WAIT_S, TimeUnit.SECONDS);
            }
        }
    }

    /** SIGKILL straight away, and a bounded wait for the process to go; keeps the thread's interrupt status. */
    void killForcibly() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(KILL_WAIT_S, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void joinReaders() throws InterruptedException {
        outReader.join(READER_JOIN_MS);
        errReader.join(READER_JOIN_MS);
    }

    List<String> stdoutLines() {
        synchronized (out) {
            return List.copyOf(out);
        }
    }

    String stdout() {
        synchronized (out) {
            return String.join("\n", out);
        }
    }

    String stderr() {
        synchronized (err) {
            return String.join("\n", err);
        }
    }
}
