package org.idnode.server.http;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Common;
import net.handle.hdllib.Encoder;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.lifecycle.RequestTracker;
import org.idnode.server.metrics.Operation;
import org.idnode.server.metrics.Protocol;

/**
 * Accounts for the requests of one HTTP connection (answered in order): admits each with
 * the {@link RequestTracker} and reports its answer when the response is written, naming its operation by method and
 * path ({@link #operation}). A native Handle message ({@code application/x-hdl-message}) is reported as a Handle
 * request, with the op code and response code read from the messages when they are not encrypted.
 *
 * <p>While the node stops, a request other than {@code /health/*} and {@code /metrics} is answered 503 with a JSON
 * reason, and every response closes its connection ({@code Connection: close}).
 *
 * <p>One instance per connection, called on its event loop.
 */
public final class HttpAccounting extends ChannelDuplexHandler {
    private static final String HANDLES = "/api/handles/";
    private static final int OP_CODE_OFFSET = HandleMessageCodec.ENVELOPE_SIZE;
    private static final int RESPONSE_CODE_OFFSET = HandleMessageCodec.ENVELOPE_SIZE + 4;
    private static final int HANDLE_OFFSET = HandleMessageCodec.ENVELOPE_SIZE + 24;
    private static final int ENCRYPTED = Encoder.ENV_FLAG_ENCRYPTED;
    private static final byte[] STOPPING = HttpRequestHandler.errorJson(AbstractMessage.RC_SERVER_TOO_BUSY,
            "the node is shutting down; retry against another node").getBytes(StandardCharsets.UTF_8);

    private final RequestTracker tracker;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>(2);
    private final InetSocketAddress client;

    /** A request read and not answered yet; more than one only when a client pipelines. */
    private static final class Pending {
        final long start = System.nanoTime();
        Operation operation;
        String method;
        String path;
        String handle;
        /** For a native Handle message: its envelope version and op code; -1 otherwise. */
        int nativeOpCode = -1;
        int nativeVersion;
        byte[] nativeHandle;

        /** The operation it is counted under: a native Handle message's by its op code, else {@link #operation}. */
        Operation counted() {
            return nativeOpCode >= 0 ? Operation.forHandleOpCode(nativeOpCode) : operation;
        }
    }

    /** For a connection without a client address (an embedded channel): answers are logged with none. */
    public HttpAccounting(RequestTracker tracker) {
        this(tracker, null);
    }

    /** @param client the connection's client address, as answers are logged with it */
    public HttpAccounting(RequestTracker tracker, InetSocketAddress client) {
        this.tracker = tracker;
        this.client = client;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Pending p = describe(req, tracker.accessLogged());
        boolean admitted = tracker.admit();
        pending.add(p);
        if (!admitted && p.operation != Operation.HEALTH && p.operation != Operation.METRICS) {
            ReferenceCountUtil.release(req);
            FullHttpResponse refusal = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    Unpooled.wrappedBuffer(STOPPING));
            refusal.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=UTF-8");
            HttpUtil.setContentLength(refusal, STOPPING.length);
            p.nativeOpCode = -1;
            write(ctx, refusal, ctx.newPromise());
            ctx.flush();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof HttpResponse resp)) {
            ctx.write(msg, promise);
            return;
        }
        Pending p = pending.poll();
        if (p == null) {
            // An answer to a request that never reached this handler whole (the handler's 413): account for it here.
            tracker.admit();
            p = new Pending();
            p.operation = Operation.OTHER;
            p.method = "-";
            p.path = "-";
        }
        boolean close = tracker.draining();
        if (close) {
            HttpUtil.setKeepAlive(resp, false);
        }
        report(p, resp);
        if (close) {
            ctx.write(msg, promise.unvoid()).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        while (pending.poll() != null) {
            tracker.abandoned();
        }
        super.channelInactive(ctx);
    }

    private void report(Pending p, HttpResponse resp) {
        int status = resp.status().code();
        if (p.nativeOpCode >= 0 && resp instanceof FullHttpResponse full && isHandleMessage(full.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
            ByteBuf body = full.content();
            int at = body.readerIndex();
            int rc = body.readableBytes() >= RESPONSE_CODE_OFFSET + 4 && (body.getByte(at + 2) & ENCRYPTED) == 0
                    ? body.getInt(at + RESPONSE_CODE_OFFSET) : AbstractMessage.RC_RESERVED;
            tracker.handleAnswered(Protocol.HTTP, p.start, client, p.nativeVersion >> 8, p.nativeVersion & 0xff, p.nativeOpCode, rc, p.nativeHandle);
            return;
        }
        tracker.restAnswered(p.start, client, p.counted(), p.method, p.path, p.handle, status);
    }

    /**
     * The operation {@code req} is counted under, as it would be when answered: by method and path, a native Handle
     * message by the op code in its header. Reads nothing else of the request.
     */
    public static Operation operation(FullHttpRequest req) {
        return describe(req, false).counted();
    }

    /** A request as it is accounted for, with its handle when {@code withHandle} (for the access log). */
    private static Pending describe(FullHttpRequest req, boolean withHandle) {
        Pending p = new Pending();
        p.method = req.method().name();
        String uri = req.uri();
        int query = uri.indexOf('?');
        p.path = query < 0 ? uri : uri.substring(0, query);
        p.operation = operation(req.method(), p.path, query >= 0 && uri.indexOf("index=", query) > 0);
        if (isNative(req)) {
            readNative(p, req.content(), withHandle);
        } else if (withHandle) {
            p.handle = handleIn(p.path);
        }
        return p;
    }

    /** Reads the envelope version, op code and (when {@code withHandle}) handle of an unencrypted native message. */
    private static void readNative(Pending p, ByteBuf body, boolean withHandle) {
        int at = body.readerIndex();
        if (body.isReadable() && (body.getByte(at) == '\n' || body.getByte(at) == '\r')) {
            at++;
        }
        int length = body.writerIndex() - at;
        if (length < OP_CODE_OFFSET + 4 || (body.getByte(at + 2) & ENCRYPTED) != 0) {
            p.nativeOpCode = AbstractMessage.OC_RESERVED;
            return;
        }
        p.nativeVersion = (body.getByte(at) & 0xff) << 8 | body.getByte(at + 1) & 0xff;
        p.nativeOpCode = body.getInt(at + OP_CODE_OFFSET);
        if (withHandle && length >= HANDLE_OFFSET + 4) {
            int handleLength = body.getInt(at + HANDLE_OFFSET);
            if (handleLength > 0 && handleLength <= 1024 && length >= HANDLE_OFFSET + 4 + handleLength) {
                p.nativeHandle = new byte[handleLength];
                body.getBytes(at + HANDLE_OFFSET + 4, p.nativeHandle);
            }
        }
    }

    private static boolean isNative(FullHttpRequest req) {
        return req.method().equals(HttpMethod.POST) && isHandleMessage(req.headers().get(HttpHeaderNames.CONTENT_TYPE));
    }

    private static boolean isHandleMessage(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, Common.HDL_MIME_TYPE, 0, Common.HDL_MIME_TYPE.length());
    }

    /** The handle a REST path names ({@code /api/handles/}, {@code /api/trace/}, {@code /api/audit/}), percent-decoded; else null. */
    private static String handleIn(String path) {
        for (String base : new String[] {HANDLES, "/api/trace/", "/api/audit/"}) {
            if (path.startsWith(base) && path.length() > base.length()) {
                try {
                    return new String(HttpRequestHandler.pathBytes(path.substring(base.length())), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return path.substring(base.length());
                }
            }
        }
        return null;
    }

    /**
     * The operation of a REST request: resolve ({@code GET /api/handles/{h}}), create or add-values ({@code PUT}, the
     * latter with {@code index}), delete or remove-values ({@code DELETE}, likewise), list, batch, audit, session,
     * admin, site-info, trace, health, metrics; other for anything else.
     */
    static Operation operation(HttpMethod method, String path, boolean withIndex) {
        if (path.startsWith(HANDLES)) {
            if (method.equals(HttpMethod.PUT)) {
                return withIndex ? Operation.ADD_VALUES : Operation.CREATE;
            }
            if (method.equals(HttpMethod.DELETE)) {
                return withIndex ? Operation.REMOVE_VALUES : Operation.DELETE;
            }
            return Operation.RESOLVE;
        }
        if (path.equals("/api/handles")) {
            return Operation.LIST;
        }
        if (path.equals("/api/batch")) {
            return Operation.BATCH;
        }
        if (path.startsWith("/api/audit/")) {
            return Operation.AUDIT;
        }
        if (path.startsWith("/api/sessions")) {
            return Operation.SESSION;
        }
        if (path.startsWith("/api/admin")) {
            return Operation.ADMIN;
        }
        if (path.equals("/api/site")) {
            return Operation.SITE_INFO;
        }
        if (path.startsWith("/api/trace/")) {
            return Operation.TRACE;
        }
        if (path.startsWith(OperationsEndpoints.HEALTH)) {
            return Operation.HEALTH;
        }
        if (path.equals(OperationsEndpoints.METRICS)) {
            return Operation.METRICS;
        }
        return Operation.OTHER;
    }
}
