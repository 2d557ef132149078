package org.idnode.bench.load;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * A run's answered latencies, in microseconds, as an HdrHistogram interval log: one histogram per
 * {@code interval} of wall-clock time (by completion), stamped with the interval's start and end in
 * milliseconds since the epoch, in HdrHistogram's log format ({@link HistogramLogWriter}). A long run can
 * then be cut afterwards into the phases of something that changed while it ran, such as a flooder
 * stopped and resumed by a script ({@link PhaseSplit}): every phase is then measured by the same client
 * process against the same node, minutes apart at most.
 *
 * <p>Intervals start when {@link LoadGenerator} starts the measured run's timeline and are written as
 * they end, empty ones included (those of the warm-up, whose requests are not recorded).
 *
 * <p>Threading: {@link #record} may be called from any thread (an HdrHistogram {@code Recorder});
 * {@link #start} and {@link #close} are called once each, by the thread that runs the load.
 */
public final class IntervalLog implements AutoCloseable {
    private final org.HdrHistogram.Recorder recorder = new org.HdrHistogram.Recorder(1, Recorder.HIGHEST_MICROS, 3);
    private final PrintStream out;
    private final HistogramLogWriter writer;
    private final long intervalMillis;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "idbench-interval-log");
        t.setDaemon(true);
        return t;
    });
    private Histogram spare;
    private long intervalStartMillis;
    private boolean started;
    private boolean closed;

    private IntervalLog(PrintStream out, Duration interval) {
        this.out = out;
        this.writer = new HistogramLogWriter(out);
        this.intervalMillis = interval.toMillis();
    }

    /**
     * Creates (or replaces) the log file.
     *
     * @throws IllegalArgumentException when {@code interval} is shorter than 10 ms
     * @throws UncheckedIOException     when the file cannot be written
     */
    public static IntervalLog create(Path file, Duration interval) {
        if (interval.toMillis() < 10) {
            throw new IllegalArgumentException("the histogram interval must be at least 10 ms, got " + interval);
        }
        try {
            return new IntervalLog(new PrintStream(file.toFile(), StandardCharsets.US_ASCII), interval);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the histogram log " + file, e);
        }
    }

    /** One answered request's latency in microseconds. */
    void record(long micros) {
        recorder.recordValue(micros);
    }

    /** Writes the header and starts the first interval now; later calls do nothing. */
    synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        recorder.reset();
        intervalStartMillis = System.currentTimeMillis();
        writer.outputLogFormatVersion();
        writer.outputComment("latencies in microseconds; interval start and end in seconds since the epoch");
        writer.outputStartTime(intervalStartMillis);
        writer.outputLegend();
        ticker.scheduleAtFixedRate(this::endInterval, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    private synchronized void endInterval() {
        if (closed) {
            return;
        }
        spare = recorder.getIntervalHistogram(spare);
        long now = System.currentTimeMillis();
        spare.setStartTimeStamp(intervalStartMillis);
        spare.setEndTimeStamp(now);
        writer.outputIntervalHistogram(spare);
        intervalStartMillis = now;
    }

    /** Writes the last, partial interval (if the log was started) and closes the file. */
    @Override
    public void close() {
        ticker.shutdownNow();
        synchronized (this) {
            if (closed) {
                return;
            }
            if (started) {
                endInterval();
            }
            closed = true;
            out.close();
        }
        if (out.checkError()) {
            throw new UncheckedIOException(new IOException("writing the histogram log failed"));
        }
    }
}
