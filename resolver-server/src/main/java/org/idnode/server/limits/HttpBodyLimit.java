package org.idnode.server.limits;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Netty's HTTP aggregator with the node's answer to a body over the limit: {@code 413} with a JSON message that
 * names the limit, and the connection closed (the rest of the body is not read).
 *
 * <p>A {@code GET} or {@code HEAD} that announces no body (no {@code Content-Length}, {@code Transfer-Encoding} or
 * {@code Expect}) and is followed by an empty last part, as the decoder delivers every such request, is passed on
 * as a {@link FullHttpRequest} over the decoded headers without going through the aggregator, which would build a
 * composite buffer and add {@code content-length: 0} to it; anything else is aggregated as before.
 *
 * <p>One instance per connection, used on its event loop.
 */
public final class HttpBodyLimit extends HttpObjectAggregator {
    private final int maxBody;
    /** A bodyless request whose (empty) last part has not arrived yet. */
    private HttpRequest bodyless;

    public HttpBodyLimit(int maxBody) {
        super(maxBody);
        this.maxBody = maxBody;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (bodyless != null) {
            HttpRequest req = bodyless;
            bodyless = null;
            if (msg instanceof LastHttpContent last && !last.content().isReadable() && last.trailingHeaders().isEmpty()
                    && last.decoderResult().isSuccess()) {
                FullHttpRequest whole = new DefaultFullHttpRequest(req.protocolVersion(), req.method(), req.uri(),
                        Unpooled.EMPTY_BUFFER, req.headers(), last.trailingHeaders());
                last.release();
                ctx.fireChannelRead(whole);
                return;
            }
            super.channelRead(ctx, req);
        } else if (msg instanceof HttpRequest req && !(msg instanceof HttpContent) && announcesNoBody(req)) {
            bodyless = req;
            return;
        }
        super.channelRead(ctx, msg);
    }

    private static boolean announcesNoBody(HttpRequest req) {
        HttpMethod method = req.method();
        HttpHeaders headers = req.headers();
        return (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) && req.decoderResult().isSuccess()
                && !headers.contains(HttpHeaderNames.CONTENT_LENGTH) && !headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
                && !headers.contains(HttpHeaderNames.EXPECT);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        long announced = HttpUtil.getContentLength(oversized, -1L);
        ctx.writeAndFlush(HttpRefusal.tooLarge(announced, maxBody)).addListener(ChannelFutureListener.CLOSE);
    }
}
