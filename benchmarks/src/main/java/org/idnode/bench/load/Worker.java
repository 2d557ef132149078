package org.idnode.bench.load;

import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One event loop's share of a run: its lanes, its key sampler, its pacing and its recorder. The
 * protocol subclasses only move bytes; this class decides when requests are sent and what is recorded.
 *
 * <p>Threading: everything except {@link #open()} and {@link #close()} runs on {@link #loop}, so the
 * state needs no synchronisation. {@link #open()} and {@link #close()} may be called from the
 * coordinating thread and hand their work to the loop.
 *
 * <p>Life of a request: {@link #issue} stamps the lane and calls {@link #send}; the transport calls
 * {@link #answered} (any answer) or {@link #failed} (connection lost); the sweep calls
 * {@link #abandon} for requests older than the timeout. A free lane is offered to {@link #laneAvailable},
 * which sends the next request right away (closed loop) or when one is due (open loop).
 */
abstract class Worker {
    final LoadSpec spec;
    final RunControl run;
    final EventLoop loop;
    final KeySet keys;
    final Recorder recorder = new Recorder();
    final Lane[] lanes;
    private final KeySampler sampler;
    private final boolean openLoop;
    private final double intervalNanos;
    private final long offsetNanos;
    private final long skipBehindNanos;
    private final Lane[] free;
    private int freeCount;
    private long nextSeq;
    private boolean pacerScheduled;
    private final Runnable pacerTask = this::pacerFired;
    private boolean stopped;
    private boolean finished;
    private int outstanding;
    private int deadLanes;
    private ScheduledFuture<?> sweeper;

    Worker(LoadSpec spec, RunControl run, EventLoop loop, KeySet keys, int laneCount, int workerIndex, int workerCount) {
        this.spec = spec;
        this.run = run;
        this.loop = loop;
        this.keys = keys;
        this.lanes = new Lane[laneCount];
        for (int i = 0; i < laneCount; i++) {
            lanes[i] = new Lane(i);
        }
        this.free = new Lane[laneCount];
        this.sampler = new KeySampler(spec.keyDistribution(), spec.zipfExponent(), keys.size(), spec.seed(), workerIndex, workerCount);
        this.openLoop = spec.openLoop();
        this.skipBehindNanos = spec.catchUp() ? Long.MAX_VALUE : LoadSpec.CATCH_UP_LIMIT.toNanos();
        if (openLoop) {
            double perRequest = 1e9 / spec.rate();
            intervalNanos = perRequest * workerCount;
            offsetNanos = (long) (perRequest * workerIndex);
        } else {
            intervalNanos = 0;
            offsetNanos = 0;
        }
    }

    /** Opens the transport (binds, connects every lane); the future completes on the loop. */
    abstract Future<?> open();

    /** Writes the request for {@code lane.key} (the lane is stamped and busy). */
    abstract void send(Lane lane);

    /**
     * Gives up on the lane's request after a timeout (already recorded). The transport must later
     * offer the lane again with {@link #laneAvailable} or retire it with {@link #laneDead}.
     */
    abstract void abandon(Lane lane);

    /** Pushes written requests to the socket; a no-op for transports that flush on every write. */
    void flush() {
    }

    /** Closes the transport's channels; runs on the loop. */
    abstract void closeChannels();

    /** Starts sending; runs on the loop once the coordinator has fixed the run's timeline. */
    final void begin() {
        long sweepNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(TimeUnit.MILLISECONDS.toNanos(50), run.timeoutNanos / 4));
        sweeper = loop.scheduleAtFixedRate(this::sweep, sweepNanos, sweepNanos, TimeUnit.NANOSECONDS);
        long now = System.nanoTime();
        for (Lane lane : lanes) {
            if (!usable(lane)) {
                continue;
            }
            if (openLoop) {
                enqueue(lane);
            } else if (!issue(lane, now)) {
                break;
            }
        }
        if (openLoop) {
            pace();
        }
        flush();
        checkFinished();
    }

    /** Whether a lane can carry a request when the run begins (a connected TCP/HTTP lane, any UDP lane). */
    boolean usable(Lane lane) {
        return true;
    }

    /** Offers a free lane: sends on it now (closed loop) or queues it for the next due request (open loop). */
    final void laneAvailable(Lane lane) {
        if (stopped || run.abort) {
            stopped = true;
            checkFinished();
            return;
        }
        if (openLoop) {
            enqueue(lane);
            pace();
        } else if (!issue(lane, System.nanoTime())) {
            checkFinished();
        }
    }

    /** Retires a lane whose connection cannot be re-established. */
    final void laneDead(Lane lane) {
        deadLanes++;
        if (deadLanes == lanes.length) {
            stopped = true;
        }
        checkFinished();
    }

    /** True once this worker sends no more requests. */
    final boolean stopped() {
        return stopped;
    }

    /** An answer for the lane's request; {@code errorCode} null for success. */
    final void answered(Lane lane, String errorCode) {
        if (!lane.busy) {
            return;
        }
        long now = System.nanoTime();
        lane.busy = false;
        outstanding--;
        if (lane.measured) {
            recorder.answered(now - lane.startNanos, errorCode, now);
        }
        laneAvailable(lane);
    }

    /** The lane's request got no answer because the connection failed; the transport reconnects the lane. */
    final void failed(Lane lane, String errorCode) {
        if (!lane.busy) {
            return;
        }
        long now = System.nanoTime();
        lane.busy = false;
        outstanding--;
        if (lane.measured) {
            recorder.failed(errorCode, now);
        }
        checkFinished();
    }

    private boolean issue(Lane lane, long intendedNanos) {
        if (stopped) {
            return false;
        }
        boolean measured;
        if (intendedNanos < run.measureStartNanos) {
            measured = false;
        } else if (run.countMode) {
            if (!run.takeTicket()) {
                stopped = true;
                return false;
            }
            measured = true;
        } else if (intendedNanos >= run.measureEndNanos) {
            stopped = true;
            return false;
        } else {
            measured = true;
        }
        lane.busy = true;
        lane.measured = measured;
        lane.startNanos = intendedNanos;
        lane.sentNanos = System.nanoTime();
        lane.key = sampler.next();
        outstanding++;
        send(lane);
        return true;
    }

    /** Open loop: sends every request that is due on free lanes, then arms the timer for the next one. */
    private void pace() {
        long now = System.nanoTime();
        while (freeCount > 0) {
            long due = run.startNanos + offsetNanos + (long) (nextSeq * intervalNanos);
            if (now - due > skipBehindNanos) {
                // Too far behind to catch up (the generator was paused): go on at the rate from now.
                nextSeq = (long) Math.ceil((now - run.startNanos - offsetNanos) / intervalNanos);
                continue;
            }
            if (due > now) {
                if (!pacerScheduled) {
                    pacerScheduled = true;
                    loop.schedule(pacerTask, due - now, TimeUnit.NANOSECONDS);
                }
                break;
            }
            Lane lane = free[--freeCount];
            lane.queued = false;
            if (!usable(lane)) {
                continue;   // its connection went down while it waited; it is offered again once reconnected
            }
            if (!issue(lane, due)) {
                enqueue(lane);
                break;
            }
            nextSeq++;
        }
        checkFinished();
    }

    private void enqueue(Lane lane) {
        if (!lane.queued) {
            lane.queued = true;
            free[freeCount++] = lane;
        }
    }

    private void pacerFired() {
        pacerScheduled = false;
        if (!stopped) {
            pace();
            flush();
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        if (run.abort) {
            stopped = true;
        }
        for (Lane lane : lanes) {
            if (lane.busy && now - lane.sentNanos > run.timeoutNanos) {
                lane.busy = false;
                outstanding--;
                if (lane.measured) {
                    recorder.failed("timeout", now);
                }
                abandon(lane);
            }
        }
        if (run.abort) {
            // Give up on what is still in flight; nothing more is recorded.
            for (Lane lane : lanes) {
                if (lane.busy) {
                    lane.busy = false;
                    outstanding--;
                }
            }
        }
        flush();
        checkFinished();
    }

    private void checkFinished() {
        if (!finished && stopped && outstanding == 0) {
            finished = true;
            if (sweeper != null) {
                sweeper.cancel(false);
            }
            flush();
            run.workerDone();
        }
    }

    /** Closes the transport; safe from any thread, idempotent. */
    final void close() {
        if (loop.inEventLoop()) {
            stopped = true;
            closeChannels();
        } else if (!loop.isShuttingDown()) {
            try {
                loop.submit(() -> {
                    stopped = true;
                    closeChannels();
                }).await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The loop is already gone, and its channels with it.
            }
        }
    }
}
