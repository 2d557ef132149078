package org.idnode.registry.federation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.registry.write.HandleOperation;
import org.idnode.registry.write.HandleWriter;
import org.idnode.registry.write.RecordValidator;

/**
 * The writer of {@link OutboxTest}'s crash test, run as its own JVM: registers batches of {@value #BATCH} handles
 * through a {@link HandleWriter} with {@link OutboxTest#FILER} on the store in {@code args[0]}, and after each commit
 * prints {@code acked <last handle number>} (flushed), until it is killed.
 */
public final class OutboxWriterProcess {
    static final int BATCH = 50;

    private OutboxWriterProcess() {
    }

    public static void main(String[] args) {
        RocksDbHandleRecordStore store = RocksDbHandleRecordStore.open(Path.of(args[0]), 8L << 20);
        HandleWriter writer = new HandleWriter(store, RecordValidator.NONE, OutboxTest.FILER);
        System.out.println("ready");
        System.out.flush();
        for (int n = 0; n < 1_000_000; n += BATCH) {
            List<HandleOperation> ops = new ArrayList<>();
            for (int i = n; i < n + BATCH; i++) {
                HandleName h = HandleName.parse("88.999.1/CRASH-" + i);
                ops.add(new HandleOperation.Create(h, List.of(HandleValue.ofString(1, "URL", "https://example.com/" + i, 0)), false));
            }
            writer.applyAll(ops, "crash-writer");
            System.out.println("acked " + (n + BATCH - 1));
            System.out.flush();
        }
    }
}
