package org.idnode.client.cli;

import java.util.concurrent.atomic.AtomicLong;

/** Running counts of an import, written by the import thread and read by the progress thread. */
final class ImportCounters {
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    void lineRead() {
        read.incrementAndGet();
    }

    void recordSent() {
        sent.incrementAndGet();
    }

    void refused(long n) {
        refused.addAndGet(n);
    }

    long read() {
        return read.get();
    }

    long sent() {
        return sent.get();
    }

    long refused() {
        return refused.get();
    }
}
