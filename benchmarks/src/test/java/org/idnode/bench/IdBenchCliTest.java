package org.idnode.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.idnode.bench.ceiling.CeilingResponder;
import org.idnode.bench.load.IoMode;
import org.idnode.bench.load.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdBenchCliTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return IdBench.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void aGrpcTargetNobodyListensOnFailsTheRunWithCode1() throws Exception {
        Path keys = Files.writeString(dir.resolve("k.txt"), "88.999.1/A\n");
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        assertThat(run("resolve", "--protocol", "grpc", "--target", "127.0.0.1:" + closedPort, "--keys-file", keys.toString(),
                "--requests", "5", "--warmup", "0s")).isEqualTo(1);
        assertThat(err.toString()).contains("cannot reach grpc at 127.0.0.1:" + closedPort);
    }

    @Test
    void registerNeedsItsOptionsAndRefusesBadBatches() {
        assertThat(run("register", "--protocol", "grpc", "--target", "127.0.0.1:1")).isEqualTo(2);
        assertThat(run("register", "--protocol", "smtp", "--target", "127.0.0.1:1", "--token", "t", "--prefix", "88.999.1")).isEqualTo(2);
        assertThat(run("register", "--protocol", "http", "--target", "127.0.0.1:1", "--token", "t", "--prefix", "88.999.1",
                "--batch", "2001")).isEqualTo(2);
        assertThat(err.toString()).contains("batch from 1 to 2000");
    }

    @Test
    void badUsageExitsWithCode2() {
        assertThat(run("resolve", "--protocol", "udp")).isEqualTo(2);
        assertThat(run("resolve", "--protocol", "smtp", "--target", "127.0.0.1:1", "--keys-file", "x")).isEqualTo(2);
        assertThat(run("resolve", "--protocol", "udp", "--target", "127.0.0.1:1", "--keys-file", "x",
                "--duration", "1s", "--requests", "5")).isEqualTo(2);
        assertThat(run("dataset", "--count", "5", "--out", dir.resolve("x").toString(), "--prefix", "10.1234")).isEqualTo(2);
    }

    @Test
    void datasetWritesRecordsAndKeys() throws Exception {
        Path records = dir.resolve("d.jsonl");
        Path keys = dir.resolve("k.txt");
        assertThat(run("dataset", "--count", "100", "--out", records.toString(), "--keys-out", keys.toString(), "--seed", "5")).isZero();
        assertThat(Files.readAllLines(records)).hasSize(100);
        assertThat(Files.readAllLines(keys)).hasSize(100).startsWith("0.NA/88.999.1");
        assertThat(err.toString()).contains("wrote 100 records");
    }

    @Test
    void resolvePrintsJsonAgainstAResponderAndAMissingKeyFileFailsTheRun() throws Exception {
        Path keys = Files.writeString(dir.resolve("k.txt"), "88.999.1/A\n88.999.1/B\n");
        try (CeilingResponder responder = CeilingResponder.start(Protocol.TCP, java.net.InetAddress.getByName("127.0.0.1"), 0, 1, IoMode.AUTO)) {
            String target = "127.0.0.1:" + responder.address().getPort();
            assertThat(run("resolve", "--protocol", "tcp", "--target", target, "--keys-file", keys.toString(),
                    "--concurrency", "4", "--requests", "300", "--warmup", "0", "--json")).isZero();
            JsonObject json = JsonParser.parseString(out.toString().trim()).getAsJsonObject();
            assertThat(json.get("requests").getAsLong()).isEqualTo(300);
            assertThat(json.get("errors").getAsLong()).isZero();
            assertThat(json.get("rate").isJsonNull()).isTrue();
            assertThat(json.has("p999_us")).isTrue();

            assertThat(run("resolve", "--protocol", "tcp", "--target", target, "--keys-file", dir.resolve("none.txt").toString(),
                    "--requests", "10")).isEqualTo(1);
            assertThat(err.toString()).contains("does not exist");
        }
    }

    @Test
    void resolveWritesAnIntervalLogThatPhasesCutsByWallClockAndABadPhasesFileIsUsage() throws Exception {
        Path keys = Files.writeString(dir.resolve("k.txt"), "88.999.1/A\n88.999.1/B\n");
        Path log = dir.resolve("client.hlog");
        long start = System.currentTimeMillis();
        try (CeilingResponder responder = CeilingResponder.start(Protocol.UDP, java.net.InetAddress.getByName("127.0.0.1"), 0, 1, IoMode.AUTO)) {
            assertThat(run("resolve", "--protocol", "udp", "--target", "127.0.0.1:" + responder.address().getPort(),
                    "--keys-file", keys.toString(), "--rate", "1000", "--duration", "1s", "--warmup", "0s", "--json",
                    "--histogram-log", log.toString(), "--histogram-interval", "50ms")).isZero();
        }
        long end = System.currentTimeMillis();
        long requests = JsonParser.parseString(out.toString().trim()).getAsJsonObject().get("requests").getAsLong();
        Path phases = Files.writeString(dir.resolve("phases.txt"), "whole " + start + " " + (end + 1000) + "\n");
        out.getBuffer().setLength(0);

        assertThat(run("phases", "--histogram-log", log.toString(), "--phases", phases.toString(), "--json")).isZero();
        JsonObject whole = JsonParser.parseString(out.toString().trim()).getAsJsonObject().getAsJsonArray("labels").get(0).getAsJsonObject();
        assertThat(whole.get("label").getAsString()).isEqualTo("whole");
        assertThat(whole.get("answers").getAsLong()).isEqualTo(requests);
        assertThat(whole.get("intervals").getAsInt()).isGreaterThanOrEqualTo(20);   // at least the 1 s measured

        Files.writeString(phases, "whole " + start + "\n");
        assertThat(run("phases", "--histogram-log", log.toString(), "--phases", phases.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("line 1", "LABEL START_MS END_MS");
        assertThat(run("resolve", "--protocol", "udp", "--target", "127.0.0.1:1", "--keys-file", keys.toString(),
                "--histogram-log", log.toString(), "--histogram-interval", "1ms")).isEqualTo(2);
        assertThat(err.toString()).contains("--histogram-interval", "at least 10 ms");
    }

    @Test
    void ceilingInProcessPrintsText() {
        assertThat(run("ceiling", "--protocol", "udp", "--in-process", "--concurrency", "8", "--requests", "500",
                "--warmup", "0", "--responder-threads", "1")).isZero();
        assertThat(out.toString()).contains("ceiling (trivial responder)", "requests    500", "p99.9");
    }

    @Test
    void warmupsParseAsADurationOrUntilSteady() {
        LoadOptions.WarmupConverter warmups = new LoadOptions.WarmupConverter();
        assertThat(warmups.convert("5s")).isEqualTo(new LoadOptions.Warmup(Duration.ofSeconds(5), false));
        assertThat(warmups.convert("steady")).isEqualTo(new LoadOptions.Warmup(Duration.ofSeconds(60), true));
        assertThat(warmups.convert("Steady:30s")).isEqualTo(new LoadOptions.Warmup(Duration.ofSeconds(30), true));
        assertThat(run("resolve", "--protocol", "udp", "--target", "127.0.0.1:1", "--keys-file", "x", "--warmup", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("'soon' is not a duration");
    }

    @Test
    void durationsParse() {
        assertThat(DurationConverter.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DurationConverter.parse("3")).isEqualTo(Duration.ofSeconds(3));
        assertThat(DurationConverter.parse("PT1S")).isEqualTo(Duration.ofSeconds(1));
    }
}
