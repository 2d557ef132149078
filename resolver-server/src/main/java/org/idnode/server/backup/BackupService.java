package org.idnode.server.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node's online backups: one at a time, on a thread of its own (a backup of a large store takes minutes,
 * longer than an HTTP request may wait), into folders under the configured backup root only ({@code backup.root}).
 * The operator API starts one ({@link #start}) and reports how the latest one went ({@link #latest}).
 *
 * <p>Thread-safe. {@link #close} waits while a backup in progress takes its checkpoint, so that the store is not
 * closed under it; the rest of that backup works on the checkpoint and goes on (a process that ends first leaves a
 * hidden, unfinished folder, never a backup that looks complete).
 */
public final class BackupService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackupService.class);

    private final RocksDbHandleRecordStore store;
    private final Path keysDir;
    private final Path root;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "idnode-backup");
        t.setDaemon(true);
        return t;
    });
    private final Object checkpointing = new Object();
    private boolean closed;
    private Job latest;

    /** The state of one backup. */
    public enum State {
        RUNNING, DONE, FAILED
    }

    /**
     * One backup: where it goes, when it started and ended, and its manifest (when done) or why it failed.
     *
     * @param finished null while running
     * @param manifest null unless done
     * @param error    null unless failed
     */
    public record Job(Path target, State state, Instant started, Instant finished, BackupManifest manifest, String error) {
    }

    /**
     * @param keysDir the data folder's {@code keys/}
     * @param root    {@code backup.root}
     */
    public BackupService(RocksDbHandleRecordStore store, Path keysDir, Path root) {
        this.store = store;
        this.keysDir = keysDir;
        this.root = root.toAbsolutePath().normalize();
    }

    /**
     * Starts a backup into {@code requested}: a path relative to the backup root, or an absolute one inside it; the
     * folder must not exist.
     *
     * @throws BackupException {@link BackupException.Kind#REFUSED} for a path outside the root or an existing folder,
     *                         {@link BackupException.Kind#BUSY} while another backup runs
     */
    public synchronized Job start(String requested) {
        if (latest != null && latest.state() == State.RUNNING) {
            throw new BackupException(BackupException.Kind.BUSY, "a backup to " + latest.target() + " is still running");
        }
        Path target = resolve(requested);
        Job job = new Job(target, State.RUNNING, Instant.now(), null, null, null);
        try {
            worker.execute(() -> run(job));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new BackupException(BackupException.Kind.BUSY, "the node is stopping");
        }
        latest = job;
        return job;
    }

    /** The latest backup since the node started, if any. */
    public synchronized Optional<Job> latest() {
        return Optional.ofNullable(latest);
    }

    /** The backup root, as backups are checked against it. */
    public Path root() {
        return root;
    }

    private void run(Job job) {
        Path target = job.target();
        Job done;
        try {
            BackupManifest m = Backups.create(this::checkpoint, keysDir, target);
            LOG.info("backup written to {}: {} records, sequence number {}", target, m.records(), m.sequenceNumber());
            done = new Job(target, State.DONE, job.started(), Instant.now(), m, null);
        } catch (RuntimeException e) {
            LOG.error("backup to {} failed", target, e);
            done = new Job(target, State.FAILED, job.started(), Instant.now(), null, e.getMessage());
        }
        synchronized (this) {
            latest = done;
        }
    }

    private void checkpoint(Path dir) {
        synchronized (checkpointing) {
            if (closed) {
                throw new BackupException(BackupException.Kind.FAILED, "the node is stopping");
            }
            store.checkpoint(dir);
        }
    }

    private Path resolve(String requested) {
        if (requested == null || requested.isBlank()) {
            throw refused("give the backup folder, a path under the backup root " + root);
        }
        Path target;
        try {
            target = root.resolve(requested).toAbsolutePath().normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw refused("'" + requested + "' is not a valid path");
        }
        if (!target.startsWith(root) || target.equals(root)) {
            throw refused(target + " is outside the backup root " + root + " (backup.root); the node writes backups only under it");
        }
        if (target.getFileName().toString().startsWith(".")) {
            throw refused("a backup folder's name must not start with '.' (the node's unfinished backups are named so)");
        }
        try {
            Files.createDirectories(root);
            Path parent = target.getParent();
            Files.createDirectories(parent);
            // A symbolic link on the way must not lead out of the root.
            if (!parent.toRealPath().startsWith(root.toRealPath())) {
                throw refused(target + " leads out of the backup root " + root + " through a symbolic link");
            }
        } catch (IOException e) {
            throw new BackupException(BackupException.Kind.FAILED, "cannot create " + target.getParent() + ": " + e.getMessage(), e);
        }
        if (Files.exists(target)) {
            throw refused(target + " already exists; a backup goes into a new folder");
        }
        return target;
    }

    private static BackupException refused(String message) {
        return new BackupException(BackupException.Kind.REFUSED, message);
    }

    /** Stops taking backups; waits while one in progress takes its checkpoint of the store. */
    @Override
    public void close() {
        worker.shutdown();
        synchronized (checkpointing) {
            closed = true;
        }
    }
}
