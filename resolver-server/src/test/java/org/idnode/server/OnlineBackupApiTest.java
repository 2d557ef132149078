package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.google.gson.JsonObject;
import net.handle.hdllib.AbstractMessage;
import org.idnode.server.JsonHttp.Resp;
import org.idnode.server.backup.BackupManifest;
import org.idnode.server.config.NodeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Online backups of an in-process node through its operator API ({@code POST}/{@code GET /api/admin/backup}) and
 * through {@code idnode backup --node URL} and {@code idnode export --node URL}: operators only; the folder must be
 * under {@code backup.root} (no absolute path elsewhere, no {@code ..}, no symbolic link leading out); a finished
 * backup restores to the node's records byte for byte.
 */
class OnlineBackupApiTest {
    static final String OPS_SECRET = "operator-s3cr3t";

    @TempDir
    static Path dir;
    static Path root;
    static IdentifierNode node;
    static String opsToken;
    static String enterpriseToken;
    static JsonHttp http;

    @BeforeAll
    static void start() throws Exception {
        String d = dir.resolve("data").toString();
        JsonHttp.cli("operator", "add", "--admin-secret", OPS_SECRET, "--data-dir", d);
        opsToken = JsonHttp.cli("token", "add", "88.999", "--name", "ops", "--data-dir", d);
        JsonHttp.cli("prefix", "add", "88.999.1", "--enterprise", "Example PCB Fab", "--admin-secret", "fab", "--data-dir", d);
        enterpriseToken = JsonHttp.cli("token", "add", "88.999.1", "--name", "erp", "--data-dir", d);
        Path sample = Path.of(System.getProperty("idnode.project.root"), "conf", "sample-data", "pcb-sample.jsonl");
        JsonHttp.cli("import", sample.toString(), "--data-dir", d);
        root = dir.resolve("backups");
        Path yaml = Files.writeString(dir.resolve("node.yaml"), "backup:\n  root: " + root + "\n");
        node = IdentifierNode.start(NodeConfig.load(yaml).withOverrides(dir.resolve("data"), 0, 0, 0, "127.0.0.1"));
        http = new JsonHttp(node.httpAddress().getPort());
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static String to(String folder) {
        JsonObject o = new JsonObject();
        o.addProperty("to", folder);
        return o.toString();
    }

    private static Resp awaitDone() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Resp r = http.send("GET", "/api/admin/backup", null, JsonHttp.bearer(opsToken));
            assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
            if (!r.json().get("state").getAsString().equals("running") || System.nanoTime() > deadline) {
                return r;
            }
            Thread.sleep(50);
        }
    }

    @Test
    void onlyOperatorsMayBackUp() throws Exception {
        Resp anonymous = http.send("POST", "/api/admin/backup", to("x1"), null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.rc()).isEqualTo(AbstractMessage.RC_AUTHENTICATION_NEEDED);
        Resp enterprise = http.send("POST", "/api/admin/backup", to("x1"), JsonHttp.bearer(enterpriseToken));
        assertThat(enterprise.status()).isEqualTo(403);
        assertThat(root.resolve("x1")).doesNotExist();
    }

    @Test
    void foldersOutsideTheBackupRootAreRefused() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createDirectories(root);
        Files.createSymbolicLink(root.resolve("link"), outside);
        for (String bad : List.of(outside.resolve("b").toString(), "../outside/b2", "a/../../outside/b3", "link/b4", "", ".hidden")) {
            Resp r = http.send("POST", "/api/admin/backup", to(bad), JsonHttp.bearer(opsToken));
            assertThat(r.status()).as("'%s': %s", bad, r.json()).isEqualTo(400);
            assertThat(r.message()).as(bad).containsAnyOf("outside the backup root", "symbolic link", "give the backup folder", "must not start with '.'");
        }
        try (var s = Files.list(outside)) {
            assertThat(s.toList()).as("nothing written outside the root").isEmpty();
        }
        Resp unknownField = http.send("POST", "/api/admin/backup", "{\"to\":\"x\",\"where\":1}", JsonHttp.bearer(opsToken));
        assertThat(unknownField.status()).isEqualTo(400);
        Resp wrongMethod = http.send("DELETE", "/api/admin/backup", null, JsonHttp.bearer(opsToken));
        assertThat(wrongMethod.status()).isEqualTo(405);
    }

    @Test
    void aBackupThroughTheApiRestoresToTheSameRecords() throws Exception {
        Resp started = http.send("POST", "/api/admin/backup", to("nightly/2025-06-01"), JsonHttp.bearer(opsToken));
        assertThat(started.status()).as(started.json().toString()).isEqualTo(202);
        assertThat(started.json().get("to").getAsString()).isEqualTo(root.resolve("nightly/2025-06-01").toString());
        Resp done = awaitDone();
        assertThat(done.json().get("state").getAsString()).as(done.json().toString()).isEqualTo("done");
        JsonObject manifest = done.json().getAsJsonObject("manifest");
        Path backup = root.resolve("nightly/2025-06-01");
        assertThat(BackupManifest.read(backup).toJson()).isEqualTo(manifest);

        Resp again = http.send("POST", "/api/admin/backup", to("nightly/2025-06-01"), JsonHttp.bearer(opsToken));
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.message()).contains("already exists");

        Path restored = dir.resolve("restored-api");
        CliRun restore = CliRun.of("restore", "--from", backup.toString(), "--data-dir", restored.toString());
        assertThat(restore.code()).as(restore.toString()).isZero();
        assertThat(RawStore.records(restored.resolve("store")).size()).isEqualTo(manifest.get("records").getAsLong());
    }

    @Test
    void theCommandsWorkOnlineThroughTheNode() throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("ops.token"), opsToken + "\n");
        String url = "http://127.0.0.1:" + node.httpAddress().getPort();
        Path target = root.resolve("cli-backup");
        CliRun backup = CliRun.of("backup", "--node", url, "--token-file", tokenFile.toString(), "--to", target.toString(),
                "--data-dir", dir.resolve("data").toString());
        assertThat(backup.code()).as(backup.toString()).isZero();
        assertThat(backup.out()).contains("(online)");
        assertThat(target.resolve("manifest.json")).exists();

        CliRun outside = CliRun.of("backup", "--node", url, "--token-file", tokenFile.toString(), "--to", dir.resolve("elsewhere").toString());
        assertThat(outside.code()).isEqualTo(2);
        assertThat(outside.err()).contains("answered 400").contains("outside the backup root");

        CliRun noToken = CliRun.of("backup", "--node", url, "--to", root.resolve("no-token").toString());
        assertThat(noToken.code()).isEqualTo(2);
        assertThat(noToken.err()).contains("needs an operator token");

        CliRun badToken = CliRun.of("backup", "--node", url, "--token-file", Files.writeString(dir.resolve("bad.token"), "nope").toString(),
                "--to", root.resolve("bad-token").toString());
        assertThat(badToken.code()).isEqualTo(2);
        assertThat(badToken.err()).contains("answered 403");

        Path online = dir.resolve("online.jsonl");
        CliRun export = CliRun.of("export", "--node", url, "--token-file", tokenFile.toString(), "--out", online.toString());
        assertThat(export.code()).as(export.toString()).isZero();
        try (var s = Files.list(root)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("the export's checkpoint is removed").noneMatch(n -> n.startsWith("export-"));
        }
        assertThat(Files.readAllLines(online)).hasSize((int) BackupManifest.read(target).records());
    }
}
