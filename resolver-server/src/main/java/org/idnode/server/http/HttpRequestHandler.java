package org.idnode.server.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AsciiString;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.Common;
import net.handle.hdllib.GenericRequest;
import net.handle.hdllib.GsonUtility;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.Util;
import org.idnode.registry.genealogy.GenealogyTracer;
import org.idnode.registry.genealogy.TraceNode;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.server.auth.HttpAuthenticator;
import org.idnode.server.auth.SessionManager;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.codec.MalformedMessageException;
import org.idnode.server.handler.CachedAnswer;
import org.idnode.server.handler.HandleRequestProcessor;
import org.idnode.server.handler.ResponseCallback;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP interface, one instance per connection:
 * <ul>
 *   <li>{@code GET /api/handles/{handle}?type=&index=} answers with the JSON of CNRI's REST API
 *       (produced by the Handle.net library's {@link GsonUtility}, or written the same from the cached record for
 *       requests without parameters, see {@link RestJson}) and CNRI's status mapping;</li>
 *   <li>{@code GET /api/site} answers with the node's site info as JSON;</li>
 *   <li>{@code GET /api/trace/{handle}?direction=up|down&depth=N} answers with the identifier's genealogy
 *       tree (public reference items only) as JSON;</li>
 *   <li>{@code /api/sessions} opens, shows and closes sessions of the {@code Handle} authentication scheme
 *       ({@link RestSessions}); writes, listing, batches and the audit log are {@link RestWrites};</li>
 *   <li>{@code POST /<anything>} with {@code Content-Type: application/x-hdl-message} carries a native
 *       Handle message (envelope + message) and gets one back, as CNRI's client sends it.</li>
 * </ul>
 * Requests on a connection are answered in order, one at a time (the channel reads on after each
 * answer). Malformed requests get a 4xx JSON error; a request line or body over the limits gets 414 or
 * 413 and the connection is closed.
 */
public final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String API_HANDLES = "/api/handles/";
    private static final String API_SITE = "/api/site";
    private static final AsciiString JSON_TYPE = AsciiString.cached("application/json; charset=UTF-8");
    /**
     * Headers of the cached-resolution answers, which carry only the node's own constant names and values: Netty's
     * per-header validation is left out for them; every other answer validates.
     */
    private static final HttpHeadersFactory CONSTANT_HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    private static final String API_TRACE = "/api/trace/";
    private static final int[] NO_INDEXES = new int[0];
    private static final byte[][] NO_TYPES = new byte[0][];

    private final HandleRequestProcessor processor;
    private final HttpApi api;
    private final RestWrites writes;
    private final RestSessions sessions;

    public HttpRequestHandler(HttpApi api) {
        this.api = api;
        this.processor = api.processor();
        this.writes = new RestWrites(api);
        this.sessions = new RestSessions(api);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read();
        super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (req.decoderResult().isFailure()) {
            Throwable cause = req.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongFrameException
                    ? (cause.getMessage() != null && cause.getMessage().contains("header") ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE : HttpResponseStatus.REQUEST_URI_TOO_LONG)
                    : HttpResponseStatus.BAD_REQUEST;
            sendJson(ctx, status, errorJson(AbstractMessage.RC_PROTOCOL_ERROR, "malformed HTTP request: " + cause.getMessage()), false);
            return;
        }
        try {
            dispatch(ctx, req, keepAlive);
        } catch (IllegalArgumentException e) {
            // Malformed percent-escapes in the URI.
            sendJson(ctx, HttpResponseStatus.BAD_REQUEST, errorJson(AbstractMessage.RC_PROTOCOL_ERROR, "malformed request URI: " + e.getMessage()), keepAlive);
        }
    }

    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive) {
        QueryStringDecoder uri = new QueryStringDecoder(req.uri(), StandardCharsets.UTF_8);
        String path = uri.rawPath();
        if (req.method().equals(HttpMethod.POST) && isHandleMessage(req)) {
            nativeMessage(ctx, req, keepAlive);
        } else if (RestSessions.handles(path)) {
            sessions.handle(ctx, req, path, keepAlive);
        } else if (OperatorApi.handles(path)) {
            new OperatorApi(api).handle(ctx, req, uri, keepAlive);
        } else if (RestWrites.handles(req.method(), path, uri.parameters())) {
            writes.handle(ctx, req, uri, keepAlive);
        } else if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
            sendJson(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, errorJson(AbstractMessage.RC_OPERATION_NOT_SUPPORTED,
                    req.method() + " " + path + " is not supported"), keepAlive);
        } else if (path.startsWith(API_HANDLES)) {
            resolve(ctx, uri, req.headers().get(HttpHeaderNames.AUTHORIZATION), keepAlive);
        } else if (path.startsWith(API_TRACE)) {
            trace(ctx, uri, keepAlive);
        } else if (path.equals(API_SITE)) {
            GenericRequest siteReq = new GenericRequest(Common.BLANK_HANDLE, AbstractMessage.OC_GET_SITE_INFO, null);
            latestVersion(siteReq);
            processor.process(siteReq, resp -> sendJson(ctx, HttpStatusMapping.forResolution(resp.responseCode),
                    GsonUtility.serializeResponseToRequest(siteReq, resp).toString(), keepAlive));
        } else {
            sendJson(ctx, HttpResponseStatus.NOT_FOUND, errorJson(AbstractMessage.RC_ERROR, "no such resource: " + path), keepAlive);
        }
    }

    private void resolve(ChannelHandlerContext ctx, QueryStringDecoder uri, String authorization, boolean keepAlive) {
        byte[] handle = pathBytes(uri.rawPath().substring(API_HANDLES.length()));
        Map<String, List<String>> params = uri.parameters();
        if (authorization == null && params.isEmpty() && handle.length > 0 && resolveFromCache(ctx, handle, keepAlive)) {
            return;
        }
        int[] indexes;
        try {
            indexes = params.containsKey("index") ? params.get("index").stream().mapToInt(Integer::parseInt).toArray() : NO_INDEXES;
        } catch (NumberFormatException e) {
            sendJson(ctx, HttpResponseStatus.BAD_REQUEST, errorJson(AbstractMessage.RC_PROTOCOL_ERROR,
                    "index must be an integer, got " + params.get("index")), keepAlive);
            return;
        }
        if (handle.length == 0) {
            sendJson(ctx, HttpResponseStatus.BAD_REQUEST, errorJson(AbstractMessage.RC_INVALID_HANDLE, "empty handle"), keepAlive);
            return;
        }
        byte[][] types = params.getOrDefault("type", List.of()).stream().map(Util::encodeString).toArray(byte[][]::new);
        ResolutionRequest req = new ResolutionRequest(handle, types.length == 0 ? null : types,
                indexes.length == 0 ? null : indexes, null);
        latestVersion(req);
        req.ignoreRestrictedValues = !isFalse(params.get("publicOnly"));
        req.certify = false;
        boolean pretty = params.containsKey("pretty") && !isFalse(params.get("pretty"));
        ResponseCallback reply = resp -> {
            Gson gson = pretty ? GsonUtility.getPrettyGson() : GsonUtility.getGson();
            sendJson(ctx, HttpStatusMapping.forResolution(resp), gson.toJson(GsonUtility.serializeResponseToRequest(req, resp)), keepAlive);
        };
        if (authorization == null || processor.resolvesRecursively(handle)) {
            // Another node's identifier is resolved recursively, public values only, whoever asks.
            processor.process(req, reply);
            return;
        }
        // An authenticated reader: restricted values it may read are included.
        try {
            api.blockingWork().execute(() -> {
                try {
                    HttpAuthenticator.Outcome outcome = api.authenticator().authenticate(authorization);
                    if (outcome instanceof HttpAuthenticator.Authenticated a) {
                        reply.respond(processor.resolveAs(a.identity(), req));
                    } else if (outcome instanceof HttpAuthenticator.Refused r) {
                        sendJson(ctx, JsonReply.refused(r, null), keepAlive);
                    } else {
                        // A Handle session that is not authenticated (yet): an anonymous reader.
                        processor.process(req, reply);
                    }
                } catch (Throwable e) {
                    sendJson(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, errorJson(AbstractMessage.RC_ERROR, "resolution failed; see the node's error log"), keepAlive);
                    logAndRethrowErrors("authenticated resolution", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            sendJson(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, errorJson(AbstractMessage.RC_SERVER_TOO_BUSY, "the node is too busy, try again"), keepAlive);
        }
    }

    /**
     * Answers an anonymous, unfiltered resolution whose record is cached with its JSON written from the cached values
     * ({@link RestJson}); false when the general path has to answer.
     */
    private boolean resolveFromCache(ChannelHandlerContext ctx, byte[] handle, boolean keepAlive) {
        CachedAnswer answer = processor.cachedAnswer(handle, true, NO_INDEXES, NO_TYPES);
        if (answer == null || answer.responseCode() != AbstractMessage.RC_SUCCESS) {
            return false;
        }
        ByteBuf json = RestJson.answer(answer, ctx.alloc(), handle);
        if (json == null) {
            return false;
        }
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, json,
                CONSTANT_HEADERS, CONSTANT_HEADERS);
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON_TYPE);
        send(ctx, resp, keepAlive);
        return true;
    }

    /** {@code GET /api/trace/{handle}?direction=up|down&depth=N}: the identifier's genealogy tree as JSON. */
    private void trace(ChannelHandlerContext ctx, QueryStringDecoder uri, boolean keepAlive) {
        Map<String, List<String>> params = uri.parameters();
        String direction = params.getOrDefault("direction", List.of("up")).get(0).toLowerCase(java.util.Locale.ROOT);
        String depthText = params.getOrDefault("depth", List.of("3")).get(0);
        HandleName start;
        int depth;
        try {
            start = HandleName.fromUtf8(pathBytes(uri.rawPath().substring(API_TRACE.length())));
        } catch (InvalidHandleException e) {
            sendJson(ctx, HttpResponseStatus.BAD_REQUEST, errorJson(AbstractMessage.RC_INVALID_HANDLE, e.getMessage()), keepAlive);
            return;
        }
        try {
            depth = Integer.parseInt(depthText);
            if (depth < 1 || depth > GenealogyTracer.MAX_DEPTH) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            sendJson(ctx, HttpResponseStatus.BAD_REQUEST, errorJson(AbstractMessage.RC_PROTOCOL_ERROR,
                    "depth must be an integer from 1 to " + GenealogyTracer.MAX_DEPTH + ", got " + depthText), keepAlive);
            return;
        }
        if (!direction.equals("up") && !direction.equals("down")) {
            sendJson(ctx, HttpResponseStatus.BAD_REQUEST, errorJson(AbstractMessage.RC_PROTOCOL_ERROR,
                    "direction must be up or down, got " + direction), keepAlive);
            return;
        }
        GenealogyTracer.Direction dir = direction.equals("up") ? GenealogyTracer.Direction.UP : GenealogyTracer.Direction.DOWN;
        try {
            api.blockingWork().execute(() -> {
                try {
                    GenealogyTracer.Trace trace = api.tracer().trace(start, dir, depth);
                    if (!trace.root().found()) {
                        JsonObject o = new JsonObject();
                        o.addProperty("responseCode", AbstractMessage.RC_HANDLE_NOT_FOUND);
                        o.addProperty("handle", start.toString());
                        sendJson(ctx, HttpResponseStatus.NOT_FOUND, o.toString(), keepAlive);
                        return;
                    }
                    JsonObject o = new JsonObject();
                    o.addProperty("responseCode", AbstractMessage.RC_SUCCESS);
                    o.addProperty("handle", trace.root().handle());
                    o.addProperty("direction", direction);
                    o.addProperty("depth", depth);
                    o.addProperty("truncated", trace.truncated());
                    o.add("tree", traceJson(trace.root()));
                    sendJson(ctx, HttpResponseStatus.OK, o.toString(), keepAlive);
                } catch (Throwable e) {
                    sendJson(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, errorJson(AbstractMessage.RC_ERROR, "trace failed; see the node's error log"), keepAlive);
                    logAndRethrowErrors("trace", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            sendJson(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, errorJson(AbstractMessage.RC_SERVER_TOO_BUSY, "the node is too busy, try again"), keepAlive);
        }
    }

    private static JsonObject traceJson(TraceNode node) {
        JsonObject o = new JsonObject();
        o.addProperty("handle", node.handle());
        if (node.relation() != null) {
            o.addProperty("relation", node.relation());
        }
        o.addProperty("found", node.found());
        com.google.gson.JsonArray children = new com.google.gson.JsonArray();
        node.children().forEach(c -> children.add(traceJson(c)));
        o.add("children", children);
        return o;
    }

    private void nativeMessage(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive) {
        ByteBuf body = req.content();
        // CNRI's servlet tolerates one leading line break before the envelope.
        if (body.isReadable() && (body.getByte(body.readerIndex()) == '\n' || body.getByte(body.readerIndex()) == '\r')) {
            body.skipBytes(1);
        }
        byte[] bytes = ByteBufUtil.getBytes(body);
        AbstractRequest request;
        try {
            MessageEnvelope env = HandleMessageCodec.decodeEnvelope(bytes);
            int length = bytes.length - HandleMessageCodec.ENVELOPE_SIZE;
            if (env.messageLength != length) {
                throw MalformedMessageException.forEnvelope(env, AbstractMessage.RC_PROTOCOL_ERROR,
                        "envelope says " + env.messageLength + " message bytes, the body has " + length);
            }
            byte[] message = new byte[length];
            System.arraycopy(bytes, HandleMessageCodec.ENVELOPE_SIZE, message, 0, length);
            request = processor.decode(env, message);
        } catch (MalformedMessageException e) {
            if (e.canAnswer()) {
                sendNative(ctx, e.toErrorResponse(), null, false);
            } else {
                sendJson(ctx, HttpResponseStatus.BAD_REQUEST, errorJson(AbstractMessage.RC_PROTOCOL_ERROR, e.getMessage()), false);
            }
            return;
        }
        processor.process(request, resp -> sendNative(ctx, resp, processor, keepAlive));
    }

    /** Sends a native answer, sealed for its session by {@code processor} (null for transport-level errors). */
    private static void sendNative(ChannelHandlerContext ctx, AbstractResponse response, HandleRequestProcessor processor, boolean keepAlive) {
        byte[] bytes;
        try {
            if (processor == null) {
                bytes = HandleMessageCodec.encodeWhole(response);
            } else {
                SessionManager.WireMessage sealed = processor.seal(response);
                bytes = HandleMessageCodec.encodeWhole(response, sealed.message(), sealed.encrypted());
            }
        } catch (HandleException e) {
            ctx.close();
            return;
        }
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(bytes));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, Common.HDL_MIME_TYPE);
        send(ctx, resp, keepAlive);
    }

    static void sendJson(ChannelHandlerContext ctx, HttpResponseStatus status, String json, boolean keepAlive) {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8)));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON_TYPE);
        send(ctx, resp, keepAlive);
    }

    static void sendJson(ChannelHandlerContext ctx, JsonReply reply, boolean keepAlive) {
        if (reply.json() == null) {
            sendEmpty(ctx, reply.status(), keepAlive);
            return;
        }
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(),
                Unpooled.wrappedBuffer(reply.json().toString().getBytes(StandardCharsets.UTF_8)));
        resp.headers().add(reply.headers());
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON_TYPE);
        send(ctx, resp, keepAlive);
    }

    /** Sends an answer without a body (204 No Content). */
    static void sendEmpty(ChannelHandlerContext ctx, HttpResponseStatus status, boolean keepAlive) {
        send(ctx, new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER), keepAlive);
    }

    static void send(ChannelHandlerContext ctx, FullHttpResponse resp, boolean keepAlive) {
        HttpUtil.setContentLength(resp, resp.content().readableBytes());
        if (keepAlive) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(resp).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    ctx.read();
                } else {
                    ctx.close();
                }
            });
        } else {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * A handle from a URL path segment, percent-decoded byte for byte (ISO-8859-1 keeps every byte), so that
     * invalid UTF-8 is refused by {@link HandleName#fromUtf8} as over UDP and TCP instead of being patched
     * with U+FFFD.
     */
    static byte[] pathBytes(String rawSegment) {
        return QueryStringDecoder.decodeComponent(rawSegment, StandardCharsets.ISO_8859_1).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Logs a failure of work done for an HTTP request, after its client was answered; rethrows JVM errors. */
    static void logAndRethrowErrors(String what, Throwable e) {
        LoggerFactory.getLogger(HttpRequestHandler.class).error("{} failed", what, e);
        if (e instanceof Error error) {
            throw error;
        }
    }

    static String errorJson(int responseCode, String message) {
        JsonObject o = new JsonObject();
        o.addProperty("responseCode", responseCode);
        o.addProperty("message", message);
        return o.toString();
    }

    private static boolean isHandleMessage(FullHttpRequest req) {
        String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith(Common.HDL_MIME_TYPE);
    }

    private static boolean isFalse(List<String> values) {
        return values != null && !values.isEmpty() && (values.get(0).equalsIgnoreCase("false") || values.get(0).equalsIgnoreCase("no"));
    }

    private static void latestVersion(AbstractRequest req) {
        req.majorProtocolVersion = Common.MAJOR_VERSION;
        req.minorProtocolVersion = Common.MINOR_VERSION;
        req.suggestMajorProtocolVersion = Common.MAJOR_VERSION;
        req.suggestMinorProtocolVersion = Common.MINOR_VERSION;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException && ctx.channel().isActive()) {
            sendJson(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, errorJson(AbstractMessage.RC_PROTOCOL_ERROR, cause.getMessage()), false);
            return;
        }
        ctx.close();
    }
}
