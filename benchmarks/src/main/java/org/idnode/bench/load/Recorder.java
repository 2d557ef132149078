package org.idnode.bench.load;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

/**
 * One worker's measurements: a latency histogram in microseconds (3 significant digits, up to one
 * hour), counts, and errors by code. Confined to the worker's event loop while the run lasts; read by
 * the coordinating thread only after the worker has finished (the run's latch orders the two).
 */
final class Recorder {
    static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

    final Histogram histogram = new Histogram(1, HIGHEST_MICROS, 3);
    final Map<String, long[]> errorsByCode = new HashMap<>();
    long requests;
    long successes;
    long lateAnswers;
    long udpPackets;
    long lastCompletionNanos;
    /** Where measured latencies also go, interval by interval; null when the run keeps no interval log. */
    IntervalLog intervals;

    /** A measured request answered after {@code latencyNanos}; {@code errorCode} null for success. */
    void answered(long latencyNanos, String errorCode, long nowNanos) {
        long micros = Math.max(1, Math.min(HIGHEST_MICROS, (latencyNanos + 500) / 1000));
        histogram.recordValue(micros);
        if (intervals != null) {
            intervals.record(micros);
        }
        finished(errorCode, nowNanos);
    }

    /** A measured request that got no answer (timeout, connection lost). */
    void failed(String errorCode, long nowNanos) {
        finished(errorCode, nowNanos);
    }

    private void finished(String errorCode, long nowNanos) {
        requests++;
        if (errorCode == null) {
            successes++;
        } else {
            errorsByCode.computeIfAbsent(errorCode, k -> new long[1])[0]++;
        }
        if (nowNanos > lastCompletionNanos) {
            lastCompletionNanos = nowNanos;
        }
    }

    /** Error code of a Handle response code other than success: the code in decimal. */
    static String handleCode(int responseCode) {
        return Integer.toString(responseCode);
    }
}
