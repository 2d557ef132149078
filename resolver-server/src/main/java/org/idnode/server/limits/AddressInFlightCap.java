package org.idnode.server.limits;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds the requests of one client address answered at once on one listener, across all its connections: a request
 * beyond {@code max} waits (its connection is not read from meanwhile) until one of the address's requests is
 * answered, in arrival order. A client on many connections thus cannot fill the event loops with its requests, even
 * within its rate: other clients' requests wait behind at most {@code max} of its own. Counts exist only for addresses
 * with requests in flight or waiting, so their memory is bounded by the open connections. Allow-listed addresses are
 * not capped (their connections are not given a cap, see {@link ClientLimits#inFlightCap}).
 *
 * <p>Thread-safe: connections on any event loop share one instance per listener; a waiter is called on the thread
 * that released the slot it is handed, and must hand itself over to its own event loop.
 */
public final class AddressInFlightCap {
    private final int max;
    private final ConcurrentHashMap<InetAddress, Slots> addresses = new ConcurrentHashMap<>();

    /** One address's requests in flight and its connections waiting for a slot; guarded by the map's lock on the entry. */
    private static final class Slots {
        int inFlight;
        /** Made with the first waiter: most addresses never wait, and their entry lives for one request. */
        ArrayDeque<Runnable> waiting;
    }

    AddressInFlightCap(int max) {
        this.max = max;
    }

    /**
     * Takes a slot for a request of {@code client} now, or queues {@code onSlot}, which is run once a slot has been
     * handed to it (the caller then holds it and must {@link #release} it, or {@link #cancel} while it waits).
     *
     * @return true when the slot was taken now
     */
    public boolean acquire(InetAddress client, Runnable onSlot) {
        boolean[] taken = new boolean[1];
        addresses.compute(client, (a, slots) -> {
            Slots s = slots == null ? new Slots() : slots;
            if (s.inFlight < max) {
                s.inFlight++;
                taken[0] = true;
            } else {
                if (s.waiting == null) {
                    s.waiting = new ArrayDeque<>();
                }
                s.waiting.add(onSlot);
            }
            return s;
        });
        return taken[0];
    }

    /** Gives a slot of {@code client} back: to its first waiting connection, if any. */
    public void release(InetAddress client) {
        Runnable[] next = new Runnable[1];
        addresses.computeIfPresent(client, (a, s) -> {
            next[0] = s.waiting == null ? null : s.waiting.poll();
            if (next[0] != null) {
                return s; // the slot passes to the waiter: still in flight
            }
            return --s.inFlight == 0 ? null : s;
        });
        if (next[0] != null) {
            next[0].run();
        }
    }

    /**
     * Withdraws a waiting {@code onSlot} (its connection closed).
     *
     * @return false when it was not waiting any more: a slot has been handed to it, to be released by its owner
     */
    public boolean cancel(InetAddress client, Runnable onSlot) {
        boolean[] removed = new boolean[1];
        addresses.computeIfPresent(client, (a, s) -> {
            removed[0] = s.waiting != null && s.waiting.remove(onSlot);
            return s;
        });
        return removed[0];
    }
}
