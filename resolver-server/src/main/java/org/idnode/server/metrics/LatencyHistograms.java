package org.idnode.server.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

/**
 * {@code idnode_request_duration_seconds}: one Prometheus histogram per (protocol, operation) with fixed buckets from
 * 10 µs to 10 s. Kept in {@link LongAdder}s and exported as a collector of the Prometheus registry rather than as
 * Micrometer timers: recording is a bucket search and two adds, where a timer also reads the clock two or three more
 * times per observation (its decaying maximum, its rotating window, its pause detector), several times the cost.
 *
 * <p>Thread-safe; {@link Series#record} is allocation-free.
 */
final class LatencyHistograms implements Collector {
    static final String NAME = "idnode_request_duration_seconds";
    /** Bucket upper bounds in nanoseconds: 10 µs to 10 s in 1-2.5-5 steps. */
    private static final long[] BOUNDS_NANOS = {10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000,
            10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000L, 5_000_000_000L,
            10_000_000_000L};
    private static final double[] BOUNDS_SECONDS = seconds();

    private final List<Series> series = new CopyOnWriteArrayList<>();

    /** The histogram of one (protocol, operation); created once by its {@link RequestMeter}. */
    static final class Series {
        private final Labels labels;
        private final LongAdder[] buckets = new LongAdder[BOUNDS_NANOS.length + 1];
        private final LongAdder sumNanos = new LongAdder();

        private Series(Protocol protocol, Operation operation) {
            labels = Labels.of("protocol", protocol.label(), "operation", operation.label());
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        /** Counts one request that took {@code nanos}. */
        void record(long nanos) {
            long n = Math.max(0, nanos);
            int i = 0;
            while (i < BOUNDS_NANOS.length && n > BOUNDS_NANOS[i]) {
                i++;
            }
            buckets[i].increment();
            sumNanos.add(n);
        }

        private HistogramSnapshot.HistogramDataPointSnapshot snapshot() {
            long[] counts = new long[buckets.length];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = buckets[i].sum();
            }
            return HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS_SECONDS, counts))
                    .sum(sumNanos.sum() / 1e9)
                    .labels(labels)
                    .build();
        }
    }

    Series series(Protocol protocol, Operation operation) {
        Series s = new Series(protocol, operation);
        series.add(s);
        return s;
    }

    @Override
    public MetricSnapshot collect() {
        HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(NAME)
                .help("Time from a request's arrival to its answer being written, by protocol and operation");
        for (Series s : series) {
            b.dataPoint(s.snapshot());
        }
        return b.build();
    }

    @Override
    public String getPrometheusName() {
        return NAME;
    }

    private static double[] seconds() {
        double[] out = new double[BOUNDS_NANOS.length + 1];
        for (int i = 0; i < BOUNDS_NANOS.length; i++) {
            out[i] = BOUNDS_NANOS[i] / 1e9;
        }
        out[BOUNDS_NANOS.length] = Double.POSITIVE_INFINITY;
        return out;
    }
}
