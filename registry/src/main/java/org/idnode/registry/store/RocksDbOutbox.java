package org.idnode.registry.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;

import org.idnode.registry.federation.Outbox;
import org.idnode.registry.federation.OutboxEntry;
import org.idnode.registry.federation.PendingFilings;
import org.idnode.registry.federation.PendingFilings.Counts;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The {@link Outbox} in the store's {@code outbox} column family. Keys:
 * <ul>
 *   <li>{@code 'E'} + 8-byte sequence: an entry, value = 8-byte creation time (Unix ms) + payload;</li>
 *   <li>{@code 'L'}: the last sequence given out (8 bytes), so numbering survives restarts after every entry was
 *       acknowledged;</li>
 *   <li>{@code 'C'} + prefix (UTF-8): a registration counter, value = 8-byte registered + 8-byte deleted.</li>
 * </ul>
 * Sequence numbers are given out and the write that carries them is made under one lock, so the entries RocksDB
 * holds are always a contiguous run, and a failed write gives its numbers to the next one: no gaps. The lock is
 * taken only by writes that file something, and by the outbox's own reads (the shipper's, rare), which therefore
 * never see the store closed under them ({@link #close()}).
 *
 * <p>Thread-safe.
 */
final class RocksDbOutbox implements Outbox {
    private static final byte ENTRY = 'E';
    private static final byte[] LAST = {'L'};
    private static final byte COUNT = 'C';

    private final RocksDB db;
    private final ColumnFamilyHandle cf;
    private final WriteOptions syncWrite;
    private final ReadOptions read;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** Guarded by {@link #lock}. */
    private long last;
    private long oldestPending;
    private final Map<String, Counts> counts = new HashMap<>();
    private boolean closed;

    RocksDbOutbox(RocksDB db, ColumnFamilyHandle cf, WriteOptions syncWrite, ReadOptions read) {
        this.db = db;
        this.cf = cf;
        this.syncWrite = syncWrite;
        this.read = read;
        try {
            byte[] stored = db.get(cf, read, LAST);
            last = stored == null ? 0 : ByteBuffer.wrap(stored).getLong();
        } catch (RocksDBException e) {
            throw new StoreException("cannot read the outbox: " + e.getMessage(), e);
        }
        try (RocksIterator it = db.newIterator(cf, read)) {
            it.seek(new byte[] {ENTRY});
            oldestPending = it.isValid() && it.key()[0] == ENTRY ? sequenceOf(it.key()) : last + 1;
            for (it.seek(new byte[] {COUNT}); it.isValid() && it.key()[0] == COUNT; it.next()) {
                ByteBuffer v = ByteBuffer.wrap(it.value());
                counts.put(new String(it.key(), 1, it.key().length - 1, StandardCharsets.UTF_8), new Counts(v.getLong(), v.getLong()));
            }
        }
    }

    /**
     * Adds {@code filings} to {@code batch} and writes it durably: the one way entries and counters change with a
     * record change. Returns the number of the last entry written (the last number given out when none was).
     */
    long writeWith(WriteBatch batch, PendingFilings filings, long nowMillis) throws RocksDBException {
        long seq;
        lock.lock();
        try {
            checkOpen();
            seq = putEntries(batch, filings.payloads(), nowMillis);
            Map<String, Counts> changed = new HashMap<>();
            for (Map.Entry<String, Counts> e : filings.counts().entrySet()) {
                Counts old = counts.getOrDefault(e.getKey(), new Counts(0, 0));
                Counts now = new Counts(old.registered() + e.getValue().registered(), old.deleted() + e.getValue().deleted());
                batch.put(cf, countKey(e.getKey()), counts(now));
                changed.put(e.getKey(), now);
            }
            db.write(syncWrite, batch);
            last = seq;
            counts.putAll(changed);
        } finally {
            lock.unlock();
        }
        if (!filings.payloads().isEmpty()) {
            notifyListeners();
        }
        return seq;
    }

    @Override
    public long append(byte[] payload) {
        try (WriteBatch batch = new WriteBatch()) {
            return writeWith(batch, PendingFilings.builder().file(payload).build(), System.currentTimeMillis());
        } catch (RocksDBException e) {
            throw new StoreException("cannot append to the outbox: " + e.getMessage(), e);
        }
    }

    @Override
    public List<OutboxEntry> pending(int max) {
        lock.lock();
        try {
            checkOpen();
            return pendingLocked(max);
        } finally {
            lock.unlock();
        }
    }

    private List<OutboxEntry> pendingLocked(int max) {
        List<OutboxEntry> out = new ArrayList<>(Math.min(max, 1024));
        long expected = oldestPending;
        try (RocksIterator it = db.newIterator(cf, read)) {
            for (it.seek(entryKey(expected)); it.isValid() && out.size() < max && it.key()[0] == ENTRY; it.next()) {
                long seq = sequenceOf(it.key());
                if (seq != expected) {
                    break; // never hand out a gap
                }
                byte[] value = it.value();
                long created = ByteBuffer.wrap(value).getLong();
                out.add(new OutboxEntry(seq, created, Arrays.copyOfRange(value, Long.BYTES, value.length)));
                expected++;
            }
        }
        return out;
    }

    @Override
    public void acknowledge(long sequence) {
        lock.lock();
        try {
            checkOpen();
            long through = Math.min(sequence, last);
            if (through < oldestPending) {
                return;
            }
            try (WriteBatch batch = new WriteBatch()) {
                batch.deleteRange(cf, entryKey(oldestPending), entryKey(through + 1));
                db.write(syncWrite, batch);
            } catch (RocksDBException e) {
                throw new StoreException("cannot remove acknowledged filings from the outbox: " + e.getMessage(), e);
            }
            oldestPending = through + 1;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Backlog backlog() {
        lock.lock();
        try {
            checkOpen();
            if (oldestPending > last) {
                return new Backlog(0, 0, 0, last);
            }
            byte[] value = db.get(cf, read, entryKey(oldestPending));
            long created = value == null ? 0 : ByteBuffer.wrap(value).getLong();
            return new Backlog(last - oldestPending + 1, oldestPending, created, last);
        } catch (RocksDBException e) {
            throw new StoreException("cannot read the outbox: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Map<String, Counts> counts() {
        lock.lock();
        try {
            return new TreeMap<>(counts);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int flushCounts(BiFunction<String, Counts, byte[]> encoder) {
        int appended;
        lock.lock();
        try (WriteBatch batch = new WriteBatch()) {
            checkOpen();
            List<byte[]> payloads = new ArrayList<>();
            for (Map.Entry<String, Counts> e : new TreeMap<>(counts).entrySet()) {
                if (e.getValue().registered() == 0 && e.getValue().deleted() == 0) {
                    continue;
                }
                payloads.add(encoder.apply(e.getKey(), e.getValue()));
                batch.delete(cf, countKey(e.getKey()));
            }
            if (payloads.isEmpty()) {
                return 0;
            }
            long seq = putEntries(batch, payloads, System.currentTimeMillis());
            db.write(syncWrite, batch);
            last = seq;
            counts.clear();
            appended = payloads.size();
        } catch (RocksDBException e) {
            throw new StoreException("cannot file the registration counts: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
        notifyListeners();
        return appended;
    }

    @Override
    public void onAppend(Runnable listener) {
        listeners.add(listener);
    }

    /** Refuses every later call; called by the store before it closes RocksDB, so no call can be under way then. */
    void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreException("the store is closed");
        }
    }

    /** Puts the entries numbered after {@link #last} into the batch; returns the new last number. Under the lock. */
    private long putEntries(WriteBatch batch, List<byte[]> payloads, long nowMillis) throws RocksDBException {
        long seq = last;
        for (byte[] p : payloads) {
            seq++;
            batch.put(cf, entryKey(seq), ByteBuffer.allocate(Long.BYTES + p.length).putLong(nowMillis).put(p).array());
        }
        if (seq != last) {
            batch.put(cf, LAST, ByteBuffer.allocate(Long.BYTES).putLong(seq).array());
        }
        return seq;
    }

    private void notifyListeners() {
        for (Runnable r : listeners) {
            r.run();
        }
    }

    private static byte[] entryKey(long sequence) {
        return ByteBuffer.allocate(1 + Long.BYTES).put(ENTRY).putLong(sequence).array();
    }

    private static long sequenceOf(byte[] key) {
        return ByteBuffer.wrap(key, 1, Long.BYTES).getLong();
    }

    private static byte[] countKey(String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] key = new byte[1 + p.length];
        key[0] = COUNT;
        System.arraycopy(p, 0, key, 1, p.length);
        return key;
    }

    private static byte[] counts(Counts c) {
        return ByteBuffer.allocate(2 * Long.BYTES).putLong(c.registered()).putLong(c.deleted()).array();
    }
}
