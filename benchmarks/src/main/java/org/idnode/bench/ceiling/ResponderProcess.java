package org.idnode.bench.ceiling;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.idnode.bench.load.IoMode;
import org.idnode.bench.load.Protocol;

/**
 * The ceiling responder in a child JVM ({@code idbench responder --protocol P --port 0
 * --exit-on-stdin-eof}), started with this JVM's {@code java} and class path, so that responder and
 * generator are separate processes as node and generator are. The child prints
 * {@code listening <port>} once bound; it exits when its standard input closes, so it never outlives
 * this process by more than a moment.
 *
 * <p>Threading: {@link #start} blocks until the child is listening; {@link #close} may be called from
 * any thread.
 */
public final class ResponderProcess implements AutoCloseable {
    /** The main class of the child: idbench's command line. */
    static final String MAIN_CLASS = "org.idnode.bench.IdBench";

    private final Process process;
    private final InetSocketAddress address;

    private ResponderProcess(Process process, InetSocketAddress address) {
        this.process = process;
        this.address = address;
    }

    /**
     * Starts a responder child and waits until it listens on 127.0.0.1.
     *
     * @throws IOException when the child cannot be started, exits, or does not report its port in time
     */
    public static ResponderProcess start(Protocol protocol, int threads, IoMode io, Duration startTimeout) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms64m", "-Xmx256m", "-XX:+UseParallelGC",
                "-cp", System.getProperty("java.class.path"), MAIN_CLASS,
                "responder", "--protocol", protocol.label(), "--bind", "127.0.0.1", "--port", "0",
                "--threads", Integer.toString(threads), "--io", io.label(), "--exit-on-stdin-eof"));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (!port.isDone() && line.startsWith("listening ")) {
                        port.complete(Integer.parseInt(line.substring("listening ".length()).trim()));
                    }
                }
                port.completeExceptionally(new IOException("the responder exited (code " + p.waitFor() + ") without reporting its port"));
            } catch (IOException | RuntimeException e) {
                port.completeExceptionally(e);
            } catch (InterruptedException e) {
                port.completeExceptionally(e);
                Thread.currentThread().interrupt();
            }
        }, "idbench-responder-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            int bound = port.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return new ResponderProcess(p, new InetSocketAddress("127.0.0.1", bound));
        } catch (TimeoutException e) {
            stop(p);
            throw new IOException("the responder did not report its port within " + startTimeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            stop(p);
            throw new IOException("the responder failed to start: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            stop(p);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the responder", e);
        }
    }

    /** Where the child listens. */
    public InetSocketAddress address() {
        return address;
    }

    /** The child's process id. */
    public long pid() {
        return process.pid();
    }

    /** Stops the child: closes its standard input, then terminates it if it has not exited within 5 s. */
    @Override
    public void close() {
        stop(process);
    }

    private static void stop(Process p) {
        try {
            p.getOutputStream().close();
        } catch (IOException e) {
            // It may have gone already.
        }
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroy();
                if (!p.waitFor(3, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
