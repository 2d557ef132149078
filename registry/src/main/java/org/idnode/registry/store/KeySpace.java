package org.idnode.registry.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A column family of the store's RocksDB instance in which a registry component keeps its own data next to the
 * handles (the federation ledger keeps its column family {@code federation}): point reads, ordered scans of a key
 * prefix, and atomic write batches committed with {@code sync=true}, like every write of the store.
 *
 * <p>Obtained from {@link RocksDbHandleRecordStore}; usable until the store is closed. Thread-safe; a {@link Batch}
 * belongs to one thread.
 */
public final class KeySpace {
    private final RocksDB db;
    private final ColumnFamilyHandle family;
    private final WriteOptions syncWrite;
    private final ReadOptions read;
    private final String name;

    KeySpace(RocksDB db, ColumnFamilyHandle family, WriteOptions syncWrite, ReadOptions read, String name) {
        this.db = db;
        this.family = family;
        this.syncWrite = syncWrite;
        this.read = read;
        this.name = name;
    }

    /** One key and its value. */
    public record Entry(byte[] key, byte[] value) {
    }

    /** The value of {@code key}, or null when it is absent. */
    public byte[] get(byte[] key) {
        try {
            return db.get(family, read, key);
        } catch (RocksDBException e) {
            throw new StoreException("cannot read the " + name + " key space: " + e.getMessage(), e);
        }
    }

    /**
     * The entries whose keys start with {@code prefix}, in key order, starting after {@code after} (exclusive; null
     * for the first), at most {@code limit}.
     */
    public List<Entry> scan(byte[] prefix, byte[] after, int limit) {
        List<Entry> out = new ArrayList<>();
        try (RocksIterator it = db.newIterator(family, read)) {
            if (after == null || Arrays.compare(after, prefix) < 0) {
                it.seek(prefix);
            } else {
                it.seek(after);
                if (it.isValid() && Arrays.equals(it.key(), after)) {
                    it.next();
                }
            }
            for (; it.isValid() && out.size() < limit && startsWith(it.key(), prefix); it.next()) {
                out.add(new Entry(it.key(), it.value()));
            }
        }
        return out;
    }

    /** A new, empty batch of changes to this key space. */
    public Batch batch() {
        return new Batch();
    }

    /**
     * Changes applied all together, or not at all, by {@link #commit()}; durable when it returns. Close it (also after
     * committing) to free its native memory.
     */
    public final class Batch implements AutoCloseable {
        private final WriteBatch changes = new WriteBatch();

        private Batch() {
        }

        public Batch put(byte[] key, byte[] value) {
            try {
                changes.put(family, key, value);
            } catch (RocksDBException e) {
                throw new StoreException("cannot prepare a write to the " + name + " key space: " + e.getMessage(), e);
            }
            return this;
        }

        public Batch delete(byte[] key) {
            try {
                changes.delete(family, key);
            } catch (RocksDBException e) {
                throw new StoreException("cannot prepare a delete in the " + name + " key space: " + e.getMessage(), e);
            }
            return this;
        }

        /** Deletes every key that starts with {@code prefix} (which must not end in a 0xFF byte). */
        public Batch deleteAllStartingWith(byte[] prefix) {
            byte[] end = prefix.clone();
            if (end.length == 0 || end[end.length - 1] == (byte) 0xFF) {
                throw new IllegalArgumentException("a key prefix that is empty or ends in 0xFF has no simple successor");
            }
            end[end.length - 1]++;
            try {
                changes.deleteRange(family, prefix, end);
            } catch (RocksDBException e) {
                throw new StoreException("cannot prepare a delete in the " + name + " key space: " + e.getMessage(), e);
            }
            return this;
        }

        /** Writes every change of the batch atomically, synced to the write-ahead log. */
        public void commit() {
            try {
                db.write(syncWrite, changes);
            } catch (RocksDBException e) {
                throw new StoreException("cannot write " + changes.count() + " changes to the " + name + " key space: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            changes.close();
        }
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
