package org.idnode.server.limits;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;

/**
 * What a connection listener (Handle TCP, HTTP) does with the verdicts of {@link ClientLimits#admitPaced}: hold a
 * paced request until its token is due, or answer a refused one and stop reading the connection for the pause.
 *
 * <p>Call on the connection's event loop; what is scheduled runs there too.
 */
public final class ConnectionPacing {
    private ConnectionPacing() {
    }

    /**
     * Hands {@code request} to {@code deliver} after {@code delayNanos}, on the event loop, if the connection is still
     * open then; releases it otherwise. Takes over one reference of {@code request}, which {@code deliver} then owns.
     */
    public static <T> void deliverWhenDue(ChannelHandlerContext ctx, T request, long delayNanos, Consumer<T> deliver) {
        ctx.executor().schedule(() -> {
            if (ctx.channel().isActive()) {
                deliver.accept(request);
            } else {
                ReferenceCountUtil.release(request);
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Writes {@code refusal}; once it is written, nothing is read from the connection for
     * {@link ClientLimits#pauseNanos}{@code (waitNanos)} if {@code keepOpen}, else (or if the write failed) the
     * connection is closed.
     */
    public static void refuseAndPause(ChannelHandlerContext ctx, Object refusal, long waitNanos, boolean keepOpen) {
        ctx.writeAndFlush(refusal).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess() && keepOpen) {
                ctx.executor().schedule(() -> ctx.read(), ClientLimits.pauseNanos(waitNanos), TimeUnit.NANOSECONDS);
            } else {
                ctx.close();
            }
        });
    }
}
