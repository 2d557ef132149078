package org.idnode.bench.load;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The timeline and budget of one run, shared by its workers: when the run starts, when the warm-up
 * ends, when issuing stops (duration mode), and how many measured requests remain (count mode).
 * The times are written once by the coordinator before the workers are started on their event loops
 * (which orders them before any worker reads them); the ticket counter and the latch are thread-safe.
 */
final class RunControl {
    final boolean countMode;
    final long timeoutNanos;
    private final AtomicLong tickets;
    private final CountDownLatch done;
    long startNanos;
    long measureStartNanos;
    long measureEndNanos;
    volatile boolean abort;

    RunControl(LoadSpec spec, int workers) {
        countMode = spec.duration() == null;
        tickets = new AtomicLong(countMode ? spec.requests() : 0);
        timeoutNanos = spec.timeout().toNanos();
        done = new CountDownLatch(workers);
    }

    void schedule(long start, long warmupNanos, long durationNanos) {
        startNanos = start;
        measureStartNanos = start + warmupNanos;
        measureEndNanos = countMode ? Long.MAX_VALUE : measureStartNanos + durationNanos;
    }

    /** Takes one measured request from the budget (count mode); false when the budget is spent. */
    boolean takeTicket() {
        return tickets.getAndDecrement() > 0;
    }

    void workerDone() {
        done.countDown();
    }

    CountDownLatch done() {
        return done;
    }
}
