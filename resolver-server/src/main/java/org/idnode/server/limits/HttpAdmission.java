package org.idnode.server.limits;

import java.net.InetAddress;
import java.util.function.Consumer;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import org.idnode.server.http.OperationsEndpoints;

/**
 * Applies the HTTP rate limit to each whole request: a client over its rate gets {@code 429 Too Many Requests}
 * with {@code Retry-After} and a JSON message, and the connection stays open (unless the request asked to
 * close it) but is not read from until the {@code Retry-After} has passed; the request is not processed. Once
 * refused, a client is paced ({@link ClientLimits#admitPaced}): its requests within its rate go ahead evenly spaced,
 * each held here until its token is due.
 * The operator's endpoints ({@code /metrics}, {@code /health/live}, {@code /health/ready}:
 * {@link OperationsEndpoints#serves}) are not rate limited and take no token from the client's bucket, so that a
 * monitoring probe is answered however busy its address is; the connection caps, size limits and read deadlines
 * still apply to them.
 *
 * <p>One instance per connection, called on its event loop.
 */
public final class HttpAdmission extends ChannelInboundHandlerAdapter {
    private final ClientLimits limits;
    private final Consumer<FullHttpRequest> refused;
    private final InetAddress client;

    /**
     * @param refused told of each refused request (for the request metrics) before it is released, on its event loop; must be cheap
     * @param client  the connection's client address
     */
    public HttpAdmission(ClientLimits limits, Consumer<FullHttpRequest> refused, InetAddress client) {
        this.limits = limits;
        this.refused = refused;
        this.client = client;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req) || OperationsEndpoints.serves(req.uri())) {
            ctx.fireChannelRead(msg);
            return;
        }
        long verdict = limits.admitPaced(ClientLimits.Protocol.HTTP, client);
        if (verdict == 0) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (verdict > 0) {
            ConnectionPacing.deliverWhenDue(ctx, req, verdict, ctx::fireChannelRead);
            return;
        }
        long wait = -verdict;
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        refused.accept(req);
        req.release();
        // Nothing more is read from the connection until the Retry-After has passed.
        ConnectionPacing.refuseAndPause(ctx, HttpRefusal.tooManyRequests(wait, keepAlive), wait, keepAlive);
    }
}
