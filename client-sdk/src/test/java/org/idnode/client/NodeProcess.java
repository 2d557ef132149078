package org.idnode.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.idnode.server.cli.IdnodeCommand;

/**
 * A real idnode node for the SDK tests: {@code idnode serve} in its own JVM (the test classpath, main class
 * {@link IdnodeCommand}) on 127.0.0.1 with ephemeral ports, on a data folder prepared offline beforehand with the same
 * command run in this JVM ({@code import}, {@code prefix add}, {@code token add}). Its {@code listening <kind> host:port}
 * lines are read and {@code ready} awaited; {@link #kill()} ends it with SIGKILL and {@link #start()} starts it again on
 * the same ports. Every wait is bounded.
 *
 * <p>Also keeps CNRI's client in this JVM off {@code ~/.handle} and the global root: {@code net.handle.configDir} points
 * at a folder whose {@code config.dct} turns root-info auto-update off, before any CNRI class is used. Shared by the SDK
 * tests and the idctl tests ({@code cli}); not thread-safe (one test class drives one node).
 */
public final class NodeProcess implements AutoCloseable {
    public static final Path PROJECT_ROOT = Path.of(System.getProperty("idnode.project.root", "..")).toAbsolutePath().normalize();
    public static final Path SAMPLE = PROJECT_ROOT.resolve("conf/sample-data/pcb-sample.jsonl");
    public static final Path TEMPLATES = PROJECT_ROOT.resolve("conf/templates");
    public static final Path CNRI_CONFIG_DIR;

    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern LISTENING = Pattern.compile("listening (\\S+) 127\\.0\\.0\\.1:(\\d+)");
    private static final String EOF = new String("<eof>"); // compared by identity

    static {
        try {
            CNRI_CONFIG_DIR = Files.createTempDirectory("sdk-hdlcfg");
            Files.writeString(CNRI_CONFIG_DIR.resolve("config.dct"), "{ \"auto_update_root_info\" = \"no\" }\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setProperty("net.handle.configDir", CNRI_CONFIG_DIR.toString());
    }

    private final Path dataDir;
    private final Path config;
    private final boolean grpc;
    private final List<String> extraServeArgs;
    private final Map<String, Integer> ports = new HashMap<>();
    private Process process;
    private final List<String> stderr = Collections.synchronizedList(new ArrayList<>());

    private NodeProcess(Path dataDir, Path config, boolean grpc, List<String> extraServeArgs) {
        this.dataDir = dataDir;
        this.config = config;
        this.grpc = grpc;
        this.extraServeArgs = List.copyOf(extraServeArgs);
    }

    // -----------------------------------------------------------------------------------------------------------------
    // Offline preparation, in this JVM
    // -----------------------------------------------------------------------------------------------------------------

    /**
     * A node configuration in {@code dir}: the 88.999 space, the project's templates, small caches; returns its path.
     */
    public static Path writeConfig(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, String.join("\n",
                "node:",
                "  prefixes: [\"88.999\"]",
                "cache:",
                "  max-entries: 20000",
                "store:",
                "  block-cache-mb: 16",
                "templates:",
                "  dir: \"" + TEMPLATES + "\"",
                ""));
        return file;
    }

    /** Runs {@code idnode <args> --config <config> --data-dir <data>} in this JVM; asserts success; returns its stdout. */
    public static String idnode(Path config, Path data, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--config", config.toString(), "--data-dir", data.toString()));
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        synchronized (NodeProcess.class) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            try {
                code = IdnodeCommand.run(all.toArray(String[]::new));
            } finally {
                System.setOut(saved);
            }
        }
        assertThat(code).as("idnode %s", all).isZero();
        return out.toString(StandardCharsets.UTF_8).trim();
    }

    /** Imports the project's sample data (four enterprise prefixes 88.999.1-4, 40 records). */
    public static void importSample(Path config, Path data) {
        assertThat(idnode(config, data, "import", SAMPLE.toString())).contains("imported");
    }

    /** Imports JSON lines ({@code {"handle":..., "values":[...]}}). */
    public static void importLines(Path config, Path data, List<String> lines) throws IOException {
        Path file = Files.createTempFile(data.getParent(), "records", ".jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);
        assertThat(idnode(config, data, "import", file.toString())).contains("imported");
    }

    /** Creates an enterprise prefix with a secret-key admin. */
    public static void addPrefix(Path config, Path data, String prefix, String enterprise) {
        idnode(config, data, "prefix", "add", prefix, "--enterprise", enterprise, "--admin-secret", "secret-" + prefix);
    }

    /** Issues an API token for the prefix's first admin; returns it. */
    public static String addToken(Path config, Path data, String prefix, String name) {
        String token = idnode(config, data, "token", "add", prefix, "--name", name);
        assertThat(token).startsWith("idt_").doesNotContain("\n");
        return token;
    }

    // -----------------------------------------------------------------------------------------------------------------
    // The node process
    // -----------------------------------------------------------------------------------------------------------------

    /** Starts a node on {@code dataDir} with gRPC (or with gRPC switched off) on ephemeral ports. */
    public static NodeProcess start(Path dataDir, Path config, boolean grpc) throws Exception {
        return start(dataDir, config, grpc, List.of());
    }

    /** Starts a node as {@link #start(Path, Path, boolean)} does, with more {@code serve} options (e.g. {@code --top-level}). */
    public static NodeProcess start(Path dataDir, Path config, boolean grpc, List<String> extraServeArgs) throws Exception {
        NodeProcess node = new NodeProcess(dataDir, config, grpc, extraServeArgs);
        node.start();
        return node;
    }

    /** Starts the node: the first time on ephemeral ports, afterwards on the ports it had. */
    public void start() throws Exception {
        assertThat(process == null || !process.isAlive()).as("the node is already running").isTrue();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            List<String> lines = launch(deadline);
            if (lines != null) {
                Map<String, Integer> seen = new HashMap<>();
                for (String line : lines) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.matches()) {
                        seen.put(m.group(1), Integer.parseInt(m.group(2)));
                    }
                }
                assertThat(seen).as("listening lines %s", lines).containsKeys("handle-tcp", "http");
                if (grpc) {
                    assertThat(seen).as("listening lines %s", lines).containsKey("grpc");
                } else {
                    assertThat(seen).as("gRPC is off; listening lines %s", lines).doesNotContainKey("grpc");
                }
                if (!ports.isEmpty()) {
                    assertThat(seen).as("restarted on the same ports").isEqualTo(ports);
                }
                ports.putAll(seen);
                return;
            }
            // The ports of a killed node can take a moment to be free again; the node then exits with code 3.
            if (System.nanoTime() > deadline) {
                fail("node on %s did not start within %ss; stderr:%n%s", dataDir, START_TIMEOUT.toSeconds(), stderr());
            }
            Thread.sleep(500);
        }
    }

    /** Returns the stdout lines before 'ready', or null when the node exited with code 3 (a port in use). */
    private List<String> launch(long deadline) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dnet.handle.configDir=" + CNRI_CONFIG_DIR,
                "-cp", System.getProperty("java.class.path"),
                IdnodeCommand.class.getName(), "serve",
                "--config", config.toString(), "--data-dir", dataDir.toString(), "--bind", "127.0.0.1",
                "--handle-port", String.valueOf(ports.getOrDefault("handle-tcp", 0)),
                "--http-port", String.valueOf(ports.getOrDefault("http", 0))));
        if (grpc) {
            cmd.addAll(List.of("--grpc-port", String.valueOf(ports.getOrDefault("grpc", 0))));
        } else {
            cmd.add("--no-grpc");
        }
        cmd.addAll(extraServeArgs);
        Path cwd = Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-cwd"));
        stderr.clear();
        process = new ProcessBuilder(cmd).directory(cwd.toFile()).start();
        LinkedBlockingQueue<String> out = new LinkedBlockingQueue<>();
        reader(process.getInputStream(), out::add, () -> out.add(EOF));
        reader(process.getErrorStream(), stderr::add, () -> { });
        List<String> before = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : out.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                kill();
                return fail("node on %s: no 'ready' within %ss; stdout %s; stderr:%n%s", dataDir, START_TIMEOUT.toSeconds(), before, stderr());
            }
            if (line == EOF) {
                process.waitFor(10, TimeUnit.SECONDS);
                if (!process.isAlive() && process.exitValue() == 3 && stderr().contains("in use") && !ports.isEmpty()) {
                    return null;
                }
                return fail("node on %s ended (exit %s) before 'ready'; stdout %s; stderr:%n%s", dataDir,
                        process.isAlive() ? "?" : process.exitValue(), before, stderr());
            }
            if (line.equals("ready")) {
                return before;
            }
            before.add(line);
        }
    }

    private static void reader(InputStream in, java.util.function.Consumer<String> sink, Runnable atEnd) {
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
        }, "node-output");
        t.setDaemon(true);
        t.start();
    }

    /** SIGKILL, and a bounded wait for the process to go. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("node killed").isTrue();
        }
    }

    /**
     * SIGSTOP: the node keeps its sockets (connections are accepted by the kernel) but answers nothing. Returns once every
     * thread of the node is stopped: the kernel wakes one thread to act on the signal, and until it has run, the others
     * can still wake for a request that arrives and answer it.
     */
    public void pause() throws Exception {
        signal("-STOP");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> running;
        while (!(running = threadsNotStopped()).isEmpty()) {
            assertThat(System.nanoTime()).as("node threads still not stopped after SIGSTOP: %s", running).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** The node's threads (from {@code /proc/PID/task/TID/stat}) whose state is not {@code T} (stopped). */
    private List<String> threadsNotStopped() throws IOException {
        List<String> running = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (NoSuchFileException e) {
                    continue; // the thread ended
                }
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                if (state != 'T') {
                    running.add(task.getFileName() + ":" + state);
                }
            }
        }
        return running;
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() throws Exception {
        signal("-CONT");
    }

    private void signal(String which) throws Exception {
        Process kill = new ProcessBuilder("kill", which, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill %s", which).isZero();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public int port(String kind) {
        Integer p = ports.get(kind);
        assertThat(p).as("port of %s in %s", kind, ports).isNotNull();
        return p;
    }

    /** {@code 127.0.0.1:<grpc port>}. */
    public String grpcAddress() {
        return "127.0.0.1:" + port("grpc");
    }

    /** {@code 127.0.0.1:<Handle TCP/UDP port>}. */
    public String handleAddress() {
        return "127.0.0.1:" + port("handle-tcp");
    }

    public String httpBase() {
        return "http://127.0.0.1:" + port("http");
    }

    public String stderr() {
        synchronized (stderr) {
            return String.join("\n", stderr);
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
