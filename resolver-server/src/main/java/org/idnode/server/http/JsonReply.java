package org.idnode.server.http;

import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import com.google.gson.JsonObject;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import net.handle.hdllib.AbstractMessage;
import org.idnode.server.auth.HttpAuthenticator;

/**
 * A JSON answer of the authenticated HTTP APIs (REST writes, the operator API), and what they share: running
 * the work on the blocking executor and refusing requests whose credentials do not authenticate. Immutable;
 * {@link #sendOnBlockingThread} may be called from the event loop.
 */
record JsonReply(HttpResponseStatus status, JsonObject json) {

    /** An error answer: {@code {responseCode, handle?, message}}. */
    static JsonReply error(HttpResponseStatus status, int responseCode, String handle, String message) {
        JsonObject o = new JsonObject();
        if (handle != null) {
            o.addProperty("handle", handle);
        }
        o.addProperty("responseCode", responseCode);
        if (message != null) {
            o.addProperty("message", message);
        }
        return new JsonReply(status, o);
    }

    /** A success answer, {@code {responseCode: 1}}, for the caller to fill in. */
    static JsonReply ok(HttpResponseStatus status) {
        JsonObject o = new JsonObject();
        o.addProperty("responseCode", AbstractMessage.RC_SUCCESS);
        return new JsonReply(status, o);
    }

    /**
     * The answer to a request whose {@code Authorization} header did not authenticate it: 401 (with a Basic
     * challenge) without credentials, 403 for bad ones; null when it authenticated.
     *
     * @param needs what the caller must send, for the 401 message
     */
    static JsonReply refusal(HttpAuthenticator.Outcome outcome, String needs) {
        if (outcome instanceof HttpAuthenticator.Anonymous) {
            return error(HttpResponseStatus.UNAUTHORIZED, AbstractMessage.RC_AUTHENTICATION_NEEDED, null, needs);
        }
        if (outcome instanceof HttpAuthenticator.Refused r) {
            return error(HttpResponseStatus.FORBIDDEN, r.responseCode(), null, r.reason());
        }
        return null;
    }

    /**
     * Runs {@code work} on the API's blocking executor and sends its answer; a failure of the work is answered 500
     * and logged, a full executor 503.
     *
     * @param what names the work in the 500 message and the log
     */
    static void sendOnBlockingThread(HttpApi api, ChannelHandlerContext ctx, boolean keepAlive, String what, Supplier<JsonReply> work) {
        try {
            api.blockingWork().execute(() -> {
                try {
                    JsonReply reply = work.get();
                    HttpRequestHandler.sendJson(ctx, reply.status(), reply.json().toString(), keepAlive, reply.status().code() == 401);
                } catch (Throwable e) {
                    HttpRequestHandler.sendJson(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                            HttpRequestHandler.errorJson(AbstractMessage.RC_ERROR, what + " failed; see the node's error log"), keepAlive, false);
                    HttpRequestHandler.logAndRethrowErrors(what, e);
                }
            });
        } catch (RejectedExecutionException e) {
            HttpRequestHandler.sendJson(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    HttpRequestHandler.errorJson(AbstractMessage.RC_SERVER_TOO_BUSY, "the node is too busy, try again"), keepAlive, false);
        }
    }
}
