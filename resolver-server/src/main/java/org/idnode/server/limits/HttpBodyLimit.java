package org.idnode.server.limits;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Netty's HTTP aggregator with the node's answer to a body over the limit: {@code 413} with a JSON message that
 * names the limit, and the connection closed (the rest of the body is not read).
 *
 * <p>One instance per connection.
 */
public final class HttpBodyLimit extends HttpObjectAggregator {
    private final int maxBody;

    public HttpBodyLimit(int maxBody) {
        super(maxBody);
        this.maxBody = maxBody;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        long announced = HttpUtil.getContentLength(oversized, -1L);
        ctx.writeAndFlush(HttpRefusal.tooLarge(announced, maxBody)).addListener(ChannelFutureListener.CLOSE);
    }
}
