package org.idnode.client.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.idnode.api.v1.BatchRegisterResponse;
import org.idnode.api.v1.BulkRefusal;
import org.idnode.api.v1.BulkRegisterResponse;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.RegisterResult;
import org.idnode.client.BulkRegistration;
import org.idnode.client.IdClient;

/**
 * Sends the records of a {@link RecordSource} to the node, through the flow-controlled bulk stream (the default) or
 * in BatchRegister calls of a given size, and maps what the node refused back to the input lines. Records replace
 * any stored record of the same identifier, so importing a file again is harmless.
 */
final class Importer {
    private final IdClient client;
    private final RecordSource source;
    private final int batchSize;
    private final ImportCounters counters;
    private final ImportSummary summary;

    /** {@code batchSize} 0 streams; otherwise records go in BatchRegister calls of that many. */
    Importer(IdClient client, RecordSource source, int batchSize, ImportCounters counters, ImportSummary summary) {
        this.client = client;
        this.source = source;
        this.batchSize = batchSize;
        this.counters = counters;
        this.summary = summary;
    }

    /** Imports everything; the node's failures as a whole (unreachable, no permission to stream) are thrown. */
    void run() throws IOException {
        long started = System.nanoTime();
        try {
            if (batchSize > 0) {
                batches();
            } else {
                stream();
            }
        } finally {
            summary.read = counters.read();
            summary.stoppedBecause = source.stoppedBecause();
            summary.elapsed = Duration.ofNanos(System.nanoTime() - started);
        }
    }

    private void stream() throws IOException {
        LineMap lines = new LineMap();
        long sequence = 0;
        BulkRegisterResponse response;
        try (BulkRegistration bulk = client.bulkRegister()) {
            for (InputLine line = source.next(); line != null; line = source.next()) {
                counters.lineRead();
                if (line.record() == null) {
                    refusedLocally(line);
                    continue;
                }
                lines.add(sequence++, line.number());
                bulk.add(line.record());
                counters.recordSent();
            }
            response = bulk.finish();
        }
        summary.accepted = response.getAccepted();
        for (BulkRefusal r : response.getRefusalsList()) {
            summary.refusedByNode(lines.line(r.getSequence()), r.getHandle(), r.getError());
        }
        summary.refusedUnlisted = Math.max(0, response.getRefused() - response.getRefusalsCount());
        counters.refused(response.getRefused());
    }

    private void batches() throws IOException {
        List<HandleRecord> records = new ArrayList<>(batchSize);
        List<Long> lines = new ArrayList<>(batchSize);
        for (InputLine line = source.next(); line != null; line = source.next()) {
            counters.lineRead();
            if (line.record() == null) {
                refusedLocally(line);
                continue;
            }
            records.add(line.record());
            lines.add(line.number());
            if (records.size() == batchSize) {
                send(records, lines);
            }
        }
        if (!records.isEmpty()) {
            send(records, lines);
        }
    }

    private void send(List<HandleRecord> records, List<Long> lines) {
        BatchRegisterResponse response = client.registerBatch(records);
        for (int i = 0; i < response.getResultsCount(); i++) {
            RegisterResult r = response.getResults(i);
            if (r.hasError()) {
                summary.refusedByNode(lines.get(i), r.getHandle(), r.getError());
                counters.refused(1);
            } else {
                summary.accepted++;
            }
            counters.recordSent();
        }
        records.clear();
        lines.clear();
    }

    private void refusedLocally(InputLine line) {
        summary.refusedLocally(line.number(), line.handle(), line.refusal());
        counters.refused(1);
    }
}
