package org.idnode.server.limits;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.function.Predicate;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;

/**
 * Bounds the requests answered at once on one connection, and, with an {@link AddressInFlightCap}, those of its client
 * address across all its connections. Placed after the decoder: a decoded request goes on while fewer than
 * {@code max} are in flight on the connection and its address has a free slot, else it waits here in arrival order
 * (for an address slot, until one of the address's requests is answered on any connection); a request counts as
 * answered when the write that ends its answer has reached the socket. While requests wait, or {@code max} are in
 * flight, the channel reads nothing more (its handlers' {@code read()} calls are held back), so a client that
 * pipelines requests without reading the answers is held off by TCP flow control, not buffered. What waits here is
 * at most what one read decoded.
 *
 * <p>With {@code max} 1 answers leave in request order, as HTTP pipelining needs. One instance per connection,
 * used on its event loop (an address slot freed on another connection is handed over to it there).
 */
public final class InFlightLimiter extends ChannelDuplexHandler {
    private final int max;
    private final Predicate<Object> endsAnswer;
    private final AddressInFlightCap addressCap;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private final InetAddress client;
    private int inFlight;
    /** Address slots this connection holds: one per request in flight, plus one handed over and not yet used. */
    private int slotsHeld;
    private boolean waitingForSlot;
    private boolean readHeld;
    private final Runnable slotHandedOver = () -> ctx.executor().execute(this::slotArrived);

    /**
     * @param max        requests in flight at once on the connection
     * @param endsAnswer true for a written message that ends one answer (a whole Handle message; an HTTP
     *                   {@code LastHttpContent})
     * @param addressCap the requests in flight of the client's address across its connections; null: none
     * @param client     the connection's client address, whose slots {@code addressCap} counts
     */
    public InFlightLimiter(int max, Predicate<Object> endsAnswer, AddressInFlightCap addressCap, InetAddress client) {
        this.max = max;
        this.endsAnswer = endsAnswer;
        this.addressCap = addressCap;
        this.client = client;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        waiting.add(msg);
        dispatch();
    }

    private void dispatch() {
        while (inFlight < max && !waiting.isEmpty() && ctx.channel().isActive()) {
            if (capped() && slotsHeld == inFlight) {
                if (waitingForSlot) {
                    return;
                }
                if (!addressCap.acquire(client, slotHandedOver)) {
                    waitingForSlot = true;
                    return;
                }
                slotsHeld++;
            }
            inFlight++;
            ctx.fireChannelRead(waiting.poll());
        }
        if (readHeld && inFlight < max && waiting.isEmpty()) {
            readHeld = false;
            ctx.read();
        }
    }

    private boolean capped() {
        return addressCap != null && client != null;
    }

    private void slotArrived() {
        waitingForSlot = false;
        slotsHeld++;
        if (!ctx.channel().isActive() || waiting.isEmpty()) {
            releaseSlot();
            return;
        }
        dispatch();
    }

    private void releaseSlot() {
        if (slotsHeld > 0) {
            slotsHeld--;
            addressCap.release(client);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!endsAnswer.test(msg)) {
            ctx.write(msg, promise);
            return;
        }
        ChannelPromise p = promise.unvoid();
        p.addListener((ChannelFutureListener) f -> answered());
        ctx.write(msg, p);
    }

    private void answered() {
        inFlight--;
        if (capped()) {
            releaseSlot();
        }
        dispatch();
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (inFlight >= max || !waiting.isEmpty()) {
            readHeld = true;
        } else {
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        closed();
    }

    /** Drops what waits and gives the address's slots back (answers still to be written will not need them). */
    private void closed() {
        Object msg;
        while ((msg = waiting.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
        if (!capped()) {
            return;
        }
        if (waitingForSlot && addressCap.cancel(client, slotHandedOver)) {
            waitingForSlot = false;
        }
        while (slotsHeld > 0) {
            releaseSlot();
        }
    }
}
