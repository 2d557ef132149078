package org.idnode.bench.load;

import java.time.Duration;

/**
 * The rule that ends a warm-up run until steady: the load runs in unrecorded windows of {@link #WINDOW},
 * and the warm-up is over once {@link #FLAT_WINDOWS} windows in a row have not beaten the best window so
 * far by more than {@link #GAIN}: the JIT compilers of the generator and of the target have stopped
 * paying off. A window's score is its throughput in closed loop and the inverse of its mean latency in
 * open loop (where the rate is fixed and only the latency can improve).
 *
 * <p>Not thread-safe: one instance per run, fed by the thread that runs the windows.
 */
final class SteadyWarmup {
    static final Duration WINDOW = Duration.ofSeconds(2);
    static final double GAIN = 1.05;
    static final int FLAT_WINDOWS = 2;
    /** Unrecorded lead-in of the measured run after the windows, for its connections to start sending. */
    static final Duration SETTLE = Duration.ofSeconds(1);

    private double best;
    private int flat;

    /** Records one window's result; true when the warm-up has reached its steady rate. */
    boolean steadyAfter(LoadResult window) {
        return steadyAfter(score(window));
    }

    boolean steadyAfter(double score) {
        flat = score > best * GAIN ? 0 : flat + 1;
        best = Math.max(best, score);
        return flat >= FLAT_WINDOWS;
    }

    private static double score(LoadResult window) {
        if (window.rate() == null) {
            return window.throughputPerSecond();
        }
        return window.successes() == 0 || window.meanMicros() <= 0 ? 0 : 1e6 / window.meanMicros();
    }
}
