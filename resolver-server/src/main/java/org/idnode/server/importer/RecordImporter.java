package org.idnode.server.importer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.idnode.registry.federation.ChangeFiler;
import org.idnode.registry.federation.PendingFilings;
import org.idnode.registry.model.AuditEntry;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.RecordChange;
import org.idnode.registry.store.HandleRecordStore;

/**
 * Bulk-loads a file of JSON lines (one {@link RecordJson} record per line; blank lines are skipped)
 * into a store. The whole file is validated first and nothing is written when any line is bad, so an
 * import is never half-applied because of bad input; then the records are written in batches, each
 * durable when written. A record replaces any stored record of the same handle, so re-running an
 * import is harmless.
 *
 * <p>One importer per file; not thread-safe.
 */
public final class RecordImporter {
    /** Records per write batch. */
    static final int BATCH_SIZE = 5_000;

    private final Path file;
    private final int timestamp;
    private boolean validated;

    /** A bad line: its 1-based number and why it was refused. */
    public static final class BadLineException extends Exception {
        private static final long serialVersionUID = 1L;
        private final long line;

        BadLineException(long line, String reason) {
            super("line " + line + ": " + reason);
            this.line = line;
        }

        public long line() {
            return line;
        }
    }

    public RecordImporter(Path file) {
        this.file = file;
        this.timestamp = (int) (System.currentTimeMillis() / 1000);
    }

    /**
     * Checks every line without writing anything.
     *
     * @return the number of records
     * @throws BadLineException for the first bad line
     */
    public long validate() throws IOException, BadLineException {
        long[] count = {0};
        forEachRecord(r -> count[0]++);
        validated = true;
        return count[0];
    }

    /**
     * Validates the whole file (unless {@link #validate} already did), then writes it to {@code store}.
     *
     * @return the number of records written
     * @throws BadLineException for the first bad line; nothing was written then
     */
    public long importInto(HandleRecordStore store) throws IOException, BadLineException {
        return importInto(store, null);
    }

    /**
     * {@link #importInto(HandleRecordStore)} on a node that files with its top level: each batch is committed with what
     * {@code filer} files for it (a created handle is a registration), in the same write.
     *
     * @param filer what the node files; null for nothing
     */
    public long importInto(HandleRecordStore store, ChangeFiler filer) throws IOException, BadLineException {
        if (!validated) {
            validate();
        }
        List<HandleRecord> batch = new ArrayList<>(BATCH_SIZE);
        long[] written = {0};
        forEachRecord(r -> {
            batch.add(r);
            if (batch.size() == BATCH_SIZE) {
                write(store, batch, filer);
                written[0] += batch.size();
                batch.clear();
            }
        });
        write(store, batch, filer);
        return written[0] + batch.size();
    }

    private static void write(HandleRecordStore store, List<HandleRecord> batch, ChangeFiler filer) {
        if (filer == null) {
            store.putAll(batch);
            return;
        }
        long now = System.currentTimeMillis();
        List<RecordChange> changes = new ArrayList<>(batch.size());
        PendingFilings.Builder filings = PendingFilings.builder();
        for (HandleRecord r : batch) {
            filer.fileChange(r.handle(), store.get(r.handle()).orElse(null), r, now, filings);
            changes.add(RecordChange.put(r, new AuditEntry(now, "import", "import", r.handle().toString(), r.values().size() + " values")));
        }
        store.commit(changes, filings.build());
    }

    private void forEachRecord(Consumer<HandleRecord> sink) throws IOException, BadLineException {
        // Lines are split on raw bytes (ISO-8859-1 maps each byte to one char) and each line is then decoded
        // as strict UTF-8 on its own, so malformed UTF-8 is reported on the line that holds it.
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            long lineNo = 0;
            for (String raw = in.readLine(); raw != null; raw = in.readLine()) {
                lineNo++;
                String line;
                try {
                    line = decoder.reset().decode(ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1))).toString();
                } catch (CharacterCodingException e) {
                    throw new BadLineException(lineNo, "not valid UTF-8");
                }
                if (line.isBlank()) {
                    continue;
                }
                HandleRecord record;
                try {
                    record = RecordJson.parse(line, timestamp);
                } catch (IllegalArgumentException e) {
                    throw new BadLineException(lineNo, e.getMessage());
                }
                sink.accept(record);
            }
        }
    }
}
