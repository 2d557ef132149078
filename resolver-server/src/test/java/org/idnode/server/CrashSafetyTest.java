package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import net.handle.hdllib.AbstractMessage;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.cli.IdnodeCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An acknowledged write survives {@code kill -9}: a node runs as a separate JVM ({@code idnode serve}) on one data
 * folder; a client streams batches to {@code POST /api/batch} while the test kills the node with SIGKILL at random
 * moments and restarts it, {@value #KILLS} times. After every restart, every batch acknowledged before the kill
 * (HTTP 200, every result {@code responseCode} 1) must be present with every record and every value; no record may
 * be half-written; and a batch that was in flight is there whole or not at all (one RocksDB write batch). Batches
 * in flight at a kill are re-sent after the restart, as a client would, which also exercises idempotent retry.
 */
class CrashSafetyTest {
    static final int KILLS = 20;
    static final int RECORDS_PER_BATCH = 100;
    static final String PREFIX = "88.999.1";
    static final String SECRET = "crash-secret";
    /** How long the node may take to stop after SIGTERM at the end. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** Records of older batches whose values are read back after each restart, on top of the newest batches. */
    static final int SAMPLE_PER_RESTART = 100;

    @TempDir
    Path tmp;

    private final List<ChildJvm> children = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** In-flight batches found whole after the restart (committed, answer lost) and found absent. */
    private int inFlightLanded;
    private int inFlightLost;

    /** Batch number → its fate as the client saw it. */
    private final Map<Integer, Boolean> acknowledged = Collections.synchronizedMap(new TreeMap<>());

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void acknowledgedBatchesSurviveKillMinus9() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("CrashSafetyTest: seed " + seed + " (rerun with -Dcrash.seed=" + seed + ")");
        Random random = new Random(seed);
        Path data = tmp.resolve("data");
        assertThat(IdnodeCommand.run("prefix", "add", PREFIX, "--enterprise", "Crash Test Laminate Co.", "--admin-secret", SECRET,
                "--data-dir", data.toString())).isZero();

        long started = System.nanoTime();
        int nextBatch = 0;
        List<Integer> inFlight = new ArrayList<>(); // sent, not acknowledged: re-sent after the restart
        Set<Integer> checkedFully = new HashSet<>();
        int totalAcked = 0;
        try {
            for (int cycle = 1; cycle <= KILLS + 1; cycle++) {
                long t0 = System.nanoTime();
                Node node = serve(data);
                int port = node.httpPort();
                long t1 = System.nanoTime();
                // Verify what the previous cycles left.
                int read = verify(port, inFlight, checkedFully, random, "restart " + (cycle - 1));
                System.out.printf("CrashSafetyTest: restart %d: node ready in %d ms, %d records read back in %d ms%n", cycle - 1,
                        (t1 - t0) / 1_000_000, read, (System.nanoTime() - t1) / 1_000_000);
                if (cycle > KILLS) {
                    // The last restart: read back every acknowledged record once, then stop cleanly.
                    long t2 = System.nanoTime();
                    int all = verifyEverything(port);
                    System.out.printf("CrashSafetyTest: final read-back of %d acknowledged records in %d ms%n", all,
                            (System.nanoTime() - t2) / 1_000_000);
                    node.child().terminate(STOP_TIMEOUT);
                    break;
                }
                // Stream batches from a client thread; once the first is acknowledged, kill the node 0-450 ms later
                // (waiting for an acknowledgement keeps every cycle meaningful however loaded the machine is).
                List<Integer> retry = new ArrayList<>(inFlight);
                inFlight.clear();
                Client client = new Client(port, retry, nextBatch);
                Thread t = new Thread(client, "crash-client-" + cycle);
                t.setDaemon(true);
                t.start();
                long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (client.acked == 0 && client.failure == null && t.isAlive() && System.nanoTime() < waitUntil) {
                    Thread.sleep(5);
                }
                assertThat(client.acked).as("a batch acknowledged in cycle " + cycle).isPositive();
                long delay = random.nextInt(451);
                Thread.sleep(delay);
                node.child().process().destroyForcibly(); // SIGKILL
                assertThat(node.child().process().waitFor(15, TimeUnit.SECONDS)).as("node killed").isTrue();
                client.stop.set(true);
                t.join(30_000);
                assertThat(t.isAlive()).as("client thread ended").isFalse();
                if (client.failure != null) {
                    throw new AssertionError("client failed in cycle " + cycle, client.failure);
                }
                nextBatch = client.next;
                inFlight.addAll(client.unacknowledged);
                totalAcked += client.acked;
                System.out.printf("CrashSafetyTest: cycle %d: killed %d ms after the first acknowledgement, %d batches acknowledged, %d not acknowledged%n",
                        cycle, delay, client.acked, client.unacknowledged.size());
            }
            // And once more offline, straight from the store, after the last (clean) stop.
            verifyStoreOffline(data);
        } finally {
            for (ChildJvm c : children) {
                c.killForcibly();
            }
        }
        long seconds = (System.nanoTime() - started) / 1_000_000_000;
        System.out.printf("CrashSafetyTest: %d kills, %d batches acknowledged (%d records); of the batches in flight at a kill "
                        + "%d were found whole (committed, answer lost) and %d absent; %d s%n",
                KILLS, totalAcked, totalAcked * RECORDS_PER_BATCH, inFlightLanded, inFlightLost, seconds);
        assertThat(totalAcked).as("batches acknowledged over the whole run").isGreaterThanOrEqualTo(KILLS);
    }

    // ---------------------------------------------------------------------------------------------
    // The client
    // ---------------------------------------------------------------------------------------------

    /** Streams batches until the node dies: first the batches to retry, then new ones. */
    final class Client implements Runnable {
        final int port;
        final List<Integer> retry;
        int next;
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Integer> unacknowledged = new ArrayList<>();
        volatile int acked;
        volatile Throwable failure;

        Client(int port, List<Integer> retry, int next) {
            this.port = port;
            this.retry = retry;
            this.next = next;
        }

        @Override
        public void run() {
            try {
                List<Integer> queue = new ArrayList<>(retry);
                while (!stop.get()) {
                    int batch;
                    if (!queue.isEmpty()) {
                        batch = queue.remove(0);
                    } else {
                        batch = next++;
                        acknowledged.put(batch, false);
                    }
                    HttpResponse<String> resp;
                    try {
                        resp = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/batch"))
                                .timeout(Duration.ofSeconds(20)).header("Authorization", basic())
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(batchBody(batch), StandardCharsets.UTF_8)).build(),
                                HttpResponse.BodyHandlers.ofString());
                    } catch (IOException e) {
                        // The node died under this request (or before it): not acknowledged.
                        unacknowledged.add(batch);
                        unacknowledged.addAll(queue);
                        return;
                    }
                    if (resp.statusCode() == 200 && allAccepted(resp.body())) {
                        acknowledged.put(batch, true);
                        acked++;
                    } else {
                        failure = new AssertionError("batch " + batch + " was answered but not accepted: " + resp.statusCode() + " " + resp.body());
                        return;
                    }
                }
                unacknowledged.addAll(queue);
            } catch (Throwable e) {
                failure = e;
            }
        }
    }

    static boolean allAccepted(String body) {
        JsonObject o = JsonParser.parseString(body).getAsJsonObject();
        JsonArray results = o.getAsJsonArray("results");
        if (results == null || results.size() != RECORDS_PER_BATCH) {
            return false;
        }
        for (JsonElement r : results) {
            if (r.getAsJsonObject().get("responseCode").getAsInt() != AbstractMessage.RC_SUCCESS) {
                return false;
            }
        }
        return true;
    }

    static String handle(int batch, int record) {
        return PREFIX + "/CRASH-B" + batch + "-R" + record;
    }

    /** The values a record carries: index → "TYPE=data". Every value names its batch. */
    static Map<Integer, String> expected(int batch, int record) {
        Map<Integer, String> v = new LinkedHashMap<>();
        v.put(1, "URL=https://example.com/crash/b" + batch + "/r" + record);
        v.put(2, "BATCH=" + batch);
        v.put(3, "RECORD=" + record);
        v.put(4, "DESC=batch " + batch + " record " + record + " of " + RECORDS_PER_BATCH + " " + "x".repeat(64));
        return v;
    }

    static String batchBody(int batch) {
        JsonArray records = new JsonArray();
        for (int r = 0; r < RECORDS_PER_BATCH; r++) {
            JsonArray values = new JsonArray();
            for (Map.Entry<Integer, String> e : expected(batch, r).entrySet()) {
                String[] typeData = e.getValue().split("=", 2);
                JsonObject data = new JsonObject();
                data.addProperty("format", "string");
                data.addProperty("value", typeData[1]);
                JsonObject v = new JsonObject();
                v.addProperty("index", e.getKey());
                v.addProperty("type", typeData[0]);
                v.add("data", data);
                values.add(v);
            }
            JsonObject rec = new JsonObject();
            rec.addProperty("handle", handle(batch, r));
            rec.add("values", values);
            records.add(rec);
        }
        JsonObject body = new JsonObject();
        body.add("records", records);
        return body.toString();
    }

    static String basic() {
        String user = URLEncoder.encode("301:0.NA/" + PREFIX, StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + SECRET).getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------------------------------------
    // Verification
    // ---------------------------------------------------------------------------------------------

    /**
     * After a restart: the names under the prefix hold every record of every acknowledged batch, only records of
     * batches that were sent, and every batch whole or absent; the values of every record of the batches not yet
     * read back (the newest ones) and of the in-flight batches are complete, as are those of a random sample of
     * older records.
     */
    private int verify(int port, List<Integer> inFlight, Set<Integer> checkedFully, Random random, String when) throws Exception {
        Map<Integer, Boolean> fates;
        synchronized (acknowledged) {
            fates = new TreeMap<>(acknowledged);
        }
        Map<Integer, Set<Integer>> present = listed(port);
        for (int batch : present.keySet()) {
            assertThat(fates).as("%s: records of batch %d exist, but it was never sent", when, batch).containsKey(batch);
        }
        for (Map.Entry<Integer, Boolean> f : fates.entrySet()) {
            int batch = f.getKey();
            Set<Integer> records = present.getOrDefault(batch, Set.of());
            if (f.getValue()) {
                assertThat(records.size()).as("%s: acknowledged batch %d has %d of its %d records", when, batch, records.size(),
                        RECORDS_PER_BATCH).isEqualTo(RECORDS_PER_BATCH);
            } else {
                assertThat(records.size()).as("%s: unacknowledged batch %d is half there (%d of %d records); a batch is one write batch",
                        when, batch, records.size(), RECORDS_PER_BATCH).isIn(0, RECORDS_PER_BATCH);
            }
        }
        for (int batch : inFlight) {
            if (present.containsKey(batch)) {
                inFlightLanded++;
            } else {
                inFlightLost++;
            }
        }
        List<int[]> toRead = new ArrayList<>();
        List<int[]> older = new ArrayList<>();
        for (Map.Entry<Integer, Set<Integer>> p : present.entrySet()) {
            int batch = p.getKey();
            boolean fresh = !checkedFully.contains(batch) || inFlight.contains(batch);
            for (int r : p.getValue()) {
                (fresh ? toRead : older).add(new int[] {batch, r});
            }
        }
        Collections.shuffle(older, random);
        toRead.addAll(older.subList(0, Math.min(SAMPLE_PER_RESTART, older.size())));
        for (int[] br : toRead) {
            checkRecord(port, br[0], br[1], when);
        }
        for (Map.Entry<Integer, Set<Integer>> p : present.entrySet()) {
            if (p.getValue().size() == RECORDS_PER_BATCH) {
                checkedFully.add(p.getKey());
            }
        }
        return toRead.size();
    }

    /** Reads back every record of every acknowledged batch through the node. */
    private int verifyEverything(int port) throws Exception {
        int n = 0;
        for (Map.Entry<Integer, Boolean> f : acknowledged.entrySet()) {
            if (f.getValue()) {
                for (int r = 0; r < RECORDS_PER_BATCH; r++) {
                    checkRecord(port, f.getKey(), r, "final read-back");
                    n++;
                }
            }
        }
        return n;
    }

    /** After the last stop: the store itself holds every acknowledged record whole, and no record is partial. */
    private void verifyStoreOffline(Path data) {
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(data, 8)) {
            for (Map.Entry<Integer, Boolean> f : acknowledged.entrySet()) {
                for (int r = 0; r < RECORDS_PER_BATCH; r++) {
                    Optional<HandleRecord> rec = store.get(HandleName.parse(handle(f.getKey(), r)));
                    if (f.getValue()) {
                        assertThat(rec).as("store: acknowledged record %s", handle(f.getKey(), r)).isPresent();
                    }
                    rec.ifPresent(record -> {
                        Map<Integer, String> got = new TreeMap<>();
                        for (HandleValue v : record.values()) {
                            got.put(v.index(), v.type() + "=" + new String(v.data(), StandardCharsets.UTF_8));
                        }
                        assertThat(got).as("store: %s", record.handle()).isEqualTo(new TreeMap<>(expected(
                                Integer.parseInt(record.handle().toString().replaceAll(".*-B(\\d+)-R.*", "$1")),
                                Integer.parseInt(record.handle().toString().replaceAll(".*-R(\\d+)$", "$1")))));
                    });
                }
            }
        }
    }

    private void checkRecord(int port, int batch, int record, String when) throws Exception {
        String h = handle(batch, record);
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/handles/" + h))
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).as("%s: GET %s: %s", when, h, resp.body()).isEqualTo(200);
        Map<Integer, String> got = new TreeMap<>();
        for (JsonElement e : JsonParser.parseString(resp.body()).getAsJsonObject().getAsJsonArray("values")) {
            JsonObject v = e.getAsJsonObject();
            got.put(v.get("index").getAsInt(), v.get("type").getAsString() + "=" + v.getAsJsonObject("data").get("value").getAsString());
        }
        assertThat(got).as("%s: %s has every value of batch %d", when, h, batch).isEqualTo(new TreeMap<>(expected(batch, record)));
    }

    /** Batch → record numbers of the CRASH records the node lists under the prefix. */
    private Map<Integer, Set<Integer>> listed(int port) throws Exception {
        Pattern name = Pattern.compile(Pattern.quote(PREFIX) + "/CRASH-B(\\d+)-R(\\d+)");
        Map<Integer, Set<Integer>> out = new TreeMap<>();
        for (int page = 0; ; page++) {
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/api/handles?prefix=" + PREFIX + "&pageSize=5000&page=" + page))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", basic()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(resp.statusCode()).as("list: %s", resp.body()).isEqualTo(200);
            JsonArray handles = JsonParser.parseString(resp.body()).getAsJsonObject().getAsJsonArray("handles");
            for (JsonElement e : handles) {
                Matcher m = name.matcher(e.getAsString());
                assertThat(m.matches()).as("unexpected handle %s", e.getAsString()).isTrue();
                out.computeIfAbsent(Integer.parseInt(m.group(1)), b -> new HashSet<>()).add(Integer.parseInt(m.group(2)));
            }
            if (handles.size() < 5000) {
                return out;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The node process
    // ---------------------------------------------------------------------------------------------

    /**
     * Starts {@code idnode serve} on {@code data}, waits for 'ready' and returns it with the HTTP port it printed. The
     * node has the default configuration but for the per-address rate, which the read-back after each restart (every
     * request from 127.0.0.1, as fast as the machine allows) would otherwise exceed.
     */
    private Node serve(Path data) throws Exception {
        Path cwd = Files.createTempDirectory(tmp, "cwd");
        Path config = Files.writeString(cwd.resolve("node.yaml"), "limits:\n  rate: {per-second: 100000000, burst: 1000000000}\n");
        ChildJvm c = ChildJvm.launch(cwd, "org.idnode.server.cli.IdnodeCommand", List.of(), "serve", "--config", config.toString(),
                "--data-dir", data.toString(), "--handle-port", "0", "--http-port", "0", "--grpc-port", "0", "--bind", "127.0.0.1");
        children.add(c);
        List<String> seen = c.awaitReady();
        int httpPort = ChildJvm.NodePorts.of(seen).http();
        assertThat(httpPort).as("http port in %s", seen).isPositive();
        return new Node(c, httpPort);
    }

    /** A started node with the HTTP port it printed. */
    private record Node(ChildJvm child, int httpPort) {
    }
}
