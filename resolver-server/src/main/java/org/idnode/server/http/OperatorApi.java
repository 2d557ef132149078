package org.idnode.server.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import net.handle.hdllib.AbstractMessage;
import org.idnode.server.admin.AdministrationException;
import org.idnode.server.admin.PrefixAdministration;
import org.idnode.server.admin.PrefixInfo;
import org.idnode.server.admin.PrefixState;
import org.idnode.server.auth.HttpAuthenticator;
import org.idnode.server.backup.BackupException;
import org.idnode.server.backup.BackupService;
import org.idnode.server.importer.RecordJson;

/**
 * The operator API under {@code /api/admin/}, on {@link PrefixAdministration}:
 * <ul>
 *   <li>{@code GET /api/admin/prefixes[?enterprise=NAME]}, {@code POST /api/admin/prefixes} (create),
 *       {@code GET /api/admin/prefixes/{prefix}};</li>
 *   <li>{@code PUT /api/admin/prefixes/{prefix}/state} with {@code {"state":"disabled"}};</li>
 *   <li>{@code GET /api/admin/enterprises};</li>
 *   <li>{@code POST /api/admin/prefixes/{prefix}/tokens} with {@code {"name":..., "identity":...}} (the token is in
 *       the answer, once) and {@code DELETE /api/admin/prefixes/{prefix}/tokens/{name}};</li>
 *   <li>{@code GET /api/admin/federation/outbox}: a secondary node's filing backlog ({@link OutboxJson});</li>
 *   <li>{@code /api/admin/federation/secondaries...}: a top-level node's secondary nodes ({@link FederationOperatorApi}).</li>
 *   <li>{@code POST /api/admin/backup} with {@code {"to": FOLDER}} starts an online backup into a folder under the
 *       backup root (202), {@code GET /api/admin/backup} tells how the latest one went ({@link BackupService}).</li>
 * </ul>
 * Every call needs an operator ({@link PrefixAdministration#operator}): {@code Authorization: Bearer} with an
 * operator token, or Basic with an operator identity and its secret key. 401 without credentials, 403 for bad
 * ones or for anyone who is not an operator; 400, 404 and 409 with a message otherwise. The work runs on the
 * blocking executor; one instance per request.
 */
final class OperatorApi {
    private static final String BASE = "/api/admin/";
    private static final Set<String> CREATE_FIELDS = Set.of("prefix", "enterprise", "adminKey", "adminSecret", "state", "selfHostedSite");

    private final HttpApi api;

    OperatorApi(HttpApi api) {
        this.api = api;
    }

    /** True for the paths this API answers. */
    static boolean handles(String path) {
        return path.equals("/api/admin") || path.startsWith(BASE);
    }

    void handle(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri, boolean keepAlive) {
        String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        String body = req.content().toString(StandardCharsets.UTF_8);
        HttpMethod method = req.method();
        JsonReply.sendOnBlockingThread(api, ctx, keepAlive, "operator call", () -> run(method, uri, authorization, body));
    }

    /** A request the API cannot make sense of: 400, or 405 for a known path asked with the wrong method. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final HttpResponseStatus status;

        BadRequest(String message) {
            this(HttpResponseStatus.BAD_REQUEST, message);
        }

        BadRequest(HttpResponseStatus status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private JsonReply run(HttpMethod method, QueryStringDecoder uri, String authorization, String body) {
        HttpAuthenticator.Outcome outcome = api.authenticator().authenticate(authorization);
        JsonReply refused = JsonReply.refusal(api.authenticator(), outcome,
                "operator calls need Authorization: Bearer with an operator token, or Basic with an operator identity and its secret key");
        if (refused != null) {
            return refused;
        }
        PrefixAdministration admin = api.administration();
        try {
            PrefixAdministration.Operator op = admin.operator(((HttpAuthenticator.Authenticated) outcome).identity());
            return route(admin, op, method, segments(uri.rawPath()), uri.parameters(), body);
        } catch (AdministrationException e) {
            return JsonReply.error(status(e.kind()), e.responseCode(), null, e.getMessage());
        } catch (BadRequest e) {
            int code = e.status.equals(HttpResponseStatus.BAD_REQUEST) ? AbstractMessage.RC_INVALID_VALUE : AbstractMessage.RC_OPERATION_NOT_SUPPORTED;
            return JsonReply.error(e.status, code, null, e.getMessage());
        }
    }

    private JsonReply route(PrefixAdministration admin, PrefixAdministration.Operator op, HttpMethod method, List<String> path,
                            Map<String, List<String>> params, String body) {
        int n = path.size();
        if (n == 2 && path.get(0).equals(FederationOperatorApi.SEGMENT) && path.get(1).equals("outbox")) {
            requireMethod(method, HttpMethod.GET);
            return OutboxJson.of(api.federation());
        }
        if (n >= 1 && path.get(0).equals(FederationOperatorApi.SEGMENT)) {
            return FederationOperatorApi.route(api.topLevel(), method, path.subList(1, n), params, body);
        }
        if (n == 1 && path.get(0).equals("backup")) {
            return backup(method, body);
        }
        if (n == 1 && path.get(0).equals("enterprises")) {
            requireMethod(method, HttpMethod.GET);
            return enterprises(admin.enterprises(op));
        }
        if (n == 0 || !path.get(0).equals("prefixes")) {
            return notFound(path);
        }
        if (n == 1) {
            if (method.equals(HttpMethod.POST)) {
                return prefix(HttpResponseStatus.CREATED, admin.create(op, newPrefix(object(body))));
            }
            requireMethod(method, HttpMethod.GET, HttpMethod.POST);
            List<String> enterprise = params.get("enterprise");
            return prefixes(admin.list(op, enterprise == null || enterprise.isEmpty() ? null : enterprise.get(0)));
        }
        String prefix = path.get(1);
        if (n == 2) {
            requireMethod(method, HttpMethod.GET);
            return prefix(HttpResponseStatus.OK, admin.get(op, prefix));
        }
        if (n == 3 && path.get(2).equals("state")) {
            requireMethod(method, HttpMethod.PUT);
            PrefixState target = state(string(object(body), "state", true));
            PrefixAdministration.StateChange change = admin.setState(op, prefix, target);
            JsonReply reply = prefix(HttpResponseStatus.OK, change.prefix());
            reply.json().addProperty("previousState", change.from().text());
            return reply;
        }
        if (n == 3 && path.get(2).equals("tokens")) {
            requireMethod(method, HttpMethod.POST);
            JsonObject o = object(body);
            PrefixAdministration.IssuedToken t = admin.issueToken(op, prefix, string(o, "name", true), string(o, "identity", false));
            JsonReply reply = JsonReply.ok(HttpResponseStatus.CREATED);
            reply.json().addProperty("prefix", t.prefix());
            reply.json().addProperty("name", t.name());
            reply.json().addProperty("identity", t.identity());
            reply.json().addProperty("token", t.token());
            return reply;
        }
        if (n == 4 && path.get(2).equals("tokens")) {
            requireMethod(method, HttpMethod.DELETE);
            admin.revokeToken(op, prefix, path.get(3));
            JsonReply reply = JsonReply.ok(HttpResponseStatus.OK);
            reply.json().addProperty("prefix", prefix);
            reply.json().addProperty("name", path.get(3));
            return reply;
        }
        return notFound(path);
    }

    /** {@code POST} starts a backup, {@code GET} reports the latest one. */
    private JsonReply backup(HttpMethod method, String body) {
        requireMethod(method, HttpMethod.GET, HttpMethod.POST);
        BackupService backups = api.backups();
        if (backups == null) {
            return JsonReply.error(HttpResponseStatus.SERVICE_UNAVAILABLE, AbstractMessage.RC_OPERATION_NOT_SUPPORTED, null,
                    "this node takes no online backups");
        }
        if (method.equals(HttpMethod.GET)) {
            return backups.latest().map(j -> backupJob(HttpResponseStatus.OK, j, backups)).orElseGet(() -> JsonReply.error(
                    HttpResponseStatus.NOT_FOUND, AbstractMessage.RC_ERROR, null, "no backup was started since the node started"));
        }
        JsonObject o = object(body);
        for (String field : o.keySet()) {
            if (!field.equals("to")) {
                throw new BadRequest("unknown field '" + field + "'; a backup request has [to]");
            }
        }
        try {
            return backupJob(HttpResponseStatus.ACCEPTED, backups.start(string(o, "to", true)), backups);
        } catch (BackupException e) {
            HttpResponseStatus status = switch (e.kind()) {
                case BUSY -> HttpResponseStatus.CONFLICT;
                case REFUSED, BAD_BACKUP -> HttpResponseStatus.BAD_REQUEST;
                case FAILED -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
            };
            return JsonReply.error(status, AbstractMessage.RC_ERROR, null, e.getMessage());
        }
    }

    private static JsonReply backupJob(HttpResponseStatus status, BackupService.Job job, BackupService backups) {
        JsonReply reply = JsonReply.ok(status);
        JsonObject o = reply.json();
        o.addProperty("state", job.state().name().toLowerCase(java.util.Locale.ROOT));
        o.addProperty("to", job.target().toString());
        o.addProperty("backupRoot", backups.root().toString());
        o.addProperty("started", job.started().toString());
        if (job.finished() != null) {
            o.addProperty("finished", job.finished().toString());
        }
        if (job.manifest() != null) {
            o.add("manifest", job.manifest().toJson());
        }
        if (job.error() != null) {
            o.addProperty("message", job.error());
        }
        return reply;
    }

    private static PrefixAdministration.NewPrefix newPrefix(JsonObject o) {
        for (String field : o.keySet()) {
            if (!CREATE_FIELDS.contains(field)) {
                throw new BadRequest("unknown field '" + field + "'; a new prefix has " + CREATE_FIELDS.stream().sorted().toList());
            }
        }
        String key = string(o, "adminKey", false);
        String state = string(o, "state", false);
        return new PrefixAdministration.NewPrefix(string(o, "prefix", true), string(o, "enterprise", true),
                key == null ? null : key.getBytes(StandardCharsets.US_ASCII), string(o, "adminSecret", false),
                state == null ? null : state(state), site(o.get("selfHostedSite")));
    }

    /** The self-hosted site: CNRI's siteinfo.json as a JSON object, or siteinfo.json / siteinfo.bin as base64. */
    private static byte[] site(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (e.isJsonObject()) {
            return e.toString().getBytes(StandardCharsets.UTF_8);
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            try {
                return Base64.getMimeDecoder().decode(e.getAsString());
            } catch (IllegalArgumentException x) {
                throw new BadRequest("selfHostedSite must be CNRI site info JSON or base64 of siteinfo.json / siteinfo.bin: " + x.getMessage());
            }
        }
        throw new BadRequest("selfHostedSite must be CNRI site info JSON or base64 of siteinfo.json / siteinfo.bin");
    }

    private static PrefixState state(String text) {
        try {
            return PrefixState.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
    }

    static JsonObject object(String body) {
        try {
            JsonElement root = RecordJson.parseTree(body);
            if (root.isJsonObject()) {
                return root.getAsJsonObject();
            }
        } catch (JsonParseException e) {
            throw new BadRequest("the request body is not valid JSON: " + e.getMessage());
        }
        throw new BadRequest("the request body must be a JSON object");
    }

    static String string(JsonObject o, String field, boolean required) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            if (required) {
                throw new BadRequest("the request body needs \"" + field + "\"");
            }
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new BadRequest("\"" + field + "\" must be a string");
        }
        return e.getAsString();
    }

    static void requireMethod(HttpMethod method, HttpMethod... allowed) {
        if (Arrays.stream(allowed).noneMatch(method::equals)) {
            throw new BadRequest(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    method + " is not allowed here; use " + Arrays.stream(allowed).map(HttpMethod::name).toList());
        }
    }

    static JsonReply notFound(List<String> path) {
        return JsonReply.error(HttpResponseStatus.NOT_FOUND, AbstractMessage.RC_ERROR, null,
                "no such operator resource: " + BASE + String.join("/", path));
    }

    /** The segments after {@code /api/admin/}, percent-decoded; a trailing slash is ignored. */
    private static List<String> segments(String rawPath) {
        String rest = rawPath.length() <= BASE.length() ? "" : rawPath.substring(BASE.length());
        List<String> out = new ArrayList<>();
        for (String s : rest.split("/", -1)) {
            out.add(QueryStringDecoder.decodeComponent(s, StandardCharsets.UTF_8));
        }
        if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    private static HttpResponseStatus status(AdministrationException.Kind kind) {
        return switch (kind) {
            case INVALID -> HttpResponseStatus.BAD_REQUEST;
            case NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
            case ALREADY_EXISTS, FAILED_PRECONDITION -> HttpResponseStatus.CONFLICT;
            case PERMISSION_DENIED -> HttpResponseStatus.FORBIDDEN;
        };
    }

    private static JsonReply prefix(HttpResponseStatus status, PrefixInfo p) {
        JsonReply reply = JsonReply.ok(status);
        prefixJson(p).entrySet().forEach(e -> reply.json().add(e.getKey(), e.getValue()));
        return reply;
    }

    private static JsonReply prefixes(List<PrefixInfo> list) {
        JsonReply reply = JsonReply.ok(HttpResponseStatus.OK);
        JsonArray a = new JsonArray();
        list.forEach(p -> a.add(prefixJson(p)));
        reply.json().add("prefixes", a);
        return reply;
    }

    private static JsonReply enterprises(List<PrefixAdministration.Enterprise> list) {
        JsonReply reply = JsonReply.ok(HttpResponseStatus.OK);
        JsonArray a = new JsonArray();
        for (PrefixAdministration.Enterprise e : list) {
            JsonObject o = new JsonObject();
            o.addProperty("name", e.name());
            JsonArray ps = new JsonArray();
            e.prefixes().forEach(p -> ps.add(prefixJson(p)));
            o.add("prefixes", ps);
            a.add(o);
        }
        reply.json().add("enterprises", a);
        return reply;
    }

    private static JsonObject prefixJson(PrefixInfo p) {
        JsonObject o = new JsonObject();
        o.addProperty("prefix", p.prefix());
        o.addProperty("enterprise", p.enterprise());
        o.addProperty("state", p.state().text());
        o.addProperty("selfHosted", p.selfHosted());
        JsonArray admins = new JsonArray();
        p.admins().forEach(admins::add);
        o.add("admins", admins);
        return o;
    }
}
