package org.idnode.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * The stored records of a store folder exactly as RocksDB holds them, read with RocksDB's own API (not through the
 * node's code): the {@code handles} column family's keys and encoded values, for comparing two stores byte for byte.
 */
final class RawStore {
    private RawStore() {
    }

    /** Hex of each key → hex of its value, in key order. */
    static Map<String, String> records(Path storeDir) throws Exception {
        RocksDB.loadLibrary();
        List<byte[]> names;
        try (Options o = new Options()) {
            names = RocksDB.listColumnFamilies(o, storeDir.toString());
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        Map<String, String> out = new LinkedHashMap<>();
        try (DBOptions options = new DBOptions();
             RocksDB db = RocksDB.openReadOnly(options, storeDir.toString(), names.stream().map(ColumnFamilyDescriptor::new).toList(), handles)) {
            ColumnFamilyHandle records = null;
            for (int i = 0; i < names.size(); i++) {
                if (Arrays.equals(names.get(i), "handles".getBytes(StandardCharsets.UTF_8))) {
                    records = handles.get(i);
                }
            }
            try (RocksIterator it = db.newIterator(records)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    out.put(HexFormat.of().formatHex(it.key()), HexFormat.of().formatHex(it.value()));
                }
            }
        } finally {
            handles.forEach(ColumnFamilyHandle::close);
        }
        return out;
    }
}
