package org.idnode.registry.store;

import java.nio.ByteBuffer;

import org.idnode.registry.model.HandleRecord;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Puts keys and values into a {@link WriteBatch} through two direct buffers kept per thread, so that RocksDB reads
 * each key and value in place: putting a {@code byte[]} makes the JNI layer copy the array into a fresh native
 * allocation and free it again, twice per put, three puts per registered record. Records are encoded straight into the
 * value buffer ({@link RecordCodec#encode(HandleRecord, ByteBuffer)}). Keys made of parts (a handle key,
 * the 0x00 separator, a sequence number or a second key) are written straight into the key buffer. Keys are made of
 * handle keys (at most {@link org.idnode.registry.model.HandleName#MAX_BYTES} bytes each), so the key buffer stays small.
 *
 * <p>Confined to the thread that writes the batch; the buffers are reused by the next batch on that thread.
 */
final class DirectBatch {
    /** Values above this size go through the array put, so that no thread keeps a large native buffer for a rare record. */
    static final int MAX_DIRECT_BYTES = 64 * 1024;
    private static final int INITIAL_BYTES = 4 * 1024;
    private static final ThreadLocal<ByteBuffer[]> BUFFERS = ThreadLocal.withInitial(
            () -> new ByteBuffer[]{ByteBuffer.allocateDirect(INITIAL_BYTES), ByteBuffer.allocateDirect(INITIAL_BYTES)});

    private final WriteBatch batch;
    private final ByteBuffer[] buffers = BUFFERS.get();

    DirectBatch(WriteBatch batch) {
        this.batch = batch;
    }

    /** Puts {@code key} to the encoding of {@code record} ({@link RecordCodec}), {@code size} bytes long. */
    void putRecord(ColumnFamilyHandle cf, byte[] key, HandleRecord record, int size) throws RocksDBException {
        if (size > MAX_DIRECT_BYTES) {
            batch.put(cf, key, RecordCodec.encode(record));
            return;
        }
        ByteBuffer k = buffer(0, key.length).put(key).flip();
        ByteBuffer v = buffer(1, size);
        RecordCodec.encode(record, v);
        batch.put(cf, k, v.flip());
    }

    /** Puts the key {@code first}, 0x00, {@code second} to {@code value}. */
    void put(ColumnFamilyHandle cf, byte[] first, byte[] second, byte[] value) throws RocksDBException {
        putValue(cf, buffer(0, first.length + 1 + second.length).put(first).put((byte) 0).put(second).flip(), value);
    }

    /** Puts the key {@code first}, 0x00, {@code sequence} (8 bytes, big-endian) to {@code value}. */
    void put(ColumnFamilyHandle cf, byte[] first, long sequence, byte[] value) throws RocksDBException {
        putValue(cf, buffer(0, first.length + 1 + Long.BYTES).put(first).put((byte) 0).putLong(sequence).flip(), value);
    }

    private void putValue(ColumnFamilyHandle cf, ByteBuffer key, byte[] value) throws RocksDBException {
        if (value.length > MAX_DIRECT_BYTES) {
            byte[] k = new byte[key.remaining()];
            key.get(k);
            batch.put(cf, k, value);
            return;
        }
        batch.put(cf, key, buffer(1, value.length).put(value).flip());
    }

    /** Buffer {@code which}, cleared, holding at least {@code size} bytes (grown, and kept, when it is smaller). */
    private ByteBuffer buffer(int which, int size) {
        ByteBuffer b = buffers[which];
        if (b.capacity() < size) {
            b = ByteBuffer.allocateDirect(Math.max(size, Math.min(2 * b.capacity(), MAX_DIRECT_BYTES)));
            buffers[which] = b;
        }
        return b.clear();
    }
}
