package org.idnode.registry.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import org.idnode.registry.model.HandleRecord;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * A store folder opened read-only, such as a checkpoint ({@link RocksDbHandleRecordStore#checkpoint}) or a restored
 * backup: every column family the folder holds is opened, nothing is written to the folder and no lock is taken, so
 * it must not be a folder a running store writes to. Reads verify RocksDB's block checksums.
 *
 * <p>Thread-safe; close it when done.
 */
public final class ReadOnlyStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final DBOptions options;
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final RocksDB db;
    private final ColumnFamilyHandle records;

    private ReadOnlyStore(Path directory) {
        this.directory = directory;
        if (!Files.isRegularFile(directory.resolve("CURRENT"))) {
            throw new StoreException(directory + " holds no RocksDB store (no CURRENT file)");
        }
        List<byte[]> names;
        try (Options o = new Options()) {
            names = RocksDB.listColumnFamilies(o, directory.toString());
        } catch (RocksDBException e) {
            throw new StoreException("cannot read the column families of " + directory + ": " + e.getMessage(), e);
        }
        List<ColumnFamilyDescriptor> descriptors = names.stream().map(ColumnFamilyDescriptor::new).toList();
        options = new DBOptions();
        try {
            db = RocksDB.openReadOnly(options, directory.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            options.close();
            throw new StoreException("cannot open the store in " + directory + " read-only: " + e.getMessage(), e);
        }
        ColumnFamilyHandle found = null;
        for (int i = 0; i < names.size(); i++) {
            if (Arrays.equals(names.get(i), RocksDbHandleRecordStore.HANDLES_CF.getBytes(StandardCharsets.UTF_8))) {
                found = handles.get(i);
            }
        }
        if (found == null) {
            close();
            throw new StoreException(directory + " has no " + RocksDbHandleRecordStore.HANDLES_CF + " column family; it is not an idnode store");
        }
        records = found;
    }

    /**
     * Opens {@code directory} read-only.
     *
     * @throws StoreException when it holds no RocksDB store, or not one of this node's
     */
    public static ReadOnlyStore open(Path directory) {
        return new ReadOnlyStore(directory);
    }

    /** RocksDB's sequence number of the last write the folder holds. */
    public long latestSequenceNumber() {
        return db.getLatestSequenceNumber();
    }

    /** The number of stored records (a scan of every record). */
    public long recordCount() {
        long n = 0;
        try (ReadOptions read = new ReadOptions().setVerifyChecksums(true); RocksIterator it = db.newIterator(records, read)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                n++;
            }
            checkStatus(it);
        }
        return n;
    }

    /** Passes every record, in lookup-key order, to {@code sink}. */
    public void forEachRecord(Consumer<HandleRecord> sink) {
        try (ReadOptions read = new ReadOptions().setVerifyChecksums(true); RocksIterator it = db.newIterator(records, read)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                sink.accept(RecordCodec.decode(it.value()));
            }
            checkStatus(it);
        }
    }

    /** Reads every table file of every column family and checks its block checksums. */
    public void verifyChecksums() {
        try {
            db.verifyChecksum();
        } catch (RocksDBException e) {
            throw new StoreException("the store in " + directory + " is corrupt: " + e.getMessage(), e);
        }
    }

    private void checkStatus(RocksIterator it) {
        try {
            it.status();
        } catch (RocksDBException e) {
            throw new StoreException("cannot read the store in " + directory + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        db.close();
        options.close();
    }
}
