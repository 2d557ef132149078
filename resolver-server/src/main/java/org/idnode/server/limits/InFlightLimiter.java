package org.idnode.server.limits;

import java.util.ArrayDeque;
import java.util.function.Predicate;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;

/**
 * Bounds the requests answered at once on one connection. Placed after the decoder: a decoded request goes on
 * while fewer than {@code max} are in flight, else it waits here in arrival order; a request counts as answered
 * when the write that ends its answer has reached the socket. While requests wait, or {@code max} are in flight,
 * the channel reads nothing more (its handlers' {@code read()} calls are held back), so a client that pipelines
 * requests without reading the answers is held off by TCP flow control, not buffered. What waits here is at most
 * what one read decoded.
 *
 * <p>With {@code max} 1 answers leave in request order, as HTTP pipelining needs. One instance per connection,
 * used on its event loop.
 */
public final class InFlightLimiter extends ChannelDuplexHandler {
    private final int max;
    private final Predicate<Object> endsAnswer;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private int inFlight;
    private boolean readHeld;

    /**
     * @param max        requests in flight at once
     * @param endsAnswer true for a written message that ends one answer (a whole Handle message; an HTTP
     *                   {@code LastHttpContent})
     */
    public InFlightLimiter(int max, Predicate<Object> endsAnswer) {
        this.max = max;
        this.endsAnswer = endsAnswer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (inFlight < max && waiting.isEmpty()) {
            inFlight++;
            ctx.fireChannelRead(msg);
        } else {
            waiting.add(msg);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!endsAnswer.test(msg)) {
            ctx.write(msg, promise);
            return;
        }
        ChannelPromise p = promise.unvoid();
        p.addListener((ChannelFutureListener) f -> answered(ctx));
        ctx.write(msg, p);
    }

    private void answered(ChannelHandlerContext ctx) {
        inFlight--;
        while (inFlight < max && !waiting.isEmpty() && ctx.channel().isActive()) {
            inFlight++;
            ctx.fireChannelRead(waiting.poll());
        }
        if (readHeld && inFlight < max && waiting.isEmpty()) {
            readHeld = false;
            ctx.read();
        }
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
        releaseWaiting();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseWaiting();
    }

    private void releaseWaiting() {
        Object msg;
        while ((msg = waiting.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
