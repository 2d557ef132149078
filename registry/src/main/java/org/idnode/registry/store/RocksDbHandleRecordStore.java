package org.idnode.registry.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB-backed {@link HandleRecordStore}. Records live in the {@code handles} column family under
 * the UTF-8 bytes of {@link HandleName#lookupKey()}, encoded by {@link RecordCodec}. Every write is a
 * {@link WriteBatch} committed with {@code sync=true}, so an acknowledged write survives a crash or
 * power loss through the write-ahead log.
 *
 * <p>Thread-safe; one instance per data folder (RocksDB's lock file refuses a second opener).
 */
public final class RocksDbHandleRecordStore implements HandleRecordStore {
    static final String HANDLES_CF = "handles";

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final LRUCache blockCache;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final List<ColumnFamilyHandle> cfHandles = new ArrayList<>();
    private final RocksDB db;
    private final ColumnFamilyHandle handles;
    private final WriteOptions syncWrite;
    private final ReadOptions read;

    private RocksDbHandleRecordStore(Path directory, long blockCacheBytes) {
        this.directory = directory;
        try {
            Files.createDirectories(directory);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create data folder " + directory + ": " + e.getMessage(), e);
        }
        blockCache = new LRUCache(blockCacheBytes);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(blockCache)
                .setFilterPolicy(new BloomFilter(10, false))
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true)
                .setBlockSize(8 * 1024);
        cfOptions = new ColumnFamilyOptions()
                .setTableFormatConfig(table)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .optimizeForPointLookup(blockCacheBytes / (1024 * 1024));
        // optimizeForPointLookup installs its own table config; put ours (with the shared cache) back.
        cfOptions.setTableFormatConfig(table);
        dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2);
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor(HANDLES_CF.getBytes(StandardCharsets.UTF_8), cfOptions));
        try {
            db = RocksDB.open(dbOptions, directory.toString(), descriptors, cfHandles);
        } catch (RocksDBException e) {
            closeOptions();
            String reason = e.getMessage() != null && e.getMessage().contains("lock")
                    ? "it is in use by another process (" + e.getMessage() + ")"
                    : e.getMessage();
            throw new StoreException("cannot open the RocksDB store in " + directory + ": " + reason, e);
        }
        handles = cfHandles.get(1);
        syncWrite = new WriteOptions().setSync(true);
        read = new ReadOptions();
    }

    /**
     * Opens (creating if needed) the store in {@code directory}.
     *
     * @param blockCacheBytes size of RocksDB's block cache
     * @throws StoreException when the folder cannot be created or opened
     */
    public static RocksDbHandleRecordStore open(Path directory, long blockCacheBytes) {
        return new RocksDbHandleRecordStore(directory, blockCacheBytes);
    }

    @Override
    public Optional<HandleRecord> get(HandleName handle) {
        byte[] bytes;
        try {
            bytes = db.get(handles, read, key(handle));
        } catch (RocksDBException e) {
            throw new StoreException("cannot read " + handle + ": " + e.getMessage(), e);
        }
        return bytes == null ? Optional.empty() : Optional.of(RecordCodec.decode(bytes));
    }

    @Override
    public void putAll(Collection<HandleRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            for (HandleRecord r : records) {
                batch.put(handles, key(r.handle()), RecordCodec.encode(r));
            }
            db.write(syncWrite, batch);
        } catch (RocksDBException e) {
            throw new StoreException("cannot write " + records.size() + " records: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean delete(HandleName handle) {
        byte[] key = key(handle);
        try {
            if (db.get(handles, read, key) == null) {
                return false;
            }
            db.delete(handles, syncWrite, key);
            return true;
        } catch (RocksDBException e) {
            throw new StoreException("cannot delete " + handle + ": " + e.getMessage(), e);
        }
    }

    /** The folder this store lives in. */
    public Path directory() {
        return directory;
    }

    @Override
    public void close() {
        try {
            db.syncWal();
        } catch (RocksDBException e) {
            // Every write was already synced; a failure here loses nothing acknowledged.
        }
        read.close();
        syncWrite.close();
        for (ColumnFamilyHandle h : cfHandles) {
            h.close();
        }
        db.close();
        closeOptions();
    }

    private void closeOptions() {
        dbOptions.close();
        cfOptions.close();
        blockCache.close();
    }

    private static byte[] key(HandleName handle) {
        return handle.lookupKey().getBytes(StandardCharsets.UTF_8);
    }
}
