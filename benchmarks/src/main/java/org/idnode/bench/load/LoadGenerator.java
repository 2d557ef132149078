package org.idnode.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import org.HdrHistogram.Histogram;

/**
 * Runs one load test against a Handle node (or anything that speaks the protocol) and returns its
 * measurements. This is the harness behind {@code idbench resolve} and {@code idbench ceiling}, usable
 * directly from Java:
 *
 * <pre>{@code
 * KeySet keys = KeySet.read(Path.of("keys.txt"));
 * LoadSpec spec = LoadSpec.builder(Protocol.UDP).target(new InetSocketAddress("127.0.0.1", 2641))
 *         .concurrency(128).duration(Duration.ofSeconds(10)).build();
 * LoadResult result = LoadGenerator.run(spec, keys);
 * }</pre>
 *
 * <p>The run uses {@code min(threads, concurrency)} Netty event loops of its own; the requests in
 * flight are split evenly over them, and each loop sends, receives, paces and records on its own, so
 * nothing is shared on the hot path but the request budget of a count-bounded run. Connections (TCP,
 * HTTP) are all established before the clock starts. A warm-up until steady ({@link LoadSpec#warmupUntilSteady})
 * runs as a series of short unrecorded runs of the same load (each with its own event loops and connections) before
 * the measured one, so that the measured run's timeline is the same as with a fixed warm-up.
 *
 * <p>Threading: {@link #run} blocks the calling thread until the run is over and may be called from
 * any thread; concurrent runs are independent (each has its own event loops).
 */
public final class LoadGenerator {
    private static final Duration CONNECT_WAIT = Duration.ofSeconds(15);

    private LoadGenerator() {
    }

    /**
     * Runs the load described by {@code spec} with keys from {@code keys}.
     *
     * @throws LoadException                when the target cannot be reached or the run does not finish
     */
    public static LoadResult run(LoadSpec spec, KeySet keys) {
        return run(spec, keys, null);
    }

    /**
     * Runs the load described by {@code spec} with keys from {@code keys}, writing the measured run's latencies to
     * {@code intervals} too (when not null; the caller closes it). The log's first interval starts with the measured
     * run's timeline, its fixed warm-up included.
     *
     * @throws LoadException                when the target cannot be reached or the run does not finish
     */
    public static LoadResult run(LoadSpec spec, KeySet keys, IntervalLog intervals) {
        Objects.requireNonNull(keys, "keys");
        if (spec.target() == null) {
            throw new IllegalArgumentException("the spec has no target address");
        }
        LoadSpec resolved = spec.withIo(spec.io().resolve());
        if (!resolved.warmupUntilSteady()) {
            return runOnce(resolved, keys, intervals);
        }
        long warmupNanos = warmUntilSteady(resolved, keys) + SteadyWarmup.SETTLE.toNanos();
        return runOnce(resolved.withFixedWarmup(SteadyWarmup.SETTLE), keys, intervals).withWarmupSeconds(warmupNanos / 1e9);
    }

    /** Runs unrecorded windows until {@link SteadyWarmup} says the rate is steady or the warm-up limit is spent; returns the time taken. */
    private static long warmUntilSteady(LoadSpec spec, KeySet keys) {
        LoadSpec window = spec.withFixedTimeline(Duration.ZERO, SteadyWarmup.WINDOW);
        SteadyWarmup rule = new SteadyWarmup();
        long start = System.nanoTime();
        boolean steady = false;
        while (!steady && System.nanoTime() - start < spec.warmup().toNanos()) {
            steady = rule.steadyAfter(runOnce(window, keys, null));
        }
        return System.nanoTime() - start;
    }

    private static LoadResult runOnce(LoadSpec resolved, KeySet keys, IntervalLog intervals) {
        int workerCount = Math.min(resolved.threads(), resolved.concurrency());
        IoMode io = resolved.io();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(workerCount, new DefaultThreadFactory("idbench-io", true), io.handlerFactory());
        RunControl run = new RunControl(resolved, workerCount);
        List<Worker> workers = new ArrayList<>(workerCount);
        try {
            int index = 0;
            for (EventExecutor executor : group) {
                int lanes = resolved.concurrency() / workerCount + (index < resolved.concurrency() % workerCount ? 1 : 0);
                Worker w = newWorker(resolved, run, (EventLoop) executor, keys, lanes, index, workerCount);
                w.recorder.intervals = intervals;
                workers.add(w);
                index++;
            }
            open(resolved, workers);
            long warmupNanos = resolved.warmup().toNanos();
            long durationNanos = resolved.duration() == null ? 0 : resolved.duration().toNanos();
            if (intervals != null) {
                intervals.start();
            }
            run.schedule(System.nanoTime(), warmupNanos, durationNanos);
            for (Worker w : workers) {
                w.loop.execute(w::begin);
            }
            await(resolved, run);
            return result(resolved, keys, run, workers);
        } finally {
            for (Worker w : workers) {
                w.close();
            }
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static Worker newWorker(LoadSpec spec, RunControl run, EventLoop loop, KeySet keys, int lanes, int index, int count) {
        return switch (spec.protocol()) {
            case UDP -> new UdpWorker(spec, run, loop, keys, lanes, index, count);
            case TCP -> spec.tcpNewConnection()
                    ? new TcpNewConnectionWorker(spec, run, loop, keys, lanes, index, count)
                    : new TcpWorker(spec, run, loop, keys, lanes, index, count);
            case HTTP -> new HttpWorker(spec, run, loop, keys, lanes, index, count);
            case GRPC -> new GrpcWorker(spec, run, loop, keys, lanes, index, count);
        };
    }

    private static void open(LoadSpec spec, List<Worker> workers) {
        List<Future<?>> opening = new ArrayList<>();
        for (Worker w : workers) {
            opening.add(w.open());
        }
        for (Future<?> f : opening) {
            boolean done = f.awaitUninterruptibly(CONNECT_WAIT.toMillis());
            if (!done || !f.isSuccess()) {
                Throwable cause = done ? f.cause() : null;
                throw new LoadException("cannot reach " + spec.protocol().label() + " at " + address(spec)
                        + (cause == null ? " within " + CONNECT_WAIT.toSeconds() + " s" : ": " + cause.getMessage()), cause);
            }
        }
    }

    private static void await(LoadSpec spec, RunControl run) {
        long budgetNanos;
        if (spec.duration() != null) {
            budgetNanos = spec.warmup().toNanos() + spec.duration().toNanos();
        } else if (spec.rate() != null) {
            budgetNanos = spec.warmup().toNanos() + (long) (spec.requests() / spec.rate() * 1e9);
        } else {
            budgetNanos = TimeUnit.HOURS.toNanos(24);
        }
        long graceNanos = spec.timeout().toNanos() * 2 + TimeUnit.SECONDS.toNanos(30);
        try {
            if (run.done().await(budgetNanos + graceNanos, TimeUnit.NANOSECONDS)) {
                return;
            }
            run.abort = true;
            if (!run.done().await(spec.timeout().toNanos() + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS)) {
                throw new LoadException("the run did not finish in time; the target may have stopped answering");
            }
        } catch (InterruptedException e) {
            run.abort = true;
            Thread.currentThread().interrupt();
            throw new LoadException("interrupted", e);
        }
    }

    private static LoadResult result(LoadSpec spec, KeySet keys, RunControl run, List<Worker> workers) {
        Histogram histogram = new Histogram(1, Recorder.HIGHEST_MICROS, 3);
        Map<String, Long> errors = new HashMap<>();
        long[] totals = new long[5];   // requests, successes, late, packets, last completion
        for (Worker w : workers) {
            Future<?> copy = w.loop.submit(() -> {
                Recorder r = w.recorder;
                histogram.add(r.histogram);
                r.errorsByCode.forEach((code, n) -> errors.merge(code, n[0], Long::sum));
                totals[0] += r.requests;
                totals[1] += r.successes;
                totals[2] += r.lateAnswers;
                totals[3] += r.udpPackets;
                totals[4] = Math.max(totals[4], r.lastCompletionNanos);
            });
            // Each copy finishes before the next starts, so the shared accumulators see one writer at a time.
            if (!copy.awaitUninterruptibly(5_000) || !copy.isSuccess()) {
                throw new LoadException("cannot collect the results of an event loop", copy.cause());
            }
        }
        long requests = totals[0];
        double seconds = requests == 0 ? 0 : Math.max(1, totals[4] - run.measureStartNanos) / 1e9;
        boolean any = histogram.getTotalCount() > 0;
        return new LoadResult(spec.protocol(), address(spec), false, spec.concurrency(), spec.rate(),
                workers.size(), spec.keyDistribution().label(), keys.size(), spec.tcpNewConnection(),
                spec.warmup().toNanos() / 1e9, seconds, requests, totals[1], requests - totals[1], new TreeMap<>(errors),
                seconds == 0 ? 0 : requests / seconds,
                any ? histogram.getMinValue() : 0, any ? histogram.getMean() : 0,
                any ? histogram.getValueAtPercentile(50) : 0, any ? histogram.getValueAtPercentile(90) : 0,
                any ? histogram.getValueAtPercentile(99) : 0, any ? histogram.getValueAtPercentile(99.9) : 0,
                any ? histogram.getMaxValue() : 0, totals[2], totals[3], spec.zipfExponent());
    }

    private static String address(LoadSpec spec) {
        return spec.target().getAddress().getHostAddress() + ":" + spec.target().getPort();
    }
}
