package org.idnode.server.limits;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Applies the HTTP rate limit to each whole request: a client over its rate gets {@code 429 Too Many Requests}
 * with {@code Retry-After} and a JSON message, and the connection stays open (unless the request asked to
 * close it) but is not read from until the {@code Retry-After} has passed; the request is not processed.
 *
 * <p>Stateless; shared by the HTTP connections.
 */
@ChannelHandler.Sharable
public final class HttpAdmission extends ChannelInboundHandlerAdapter {
    private final ClientLimits limits;

    public HttpAdmission(ClientLimits limits) {
        this.limits = limits;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        long wait = limits.admit(ClientLimits.Protocol.HTTP, ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress());
        if (wait == 0) {
            ctx.fireChannelRead(msg);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        req.release();
        ctx.writeAndFlush(HttpRefusal.tooManyRequests(wait, keepAlive)).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess() && keepAlive) {
                // Nothing more is read from the connection until the Retry-After has passed.
                ctx.executor().schedule(() -> ctx.read(), ClientLimits.pauseNanos(wait), TimeUnit.NANOSECONDS);
            } else {
                ctx.close();
            }
        });
    }
}
