package org.idnode.bench.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * What one run does: protocol and target, how many requests are in flight, whether arrivals are
 * paced (open loop) or follow completions (closed loop), how long it lasts, and how keys are chosen.
 * Build one with {@link #builder(Protocol)}.
 *
 * <ul>
 *   <li><b>Closed loop</b> ({@code rate == null}): {@code concurrency} requests are always in flight;
 *       each completion immediately sends the next. Latency is measured from the actual send.</li>
 *   <li><b>Open loop</b> ({@code rate} set): requests are due at a fixed rate, at most
 *       {@code concurrency} in flight; a request that cannot be sent on time (every slot busy) waits,
 *       and its latency is measured from the time it was <em>due</em>, so a stalled target shows up in
 *       the latencies instead of silently lowering the offered load (no coordinated omission).</li>
 *   <li>Exactly one of {@code duration} and {@code requests} bounds the measured part of the run; it
 *       follows {@code warmup}, whose requests are sent but not recorded.</li>
 *   <li>With {@code warmupUntilSteady}, the warm-up is not one fixed stretch but short unrecorded runs
 *       repeated until the rate stops rising (see {@link LoadGenerator}), {@code warmup} being their
 *       upper bound: a fresh JVM's client paths (and a cold target's) can take many seconds of
 *       compilation before they reach their steady rate, gRPC's most of all.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 *
 * @param protocol         wire protocol
 * @param target           address of the node (or responder); null until set, required to run
 * @param concurrency      requests in flight: connections for TCP and HTTP, outstanding datagrams for UDP
 * @param rate             open-loop arrival rate per second, or null for closed loop
 * @param duration         measured duration, or null when bounded by {@code requests}
 * @param requests         measured request count, or 0 when bounded by {@code duration}
 * @param warmup           unrecorded lead-in; its upper bound when {@code warmupUntilSteady}
 * @param warmupUntilSteady warm up until the rate stops rising instead of for exactly {@code warmup}
 * @param keyDistribution  how keys are picked
 * @param zipfExponent     Zipf exponent (used with {@link KeyDistribution#ZIPF}), &gt; 0
 * @param seed             seed for key choice; the same seed gives the same key sequence per thread
 * @param threads          Netty event-loop threads of the generator (at most {@code concurrency} are used)
 * @param timeout          a request unanswered this long counts as an error ({@code timeout}); its slot is reused
 * @param tcpNewConnection TCP only: open a new connection per request (CNRI-style) instead of keep-alive
 * @param verify           decode every answer with the Handle.net library (or parse the JSON) and
 *                         check it names the requested handle; costs generator CPU, meant for tests
 * @param io               Netty I/O implementation
 * @param bind             local (source) address of the generator's sockets, or null for the system's choice; two
 *                         generators bound to different loopback addresses are two clients to the node's per-address limits
 * @param catchUp          open loop: after a stall, send the requests that fell due meanwhile as fast as lanes allow (true,
 *                         the default: a stalled target shows in the latencies); false: once more than
 *                         {@link #CATCH_UP_LIMIT} behind (the generator itself was paused, say by {@code SIGSTOP}),
 *                         skip the missed requests and go on at the rate from now (they are neither sent nor counted)
 */
public record LoadSpec(
        Protocol protocol,
        InetSocketAddress target,
        int concurrency,
        Double rate,
        Duration duration,
        long requests,
        Duration warmup,
        boolean warmupUntilSteady,
        KeyDistribution keyDistribution,
        double zipfExponent,
        long seed,
        int threads,
        Duration timeout,
        boolean tcpNewConnection,
        boolean verify,
        IoMode io,
        InetAddress bind,
        boolean catchUp) {

    /** How far behind its schedule an open loop without {@code catchUp} may fall before it skips the missed requests. */
    public static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(1);

    /**
     * @throws IllegalArgumentException when a field is out of range or both / neither of
     *                                  {@code duration} and {@code requests} are given
     */
    public LoadSpec {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(keyDistribution, "keyDistribution");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(io, "io");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
        if (rate != null && !(rate > 0 && rate <= 1e8)) {
            throw new IllegalArgumentException("rate must be a positive number of requests per second, got " + rate);
        }
        if ((duration == null) == (requests <= 0)) {
            throw new IllegalArgumentException("give exactly one of a duration and a request count");
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException("duration must be positive, got " + duration);
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("warmup must not be negative, got " + warmup);
        }
        if (!(zipfExponent > 0) || zipfExponent > 10) {
            throw new IllegalArgumentException("zipf exponent must be in (0, 10], got " + zipfExponent);
        }
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("threads must be 1-64, got " + threads);
        }
        if (timeout.toMillis() < 1) {
            throw new IllegalArgumentException("timeout must be at least 1 ms, got " + timeout);
        }
        if (tcpNewConnection && protocol != Protocol.TCP) {
            throw new IllegalArgumentException("a new connection per request applies to --protocol tcp only");
        }
    }

    /** A builder with the defaults: concurrency 64, closed loop, 10 s after 2 s warm-up, uniform keys, 2 threads, 1 s timeout. */
    public static Builder builder(Protocol protocol) {
        return new Builder(protocol);
    }

    /** This spec aimed at another address. */
    public LoadSpec withTarget(InetSocketAddress newTarget) {
        return new LoadSpec(protocol, newTarget, concurrency, rate, duration, requests, warmup, warmupUntilSteady,
                keyDistribution, zipfExponent, seed, threads, timeout, tcpNewConnection, verify, io, bind, catchUp);
    }

    /** This spec with a resolved I/O implementation. */
    LoadSpec withIo(IoMode resolved) {
        return new LoadSpec(protocol, target, concurrency, rate, duration, requests, warmup, warmupUntilSteady,
                keyDistribution, zipfExponent, seed, threads, timeout, tcpNewConnection, verify, resolved, bind, catchUp);
    }

    /** This spec bounded by {@code measured} after a fixed {@code lead} of warm-up. */
    LoadSpec withFixedTimeline(Duration lead, Duration measured) {
        return new LoadSpec(protocol, target, concurrency, rate, measured, 0, lead, false,
                keyDistribution, zipfExponent, seed, threads, timeout, tcpNewConnection, verify, io, bind, catchUp);
    }

    /** This spec's measured part (its duration or request count) after a fixed {@code lead} of warm-up. */
    LoadSpec withFixedWarmup(Duration lead) {
        return new LoadSpec(protocol, target, concurrency, rate, duration, requests, lead, false,
                keyDistribution, zipfExponent, seed, threads, timeout, tcpNewConnection, verify, io, bind, catchUp);
    }

    /** The local address a socket of this run binds to, port 0; null for the system's choice. */
    public InetSocketAddress localAddress() {
        return bind == null ? null : new InetSocketAddress(bind, 0);
    }

    /** True for open loop (a fixed arrival rate). */
    public boolean openLoop() {
        return rate != null;
    }

    /** Mutable builder for {@link LoadSpec}; not thread-safe. */
    public static final class Builder {
        private final Protocol protocol;
        private InetSocketAddress target;
        private int concurrency = 64;
        private Double rate;
        private Duration duration = Duration.ofSeconds(10);
        private long requests;
        private Duration warmup = Duration.ofSeconds(2);
        private boolean warmupUntilSteady;
        private KeyDistribution keyDistribution = KeyDistribution.UNIFORM;
        private double zipfExponent = 0.99;
        private long seed = 1;
        private int threads = 2;
        private Duration timeout = Duration.ofSeconds(1);
        private boolean tcpNewConnection;
        private boolean verify;
        private IoMode io = IoMode.AUTO;
        private InetAddress bind;
        private boolean catchUp = true;

        private Builder(Protocol protocol) {
            this.protocol = Objects.requireNonNull(protocol, "protocol");
        }

        /** The node's address (its Handle port for UDP/TCP, its HTTP port for HTTP). */
        public Builder target(InetSocketAddress value) {
            target = value;
            return this;
        }

        /** Requests in flight (closed loop) or the in-flight cap (open loop). */
        public Builder concurrency(int value) {
            concurrency = value;
            return this;
        }

        /** Open loop at this many requests per second; null for closed loop. */
        public Builder rate(Double value) {
            rate = value;
            return this;
        }

        /** Bound the measured part by time (clears any request count). */
        public Builder duration(Duration value) {
            duration = value;
            requests = 0;
            return this;
        }

        /** Bound the measured part by a request count (clears any duration). */
        public Builder requests(long value) {
            requests = value;
            duration = null;
            return this;
        }

        /** Unrecorded lead-in before measuring, exactly this long. */
        public Builder warmup(Duration value) {
            warmup = value;
            warmupUntilSteady = false;
            return this;
        }

        /** Unrecorded lead-in until the rate stops rising, at most {@code limit}. */
        public Builder warmupUntilSteady(Duration limit) {
            warmup = limit;
            warmupUntilSteady = true;
            return this;
        }

        /** How keys are picked. */
        public Builder keyDistribution(KeyDistribution value) {
            keyDistribution = value;
            return this;
        }

        /** Zipf exponent, for {@link KeyDistribution#ZIPF}. */
        public Builder zipfExponent(double value) {
            zipfExponent = value;
            return this;
        }

        /** Seed of the key choice. */
        public Builder seed(long value) {
            seed = value;
            return this;
        }

        /** Generator event-loop threads. */
        public Builder threads(int value) {
            threads = value;
            return this;
        }

        /** How long a request may stay unanswered before it counts as a {@code timeout} error. */
        public Builder timeout(Duration value) {
            timeout = value;
            return this;
        }

        /** TCP: a new connection per request instead of keep-alive. */
        public Builder tcpNewConnection(boolean value) {
            tcpNewConnection = value;
            return this;
        }

        /** Decode and check every answer (slower; for tests). */
        public Builder verify(boolean value) {
            verify = value;
            return this;
        }

        /** Netty I/O implementation. */
        public Builder io(IoMode value) {
            io = value;
            return this;
        }

        /** Local (source) address of the generator's sockets; null for the system's choice. */
        public Builder bind(InetAddress value) {
            bind = value;
            return this;
        }

        /** Open loop: whether requests missed during a stall are sent late (true, the default) or, past {@link #CATCH_UP_LIMIT}, skipped. */
        public Builder catchUp(boolean value) {
            catchUp = value;
            return this;
        }

        /** @throws IllegalArgumentException as {@link LoadSpec}'s constructor */
        public LoadSpec build() {
            return new LoadSpec(protocol, target, concurrency, rate, duration, requests, warmup, warmupUntilSteady,
                    keyDistribution, zipfExponent, seed, threads, timeout, tcpNewConnection, verify, io, bind, catchUp);
        }
    }
}
