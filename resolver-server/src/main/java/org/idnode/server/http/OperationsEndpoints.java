package org.idnode.server.http;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import com.google.gson.JsonObject;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import net.handle.hdllib.AbstractMessage;
import org.idnode.server.lifecycle.NodeHealth;
import org.idnode.server.metrics.NodeMetrics;

/**
 * The operator's endpoints on the HTTP port, answered before the API sees the request:
 * <ul>
 *   <li>{@code GET /health/live}: 200 {@code {"status":"live"}} while the process serves HTTP at all;</li>
 *   <li>{@code GET /health/ready}: 200 {@code {"status":"ready"}} when the store is open, every listener bound and
 *       the node not stopping; else 503 {@code {"status":"starting|stopping|stopped|degraded","reason":"..."}};</li>
 *   <li>{@code GET /metrics}: every metric in the Prometheus text format, gathered on a store thread.</li>
 * </ul>
 * Other methods on these paths get 405; every other request goes on to the next handler.
 *
 * <p>One instance per connection, called on its event loop.
 */
public final class OperationsEndpoints extends ChannelInboundHandlerAdapter {
    /** Path prefix of the health endpoints. */
    public static final String HEALTH = "/health/";
    static final String LIVE = "/health/live";
    static final String READY = "/health/ready";
    /** Path of the Prometheus endpoint. */
    public static final String METRICS = "/metrics";

    private final NodeHealth health;
    private final NodeMetrics metrics;
    private final Executor scrapeWork;

    /** @param scrapeWork where {@code /metrics} is gathered (it reads RocksDB properties, which an event loop must not wait for) */
    public OperationsEndpoints(NodeHealth health, NodeMetrics metrics, Executor scrapeWork) {
        this.health = health;
        this.metrics = metrics;
        this.scrapeWork = scrapeWork;
    }

    /**
     * True when a request for {@code uri} (path and query) is one of these endpoints, whatever its method. The
     * per-address rate limit lets such requests through ({@link org.idnode.server.limits.HttpAdmission}).
     */
    public static boolean serves(String uri) {
        return names(uri, LIVE) || names(uri, READY) || names(uri, METRICS);
    }

    private static boolean names(String uri, String path) {
        return uri.startsWith(path) && (uri.length() == path.length() || uri.charAt(path.length()) == '?');
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req) || req.decoderResult().isFailure() || !serves(req.uri())) {
            ctx.fireChannelRead(msg);
            return;
        }
        String uri = req.uri();
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpMethod method = req.method();
        ReferenceCountUtil.release(req);
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            HttpRequestHandler.sendJson(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED,
                    HttpRequestHandler.errorJson(AbstractMessage.RC_OPERATION_NOT_SUPPORTED, method + " " + path + " is not supported; use GET"), keepAlive);
        } else if (path.equals(LIVE)) {
            HttpRequestHandler.sendJson(ctx, HttpResponseStatus.OK, "{\"status\":\"live\"}", keepAlive);
        } else if (path.equals(READY)) {
            ready(ctx, keepAlive);
        } else {
            scrape(ctx, keepAlive);
        }
    }

    private void ready(ChannelHandlerContext ctx, boolean keepAlive) {
        String reason = health.notReadyReason();
        JsonObject o = new JsonObject();
        o.addProperty("status", health.status());
        if (reason != null) {
            o.addProperty("reason", reason);
        }
        HttpRequestHandler.sendJson(ctx, reason == null ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, o.toString(), keepAlive);
    }

    private void scrape(ChannelHandlerContext ctx, boolean keepAlive) {
        try {
            scrapeWork.execute(() -> {
                FullHttpResponse resp;
                try {
                    resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                            Unpooled.wrappedBuffer(metrics.scrape().getBytes(StandardCharsets.UTF_8)));
                    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, NodeMetrics.CONTENT_TYPE);
                } catch (RuntimeException e) {
                    HttpRequestHandler.sendJson(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                            HttpRequestHandler.errorJson(AbstractMessage.RC_ERROR, "metrics failed; see the node's error log"), keepAlive);
                    HttpRequestHandler.logAndRethrowErrors("metrics scrape", e);
                    return;
                }
                HttpRequestHandler.send(ctx, resp, keepAlive);
            });
        } catch (RejectedExecutionException e) {
            HttpRequestHandler.sendJson(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    HttpRequestHandler.errorJson(AbstractMessage.RC_SERVER_TOO_BUSY, "the node is too busy, try again"), keepAlive);
        }
    }
}
