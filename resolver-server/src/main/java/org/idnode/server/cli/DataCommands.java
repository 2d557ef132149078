package org.idnode.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;

import com.google.gson.JsonObject;
import org.idnode.registry.store.ReadOnlyStore;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.IdentifierNode;
import org.idnode.server.backup.BackupException;
import org.idnode.server.backup.BackupManifest;
import org.idnode.server.backup.Backups;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.importer.RecordExporter;
import org.idnode.server.keys.NodeKeys;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code idnode} commands that move a data folder's contents: {@code backup}, {@code restore} and {@code export}
 * ({@code import} is {@link IdnodeCommand}'s), and {@code compact}, which rewrites its store files. {@code backup} and {@code export} work on a running node through its
 * operator API when one holds the data folder, and offline on the folder otherwise ({@link OfflineOrOnlineCommand});
 * {@code restore} and {@code compact} are offline.
 * Exit codes as {@link IdnodeCommand}: 1 a backup that is damaged, 2 a refused request (target not empty, outside the
 * backup root, no token), 3 a failure to read, write or reach the node.
 */
final class DataCommands {
    private DataCommands() {
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = "Take a consistent backup of the data folder (a RocksDB checkpoint of the whole store, the node's keys and a "
                    + "manifest) into a new folder. With a node running on the data folder it goes through the node's operator API "
                    + "while the node serves, and the folder must be under the node's backup.root; otherwise it is taken offline.")
    static final class Backup extends OfflineOrOnlineCommand<Backup.Taken> {
        @Option(names = "--to", paramLabel = "DIR", required = true, description = "the backup folder to create; must not exist")
        Path to;

        /** A backup written, and how. */
        record Taken(BackupManifest manifest, String how) {
        }

        @Override
        Taken online(NodeAdminClient node, NodeConfig cfg) throws InterruptedException {
            // The node writes the backup on this machine; its manifest is read from there.
            node.backup(target().toString());
            return new Taken(BackupManifest.read(target()), "online");
        }

        @Override
        Taken offline(RocksDbHandleRecordStore store, NodeConfig cfg) {
            return new Taken(Backups.create(store::checkpoint, cfg.dataDir().resolve(NodeKeys.FOLDER), target()), "offline");
        }

        @Override
        int finish(NodeConfig cfg, Taken taken) {
            BackupManifest manifest = taken.manifest();
            PrintWriter out = data.out();
            out.printf("backup of %s written to %s (%s): %d records, RocksDB sequence number %d, %d files, %d bytes%n",
                    cfg.dataDir(), target(), taken.how(), manifest.records(), manifest.sequenceNumber(), manifest.files().size(),
                    manifest.totalBytes());
            if (Backups.sharesFilesWithTheStore(target())) {
                out.println("its table files are hard links into the data folder (same file system): copy the backup to another disk "
                        + "to keep it safe from the loss of this one");
            }
            return 0;
        }

        private Path target() {
            return to.toAbsolutePath().normalize();
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Restore a backup into a data folder (--data-dir), offline: checks the manifest and every file's checksum, "
                    + "opens the restored store to check its record count and sequence number, then moves it into place. "
                    + "Refuses a data folder that is not empty unless --force.")
    static final class Restore implements Callable<Integer> {
        @CommandLine.Mixin
        DataFolder data;
        @Option(names = "--from", paramLabel = "DIR", required = true, description = "the backup folder")
        Path from;
        @Option(names = "--force", description = "replace a data folder that is not empty (never one a running node uses)")
        boolean force;

        @Override
        public Integer call() {
            NodeConfig cfg = data.config();
            BackupManifest m;
            try {
                m = Backups.restore(from, cfg.dataDir(), force);
            } catch (BackupException e) {
                return data.refuse(e);
            }
            data.out().printf("restored %d records (RocksDB sequence number %d, backup taken %s by idnode %s) into %s%n",
                    m.records(), m.sequenceNumber(), m.created(), m.nodeVersion(), cfg.dataDir().toAbsolutePath().normalize());
            return 0;
        }
    }

    @Command(name = "compact", mixinStandardHelpOptions = true,
            description = "Rewrite every store file of a data folder (--data-dir) in the current format, offline (stop the node "
                    + "first), dropping overwritten and deleted records. Files written by idnode builds before partitioned filters "
                    + "(November 2026) keep whole-file filters until they are rewritten, which makes a read that misses the record "
                    + "cache slow on a large data set. Needs free disk space for a copy of the store.")
    static final class Compact implements Callable<Integer> {
        private static final String TABLE_FILES_BYTES = "rocksdb.live-sst-files-size";
        @CommandLine.Mixin
        DataFolder data;

        @Override
        public Integer call() {
            NodeConfig cfg = data.config();
            Path dir = cfg.dataDir();
            if (Backups.storeInUse(dir)) {
                return data.refuse(IdnodeCommand.EXIT_CONFIG, "a node is running on " + dir + "; stop it first (compact works offline)");
            }
            long began = System.nanoTime();
            try (RocksDbHandleRecordStore store = DataFolder.openExistingStore(cfg)) {
                long before = store.aggregatedProperty(TABLE_FILES_BYTES);
                store.compact();
                data.out().printf("compacted %s: store files %.1f MB before, %.1f MB after, in %.1f s%n", dir.toAbsolutePath().normalize(),
                        before / 1e6, store.aggregatedProperty(TABLE_FILES_BYTES) / 1e6, (System.nanoTime() - began) / 1e9);
            } catch (BackupException e) {
                return data.refuse(e);
            }
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write every record as JSON lines (the format 'idnode import' reads; every field of every value, timestamps "
                    + "included) from a consistent checkpoint of the store. With a node running on the data folder the checkpoint "
                    + "is an online backup under the node's backup.root, removed afterwards; otherwise it is taken offline.")
    static final class Export extends OfflineOrOnlineCommand<Export.Checkpoint> {
        @Option(names = "--out", paramLabel = "FILE", required = true, description = "the JSON-lines file to write (replaced)")
        Path out;

        /** A consistent copy of the store to read, and the folder to delete afterwards. */
        record Checkpoint(Path store, Path cleanUp) {
        }

        @Override
        Checkpoint online(NodeAdminClient node, NodeConfig cfg) throws InterruptedException {
            JsonObject job = node.backup("export-" + UUID.randomUUID());
            Path backup = Path.of(job.get("to").getAsString());
            return new Checkpoint(backup.resolve(IdentifierNode.STORE_FOLDER), backup);
        }

        @Override
        Checkpoint offline(RocksDbHandleRecordStore store, NodeConfig cfg) {
            Path checkpoint = cfg.dataDir().resolve(".export-checkpoint-" + UUID.randomUUID());
            store.checkpoint(checkpoint);
            return new Checkpoint(checkpoint, checkpoint);
        }

        @Override
        int finish(NodeConfig cfg, Checkpoint checkpoint) throws IOException {
            long n;
            long started = System.nanoTime();
            try (ReadOnlyStore store = ReadOnlyStore.open(checkpoint.store())) {
                n = RecordExporter.export(store, out);
            } finally {
                Backups.deleteRecursively(checkpoint.cleanUp());
            }
            data.out().printf("exported %d records from %s to %s in %.1f s%n", n, cfg.dataDir(), out, (System.nanoTime() - started) / 1e9);
            return 0;
        }
    }
}
