package org.idnode.client.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The import's progress on stderr, refreshed every 500 ms from its own thread: a bar by bytes of the file, lines read,
 * records sent, lines refused so far and the rate. On a terminal one line is redrawn in place; otherwise (with
 * {@code --progress}) one line is printed per refresh.
 */
final class Progress implements AutoCloseable {
    static final long REFRESH_MS = 500;
    private static final int BAR = 24;

    private final PrintWriter err;
    private final boolean terminal;
    private final long totalBytes;
    private final ImportCounters counters;
    private final LongSupplier bytes;
    private final long started = System.nanoTime();
    private final ScheduledExecutorService timer;
    private int lastLength;

    Progress(PrintWriter err, boolean terminal, long totalBytes, ImportCounters counters, LongSupplier bytes) {
        this.err = err;
        this.terminal = terminal;
        this.totalBytes = totalBytes;
        this.counters = counters;
        this.bytes = bytes;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "idctl-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::draw, REFRESH_MS, REFRESH_MS, TimeUnit.MILLISECONDS);
    }

    private synchronized void draw() {
        long elapsedMs = Math.max(1, (System.nanoTime() - started) / 1_000_000);
        long read = counters.read();
        double fraction = totalBytes <= 0 ? 0 : Math.min(1.0, (double) bytes.getAsLong() / totalBytes);
        int filled = (int) Math.round(fraction * BAR);
        String line = String.format(Locale.ROOT, "[%s%s] %3d%%  %,d lines  %,d sent  %,d refused  %,d lines/s",
                "#".repeat(filled), "-".repeat(BAR - filled), Math.round(fraction * 100), read, counters.sent(),
                counters.refused(), Math.round(read * 1000.0 / elapsedMs));
        if (terminal) {
            err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
        } else {
            err.println("progress " + line);
        }
        err.flush();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        draw();
        if (terminal) {
            err.println();
            err.flush();
        }
    }
}
