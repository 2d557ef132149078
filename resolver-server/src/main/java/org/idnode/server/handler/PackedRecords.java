package org.idnode.server.handler;

import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.model.HandleRecord;

/**
 * The form in which the node's record cache keeps records (the packing of {@link CachingHandleRecordStore}): the
 * values once, as one Handle wire value block ({@link WireValues}), and the record's prepared public answer
 * ({@link PreparedRecord}, what {@link HandleRequestProcessor#cachedAnswer} hands out) set up front. When every value
 * is public the answer shares that block; a record with restricted values keeps a second block of its public values.
 *
 * <p>Stateless and thread-safe.
 */
public final class PackedRecords {
    private PackedRecords() {
    }

    /** A record equal to {@code record}, packed as described above. */
    public static HandleRecord pack(HandleRecord record) {
        byte[] block = WireValues.encode(record.values());
        PreparedRecord prepared = PreparedRecord.cached(block);
        HandleRecord packed = HandleRecord.packed(record.handle(), WireValues.of(block, prepared.ownBytes()));
        packed.derived(PreparedRecord.class, r -> prepared);
        return packed;
    }
}
