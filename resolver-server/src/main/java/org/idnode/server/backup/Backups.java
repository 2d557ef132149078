package org.idnode.server.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.idnode.registry.store.ReadOnlyStore;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.registry.store.StoreException;
import org.idnode.server.IdentifierNode;
import org.idnode.server.keys.NodeKeys;

/**
 * Backups of a data folder and their restore. A backup is a folder laid out like a data folder, so a node can run
 * on a restored copy as it is:
 * <ul>
 *   <li>{@code store/}: a RocksDB checkpoint of the whole store (every column family), consistent at one point in
 *       time, taken while the node serves ({@link RocksDbHandleRecordStore#checkpoint});</li>
 *   <li>{@code keys/}: the node's key pair from the data folder (absent when the node's key is configured
 *       elsewhere, {@code keys.private-key-file});</li>
 *   <li>{@value BackupManifest#FILE_NAME}: the {@link BackupManifest}, written last.</li>
 * </ul>
 * A backup is built in a hidden sibling folder and renamed into place when complete, so the target folder either
 * does not exist or holds a finished backup; a restore does the same with the new data folder. The backup folder
 * is readable by its owner only: it holds the node's private key.
 *
 * <p>Stateless and thread-safe; {@link #create} on one store may run concurrently with its reads and writes.
 */
public final class Backups {
    /** Files RocksDB writes for its own diagnostics; they are not part of a backup. */
    private static final String INFO_LOG = "LOG";

    private Backups() {
    }

    /**
     * Takes a backup of a store (a running node's, or one opened offline) and the key folder into {@code target},
     * which must not exist. The table files are hard-linked when {@code target} is on the store's file system (a
     * backup on the same disk does not survive that disk: copy it elsewhere) and copied otherwise.
     *
     * @param checkpoint writes the store's checkpoint into the folder it is given, normally
     *                   {@link RocksDbHandleRecordStore#checkpoint}; the store is not used after it returns
     * @param keysDir    the data folder's {@code keys/}; skipped when it does not exist
     * @throws BackupException {@link BackupException.Kind#REFUSED} when {@code target} exists, {@code FAILED} when
     *                         writing fails (nothing is left behind at {@code target} then)
     */
    public static BackupManifest create(Consumer<Path> checkpoint, Path keysDir, Path target) {
        Path dest = target.toAbsolutePath().normalize();
        if (Files.exists(dest)) {
            throw new BackupException(BackupException.Kind.REFUSED, dest + " already exists; a backup goes into a new folder");
        }
        Path partial = null;
        try {
            partial = hiddenSibling(dest, "partial");
            Instant created = Instant.now();
            checkpoint.accept(partial.resolve(IdentifierNode.STORE_FOLDER));
            if (Files.isDirectory(keysDir)) {
                Path keys = Files.createDirectory(partial.resolve(NodeKeys.FOLDER));
                try (Stream<Path> s = Files.list(keysDir)) {
                    for (Path k : s.filter(Files::isRegularFile).toList()) {
                        Files.copy(k, keys.resolve(k.getFileName().toString()), StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
            long sequence;
            long records;
            try (ReadOnlyStore copy = ReadOnlyStore.open(partial.resolve(IdentifierNode.STORE_FOLDER))) {
                sequence = copy.latestSequenceNumber();
                records = copy.recordCount();
            }
            List<BackupManifest.FileEntry> files = new ArrayList<>();
            for (Path f : filesOf(partial)) {
                files.add(new BackupManifest.FileEntry(relative(partial, f), Files.size(f), crc32c(f, null)));
            }
            BackupManifest manifest = new BackupManifest(created, nodeVersion(), sequence, records, files);
            manifest.write(partial);
            for (Path f : filesOf(partial)) {
                fsync(f);
            }
            fsyncDirectory(partial);
            Files.move(partial, dest, StandardCopyOption.ATOMIC_MOVE);
            partial = null;
            fsyncDirectory(dest.getParent());
            return manifest;
        } catch (IOException | StoreException e) {
            throw new BackupException(BackupException.Kind.FAILED, "cannot write the backup to " + dest + ": " + e.getMessage(), e);
        } finally {
            if (partial != null) {
                deleteQuietly(partial);
            }
        }
    }

    /**
     * Checks a backup without changing anything: its manifest, and that every file it lists is there with its size.
     * (The contents are checked against their CRC32C when they are restored.)
     *
     * @throws BackupException {@link BackupException.Kind#BAD_BACKUP} naming the first problem
     */
    public static BackupManifest verify(Path backup) {
        if (!Files.isDirectory(backup)) {
            throw new BackupException(BackupException.Kind.BAD_BACKUP, backup + " is not a folder");
        }
        BackupManifest manifest = BackupManifest.read(backup);
        for (BackupManifest.FileEntry f : manifest.files()) {
            Path p = backup.resolve(f.path());
            try {
                long size = Files.size(p);
                if (size != f.size()) {
                    throw new BackupException(BackupException.Kind.BAD_BACKUP,
                            p + " is " + size + " bytes, the manifest says " + f.size() + ": the backup is damaged");
                }
            } catch (IOException e) {
                throw new BackupException(BackupException.Kind.BAD_BACKUP, p + " is listed in the manifest but missing: the backup is incomplete");
            }
        }
        if (manifest.files().stream().noneMatch(f -> f.path().equals(IdentifierNode.STORE_FOLDER + "/CURRENT"))) {
            throw new BackupException(BackupException.Kind.BAD_BACKUP, "the manifest of " + backup + " lists no RocksDB store");
        }
        return manifest;
    }

    /**
     * Restores a backup into the data folder {@code dataDir}, offline: checks the manifest, copies every file while
     * checking its CRC32C, opens the copy to check every table file's checksums and that its sequence number and
     * record count are the manifest's, then renames it into place.
     *
     * @param force replace a data folder that is not empty (never one a running node uses)
     * @throws BackupException {@code REFUSED} for a non-empty target without {@code force} or a target in use;
     *                         {@code BAD_BACKUP} for a backup that is incomplete or damaged; {@code FAILED} when writing
     *                         fails. {@code dataDir} is untouched in every case.
     */
    public static BackupManifest restore(Path backup, Path dataDir, boolean force) {
        BackupManifest manifest = verify(backup);
        Path dest = dataDir.toAbsolutePath().normalize();
        boolean replace = Files.exists(dest) && !isEmptyDirectory(dest);
        if (replace && !force) {
            throw new BackupException(BackupException.Kind.REFUSED, dest + " is not empty; restore into a new folder, or give --force to replace it");
        }
        if (replace && storeInUse(dest)) {
            throw new BackupException(BackupException.Kind.REFUSED, dest + " is in use by a running node; stop it first");
        }
        Path partial = null;
        try {
            partial = hiddenSibling(dest, "restoring");
            for (BackupManifest.FileEntry f : manifest.files()) {
                Path from = backup.resolve(f.path());
                Path to = partial.resolve(f.path());
                Files.createDirectories(to.getParent());
                String crc = crc32c(from, to);
                if (!crc.equals(f.crc32c())) {
                    throw new BackupException(BackupException.Kind.BAD_BACKUP,
                            from + " is damaged: its CRC32C is " + crc + ", the manifest says " + f.crc32c());
                }
                copyPermissions(from, to);
                fsync(to);
            }
            try (ReadOnlyStore copy = ReadOnlyStore.open(partial.resolve(IdentifierNode.STORE_FOLDER))) {
                copy.verifyChecksums();
                long sequence = copy.latestSequenceNumber();
                long records = copy.recordCount();
                if (sequence != manifest.sequenceNumber() || records != manifest.records()) {
                    throw new BackupException(BackupException.Kind.BAD_BACKUP, "the restored store holds " + records + " records up to sequence number "
                            + sequence + ", the manifest says " + manifest.records() + " records up to " + manifest.sequenceNumber());
                }
            } catch (StoreException e) {
                throw new BackupException(BackupException.Kind.BAD_BACKUP, "the store in " + backup + " cannot be read: " + e.getMessage(), e);
            }
            deleteLogs(partial.resolve(IdentifierNode.STORE_FOLDER));
            fsyncDirectory(partial);
            if (Files.exists(dest)) {
                deleteRecursively(dest);
            }
            Files.move(partial, dest, StandardCopyOption.ATOMIC_MOVE);
            partial = null;
            fsyncDirectory(dest.getParent());
            return manifest;
        } catch (IOException e) {
            throw new BackupException(BackupException.Kind.FAILED, "cannot restore into " + dest + ": " + e.getMessage(), e);
        } finally {
            if (partial != null) {
                deleteQuietly(partial);
            }
        }
    }

    /**
     * True when another process holds the RocksDB lock of the data folder's store, i.e. a node runs on it. (A lock
     * held by this process is not seen: RocksDB's lock is a POSIX record lock, which is per process.)
     */
    public static boolean storeInUse(Path dataDir) {
        Path lock = dataDir.resolve(IdentifierNode.STORE_FOLDER).resolve("LOCK");
        if (!Files.isRegularFile(lock)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * True when the backup's table files are hard links shared with a data folder (RocksDB links them when the backup
     * is on the store's file system): such a backup does not survive the loss of that disk until it is copied.
     */
    public static boolean sharesFilesWithTheStore(Path backup) {
        try (Stream<Path> s = Files.list(backup.resolve(IdentifierNode.STORE_FOLDER))) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".sst")).toList()) {
                if (((Number) Files.getAttribute(p, "unix:nlink")).intValue() > 1) {
                    return true;
                }
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
        return false;
    }

    /** Deletes a folder and everything in it. */
    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static String nodeVersion() {
        String v = IdentifierNode.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    /** Every regular file under {@code dir} but the manifest and RocksDB's info logs, in a stable order. */
    private static List<Path> filesOf(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> !p.equals(dir.resolve(BackupManifest.FILE_NAME)))
                    .filter(p -> !p.getFileName().toString().startsWith(INFO_LOG))
                    .sorted().toList();
        }
    }

    /** Removes the info logs a read-only open wrote, so that the data folder holds only what the backup listed. */
    private static void deleteLogs(Path storeDir) throws IOException {
        try (Stream<Path> s = Files.list(storeDir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(INFO_LOG)).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String relative(Path dir, Path file) {
        return dir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    /** CRC32C of {@code file}, copying it to {@code copyTo} on the way when that is not null. */
    private static String crc32c(Path file, Path copyTo) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file);
             OutputStream out = copyTo == null ? OutputStream.nullOutputStream() : Files.newOutputStream(copyTo, StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE)) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                crc.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        }
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }

    /**
     * A new folder next to {@code dest}, named {@code .<name>.<what>-<uuid>} and readable by its owner only, where
     * {@code dest}'s contents are built before it is renamed into place.
     */
    private static Path hiddenSibling(Path dest, String what) throws IOException {
        Files.createDirectories(dest.getParent());
        Path dir = dest.resolveSibling("." + dest.getFileName() + "." + what + "-" + UUID.randomUUID());
        Files.createDirectory(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: its own defaults apply.
        }
        return dir;
    }

    private static void copyPermissions(Path from, Path to) throws IOException {
        try {
            Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(from));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system.
        }
    }

    private static boolean isEmptyDirectory(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the rename is as durable as they make it.
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            deleteRecursively(dir);
        } catch (IOException e) {
            // Left behind under a hidden name; it is never mistaken for a backup (it has no manifest at that name).
        }
    }
}
