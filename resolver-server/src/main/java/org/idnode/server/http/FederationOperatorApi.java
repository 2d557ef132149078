package org.idnode.server.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import net.handle.apps.simple.SiteInfoConverter;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleException;
import org.idnode.registry.federation.Filed;
import org.idnode.registry.federation.FiledEnterprisePrefix;
import org.idnode.registry.federation.FiledFact;
import org.idnode.registry.federation.SecondaryNode;
import org.idnode.server.federation.SecondaryRegistry;
import org.idnode.server.federation.TopLevel;

/**
 * The top-level node's part of the operator API, under {@code /api/admin/federation/}, on {@link SecondaryRegistry}:
 * <ul>
 *   <li>{@code GET /api/admin/federation/secondaries}: the registered secondary nodes;</li>
 *   <li>{@code POST /api/admin/federation/secondaries} with {@code {"prefix":"88.998","site":"HOST:PORT",
 *       "publicKey":"<base64 of pubkey.bin, or PEM>"}}: registers one (201);</li>
 *   <li>{@code GET /api/admin/federation/secondaries/{prefix}}: one node, with the enterprise prefixes it filed (state,
 *       enterprise, registration counts) and {@code appliedThrough}; {@code DELETE} removes it with its filings;</li>
 *   <li>{@code GET /api/admin/federation/secondaries/{prefix}/filings?after=N&limit=M}: its filings above sequence N
 *       (default 0), at most M (default 100, at most {@value SecondaryRegistry#MAX_PAGE}), in sequence order; when the
 *       page is full, {@code nextAfter} is the {@code after} of the next page.</li>
 * </ul>
 * Authenticated and authorised by {@link OperatorApi} (operators only). On a node in the secondary role these paths
 * answer 404. Stateless; runs on the blocking executor.
 */
final class FederationOperatorApi {
    /** The path segment after {@code /api/admin/}. */
    static final String SEGMENT = "federation";
    private static final String SECONDARIES = "secondaries";
    private static final int DEFAULT_PAGE = 100;
    private static final Set<String> ADD_FIELDS = Set.of("prefix", "site", "publicKey");

    private FederationOperatorApi() {
    }

    /** Answers {@code path} (the segments after {@code /api/admin/federation/}). */
    static JsonReply route(TopLevel topLevel, HttpMethod method, List<String> path, Map<String, List<String>> params, String body) {
        if (path.isEmpty() || !path.get(0).equals(SECONDARIES)) {
            return notFound(path);
        }
        if (topLevel == null) {
            return JsonReply.error(HttpResponseStatus.NOT_FOUND, AbstractMessage.RC_OPERATION_NOT_SUPPORTED, null,
                    "this node is not a top-level node (federation.role: secondary); secondary nodes are registered at a top-level node");
        }
        SecondaryRegistry registry = topLevel.secondaries();
        int n = path.size();
        if (n == 1) {
            if (method.equals(HttpMethod.POST)) {
                JsonObject o = OperatorApi.object(body);
                for (String field : o.keySet()) {
                    if (!ADD_FIELDS.contains(field)) {
                        throw new OperatorApi.BadRequest("unknown field '" + field + "'; a secondary node has " + ADD_FIELDS.stream().sorted().toList());
                    }
                }
                SecondaryNode added = registry.add(OperatorApi.string(o, "prefix", true), OperatorApi.string(o, "site", true),
                        publicKey(OperatorApi.string(o, "publicKey", true)));
                JsonReply reply = JsonReply.ok(HttpResponseStatus.CREATED);
                secondary(reply.json(), added);
                return reply;
            }
            OperatorApi.requireMethod(method, HttpMethod.GET, HttpMethod.POST);
            JsonReply reply = JsonReply.ok(HttpResponseStatus.OK);
            JsonArray a = new JsonArray();
            for (SecondaryNode s : registry.list()) {
                JsonObject o = new JsonObject();
                secondary(o, s);
                a.add(o);
            }
            reply.json().add(SECONDARIES, a);
            return reply;
        }
        String prefix = path.get(1);
        if (n == 2) {
            if (method.equals(HttpMethod.DELETE)) {
                registry.remove(prefix);
                JsonReply reply = JsonReply.ok(HttpResponseStatus.OK);
                reply.json().addProperty("prefix", prefix);
                reply.json().addProperty("removed", true);
                return reply;
            }
            OperatorApi.requireMethod(method, HttpMethod.GET, HttpMethod.DELETE);
            SecondaryNode node = registry.get(prefix);
            JsonReply reply = JsonReply.ok(HttpResponseStatus.OK);
            secondary(reply.json(), node);
            JsonArray a = new JsonArray();
            registry.enterprisePrefixes(prefix).forEach(e -> a.add(enterprisePrefix(e)));
            reply.json().add("enterprisePrefixes", a);
            return reply;
        }
        if (n == 3 && path.get(2).equals("filings")) {
            OperatorApi.requireMethod(method, HttpMethod.GET);
            long after = number(params, "after", 0);
            int limit = (int) number(params, "limit", DEFAULT_PAGE);
            SecondaryNode node = registry.get(prefix);
            List<Filed> page = registry.filings(prefix, after, limit);
            JsonReply reply = JsonReply.ok(HttpResponseStatus.OK);
            reply.json().addProperty("prefix", node.prefix());
            reply.json().addProperty("appliedThrough", node.appliedThrough());
            JsonArray a = new JsonArray();
            page.forEach(f -> a.add(filed(f)));
            reply.json().add("filings", a);
            if (page.size() == limit) {
                reply.json().addProperty("nextAfter", page.get(page.size() - 1).sequence());
            }
            return reply;
        }
        return notFound(path);
    }

    private static JsonReply notFound(List<String> path) {
        List<String> full = new ArrayList<>();
        full.add(SEGMENT);
        full.addAll(path);
        return OperatorApi.notFound(full);
    }

    /** The key as pubkey.bin in base64, or PEM text. */
    private static byte[] publicKey(String text) {
        if (text.contains("-----BEGIN")) {
            return text.getBytes(StandardCharsets.US_ASCII);
        }
        try {
            return Base64.getMimeDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new OperatorApi.BadRequest("publicKey must be the base64 of a CNRI pubkey.bin, or PEM text: " + e.getMessage());
        }
    }

    private static long number(Map<String, List<String>> params, String name, long dflt) {
        List<String> v = params.get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            return Long.parseLong(v.get(0));
        } catch (NumberFormatException e) {
            throw new OperatorApi.BadRequest(name + " must be an integer, got '" + v.get(0) + "'");
        }
    }

    private static void secondary(JsonObject o, SecondaryNode n) {
        o.addProperty("prefix", n.prefix());
        o.addProperty("siteSummary", SecondaryRegistry.describeSite(n));
        o.add("site", JsonParser.parseString(SiteInfoConverter.convertToJson(SecondaryRegistry.site(n))));
        o.addProperty("appliedThrough", n.appliedThrough());
        o.addProperty("added", Instant.ofEpochMilli(n.addedMillis()).toString());
        o.addProperty("siteChanged", Instant.ofEpochMilli(n.siteChangedMillis()).toString());
    }

    private static JsonObject enterprisePrefix(FiledEnterprisePrefix e) {
        JsonObject o = new JsonObject();
        o.addProperty("prefix", e.prefix());
        o.addProperty("state", e.state());
        o.addProperty("enterprise", e.enterprise());
        o.addProperty("registered", e.registered());
        o.addProperty("deleted", e.deleted());
        o.addProperty("countedRegistered", e.countedRegistered());
        o.addProperty("countedDeleted", e.countedDeleted());
        o.addProperty("firstSequence", e.firstSequence());
        o.addProperty("lastSequence", e.lastSequence());
        return o;
    }

    private static JsonObject filed(Filed f) {
        JsonObject o = new JsonObject();
        o.addProperty("sequence", f.sequence());
        o.addProperty("time", Instant.ofEpochMilli(f.timeMillis()).toString());
        o.addProperty("received", Instant.ofEpochMilli(f.receivedMillis()).toString());
        o.addProperty("kind", f.fact().kind());
        FiledFact fact = f.fact();
        if (fact instanceof FiledFact.EnterprisePrefix p) {
            o.addProperty("prefix", p.prefix());
            o.addProperty("state", p.state());
            o.addProperty("enterprise", p.enterprise());
            o.addProperty("created", p.created());
        } else if (fact instanceof FiledFact.Registration r) {
            o.addProperty("handle", r.handle());
            o.addProperty("deleted", r.deleted());
            o.addProperty("template", r.template());
        } else if (fact instanceof FiledFact.RegistrationCount c) {
            o.addProperty("prefix", c.prefix());
            o.addProperty("registered", c.registered());
            o.addProperty("deleted", c.deleted());
        } else if (fact instanceof FiledFact.Site s) {
            try {
                o.add("site", JsonParser.parseString(SiteInfoConverter.convertToJson(Encoder.decodeSiteInfoRecord(s.site(), 0))));
            } catch (HandleException e) {
                o.addProperty("site", "unreadable: " + e.getMessage());
            }
        }
        return o;
    }
}
