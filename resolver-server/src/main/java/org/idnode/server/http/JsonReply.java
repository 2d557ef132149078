package org.idnode.server.http;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import com.google.gson.JsonObject;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import net.handle.hdllib.AbstractMessage;
import org.idnode.server.auth.HttpAuthenticator;
import org.idnode.server.auth.HttpSessions;

/**
 * A JSON answer of the authenticated HTTP APIs (REST writes, sessions, the operator API) with its status and extra
 * headers (such as {@code WWW-Authenticate} challenges), and what those APIs share: running the work on the blocking
 * executor, and the answers to callers whose credentials do not pass: 401 with {@code WWW-Authenticate: Basic} and
 * {@code WWW-Authenticate: Handle sessionId="...", nonce="..."} (a session whose nonce the client may sign, as CNRI's
 * server offers it) for anonymous callers and for refusals of the {@code Handle} scheme; 403 for wrong Basic or
 * Bearer credentials. A reply without a JSON object ({@link #empty}) is sent without a body. The JSON object and the headers are mutable and belong to whoever sends the reply; not
 * thread-safe. {@link #sendOnBlockingThread} may be called from the event loop.
 */
record JsonReply(HttpResponseStatus status, JsonObject json, HttpHeaders headers) {
    JsonReply(HttpResponseStatus status, JsonObject json) {
        this(status, json, new DefaultHttpHeaders());
    }

    /** With {@code WWW-Authenticate} challenges. */
    JsonReply(HttpResponseStatus status, JsonObject json, List<String> wwwAuthenticate) {
        this(status, json, new DefaultHttpHeaders().add(HttpHeaderNames.WWW_AUTHENTICATE, wwwAuthenticate));
    }

    /** An answer without a body, such as 204 No Content. */
    static JsonReply empty(HttpResponseStatus status) {
        return new JsonReply(status, null);
    }

    /** An error answer: {@code {handle?, responseCode, message?}}. */
    static JsonReply error(HttpResponseStatus status, int responseCode, String handle, String message) {
        return new JsonReply(status, errorObject(responseCode, handle, message));
    }

    /** The JSON of an error (or, with {@code RC_SUCCESS} and no message, of a success) about one handle. */
    static JsonObject errorObject(int responseCode, String handle, String message) {
        JsonObject o = new JsonObject();
        if (handle != null) {
            o.addProperty("handle", handle);
        }
        o.addProperty("responseCode", responseCode);
        if (message != null) {
            o.addProperty("message", message);
        }
        return o;
    }

    /** A success answer, {@code {responseCode: 1}}, for the caller to fill in. */
    static JsonReply ok(HttpResponseStatus status) {
        JsonObject o = new JsonObject();
        o.addProperty("responseCode", AbstractMessage.RC_SUCCESS);
        return new JsonReply(status, o);
    }

    /**
     * The answer to a request whose {@code Authorization} header did not authenticate it ({@link #anonymous} or
     * {@link #refused}); null when it authenticated.
     *
     * @param needs what the caller must send, for the 401 message
     */
    static JsonReply refusal(HttpAuthenticator authenticator, HttpAuthenticator.Outcome outcome, String needs) {
        if (outcome instanceof HttpAuthenticator.Anonymous) {
            return anonymous(authenticator, null, needs);
        }
        if (outcome instanceof HttpAuthenticator.Refused r) {
            return refused(r, null);
        }
        return null;
    }

    /** 401 for a request that needs credentials and came without. */
    static JsonReply anonymous(HttpAuthenticator authenticator, String handle, String message) {
        HttpSessions.Session offered = authenticator.sessions().open().orElse(null);
        return new JsonReply(HttpResponseStatus.UNAUTHORIZED, errorObject(AbstractMessage.RC_AUTHENTICATION_NEEDED, handle, message),
                challenges(offered, null));
    }

    /** 401 (the {@code Handle} scheme, with a session to retry in) or 403 (everything else) for refused credentials. */
    static JsonReply refused(HttpAuthenticator.Refused refused, String handle) {
        JsonObject json = errorObject(refused.responseCode(), handle, refused.reason());
        if (refused.retryIn() == null) {
            return new JsonReply(HttpResponseStatus.FORBIDDEN, json);
        }
        return new JsonReply(HttpResponseStatus.UNAUTHORIZED, json, challenges(refused.retryIn(), refused.reason()));
    }

    /** {@code Basic}, and {@code Handle} with the session's id and nonce (and the error) when there is a session to offer. */
    static List<String> challenges(HttpSessions.Session session, String error) {
        List<String> out = new ArrayList<>(2);
        out.add("Basic realm=\"idnode\"");
        if (session != null) {
            StringBuilder h = new StringBuilder("Handle sessionId=\"").append(session.id()).append("\", nonce=\"")
                    .append(session.nonceBase64()).append('"');
            if (error != null) {
                h.append(", error=").append(quoted(error));
            }
            out.add(h.toString());
        }
        return out;
    }

    /** A quoted-string of printable ASCII (anything else becomes '?'). */
    private static String quoted(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else {
                b.append(c >= 0x20 && c < 0x7f ? c : '?');
            }
        }
        return b.append('"').toString();
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
                    HttpRequestHandler.sendJson(ctx, work.get(), keepAlive);
                } catch (Throwable e) {
                    HttpRequestHandler.sendJson(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                            HttpRequestHandler.errorJson(AbstractMessage.RC_ERROR, what + " failed; see the node's error log"), keepAlive);
                    HttpRequestHandler.logAndRethrowErrors(what, e);
                }
            });
        } catch (RejectedExecutionException e) {
            HttpRequestHandler.sendJson(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    HttpRequestHandler.errorJson(AbstractMessage.RC_SERVER_TOO_BUSY, "the node is too busy, try again"), keepAlive);
        }
    }
}
