package org.idnode.server.importer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import org.idnode.registry.store.ReadOnlyStore;

/**
 * Writes every record of a store as JSON lines ({@link RecordJson#write}, one record per line, in lookup-key
 * order), the format {@link RecordImporter} reads: an export imported into an empty data folder stores every record
 * byte for byte as it was. The file is written under a temporary name and renamed when complete, so {@code out}
 * never holds a partial export.
 *
 * <p>Stateless and thread-safe.
 */
public final class RecordExporter {
    private RecordExporter() {
    }

    /**
     * Exports {@code store} to {@code out} (replaced if it exists).
     *
     * @return the number of records written
     */
    public static long export(ReadOnlyStore store, Path out) throws IOException {
        Path target = out.toAbsolutePath().normalize();
        Path partial = target.resolveSibling("." + target.getFileName() + ".partial");
        long[] n = {0};
        try (BufferedWriter w = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
            store.forEachRecord(r -> {
                try {
                    w.write(RecordJson.write(r));
                    w.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                n[0]++;
            });
        } catch (UncheckedIOException e) {
            Files.deleteIfExists(partial);
            throw e.getCause();
        } catch (RuntimeException | IOException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return n[0];
    }
}
