package org.idnode.server.limits;

import java.net.InetAddress;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.idnode.server.config.NodeConfig;
import org.idnode.server.metrics.NodeMetrics;

/**
 * The node's limits against abusive clients, shared by every listener: a token bucket per client address and
 * protocol ({@link #admit}, {@link #admitDatagram}), the connection caps of the Handle TCP, HTTP and gRPC listeners
 * ({@link #connections}) and the caps on requests in flight per address of Handle TCP and HTTP ({@link #inFlightCap}),
 * and the counters that metrics read ({@link #rateLimitedCount}, {@link #connectionsRefusedCount}, ...). Addresses on the allow-list
 * ({@code limits.allow}) are never refused by rate or per-address caps.
 *
 * <p>Thread-safe; one instance per node.
 */
public final class ClientLimits {
    /** The protocols limited separately; {@link #label()} is how counters and documents name them. */
    public enum Protocol {
        UDP, TCP, HTTP, GRPC;

        /** Lower-case name: {@code udp}, {@code tcp}, {@code http}, {@code grpc}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What the UDP listener does with one datagram ({@link #admitDatagram}). */
    public enum DatagramVerdict {
        /** Process it. */
        ADMIT,
        /** Answer it {@code SERVER_TOO_BUSY} instead of processing it. */
        REFUSE,
        /** Drop it unanswered. */
        DROP,
        /** Drop it unanswered; its sender floods, so move the datagram's flow to a socket of its own. */
        ISOLATE
    }

    /** The listeners with connections, each capped separately. */
    private static final List<Protocol> CONNECTION_PROTOCOLS = List.of(Protocol.TCP, Protocol.HTTP, Protocol.GRPC);

    private final NodeConfig.Limits settings;
    private final Map<Protocol, AddressRateLimiter> rates = new EnumMap<>(Protocol.class);
    private final Map<Protocol, ConnectionCap> caps = new EnumMap<>(Protocol.class);
    private final Map<Protocol, AddressInFlightCap> inFlightCaps = new EnumMap<>(Protocol.class);
    private final List<NodeConfig.Limits.AddressRange> allow;
    private final Map<Protocol, LongAdder> readTimeouts = new EnumMap<>(Protocol.class);
    private final LongAdder udpAnswersTooLarge = new LongAdder();
    private final LongAdder udpFlowsIsolated = new LongAdder();
    private final AtomicInteger udpIsolatedFlows = new AtomicInteger();
    private final LongAdder udpRefusalsDropped = new LongAdder();

    public ClientLimits(NodeConfig.Limits settings) {
        this.settings = settings;
        this.allow = settings.allow();
        AddressRateLimiter shared = settings.sharedRate() && !settings.udpRate().unlimited()
                ? new AddressRateLimiter(settings.udpRate(), settings.trackedAddresses()) : null;
        for (Protocol p : Protocol.values()) {
            NodeConfig.Limits.Rate rate = rate(settings, p);
            if (!rate.unlimited()) {
                rates.put(p, shared != null ? shared : new AddressRateLimiter(rate, settings.trackedAddresses()));
            }
        }
        for (Protocol p : CONNECTION_PROTOCOLS) {
            caps.put(p, new ConnectionCap(settings.maxConnections(), settings.maxConnectionsPerAddress(), this::allowed));
        }
        inFlightCaps.put(Protocol.TCP, new AddressInFlightCap(settings.maxInFlightPerAddress()));
        inFlightCaps.put(Protocol.HTTP, new AddressInFlightCap(settings.maxInFlightPerAddress()));
        readTimeouts.put(Protocol.TCP, new LongAdder());
        readTimeouts.put(Protocol.HTTP, new LongAdder());
    }

    private static NodeConfig.Limits.Rate rate(NodeConfig.Limits s, Protocol p) {
        return switch (p) {
            case UDP -> s.udpRate();
            case TCP -> s.tcpRate();
            case HTTP -> s.httpRate();
            case GRPC -> s.grpcRate();
        };
    }

    /** The settings these limits enforce. */
    public NodeConfig.Limits settings() {
        return settings;
    }

    /**
     * Takes a token from {@code client}'s bucket for {@code protocol}.
     *
     * @return 0 when the request may go ahead; else the nanoseconds until the client may send again (at least 1)
     */
    public long admit(Protocol protocol, InetAddress client) {
        AddressRateLimiter limiter = rates.get(protocol);
        if (limiter == null) {
            return 0;
        }
        long wait = limiter.admit(client);
        // The allow-list is consulted only for refusals, so that it costs nothing on the common path.
        return wait > 0 && allowed(client) ? 0 : wait;
    }

    /**
     * {@link #admit} for a request that arrived on a Handle TCP or HTTP connection, pacing a client that was refused:
     * from its first refusal on, its requests go ahead one token interval apart (1/rate) instead of in bursts, each
     * delayed until its token is due, until it has sent nothing for {@code burst / rate} seconds. A flooder on many
     * connections thus gets its rate as an even stream rather than its whole bucket at once each time its connections
     * are read again, which every other client's requests would queue behind. Allow-listed clients are neither
     * refused nor delayed.
     *
     * @return 0 when the request may go ahead now; above 0, the nanoseconds to delay it before it goes ahead; below 0,
     *         refused: minus the nanoseconds until the client may send again
     */
    public long admitPaced(Protocol protocol, InetAddress client) {
        AddressRateLimiter limiter = rates.get(protocol);
        if (limiter == null) {
            return 0;
        }
        long verdict = limiter.admitPaced(client);
        return verdict != 0 && allowed(client) ? 0 : verdict;
    }

    /**
     * {@link #admit} for one UDP datagram. A refusal is answered only at the client's own rate (a flooder gets at most
     * as many refusals per second as it may get answers; the others are dropped, which costs the node least and
     * reflects nothing). Once a client had as many datagrams dropped within a second as its rate allows it in a
     * second, it floods: its further drops within that second are {@link DatagramVerdict#ISOLATE}, each naming a flow
     * (source port) of the client to move to a socket of its own.
     */
    public DatagramVerdict admitDatagram(InetAddress client) {
        AddressRateLimiter limiter = rates.get(Protocol.UDP);
        if (limiter == null) {
            return DatagramVerdict.ADMIT;
        }
        DatagramVerdict verdict = limiter.admitDatagram(client);
        return verdict != DatagramVerdict.ADMIT && allowed(client) ? DatagramVerdict.ADMIT : verdict;
    }

    /**
     * The UDP requests {@code client} may send at once now: the tokens left in its bucket. Reading no more than this
     * from a client's socket leaves nothing to refuse. Only for a client {@link #admitDatagram} has answered
     * {@link DatagramVerdict#ISOLATE}: there is a UDP rate limit then, and the client is not on the allow-list.
     */
    public long udpTokens(InetAddress client) {
        return rates.get(Protocol.UDP).tokens(client);
    }

    /**
     * How long a TCP or HTTP connection whose request was refused is not read from: the refusal's
     * {@code Retry-After} (whole seconds, at least one; the client was told to wait that long), plus a random part of
     * up to another {@code Retry-After}. A flooding connection thus costs the node at most one refusal a second.
     * The random part spreads the connections of one flooder, which its empty bucket refuses within moments of each
     * other, over a whole {@code Retry-After}: were they all read again at once, the tokens refilled meanwhile would
     * be spent in one burst of as many requests, which the other clients' requests would queue behind.
     */
    public static long pauseNanos(long waitNanos) {
        long retryAfter = retryAfterSeconds(waitNanos) * 1_000_000_000L;
        return retryAfter + ThreadLocalRandom.current().nextLong(retryAfter);
    }

    /** The whole seconds, at least one, a refused client is asked to wait. */
    public static long retryAfterSeconds(long waitNanos) {
        return Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    }

    /** True when {@code client} is on the allow-list. */
    public boolean allowed(InetAddress client) {
        for (NodeConfig.Limits.AddressRange r : allow) {
            if (r.contains(client)) {
                return true;
            }
        }
        return false;
    }

    /** The connection cap of a listener: {@link Protocol#TCP} for Handle TCP, {@link Protocol#HTTP} or {@link Protocol#GRPC}. */
    public ConnectionCap connections(Protocol protocol) {
        ConnectionCap cap = caps.get(protocol);
        if (cap == null) {
            throw new IllegalArgumentException("no connection cap for " + protocol);
        }
        return cap;
    }

    /**
     * The cap on requests in flight per client address of a TCP listener ({@link Protocol#TCP} for Handle TCP, or
     * {@link Protocol#HTTP}) for a connection from {@code client}; null for an allow-listed client, which is not capped.
     */
    public AddressInFlightCap inFlightCap(Protocol protocol, InetAddress client) {
        AddressInFlightCap cap = inFlightCaps.get(protocol);
        if (cap == null) {
            throw new IllegalArgumentException("no in-flight cap for " + protocol);
        }
        return allowed(client) ? null : cap;
    }

    /**
     * A new read deadline ({@code limits.read-timeout-seconds}) for one connection of {@link Protocol#TCP} (closed
     * when it expires) or {@link Protocol#HTTP} (answered {@code 408} with a JSON message, then closed).
     */
    public ReadDeadline readDeadline(Protocol protocol) {
        int seconds = settings.readTimeoutSeconds();
        LongAdder counter = readTimeouts.get(protocol);
        if (counter == null) {
            throw new IllegalArgumentException("no read deadline for " + protocol);
        }
        return new ReadDeadline(seconds, protocol == Protocol.HTTP ? () -> HttpRefusal.requestTimeout(seconds) : null, counter);
    }

    /**
     * The most bytes a UDP answer to a request of {@code requestBytes} may take (all its datagrams' payloads):
     * {@code limits.udp-amplification-factor} times the request.
     */
    public int udpAnswerBudget(int requestBytes) {
        return requestBytes * settings.udpAmplificationFactor();
    }

    /** Counts a UDP answer replaced by a pointer to TCP because it was over its budget. */
    public void udpAnswerTooLarge() {
        udpAnswersTooLarge.increment();
    }

    /** Counts a flooding UDP flow moved to a socket of its own; {@link #udpFlowReleased} when it is closed. */
    public void udpFlowIsolated() {
        udpFlowsIsolated.increment();
        udpIsolatedFlows.incrementAndGet();
    }

    /** Counts the socket of an isolated UDP flow closed. */
    public void udpFlowReleased() {
        udpIsolatedFlows.decrementAndGet();
    }

    /** Flooding UDP flows moved to sockets of their own so far. */
    public long udpFlowsIsolatedCount() {
        return udpFlowsIsolated.sum();
    }

    /** UDP flows on sockets of their own now. */
    public int udpIsolatedFlows() {
        return udpIsolatedFlows.get();
    }

    /** UDP answers replaced by a pointer to TCP so far. */
    public long udpAnswersTooLargeCount() {
        return udpAnswersTooLarge.sum();
    }

    /**
     * Counts a UDP request refused by the rate limit and dropped without an answer: beyond the refusals answered at the
     * client's own rate ({@link #admitDatagram}), or whose refusal would not fit its size budget.
     */
    public void udpRefusalDropped() {
        udpRefusalsDropped.increment();
    }

    /** UDP requests refused by the rate limit and dropped without an answer so far. */
    public long udpRefusalsDroppedCount() {
        return udpRefusalsDropped.sum();
    }

    /** Connections closed by the read deadline so far, on {@code tcp} (Handle) or {@code http}. */
    public long readTimeoutCount(String protocol) {
        LongAdder counter = readTimeouts.get(protocol(protocol));
        return counter == null ? 0 : counter.sum();
    }

    /**
     * Requests refused by the rate limit so far on {@code protocol} ({@code udp}, {@code tcp}, {@code http},
     * {@code grpc}); with {@code limits.rate.shared} every protocol reports the shared total.
     */
    public long rateLimitedCount(String protocol) {
        AddressRateLimiter limiter = rates.get(protocol(protocol));
        return limiter == null ? 0 : limiter.refused();
    }

    /** Connections closed at once because a cap was reached, on {@code tcp} (Handle), {@code http} or {@code grpc}. */
    public long connectionsRefusedCount(String protocol) {
        ConnectionCap cap = caps.get(protocol(protocol));
        return cap == null ? 0 : cap.refused();
    }

    /** Connections open now on {@code tcp} (Handle), {@code http} or {@code grpc}. */
    public int openConnections(String protocol) {
        ConnectionCap cap = caps.get(protocol(protocol));
        return cap == null ? 0 : cap.open();
    }

    /**
     * Registers the counters with the node's metrics (docs/operations.md): {@code idnode_rate_limited_requests_total}
     * by {@code protocol} ({@code shared} when {@code limits.rate.shared} puts every protocol in one bucket),
     * {@code idnode_udp_refusals_dropped_total}, {@code idnode_connections_refused_total} and
     * {@code idnode_open_connections} by {@code protocol} ({@code tcp}, {@code http}, {@code grpc}),
     * {@code idnode_read_timeouts_total} by {@code protocol} ({@code tcp}, {@code http}),
     * {@code idnode_udp_answers_too_large_total}, {@code idnode_udp_flows_isolated_total} and {@code idnode_udp_isolated_flows}.
     * Call once.
     */
    public void registerMetrics(NodeMetrics metrics) {
        if (settings.sharedRate() && !settings.udpRate().unlimited()) {
            metrics.counter("idnode_rate_limited_requests", "Requests refused by the rate limit", Map.of("protocol", "shared"),
                    () -> rateLimitedCount(Protocol.UDP.label()));
        } else {
            for (Protocol p : Protocol.values()) {
                metrics.counter("idnode_rate_limited_requests", "Requests refused by the rate limit", Map.of("protocol", p.label()),
                        () -> rateLimitedCount(p.label()));
            }
        }
        metrics.counter("idnode_udp_refusals_dropped", "UDP requests refused by the rate limit and dropped without an answer",
                this::udpRefusalsDroppedCount);
        for (Protocol p : CONNECTION_PROTOCOLS) {
            Map<String, String> tag = Map.of("protocol", p.label());
            metrics.counter("idnode_connections_refused", "Connections closed at once because a connection cap was reached", tag,
                    () -> connectionsRefusedCount(p.label()));
            metrics.gauge("idnode_open_connections", "Connections open now", tag, () -> openConnections(p.label()));
        }
        for (Protocol p : readTimeouts.keySet()) {
            metrics.counter("idnode_read_timeouts", "Connections closed because a message did not arrive within the read deadline",
                    Map.of("protocol", p.label()), () -> readTimeoutCount(p.label()));
        }
        metrics.counter("idnode_udp_answers_too_large", "UDP answers over the amplification budget, replaced by a pointer to TCP",
                this::udpAnswersTooLargeCount);
        metrics.counter("idnode_udp_flows_isolated", "Flooding UDP flows moved to a socket of their own, read at the client's rate",
                this::udpFlowsIsolatedCount);
        metrics.gauge("idnode_udp_isolated_flows", "UDP flows on a socket of their own now", this::udpIsolatedFlows);
    }

    private static Protocol protocol(String label) {
        try {
            return Protocol.valueOf(label.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown protocol '" + label + "'; expected udp, tcp, http or grpc");
        }
    }
}
