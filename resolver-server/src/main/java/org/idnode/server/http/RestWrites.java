package org.idnode.server.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import net.handle.hdllib.AbstractMessage;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.registry.write.HandleOperation;
import org.idnode.server.auth.AdminAuthorizer;
import org.idnode.server.auth.AdminIdentity;
import org.idnode.server.auth.HttpAuthenticator;
import org.idnode.server.handler.AuthorizedWriter;
import org.idnode.server.handler.BatchRegistration;
import org.idnode.server.importer.BatchJson;
import org.idnode.server.importer.RecordJson;

/**
 * The REST API's writes, compatible with CNRI's server, and batch registration:
 * <ul>
 *   <li>{@code PUT /api/handles/{handle}} with {@code {"values":[...]}} (or an array of values, or one value):
 *       creates the handle, replacing it unless {@code overwrite=false}; with {@code index=various} (or
 *       {@code index=N}) adds the values to the existing handle, replacing same-index values unless
 *       {@code overwrite=false}; with {@code mintNewSuffix=true} creates a new handle named by the path with a random
 *       suffix (a UUID) appended, whose name the answer gives;</li>
 *   <li>{@code DELETE /api/handles/{handle}} deletes the handle; with {@code index=N} (repeatable) removes values;</li>
 *   <li>{@code GET /api/handles?prefix=88.999.1&page=0&pageSize=100} lists handles ({@code LIST_HANDLES});</li>
 *   <li>{@code POST /api/batch} with {@code {"records":[{"handle":..., "values":[...]}, ...]}}, at most
 *       {@value BatchRegistration#MAX_RECORDS} records: each record is created or replaced atomically and gets its own result;
 *       the accepted ones are committed in one durable batch. Replaying a batch gives the same state;</li>
 *   <li>{@code GET /api/audit/{handle}}: who changed the identifier, how and when, for identities that may
 *       read its restricted values.</li>
 * </ul>
 * Every call needs {@code Authorization: Basic} with an admin identity's secret key, {@code Bearer}
 * with an API token acting as one, or {@code Handle} naming an authenticated session (see {@link HttpAuthenticator}); it is authorised by {@code HS_ADMIN} like a Handle protocol write. The work runs on the blocking executor.
 */
final class RestWrites {
    static final int MAX_PAGE_SIZE = 5000;
    static final int MAX_AUDIT_ENTRIES = 10_000;
    private static final String API_AUDIT = "/api/audit/";

    private final HttpApi api;

    RestWrites(HttpApi api) {
        this.api = api;
    }

    /** True when this class answers the request. */
    static boolean handles(HttpMethod method, String path, Map<String, List<String>> params) {
        if (path.equals("/api/batch") || path.startsWith(API_AUDIT) && method.equals(HttpMethod.GET)) {
            return true;
        }
        if (path.startsWith("/api/handles/")) {
            return method.equals(HttpMethod.PUT) || method.equals(HttpMethod.DELETE);
        }
        return (path.equals("/api/handles") || path.equals("/api/handles/")) && method.equals(HttpMethod.GET);
    }

    void handle(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri, boolean keepAlive) {
        String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        byte[] body = ByteBufUtil.getBytes(req.content());
        HttpMethod method = req.method();
        JsonReply.sendOnBlockingThread(api, ctx, keepAlive, "write", () -> run(method, uri, authorization, body));
    }

    private JsonReply run(HttpMethod method, QueryStringDecoder uri, String authorization, byte[] body) {
        HttpAuthenticator.Outcome outcome = api.authenticator().authenticate(authorization);
        JsonReply refused = JsonReply.refusal(api.authenticator(), outcome, "this needs Authorization: Basic with an admin identity "
                + "(index:handle) and its secret key, Bearer with an API token, or Handle with an authenticated session (POST /api/sessions)");
        if (refused != null) {
            return refused;
        }
        AdminIdentity who = ((HttpAuthenticator.Authenticated) outcome).identity();
        String path = uri.rawPath();
        Map<String, List<String>> params = uri.parameters();
        if (path.equals("/api/batch")) {
            return batch(who, body);
        }
        if (path.startsWith(API_AUDIT)) {
            return audit(who, path.substring(API_AUDIT.length()));
        }
        if (method.equals(HttpMethod.GET)) {
            return list(who, params);
        }
        HandleName handle;
        try {
            byte[] requested = HttpRequestHandler.pathBytes(path.substring("/api/handles/".length()));
            handle = mints(method, params) ? HandleName.minted(requested) : HandleName.fromUtf8(requested);
        } catch (InvalidHandleException e) {
            return error(HttpResponseStatus.BAD_REQUEST, AbstractMessage.RC_INVALID_HANDLE, null, e.getMessage());
        }
        HandleOperation op;
        try {
            op = method.equals(HttpMethod.PUT) ? put(handle, params, new String(body, StandardCharsets.UTF_8)) : delete(handle, params);
        } catch (IllegalArgumentException e) {
            return error(HttpResponseStatus.BAD_REQUEST, AbstractMessage.RC_INVALID_VALUE, handle.toString(), e.getMessage());
        }
        AuthorizedWriter.Result result = api.processor().writes().apply(who, op);
        JsonObject json = new JsonObject();
        json.addProperty("responseCode", result.responseCode());
        json.addProperty("handle", result.handle().toString());
        if (!result.isOk()) {
            json.addProperty("message", result.message());
            return new JsonReply(HttpStatusMapping.forWrite(result.responseCode()), json);
        }
        boolean created = op instanceof HandleOperation.Create c && !c.overwrite()
                || op instanceof HandleOperation.AddValues a && !a.overwrite();
        return new JsonReply(created ? HttpResponseStatus.CREATED : HttpResponseStatus.OK, json);
    }

    private static HandleOperation put(HandleName handle, Map<String, List<String>> params, String body) {
        HandleRecord record = RecordJson.parse(recordJson(handle, body), (int) (System.currentTimeMillis() / 1000));
        boolean overwrite = !isFalse(params.get("overwrite"));
        if (mints(HttpMethod.PUT, params)) {
            if (params.containsKey("index")) {
                throw new IllegalArgumentException("mintNewSuffix creates a new handle; it cannot go with index");
            }
            return new HandleOperation.Create(handle, record.values(), false);
        }
        if (params.containsKey("index")) {
            return new HandleOperation.AddValues(handle, record.values(), overwrite);
        }
        return new HandleOperation.Create(handle, record.values(), overwrite);
    }

    private static HandleOperation delete(HandleName handle, Map<String, List<String>> params) {
        List<String> indexes = params.get("index");
        if (indexes == null || indexes.isEmpty()) {
            return new HandleOperation.Delete(handle);
        }
        List<Integer> out = new ArrayList<>();
        for (String i : indexes) {
            try {
                out.add(Integer.parseInt(i));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("index must be an integer, got " + i);
            }
        }
        return new HandleOperation.RemoveValues(handle, out);
    }

    private JsonReply list(AdminIdentity who, Map<String, List<String>> params) {
        List<String> prefixParam = params.get("prefix");
        if (prefixParam == null || prefixParam.isEmpty()) {
            return error(HttpResponseStatus.BAD_REQUEST, AbstractMessage.RC_INVALID_HANDLE, null, "list needs ?prefix=, e.g. ?prefix=88.999.1");
        }
        String prefix = prefixParam.get(0);
        int page;
        int pageSize;
        try {
            HandleName.checkPrefix(prefix);
            page = Integer.parseInt(params.getOrDefault("page", List.of("0")).get(0));
            pageSize = Integer.parseInt(params.getOrDefault("pageSize", List.of("100")).get(0));
            if (page < 0 || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
                throw new NumberFormatException();
            }
        } catch (InvalidHandleException e) {
            return error(HttpResponseStatus.BAD_REQUEST, AbstractMessage.RC_INVALID_HANDLE, null, e.getMessage());
        } catch (NumberFormatException e) {
            return error(HttpResponseStatus.BAD_REQUEST, AbstractMessage.RC_PROTOCOL_ERROR, null,
                    "page must be 0 or more and pageSize from 1 to " + MAX_PAGE_SIZE);
        }
        AdminAuthorizer.Decision d = api.processor().writes().authorizeList(who, HandleName.ofPrefix(prefix));
        if (!d.granted()) {
            return error(HttpStatusMapping.forWrite(d.responseCode()), d.responseCode(), null, d.reason());
        }
        // Pages are walked from the start: cheap for the page sizes listing is used with.
        String after = null;
        List<HandleName> names = List.of();
        for (int p = 0; p <= page; p++) {
            names = api.processor().store().list(prefix, after, pageSize);
            if (names.isEmpty()) {
                break;
            }
            after = names.get(names.size() - 1).lookupKey();
        }
        JsonObject json = new JsonObject();
        json.addProperty("responseCode", AbstractMessage.RC_SUCCESS);
        json.addProperty("prefix", prefix);
        json.addProperty("page", page);
        json.addProperty("pageSize", pageSize);
        JsonArray handles = new JsonArray();
        names.forEach(n -> handles.add(n.toString()));
        json.add("handles", handles);
        return new JsonReply(HttpResponseStatus.OK, json);
    }

    /**
     * The audit log of one identifier, oldest first, for identities that may read its restricted values
     * (its owner and the partners it granted).
     */
    private JsonReply audit(AdminIdentity who, String rawHandle) {
        HandleName handle;
        try {
            handle = HandleName.fromUtf8(HttpRequestHandler.pathBytes(rawHandle));
        } catch (InvalidHandleException e) {
            return error(HttpResponseStatus.BAD_REQUEST, AbstractMessage.RC_INVALID_HANDLE, null, e.getMessage());
        }
        List<org.idnode.registry.model.AuditEntry> trail = api.processor().store().auditTrail(handle, MAX_AUDIT_ENTRIES);
        List<org.idnode.registry.model.HandleValue> values = api.processor().store().get(handle)
                .map(HandleRecord::values).orElse(List.of());
        AdminAuthorizer.Decision d = api.processor().writes().authorizeRead(who, handle, values);
        if (!d.granted()) {
            return error(HttpStatusMapping.forWrite(d.responseCode()), d.responseCode(), handle.toString(), d.reason());
        }
        if (trail.isEmpty()) {
            return error(HttpResponseStatus.NOT_FOUND, AbstractMessage.RC_HANDLE_NOT_FOUND, handle.toString(), "no audit entries for " + handle);
        }
        JsonObject json = new JsonObject();
        json.addProperty("responseCode", AbstractMessage.RC_SUCCESS);
        json.addProperty("handle", handle.toString());
        JsonArray entries = new JsonArray();
        for (org.idnode.registry.model.AuditEntry e : trail) {
            JsonObject o = new JsonObject();
            o.addProperty("time", java.time.Instant.ofEpochMilli(e.timeMillis()).toString());
            o.addProperty("actor", e.actor());
            o.addProperty("operation", e.operation());
            o.addProperty("detail", e.detail());
            entries.add(o);
        }
        json.add("entries", entries);
        return new JsonReply(HttpResponseStatus.OK, json);
    }

    private JsonReply batch(AdminIdentity who, byte[] body) {
        int now = (int) (System.currentTimeMillis() / 1000);
        // The plain records of bulk registration are read in one streaming pass; other bodies and records as before.
        List<BatchJson.Entry> entries = BatchJson.read(body, now);
        List<BatchRegistration.Item> items;
        if (entries != null) {
            JsonReply tooLarge = tooLarge(entries.size());
            if (tooLarge != null) {
                return tooLarge;
            }
            items = new ArrayList<>(entries.size());
            for (BatchJson.Entry e : entries) {
                items.add(e.record() != null ? BatchRegistration.Item.of(e.record()) : item(e.json(), now));
            }
        } else {
            JsonArray records;
            try {
                JsonElement root = RecordJson.parseTree(new String(body, StandardCharsets.UTF_8));
                if (!root.isJsonObject() || !root.getAsJsonObject().has("records") || !root.getAsJsonObject().get("records").isJsonArray()) {
                    throw new JsonParseException("expected {\"records\": [...]}");
                }
                records = root.getAsJsonObject().getAsJsonArray("records");
            } catch (JsonParseException e) {
                return error(HttpResponseStatus.BAD_REQUEST, AbstractMessage.RC_PROTOCOL_ERROR, null, "batch body is not valid: " + e.getMessage());
            }
            JsonReply tooLarge = tooLarge(records.size());
            if (tooLarge != null) {
                return tooLarge;
            }
            items = new ArrayList<>(records.size());
            for (JsonElement record : records) {
                items.add(item(record.toString(), now));
            }
        }
        JsonArray out = new JsonArray();
        int ok = 0;
        for (BatchRegistration.Outcome r : api.processor().batches().register(who, items)) {
            out.add(result(r.handle(), r.responseCode(), r.message()));
            ok += r.isOk() ? 1 : 0;
        }
        JsonObject json = new JsonObject();
        json.addProperty("responseCode", AbstractMessage.RC_SUCCESS);
        json.addProperty("accepted", ok);
        json.addProperty("refused", items.size() - ok);
        json.add("results", out);
        return new JsonReply(HttpResponseStatus.OK, json);
    }

    /** The refusal of a batch of {@code count} records when that is too many, checked before any record is read. */
    private JsonReply tooLarge(int count) {
        String problem = BatchRegistration.sizeProblem(count);
        return problem == null ? null : error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, AbstractMessage.RC_PROTOCOL_ERROR, null, problem);
    }

    /**
     * A record of a batch, given as JSON text, as {@link RecordJson#parse} reads it, or why it cannot be read (the text is
     * then parsed once more, as a tree, only to name the record's handle).
     */
    private static BatchRegistration.Item item(String record, int now) {
        try {
            return BatchRegistration.Item.of(RecordJson.parse(record, now));
        } catch (IllegalArgumentException e) {
            JsonElement tree = JsonParser.parseString(record);
            return BatchRegistration.Item.unreadable(handleOf(tree),
                    hasInvalidHandle(tree) ? AbstractMessage.RC_INVALID_HANDLE : AbstractMessage.RC_INVALID_VALUE, e.getMessage());
        }
    }

    private static String recordJson(HandleName handle, String body) {
        JsonElement root;
        try {
            root = RecordJson.parseTree(body);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("request body is not valid JSON: " + e.getMessage());
        }
        JsonArray values;
        if (root.isJsonArray()) {
            values = root.getAsJsonArray();
        } else if (root.isJsonObject() && root.getAsJsonObject().has("values") && root.getAsJsonObject().get("values").isJsonArray()) {
            values = root.getAsJsonObject().getAsJsonArray("values");
        } else if (root.isJsonObject()) {
            values = new JsonArray();
            values.add(root);
        } else {
            throw new IllegalArgumentException("request body must be {\"values\": [...]}, an array of values or one value");
        }
        JsonObject record = new JsonObject();
        record.addProperty("handle", handle.toString());
        record.add("values", values);
        return record.toString();
    }

    /** True when the record names a handle that is not valid (a missing handle is a malformed record instead). */
    private static boolean hasInvalidHandle(JsonElement record) {
        String handle = handleOf(record);
        if (handle == null) {
            return false;
        }
        try {
            HandleName.parse(handle);
            return false;
        } catch (InvalidHandleException e) {
            return true;
        }
    }

    private static String handleOf(JsonElement record) {
        if (record.isJsonObject() && record.getAsJsonObject().has("handle") && record.getAsJsonObject().get("handle").isJsonPrimitive()) {
            return record.getAsJsonObject().get("handle").getAsString();
        }
        return null;
    }

    private static JsonObject result(String handle, int responseCode, String message) {
        return JsonReply.errorObject(responseCode, handle, message);
    }

    private static JsonReply error(HttpResponseStatus status, int responseCode, String handle, String message) {
        return JsonReply.error(status, responseCode, handle, message);
    }

    /** A PUT with {@code mintNewSuffix=true}: the handle in the path gets a new suffix appended. */
    private static boolean mints(HttpMethod method, Map<String, List<String>> params) {
        return method.equals(HttpMethod.PUT) && isTrue(params.get("mintNewSuffix"));
    }

    private static boolean isTrue(List<String> values) {
        return values != null && !values.isEmpty() && (values.get(0).equalsIgnoreCase("true") || values.get(0).equalsIgnoreCase("yes"));
    }

    private static boolean isFalse(List<String> values) {
        return values != null && !values.isEmpty() && (values.get(0).equalsIgnoreCase("false") || values.get(0).equalsIgnoreCase("no"));
    }
}
