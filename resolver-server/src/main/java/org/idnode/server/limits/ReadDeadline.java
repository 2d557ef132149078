package org.idnode.server.limits;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The read timeout against slow clients (slow-loris): once the first byte of a message has arrived, the whole
 * message must arrive within the deadline, else the connection is closed (after {@code farewell}, when given, e.g.
 * HTTP 408). Two handlers share the deadline: {@link #firstByte()} before the decoder arms it when bytes arrive
 * and none is armed, {@link #wholeMessage()} after the decoder disarms it when a decoded message passes. Bytes of a
 * next message that arrived with the end of the previous one are timed from the next read. The idle timeout
 * (nothing received at all) is a separate handler.
 *
 * <p>One instance per connection, used on its event loop.
 */
public final class ReadDeadline {
    private final long nanos;
    private final Supplier<Object> farewell;
    private final LongAdder expired;
    private ScheduledFuture<?> timer;

    /**
     * @param seconds  how long a message may take to arrive
     * @param farewell the message written before closing, or null to close at once
     * @param expired  counts connections closed by the deadline
     */
    public ReadDeadline(int seconds, Supplier<Object> farewell, LongAdder expired) {
        this.nanos = TimeUnit.SECONDS.toNanos(seconds);
        this.farewell = farewell;
        this.expired = expired;
    }

    /** The handler that goes before the decoder. */
    public ChannelHandler firstByte() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (timer == null) {
                    timer = ctx.executor().schedule(() -> expire(ctx), nanos, TimeUnit.NANOSECONDS);
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                disarm();
                ctx.fireChannelInactive();
            }
        };
    }

    /** The handler that goes after the decoder. */
    public ChannelHandler wholeMessage() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                disarm();
                ctx.fireChannelRead(msg);
            }
        };
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        expired.increment();
        if (farewell == null) {
            ctx.channel().close();
        } else {
            ctx.channel().writeAndFlush(farewell.get()).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
