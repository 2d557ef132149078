package org.idnode.server.limits;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import net.handle.hdllib.AbstractMessage;

/**
 * The HTTP answers of the limits, in the REST API's error shape: {@code {"responseCode": <Handle code>, "message": "..."}}.
 * Messages are built from numbers and addresses only, so they need no JSON escaping.
 *
 * <p>Stateless.
 */
final class HttpRefusal {
    private HttpRefusal() {
    }

    /** 429 with {@code Retry-After} (whole seconds, at least 1). */
    static FullHttpResponse tooManyRequests(long waitNanos, boolean keepAlive) {
        long seconds = ClientLimits.retryAfterSeconds(waitNanos);
        FullHttpResponse resp = json(HttpResponseStatus.TOO_MANY_REQUESTS, AbstractMessage.RC_SERVER_TOO_BUSY,
                "too many requests from this address; retry after " + seconds + " s", keepAlive);
        resp.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(seconds));
        return resp;
    }

    /** 408 for a request that did not arrive whole in time; the connection is closed. */
    static FullHttpResponse requestTimeout(int seconds) {
        return json(HttpResponseStatus.REQUEST_TIMEOUT, AbstractMessage.RC_PROTOCOL_ERROR,
                "the request did not arrive whole within " + seconds + " s", false);
    }

    /** 413 for a body over the limit; the connection is closed. */
    static FullHttpResponse tooLarge(long announced, int limit) {
        return json(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, AbstractMessage.RC_PROTOCOL_ERROR,
                (announced >= 0 ? "request body of " + announced + " bytes" : "request body")
                        + " exceeds the limit of " + limit + " bytes", false);
    }

    private static FullHttpResponse json(HttpResponseStatus status, int responseCode, String message, boolean keepAlive) {
        byte[] body = ("{\"responseCode\":" + responseCode + ",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=UTF-8");
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        resp.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        return resp;
    }
}
