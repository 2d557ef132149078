package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.idnode.server.backup.BackupManifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code idnode backup} offline and {@code idnode restore} on real data folders: the restored store is the original
 * byte for byte and a node starts on it with the same key; a non-empty target is refused unless {@code --force}; an
 * existing backup folder is never overwritten; and every kind of damaged or incomplete backup is refused with a
 * message that says what is wrong, leaving the target untouched.
 */
class BackupRestoreTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path backup;
    static Map<String, String> original;

    @BeforeAll
    static void dataFolderWithABackup() throws Exception {
        data = tmp.resolve("data");
        Path sample = Path.of(System.getProperty("idnode.project.root"), "conf", "sample-data", "pcb-sample.jsonl");
        assertThat(CliRun.of("import", sample.toString(), "--data-dir", data.toString()).code()).isZero();
        assertThat(CliRun.of("prefix", "add", "88.999.7", "--enterprise", "Backup Test Co.", "--admin-secret", "s", "--data-dir",
                data.toString()).code()).isZero();
        try (TestNode node = TestNode.start(data, List.of())) {
            // A node start creates the key pair in the data folder.
            assertThat(node.dataDir.resolve("keys").resolve("privkey.bin")).exists();
        }
        original = RawStore.records(data.resolve("store"));
        backup = tmp.resolve("backups").resolve("b1");
        CliRun run = CliRun.of("backup", "--to", backup.toString(), "--data-dir", data.toString());
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).contains("offline").contains(original.size() + " records");
        assertThat(run.out()).as("same file system: RocksDB hard-linked the table files, and says so").contains("hard links");
    }

    @Test
    void restoredStoreIsTheOriginalByteForByteAndANodeStartsOnIt() throws Exception {
        BackupManifest m = BackupManifest.read(backup);
        assertThat(m.records()).isEqualTo(original.size()).isEqualTo(45);
        assertThat(m.files()).extracting(BackupManifest.FileEntry::path).contains("store/CURRENT", "keys/privkey.bin", "keys/pubkey.bin");
        assertThat(Files.getPosixFilePermissions(backup)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(backup.resolve("keys/privkey.bin"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        Path restored = tmp.resolve("restored");
        CliRun run = CliRun.of("restore", "--from", backup.toString(), "--data-dir", restored.toString());
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).contains("restored 45 records").contains("sequence number " + m.sequenceNumber());
        assertThat(RawStore.records(restored.resolve("store"))).isEqualTo(original);
        for (String key : List.of("privkey.bin", "pubkey.bin")) {
            assertThat(Files.readAllBytes(restored.resolve("keys").resolve(key))).isEqualTo(Files.readAllBytes(data.resolve("keys").resolve(key)));
        }
        assertThat(Files.getPosixFilePermissions(restored.resolve("keys/privkey.bin"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (Stream<Path> s = Files.list(restored.resolve("store"))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("LOG"));
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no unfinished folders left").noneMatch(n -> n.startsWith("."));
        }

        byte[] originalKey;
        try (TestNode node = TestNode.start(data, List.of())) {
            originalKey = node.node.site().siteInfo().servers[0].publicKey;
        }
        try (TestNode node = TestNode.start(restored, List.of())) {
            assertThat(node.node.site().siteInfo().servers[0].publicKey).as("the restored node signs with the same key").isEqualTo(originalKey);
            JsonHttp.Resp got = new JsonHttp(node.httpPort()).send("GET", "/api/handles/88.999.2/PCB.87.01.01.A2.250601.000123", null, null);
            assertThat(got.status()).isEqualTo(200);
            assertThat(got.json().getAsJsonArray("values")).isNotEmpty();
        }
    }

    @Test
    void aBackupFolderIsNeverOverwritten() {
        CliRun again = CliRun.of("backup", "--to", backup.toString(), "--data-dir", data.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains(backup.toString()).contains("already exists");
        CliRun noStore = CliRun.of("backup", "--to", tmp.resolve("b-none").toString(), "--data-dir", tmp.resolve("nothing-here").toString());
        assertThat(noStore.code()).isEqualTo(2);
        assertThat(noStore.err()).contains("holds no store");
        assertThat(tmp.resolve("nothing-here")).doesNotExist();
    }

    @Test
    void aNonEmptyTargetIsRefusedUnlessForced() throws Exception {
        Path target = tmp.resolve("occupied");
        Files.createDirectories(target);
        Files.writeString(target.resolve("notes.txt"), "keep me");
        CliRun refused = CliRun.of("restore", "--from", backup.toString(), "--data-dir", target.toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains(target.toString()).contains("is not empty").contains("--force");
        try (Stream<Path> s = Files.list(target)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("notes.txt");
        }

        CliRun forced = CliRun.of("restore", "--from", backup.toString(), "--data-dir", target.toString(), "--force");
        assertThat(forced.code()).as(forced.toString()).isZero();
        assertThat(target.resolve("notes.txt")).doesNotExist();
        assertThat(RawStore.records(target.resolve("store"))).isEqualTo(original);

        Path empty = Files.createDirectories(tmp.resolve("empty-target"));
        assertThat(CliRun.of("restore", "--from", backup.toString(), "--data-dir", empty.toString()).code()).as("an empty folder is fine").isZero();
    }

    @Test
    void missingManifest() throws Exception {
        assertRefused("no-manifest", b -> delete(b.resolve("manifest.json")), "has no manifest.json");
    }

    @Test
    void truncatedManifest() throws Exception {
        assertRefused("truncated-manifest", b -> {
            String text = read(b.resolve("manifest.json"));
            write(b.resolve("manifest.json"), text.substring(0, text.length() / 2));
        }, "is not valid JSON");
    }

    @Test
    void manifestOfAnotherFormat() throws Exception {
        assertRefused("other-format", b -> editManifest(b, m -> m.addProperty("format", "idnode-backup-99")),
                "has format 'idnode-backup-99'");
    }

    @Test
    void manifestWithoutRecordCount() throws Exception {
        assertRefused("no-count", b -> editManifest(b, m -> m.remove("records")), "lacks the whole number \"records\"");
    }

    @Test
    void manifestNamingAPathOutsideTheBackup() throws Exception {
        assertRefused("escape", b -> editManifest(b, m -> m.getAsJsonArray("files").get(0).getAsJsonObject().addProperty("path", "../../etc/passwd")),
                "which is not inside the backup");
    }

    @Test
    void recordCountThatDoesNotMatchTheStore() throws Exception {
        assertRefused("wrong-count", b -> editManifest(b, m -> m.addProperty("records", 46)), "the manifest says 46 records");
    }

    @Test
    void missingTableFile() throws Exception {
        assertRefused("missing-sst", b -> delete(firstTableFile(b)), "missing: the backup is incomplete");
    }

    @Test
    void truncatedTableFile() throws Exception {
        assertRefused("short-sst", b -> {
            try (RandomAccessFile f = new RandomAccessFile(firstTableFile(b).toFile(), "rw")) {
                f.setLength(f.length() - 1);
            }
        }, "the manifest says");
    }

    @Test
    void flippedByteInATableFile() throws Exception {
        assertRefused("flipped-sst", b -> {
            try (RandomAccessFile f = new RandomAccessFile(firstTableFile(b).toFile(), "rw")) {
                f.seek(f.length() / 2);
                int v = f.read();
                f.seek(f.length() / 2);
                f.write(v ^ 0x01);
            }
        }, "is damaged: its CRC32C");
    }

    @Test
    void aFolderThatIsNoBackup() {
        CliRun run = CliRun.of("restore", "--from", data.toString(), "--data-dir", tmp.resolve("from-data").toString());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("has no manifest.json");
        CliRun missing = CliRun.of("restore", "--from", tmp.resolve("no-such").toString(), "--data-dir", tmp.resolve("from-none").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("is not a folder");
    }

    /** Copies the backup, damages the copy, and checks that restoring it fails with exit 1 and the message, touching nothing. */
    private static void assertRefused(String name, Damage damage, String message) throws Exception {
        Path copy = tmp.resolve("damaged").resolve(name);
        copyTree(backup, copy);
        damage.apply(copy);
        Path target = tmp.resolve("target-" + name);
        CliRun run = CliRun.of("restore", "--from", copy.toString(), "--data-dir", target.toString());
        assertThat(run.code()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).startsWith("idnode restore: ").contains(message);
        assertThat(target).doesNotExist();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no unfinished folders left").noneMatch(n -> n.startsWith("."));
        }
    }

    private interface Damage {
        void apply(Path backupCopy) throws IOException;
    }

    private static Path firstTableFile(Path b) throws IOException {
        try (Stream<Path> s = Files.list(b.resolve("store"))) {
            return s.filter(p -> p.toString().endsWith(".sst")).sorted().findFirst().orElseThrow();
        }
    }

    private static void editManifest(Path b, Consumer<JsonObject> edit) throws IOException {
        JsonObject m = JsonParser.parseString(read(b.resolve("manifest.json"))).getAsJsonObject();
        edit.accept(m);
        write(b.resolve("manifest.json"), m.toString());
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static void write(Path p, String text) throws IOException {
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    private static void delete(Path p) throws IOException {
        Files.delete(p);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest);
                }
            }
        }
    }
}
