package org.idnode.server.limits;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import io.netty.channel.Channel;

/**
 * Caps the connections open on one listener: at most {@code max} in all and {@code maxPerAddress} from one client
 * address (allow-listed addresses are held only to the total). A connection over a cap is closed as soon as it is
 * accepted, before anything is read from it. The per-address counts exist only for addresses with open
 * connections, so their memory is bounded by the total cap.
 *
 * <p>Thread-safe; {@link #admit} is called from the event loops as connections are accepted.
 */
public final class ConnectionCap {
    private final int max;
    private final int maxPerAddress;
    private final Predicate<InetAddress> exempt;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();

    ConnectionCap(int max, int maxPerAddress, Predicate<InetAddress> exempt) {
        this.max = max;
        this.maxPerAddress = maxPerAddress;
        this.exempt = exempt;
    }

    /**
     * Counts a newly accepted connection, or closes it when a cap is reached; the count is given back when the
     * connection closes.
     *
     * @return false when the connection was refused (and is being closed)
     */
    public boolean admit(Channel channel) {
        InetAddress client = ((InetSocketAddress) channel.remoteAddress()).getAddress();
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            return refuse(channel);
        }
        boolean[] over = new boolean[1];
        boolean capped = !exempt.test(client);
        perAddress.compute(client, (a, n) -> {
            int next = n == null ? 1 : n + 1;
            if (capped && next > maxPerAddress) {
                over[0] = true;
                return n;
            }
            return next;
        });
        if (over[0]) {
            open.decrementAndGet();
            return refuse(channel);
        }
        channel.closeFuture().addListener(f -> {
            open.decrementAndGet();
            perAddress.computeIfPresent(client, (a, n) -> n == 1 ? null : n - 1);
        });
        return true;
    }

    private boolean refuse(Channel channel) {
        refused.increment();
        channel.close();
        return false;
    }

    int open() {
        return open.get();
    }

    long refused() {
        return refused.sum();
    }
}
