package org.idnode.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.idnode.bench.ceiling.CeilingResponder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An open-loop generator process stopped with SIGSTOP for two seconds and continued: by default it sends the
 * requests that fell due meanwhile (and measures them from when they were due); with {@code --no-catch-up} it skips
 * them and goes on at its rate. This is how {@code limits-check.sh} pauses its flooder between phases.
 */
class PausedGeneratorTest {
    private static final int RATE = 1000;

    @TempDir
    Path dir;

    @Test
    void aPausedOpenLoopCatchesUpByDefaultAndSkipsTheMissedRequestsWithNoCatchUp() throws Exception {
        Path keys = Files.writeString(dir.resolve("k.txt"), "88.999.1/A\n88.999.1/B\n");
        try (CeilingResponder responder = CeilingResponder.start(Protocol.UDP, InetAddress.getLoopbackAddress(), 0, 1, IoMode.AUTO)) {
            String target = "127.0.0.1:" + responder.address().getPort();
            JsonObject catchingUp = pausedRun(target, keys, false);
            JsonObject skipping = pausedRun(target, keys, true);

            // 5 s at 1000/s: every request is sent when catching up, the late ones measured from when they were due.
            assertThat(catchingUp.get("requests").getAsLong()).isGreaterThan(4 * RATE);
            assertThat(catchingUp.get("p99_us").getAsLong()).isGreaterThan(500_000);
            // Without catching up, the 2 s paused are skipped; only the few requests in flight at the stop wait.
            assertThat(skipping.get("requests").getAsLong()).isBetween((long) (1.5 * RATE), (long) (3.7 * RATE));
            assertThat(skipping.get("p99_us").getAsLong()).isLessThan(500_000);
            assertThat(catchingUp.get("errors").getAsLong() + skipping.get("errors").getAsLong()).isZero();
        }
    }

    /** A 5-second open-loop run at {@link #RATE}/s, stopped for 2 s one second after it starts measuring. */
    private JsonObject pausedRun(String target, Path keys, boolean noCatchUp) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.idnode.bench.IdBench",
                "resolve", "--protocol", "udp", "--target", target, "--keys-file", keys.toString(), "--rate", Integer.toString(RATE),
                "--concurrency", "16", "--timeout", "5s", "--duration", "5s", "--warmup", "0s", "--json",
                "--histogram-log", dir.resolve(noCatchUp ? "skipping.hlog" : "catching-up.hlog").toString()));
        if (noCatchUp) {
            cmd.add("--no-catch-up");
        }
        Path out = dir.resolve("out.json");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            Path log = dir.resolve(noCatchUp ? "skipping.hlog" : "catching-up.hlog");
            // The interval log's header is written when the measured timeline starts.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(Files.exists(log) && Files.size(log) > 0) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(1000);
            signal(p, "STOP");
            Thread.sleep(2000);
            signal(p, "CONT");
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
        return JsonParser.parseString(Files.readString(out, StandardCharsets.UTF_8).trim()).getAsJsonObject();
    }

    private static void signal(Process p, String signal) throws Exception {
        Process kill = new ProcessBuilder("sh", "-c", "kill -" + signal + " " + p.pid()).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }
}
