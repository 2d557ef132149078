package org.idnode.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
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
 * ({@code import} is {@link IdnodeCommand}'s). {@code backup} and {@code export} work on a running node through its
 * operator API when one holds the data folder, and offline on the folder otherwise; {@code restore} is offline.
 * Exit codes as {@link IdnodeCommand}: 1 a backup that is damaged, 2 a refused request (target not empty, outside the
 * backup root, no token), 3 a failure to read, write or reach the node.
 */
final class DataCommands {
    /** The variable holding an operator token, for the commands that call a running node. */
    static final String TOKEN_VARIABLE = "IDNODE_TOKEN";
    /** Block cache of a store opened offline just to take its checkpoint. */
    private static final int OFFLINE_BLOCK_CACHE_MB = 8;

    private DataCommands() {
    }

    /** How to reach the node running on the data folder, for the commands that can work online. */
    static final class OnlineOptions {
        @Option(names = "--node", paramLabel = "URL",
                description = "the running node's HTTP address, e.g. http://127.0.0.1:8000; work online through it (default: online "
                        + "at listen.bind and listen.http-port when a node holds the data folder, else offline)")
        URI node;
        @Option(names = "--token-file", paramLabel = "FILE",
                description = "file holding an operator token, for online work (default: the " + TOKEN_VARIABLE + " variable)")
        Path tokenFile;

        /** True when the command must go through the node: one is named, or one holds the data folder. */
        boolean online(NodeConfig cfg) {
            return node != null || Backups.storeInUse(cfg.dataDir());
        }

        NodeAdminClient client(NodeConfig cfg) {
            String token;
            try {
                token = tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv(TOKEN_VARIABLE);
            } catch (IOException e) {
                throw new BackupException(BackupException.Kind.REFUSED, "--token-file: cannot read " + tokenFile + ": " + e.getMessage());
            }
            if (token == null || token.isEmpty()) {
                throw new BackupException(BackupException.Kind.REFUSED, "a node is running on " + cfg.dataDir() + "; working online needs an "
                        + "operator token (--token-file FILE or the " + TOKEN_VARIABLE + " variable; 'idnode token add <node prefix> --name ops' "
                        + "issues one while the node is stopped)");
            }
            URI base = node;
            if (base == null) {
                String host = cfg.advertisedAddress();
                base = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + cfg.httpPort());
            }
            return new NodeAdminClient(base, token);
        }
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = "Take a consistent backup of the data folder (a RocksDB checkpoint of the whole store, the node's keys and a "
                    + "manifest) into a new folder. With a node running on the data folder it goes through the node's operator API "
                    + "while the node serves, and the folder must be under the node's backup.root; otherwise it is taken offline.")
    static final class Backup implements Callable<Integer> {
        @CommandLine.Mixin
        IdnodeCommand.NodeOptions options;
        @CommandLine.Mixin
        OnlineOptions online;
        @Option(names = "--to", paramLabel = "DIR", required = true, description = "the backup folder to create; must not exist")
        Path to;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            NodeConfig cfg = options.load();
            PrintWriter err = spec.commandLine().getErr();
            Path target = to.toAbsolutePath().normalize();
            BackupManifest manifest;
            String how;
            try {
                if (online.online(cfg)) {
                    // The node writes the backup on this machine; its manifest is read from there.
                    online.client(cfg).backup(target.toString());
                    manifest = BackupManifest.read(target);
                    how = "online";
                } else {
                    manifest = offline(cfg, target);
                    how = "offline";
                }
            } catch (BackupException e) {
                return fail(err, "backup", e);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("backup of %s written to %s (%s): %d records, RocksDB sequence number %d, %d files, %d bytes%n",
                    cfg.dataDir(), target, how, manifest.records(), manifest.sequenceNumber(), manifest.files().size(), manifest.totalBytes());
            if (Backups.sharesFilesWithTheStore(target)) {
                out.println("its table files are hard links into the data folder (same file system): copy the backup to another disk "
                        + "to keep it safe from the loss of this one");
            }
            return 0;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Restore a backup into a data folder (--data-dir), offline: checks the manifest and every file's checksum, "
                    + "opens the restored store to check its record count and sequence number, then moves it into place. "
                    + "Refuses a data folder that is not empty unless --force.")
    static final class Restore implements Callable<Integer> {
        @CommandLine.Mixin
        IdnodeCommand.NodeOptions options;
        @Option(names = "--from", paramLabel = "DIR", required = true, description = "the backup folder")
        Path from;
        @Option(names = "--force", description = "replace a data folder that is not empty (never one a running node uses)")
        boolean force;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            NodeConfig cfg = options.load();
            BackupManifest m;
            try {
                m = Backups.restore(from, cfg.dataDir(), force);
            } catch (BackupException e) {
                return fail(spec.commandLine().getErr(), "restore", e);
            }
            spec.commandLine().getOut().printf("restored %d records (RocksDB sequence number %d, backup taken %s by idnode %s) into %s%n",
                    m.records(), m.sequenceNumber(), m.created(), m.nodeVersion(), cfg.dataDir().toAbsolutePath().normalize());
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write every record as JSON lines (the format 'idnode import' reads; every field of every value, timestamps "
                    + "included) from a consistent checkpoint of the store. With a node running on the data folder the checkpoint "
                    + "is an online backup under the node's backup.root, removed afterwards; otherwise it is taken offline.")
    static final class Export implements Callable<Integer> {
        @CommandLine.Mixin
        IdnodeCommand.NodeOptions options;
        @CommandLine.Mixin
        OnlineOptions online;
        @Option(names = "--out", paramLabel = "FILE", required = true, description = "the JSON-lines file to write (replaced)")
        Path out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            NodeConfig cfg = options.load();
            PrintWriter err = spec.commandLine().getErr();
            Path checkpoint;
            Path cleanUp;
            try {
                if (online.online(cfg)) {
                    JsonObject job = online.client(cfg).backup("export-" + UUID.randomUUID());
                    cleanUp = Path.of(job.get("to").getAsString());
                    checkpoint = cleanUp.resolve(IdentifierNode.STORE_FOLDER);
                } else {
                    requireStore(cfg);
                    cleanUp = cfg.dataDir().resolve(".export-checkpoint-" + UUID.randomUUID());
                    checkpoint = cleanUp;
                    try (RocksDbHandleRecordStore store = IdentifierNode.openStore(cfg.dataDir(), OFFLINE_BLOCK_CACHE_MB)) {
                        store.checkpoint(checkpoint);
                    }
                }
            } catch (BackupException e) {
                return fail(err, "export", e);
            }
            long n;
            long started = System.nanoTime();
            try (ReadOnlyStore store = ReadOnlyStore.open(checkpoint)) {
                n = RecordExporter.export(store, out);
            } finally {
                Backups.deleteRecursively(cleanUp);
            }
            spec.commandLine().getOut().printf("exported %d records from %s to %s in %.1f s%n", n, cfg.dataDir(), out,
                    (System.nanoTime() - started) / 1e9);
            return 0;
        }
    }

    /** Takes a backup offline: the store is opened (so no node may hold it), checkpointed and closed. */
    private static BackupManifest offline(NodeConfig cfg, Path to) {
        requireStore(cfg);
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(cfg.dataDir(), OFFLINE_BLOCK_CACHE_MB)) {
            return Backups.create(store::checkpoint, cfg.dataDir().resolve(NodeKeys.FOLDER), to);
        }
    }

    private static void requireStore(NodeConfig cfg) {
        if (!Files.isDirectory(cfg.dataDir().resolve(IdentifierNode.STORE_FOLDER))) {
            throw new BackupException(BackupException.Kind.REFUSED, cfg.dataDir() + " holds no store; check --data-dir or data-dir");
        }
    }

    private static int fail(PrintWriter err, String command, BackupException e) {
        err.println("idnode " + command + ": " + e.getMessage());
        return switch (e.kind()) {
            case BAD_BACKUP -> IdnodeCommand.EXIT_BAD_DATA;
            case REFUSED, BUSY -> IdnodeCommand.EXIT_CONFIG;
            case FAILED -> IdnodeCommand.EXIT_STORE;
        };
    }
}
