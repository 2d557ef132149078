package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.idnode.server.backup.BackupManifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup taken while the node serves writes: a node runs as its own process ({@code idnode serve}); a client
 * streams batch registrations to {@code POST /api/batch} and records which batches were acknowledged; meanwhile
 * {@code idnode backup} (run without {@code --node}: it sees that a node holds the data folder and goes through the
 * node's operator API at the configured HTTP port) takes the backup. The backup is restored into a new data folder
 * and a second node process started on it. Every batch acknowledged before the backup started must be there, every
 * record identical to what was sent and, byte for byte, to the record in the original store; every batch there is
 * whole (one RocksDB write batch); the record count is the manifest's. While the first node runs, restoring over its
 * data folder is refused.
 */
class BackupUnderLoadTest {
    static final String OPS_SECRET = "ops-backup-secret";
    /** The client stops after this many batches. */
    static final int MAX_BATCHES = 60;
    /** Batches acknowledged before the backup starts. */
    static final int BATCHES_BEFORE = 15;

    @TempDir
    Path tmp;

    private final List<ChildJvm> children = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    /** Batch number → System.nanoTime() of its acknowledgement. */
    private final Map<Integer, Long> acked = new ConcurrentSkipListMap<>();
    private volatile boolean stop;
    private volatile Throwable clientFailure;

    @AfterEach
    void killChildren() {
        stop = true;
        children.forEach(ChildJvm::killForcibly);
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void everyAcknowledgedRecordIsInTheBackup() throws Exception {
        Path data = tmp.resolve("data");
        String d = data.toString();
        JsonHttp.cli("prefix", "add", CrashSafetyTest.PREFIX, "--enterprise", "Backup Load Co.", "--admin-secret", CrashSafetyTest.SECRET, "--data-dir", d);
        JsonHttp.cli("operator", "add", "--admin-secret", OPS_SECRET, "--data-dir", d);
        Path token = Files.writeString(tmp.resolve("ops.token"), JsonHttp.cli("token", "add", "88.999", "--name", "ops", "--data-dir", d));
        int httpPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            httpPort = s.getLocalPort();
        }
        Path backups = tmp.resolve("backups");
        Path config = Files.writeString(tmp.resolve("node.yaml"), "listen:\n  http-port: " + httpPort + "\nbackup:\n  root: " + backups + "\n");

        ChildJvm first = serve(config, data);
        assertThat(ChildJvm.NodePorts.of(first.awaitReady()).http()).isEqualTo(httpPort);
        Thread client = new Thread(() -> streamBatches(httpPort), "backup-load-client");
        client.setDaemon(true);
        client.start();
        awaitAcked(BATCHES_BEFORE);

        Set<Integer> ackedBefore = new TreeSet<>(acked.keySet());
        long backupStart = System.nanoTime();
        Path backup = backups.resolve("under-load");
        CliRun run = CliRun.of("backup", "--config", config.toString(), "--data-dir", d, "--token-file", token.toString(), "--to", backup.toString());
        long backupEnd = System.nanoTime();
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).contains("(online)");
        int ackedDuring = (int) acked.values().stream().filter(t -> t > backupStart && t < backupEnd).count();
        int ackedSoFar = acked.size();
        awaitAcked(ackedSoFar + 3); // the node goes on serving after the backup
        CliRun overRunning = CliRun.of("restore", "--from", backup.toString(), "--data-dir", d, "--force");
        assertThat(overRunning.code()).as(overRunning.toString()).isEqualTo(2);
        assertThat(overRunning.err()).contains("in use by a running node");
        stop = true;
        client.join(30_000);
        assertThat(clientFailure).isNull();
        first.terminate(Duration.ofSeconds(30));
        System.out.printf("BackupUnderLoadTest: %d batches acknowledged before the backup, %d during it (%d ms), %d in all%n",
                ackedBefore.size(), ackedDuring, (backupEnd - backupStart) / 1_000_000, acked.size());

        // Restore into a new data folder; the restored records are the original's, byte for byte.
        Path restored = tmp.resolve("restored");
        CliRun restore = CliRun.of("restore", "--from", backup.toString(), "--data-dir", restored.toString());
        assertThat(restore.code()).as(restore.toString()).isZero();
        Map<String, String> original = RawStore.records(data.resolve("store"));
        Map<String, String> copy = RawStore.records(restored.resolve("store"));
        assertThat(copy.size()).isEqualTo(BackupManifest.read(backup).records());
        Map<Integer, Set<Integer>> present = new TreeMap<>();
        Pattern name = Pattern.compile(Pattern.quote(CrashSafetyTest.PREFIX) + "/CRASH-B(\\d+)-R(\\d+)");
        for (Map.Entry<String, String> e : copy.entrySet()) {
            assertThat(original.get(e.getKey())).as("record %s as in the original store", e.getKey()).isEqualTo(e.getValue());
            Matcher m = name.matcher(new String(HexFormat.of().parseHex(e.getKey()), StandardCharsets.UTF_8));
            if (m.matches()) {
                present.computeIfAbsent(Integer.parseInt(m.group(1)), b -> new TreeSet<>()).add(Integer.parseInt(m.group(2)));
            }
        }
        for (int batch : ackedBefore) {
            assertThat(present.get(batch)).as("batch %d, acknowledged before the backup", batch).hasSize(CrashSafetyTest.RECORDS_PER_BATCH);
        }
        present.forEach((batch, records) -> assertThat(records).as("batch %d is whole", batch).hasSize(CrashSafetyTest.RECORDS_PER_BATCH));

        // A node started on the restored folder answers every acknowledged record with what was sent.
        ChildJvm second = serve(null, restored);
        int port = ChildJvm.NodePorts.of(second.awaitReady()).http();
        for (int batch : ackedBefore) {
            for (int r = 0; r < CrashSafetyTest.RECORDS_PER_BATCH; r++) {
                assertThat(valuesOf(port, CrashSafetyTest.handle(batch, r))).as("batch %d record %d", batch, r)
                        .isEqualTo(new TreeMap<>(CrashSafetyTest.expected(batch, r)));
            }
        }
        second.terminate(Duration.ofSeconds(30));
    }

    private ChildJvm serve(Path config, Path data) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", "--data-dir", data.toString(), "--handle-port", "0", "--grpc-port", "0", "--bind", "127.0.0.1"));
        if (config != null) {
            args.addAll(List.of("--config", config.toString()));
        } else {
            args.addAll(List.of("--http-port", "0"));
        }
        ChildJvm c = ChildJvm.launch(Files.createTempDirectory(tmp, "cwd"), "org.idnode.server.cli.IdnodeCommand", List.of(), args.toArray(String[]::new));
        children.add(c);
        return c;
    }

    private void streamBatches(int port) {
        try {
            for (int batch = 0; batch < MAX_BATCHES && !stop; batch++) {
                HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/batch"))
                        .timeout(Duration.ofSeconds(30)).header("Authorization", CrashSafetyTest.basic())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(CrashSafetyTest.batchBody(batch), StandardCharsets.UTF_8)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() != 200 || !CrashSafetyTest.allAccepted(resp.body())) {
                    throw new AssertionError("batch " + batch + " not accepted: " + resp.statusCode() + " " + resp.body());
                }
                acked.put(batch, System.nanoTime());
            }
        } catch (Throwable e) {
            clientFailure = e;
        }
    }

    private void awaitAcked(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (acked.size() < Math.min(n, MAX_BATCHES) && clientFailure == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(clientFailure).isNull();
        assertThat(acked.size()).as("batches acknowledged").isGreaterThanOrEqualTo(Math.min(n, MAX_BATCHES));
    }

    private Map<Integer, String> valuesOf(int port, String handle) throws Exception {
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/handles/" + handle))
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).as("GET %s: %s", handle, resp.body()).isEqualTo(200);
        Map<Integer, String> got = new TreeMap<>();
        for (JsonElement e : JsonParser.parseString(resp.body()).getAsJsonObject().getAsJsonArray("values")) {
            JsonObject v = e.getAsJsonObject();
            got.put(v.get("index").getAsInt(), v.get("type").getAsString() + "=" + v.getAsJsonObject("data").get("value").getAsString());
        }
        return got;
    }
}
