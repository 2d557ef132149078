package org.idnode.server.http;

import java.util.Optional;

import com.google.gson.JsonObject;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import net.handle.hdllib.AbstractMessage;
import org.idnode.server.auth.AdminIdentity;
import org.idnode.server.auth.HttpAuthenticator;
import org.idnode.server.auth.HttpSessions;

/**
 * The sessions of the {@code Handle} authentication scheme, as CNRI's REST API serves them:
 * <ul>
 *   <li>{@code POST /api/sessions} opens one: 201, {@code Location: /api/sessions/this} and
 *       {@code {"sessionId": "...", "nonce": "<base64>"}}; with Basic or Bearer credentials the session is
 *       authenticated at once ({@code "authenticated": true, "id": "index:handle"});</li>
 *   <li>{@code PUT} (or {@code POST}) {@code /api/sessions/this} with
 *       {@code Authorization: Handle sessionId="...", id="...", type="HS_PUBKEY", cnonce="...", alg="SHA256", signature="..."}
 *       authenticates the session it names (200), or answers 401 with the reason in {@code "error"};</li>
 *   <li>{@code GET /api/sessions/this} shows the named session's state;</li>
 *   <li>{@code DELETE /api/sessions/this} ends it (204).</li>
 * </ul>
 * A session id that is unknown or has expired gets 403. The work runs on the blocking executor (signature
 * checks read the store).
 */
final class RestSessions {
    private static final String BASE = "/api/sessions";

    private final HttpApi api;

    RestSessions(HttpApi api) {
        this.api = api;
    }

    static boolean handles(String path) {
        return path.equals(BASE) || path.startsWith(BASE + "/");
    }

    void handle(ChannelHandlerContext ctx, FullHttpRequest req, String path, boolean keepAlive) {
        String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        HttpMethod method = req.method();
        String sub = path.substring(BASE.length());
        String resource = sub.replaceAll("^/+|/+$", "");
        JsonReply.sendOnBlockingThread(api, ctx, keepAlive, "session request",
                () -> resource.equals("this") && method.equals(HttpMethod.DELETE) ? close(authorization) : run(method, resource, authorization));
    }

    private JsonReply run(HttpMethod method, String resource, String authorization) {
        if (resource.isEmpty()) {
            if (!method.equals(HttpMethod.POST)) {
                return error(HttpResponseStatus.METHOD_NOT_ALLOWED, AbstractMessage.RC_OPERATION_NOT_SUPPORTED,
                        method + " " + BASE + " is not supported; POST opens a session");
            }
            return open(authorization);
        }
        if (!resource.equals("this")) {
            return error(HttpResponseStatus.NOT_FOUND, AbstractMessage.RC_ERROR, "no such session resource; use " + BASE + "/this");
        }
        if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.PUT) || method.equals(HttpMethod.POST)) {
            return state(authorization);
        }
        return error(HttpResponseStatus.METHOD_NOT_ALLOWED, AbstractMessage.RC_OPERATION_NOT_SUPPORTED,
                method + " " + BASE + "/this is not supported; use GET, PUT or DELETE");
    }

    private JsonReply open(String authorization) {
        Optional<String> named = HttpAuthenticator.sessionIdIn(authorization);
        if (named.isPresent()) {
            return error(HttpResponseStatus.BAD_REQUEST, AbstractMessage.RC_PROTOCOL_ERROR, "POST " + BASE
                    + " opens a new session; to authenticate session " + named.get() + " use PUT " + BASE + "/this");
        }
        Optional<HttpAuthenticator.Opened> opened = api.authenticator().open(authorization);
        if (opened.isEmpty()) {
            return error(HttpResponseStatus.SERVICE_UNAVAILABLE, AbstractMessage.RC_SERVER_TOO_BUSY, "too many open sessions; try again later");
        }
        HttpAuthenticator.Opened o = opened.get();
        if (o.outcome() instanceof HttpAuthenticator.Refused r) {
            return JsonReply.refused(r, null);
        }
        JsonReply created = new JsonReply(HttpResponseStatus.CREATED, representation(o.session(), o.session().identity(), null));
        created.headers().set(HttpHeaderNames.LOCATION, BASE + "/this");
        return created;
    }

    /** GET, PUT and POST on {@code /api/sessions/this}: authenticate with the header, then show the session. */
    private JsonReply state(String authorization) {
        Optional<String> named = HttpAuthenticator.sessionIdIn(authorization);
        HttpSessions sessions = api.authenticator().sessions();
        if (named.isPresent() && sessions.find(named.get()).isEmpty()) {
            return unknown(named.get());
        }
        HttpAuthenticator.Outcome outcome = authorization == null || authorization.isBlank()
                ? new HttpAuthenticator.Anonymous() : api.authenticator().authenticate(authorization);
        if (outcome instanceof HttpAuthenticator.Refused r) {
            JsonReply refused = JsonReply.refused(r, null);
            JsonObject json = representation(r.retryIn(), null, r.reason());
            json.addProperty("responseCode", r.responseCode());
            return new JsonReply(refused.status(), json, refused.headers());
        }
        HttpSessions.Session session = named.flatMap(sessions::find).orElse(null);
        AdminIdentity identity = outcome instanceof HttpAuthenticator.Authenticated a ? a.identity() : null;
        return new JsonReply(HttpResponseStatus.OK, representation(session, identity, null));
    }

    private JsonReply close(String authorization) {
        Optional<String> named = HttpAuthenticator.sessionIdIn(authorization);
        if (named.isEmpty()) {
            return error(HttpResponseStatus.FORBIDDEN, AbstractMessage.RC_PROTOCOL_ERROR,
                    "name the session to end: Authorization: Handle sessionId=\"...\"");
        }
        return api.authenticator().sessions().close(named.get()) ? JsonReply.empty(HttpResponseStatus.NO_CONTENT) : unknown(named.get());
    }

    /** CNRI's session JSON: {@code sessionId}, {@code nonce}, {@code authenticated} and {@code id}, {@code error}. */
    private static JsonObject representation(HttpSessions.Session session, AdminIdentity identity, String error) {
        JsonObject json = new JsonObject();
        if (session != null) {
            json.addProperty("sessionId", session.id());
            json.addProperty("nonce", session.nonceBase64());
        }
        json.addProperty("authenticated", identity != null);
        if (identity != null) {
            json.addProperty("id", identity.toString());
        }
        if (error != null) {
            json.addProperty("error", error);
        }
        return json;
    }

    private static JsonReply unknown(String sessionId) {
        return error(HttpResponseStatus.FORBIDDEN, AbstractMessage.RC_AUTHENTICATION_NEEDED,
                "session " + sessionId + " is unknown or has expired; open a new one with POST " + BASE);
    }

    private static JsonReply error(HttpResponseStatus status, int responseCode, String message) {
        JsonObject json = JsonReply.errorObject(responseCode, null, message);
        json.addProperty("error", message);
        return new JsonReply(status, json);
    }
}
