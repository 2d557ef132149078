package org.idnode.server.limits;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.LongAdder;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.idnode.server.config.NodeConfig;

/**
 * A token bucket per client address: {@code rate.perSecond()} requests per second, up to {@code rate.burst()} at
 * once. Each bucket is one {@code long}, the generic cell rate algorithm's "theoretical arrival time", updated by
 * compare-and-set: no lock and no allocation per request. IPv6 clients are counted per /64, the block one
 * subscriber usually holds. The buckets live in a Caffeine cache bounded in size, so a flood of spoofed source
 * addresses costs at most {@code trackedAddresses} buckets, Caffeine evicting the least used (W-TinyLFU keeps the
 * buckets of addresses seen often). A dropped bucket that had refilled changes nothing for its client: a new bucket
 * is a full one.
 *
 * <p>For UDP ({@link #admitDatagram}) a bucket also paces the refusals that are answered and counts the datagrams
 * dropped unanswered: an address with {@code rate.perSecond()} of them within a second floods.
 *
 * <p>Thread-safe. The drop count is kept without atomic updates: two event loops counting the same address at once
 * may lose a count, which only delays the verdict that it floods.
 */
final class AddressRateLimiter {
    private final long intervalNanos;
    private final long toleranceNanos;
    private final int floodDrops;
    private final int burst;
    private final Cache<InetAddress, Bucket> buckets;
    private final LongAdder refused = new LongAdder();

    AddressRateLimiter(NodeConfig.Limits.Rate rate, int trackedAddresses) {
        intervalNanos = Math.max(1, 1_000_000_000L / rate.perSecond());
        toleranceNanos = intervalNanos * (rate.burst() - 1L);
        floodDrops = rate.perSecond();
        burst = rate.burst();
        // Size-bounded only: expiry would read the clock again on every lookup. A bucket left behind by a client
        // that went away is full again after burst / rate, so it makes no difference whether it is kept or dropped.
        buckets = Caffeine.newBuilder()
                .maximumSize(trackedAddresses)
                .build();
    }

    /**
     * Takes a token for {@code client}.
     *
     * @return 0 when the request may go ahead, else how many nanoseconds until the next token
     */
    long admit(InetAddress client) {
        long verdict = bucket(client).take(System.nanoTime(), intervalNanos, toleranceNanos, false);
        if (verdict < 0) {
            refused.increment();
            return -verdict;
        }
        return 0;
    }

    /**
     * Takes a token for a request that arrived on a connection (Handle TCP, HTTP), pacing a client that was refused:
     * from its first refusal on, its requests go ahead one {@code interval} apart instead of in bursts (each is
     * delayed until its token is due), until it has sent nothing for as long as its bucket takes to refill
     * ({@code burst / rate}). A paced client still gets its whole rate; it is refused only when its delayed requests
     * would reach further ahead than its burst.
     *
     * @return 0 when the request may go ahead now; above 0, the nanoseconds it is to be delayed before it goes ahead;
     *         below 0, refused: minus the nanoseconds until the client may send again
     */
    long admitPaced(InetAddress client) {
        return admitPaced(client, System.nanoTime());
    }

    /** {@link #admitPaced(InetAddress)} at {@code now} (System.nanoTime). */
    long admitPaced(InetAddress client, long now) {
        long verdict = bucket(client).take(now, intervalNanos, toleranceNanos, true);
        if (verdict < 0) {
            refused.increment();
        }
        return verdict;
    }

    /**
     * Takes a token for one datagram from {@code client}. A refusal is answered only at the client's own rate, so a
     * flooder gets at most as many refusals per second as it may get answers; the rest are dropped unanswered, and
     * once {@code rate.perSecond()} of them were dropped within a second the client floods: its further drops within
     * that second are {@link ClientLimits.DatagramVerdict#ISOLATE}.
     */
    ClientLimits.DatagramVerdict admitDatagram(InetAddress client) {
        Bucket bucket = bucket(client);
        long now = System.nanoTime();
        if (bucket.take(now, intervalNanos, toleranceNanos, false) == 0) {
            return ClientLimits.DatagramVerdict.ADMIT;
        }
        refused.increment();
        if (bucket.refusalDue(now, intervalNanos)) {
            return ClientLimits.DatagramVerdict.REFUSE;
        }
        return bucket.dropped(now, floodDrops) ? ClientLimits.DatagramVerdict.ISOLATE : ClientLimits.DatagramVerdict.DROP;
    }

    private Bucket bucket(InetAddress client) {
        return buckets.get(key(client), a -> new Bucket());
    }

    /** The requests {@code client} may send at once now, at most the burst (a client without a bucket has a full one). */
    long tokens(InetAddress client) {
        Bucket bucket = buckets.getIfPresent(key(client));
        return bucket == null ? burst : bucket.tokens(System.nanoTime(), intervalNanos, toleranceNanos);
    }

    /** Requests refused so far. */
    long refused() {
        return refused.sum();
    }

    /** Client addresses tracked now (approximately). */
    long tracked() {
        return buckets.estimatedSize();
    }

    private static InetAddress key(InetAddress client) {
        if (!(client instanceof Inet6Address)) {
            return client;
        }
        byte[] a = client.getAddress();
        java.util.Arrays.fill(a, 8, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One client's bucket: the time (System.nanoTime) at which it would be full again, less one interval; for UDP also
     * when a refusal may be answered next, and the datagrams dropped since {@code dropsSince}; for connections whether
     * the client is paced.
     */
    private static final class Bucket {
        private static final AtomicLongFieldUpdater<Bucket> TAT = AtomicLongFieldUpdater.newUpdater(Bucket.class, "tat");
        private static final AtomicLongFieldUpdater<Bucket> NEXT_REFUSAL = AtomicLongFieldUpdater.newUpdater(Bucket.class, "nextRefusal");
        private static final long DROP_WINDOW_NANOS = 1_000_000_000L;
        private volatile long tat = Long.MIN_VALUE;
        private volatile long nextRefusal;
        private volatile long dropsSince;
        private volatile int drops;
        /** Refused lately, so its paceable requests are spaced at the rate ({@link #take}); set and cleared without atomicity. */
        private volatile boolean paced;

        Bucket() {
            long now = System.nanoTime();
            nextRefusal = now;
            dropsSince = now;
        }

        /** Counts a datagram dropped unanswered; true from the {@code flood}th within a second on. */
        boolean dropped(long now, int flood) {
            if (now - dropsSince > DROP_WINDOW_NANOS) {
                dropsSince = now;
                drops = 1;
                return flood <= 1;
            }
            int n = drops + 1;
            drops = n;
            return n >= flood;
        }

        /** True (once per {@code interval}) when a refusal may be answered now. */
        boolean refusalDue(long now, long interval) {
            long due = nextRefusal;
            return now - due >= 0 && NEXT_REFUSAL.compareAndSet(this, due, now + interval);
        }

        /** Tokens left now, 0 to the burst ({@code tolerance / interval + 1}). */
        long tokens(long now, long interval, long tolerance) {
            long ahead = Math.max(tat, now) - now - tolerance;   // how far the next request would be over; <= 0: it may go
            return ahead > 0 ? 0 : -ahead / interval + 1;
        }

        /**
         * Takes a token at {@code now}.
         *
         * @param paceable whether the request may be paced ({@link AddressRateLimiter#admitPaced}): its refusal starts
         *                 pacing, and while paced it goes ahead when its token is due rather than at once
         * @return 0 when the request may go ahead now; above 0 (paceable requests only), the nanoseconds until its token
         *         is due; below 0, refused: minus the nanoseconds until the next token
         */
        long take(long now, long interval, long tolerance, boolean paceable) {
            while (true) {
                long current = tat;
                boolean pacing = paceable && paced;
                if (pacing && now - current >= tolerance) {
                    paced = pacing = false;
                }
                long start = Math.max(current, now);
                long wait = start - now - tolerance;
                if (wait > 0) {
                    if (paceable) {
                        paced = true;
                    }
                    return -wait;
                }
                if (TAT.compareAndSet(this, current, start + interval)) {
                    return pacing ? start - now : 0;
                }
            }
        }
    }
}
