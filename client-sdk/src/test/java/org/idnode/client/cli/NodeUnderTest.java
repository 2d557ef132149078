package org.idnode.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.idnode.server.cli.IdnodeCommand;

/**
 * A real idnode node for the idctl tests: {@code idnode serve} with gRPC in its own JVM (the test classpath) on
 * 127.0.0.1 with ephemeral ports, on a data folder prepared offline beforehand by the same command run in this JVM
 * ({@code prefix add}, {@code token add}). Every wait is bounded.
 */
final class NodeUnderTest implements AutoCloseable {
    static final Path PROJECT_ROOT = TemplateFiles.PROJECT_ROOT;
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern GRPC = Pattern.compile("listening grpc 127\\.0\\.0\\.1:(\\d+)");
    /** Keeps CNRI code in the child JVMs off ~/.handle and the global root. */
    static final Path CNRI_CONFIG_DIR;

    static {
        try {
            CNRI_CONFIG_DIR = Files.createTempDirectory("idctl-hdlcfg");
            Files.writeString(CNRI_CONFIG_DIR.resolve("config.dct"), "{ \"auto_update_root_info\" = \"no\" }\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final Process process;
    private final Path log;
    private final int grpcPort;

    private NodeUnderTest(Process process, Path log, int grpcPort) {
        this.process = process;
        this.log = log;
        this.grpcPort = grpcPort;
    }

    /** A node configuration in {@code dir}: the 88.999 space, the project's templates, small caches. */
    static Path writeConfig(Path dir) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve("node.yaml"), String.join("\n",
                "node:",
                "  prefixes: [\"88.999\"]",
                "cache:",
                "  max-entries: 20000",
                "store:",
                "  block-cache-mb: 16",
                "templates:",
                "  dir: \"" + PROJECT_ROOT.resolve("conf/templates") + "\"",
                ""));
    }

    /** Runs {@code idnode <args> --config <config> --data-dir <data>} offline in this JVM; asserts success; returns its stdout. */
    static String idnode(Path config, Path data, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--config", config.toString(), "--data-dir", data.toString()));
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        synchronized (NodeUnderTest.class) {
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

    /** Creates an enterprise prefix (secret-key admin) and issues a token for it; returns the token. */
    static String prefixWithToken(Path config, Path data, String prefix, String enterprise) {
        idnode(config, data, "prefix", "add", prefix, "--enterprise", enterprise, "--admin-secret", "secret-" + prefix);
        String token = idnode(config, data, "token", "add", prefix, "--name", "idctl-test");
        assertThat(token).startsWith("idt_").doesNotContain("\n");
        return token;
    }

    /** Starts {@code idnode serve} with gRPC on {@code data} and waits for {@code ready}. */
    static NodeUnderTest start(Path config, Path data) throws IOException, InterruptedException {
        Path log = data.resolveSibling(data.getFileName() + "-node.log");
        Path out = data.resolveSibling(data.getFileName() + "-node.out");
        Process p = new ProcessBuilder(java(List.of("-Xmx384m"), IdnodeCommand.class.getName(), "serve",
                "--config", config.toString(), "--data-dir", data.toString(), "--bind", "127.0.0.1",
                "--handle-port", "0", "--http-port", "0", "--grpc-port", "0"))
                .directory(data.getParent().toFile())
                .redirectOutput(out.toFile()).redirectError(log.toFile()).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            if (lines.contains("ready")) {
                for (String line : lines) {
                    Matcher m = GRPC.matcher(line);
                    if (m.matches()) {
                        return new NodeUnderTest(p, log, Integer.parseInt(m.group(1)));
                    }
                }
                p.destroyForcibly();
                return fail("the node printed no 'listening grpc' line: %s", lines);
            }
            if (!p.isAlive()) {
                return fail("the node ended (exit %s) before 'ready'; stdout %s; stderr:%n%s", p.exitValue(), lines, Files.readString(log));
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        return fail("the node did not start within %s; stderr:%n%s", START_TIMEOUT, Files.readString(log));
    }

    /** {@code java <base options> <options> -cp <test classpath> <mainClass> <args>}. */
    static List<String> java(List<String> options, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dnet.handle.configDir=" + CNRI_CONFIG_DIR));
        cmd.addAll(options);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@code 127.0.0.1:<gRPC port>}. */
    String grpcAddress() {
        return "127.0.0.1:" + grpcPort;
    }

    String stderr() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
