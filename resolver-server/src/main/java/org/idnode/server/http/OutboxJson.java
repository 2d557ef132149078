package org.idnode.server.http;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

import com.google.gson.JsonObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import net.handle.hdllib.AbstractMessage;
import org.idnode.registry.federation.PendingFilings;
import org.idnode.server.federation.FilingShipper;
import org.idnode.server.federation.SecondaryFederation;

/**
 * {@code GET /api/admin/federation/outbox}: the filing backlog of a secondary node, as JSON:
 * {@code topLevel}, {@code secondaryPrefix}, {@code policy}, {@code filingAddress} (null until known), {@code backlog}
 * (entries not yet acknowledged), {@code oldestPendingSequence}, {@code oldestPendingTime} and
 * {@code oldestPendingAgeSeconds} (null when none), {@code lastSequence}, {@code appliedThrough} (what the top level
 * last acknowledged, null before it answered), {@code lastAcknowledged}, {@code lastError} and {@code lastErrorTime}
 * (null after a success), {@code nextAttempt} (when the shipper retries after a failure), {@code pendingCounts}
 * (policy {@code count}: registrations counted but not filed yet, by prefix). 404 on a node without a top level.
 */
final class OutboxJson {
    private OutboxJson() {
    }

    static JsonReply of(SecondaryFederation federation) {
        if (federation == null || federation.shipper().isEmpty()) {
            return JsonReply.error(HttpResponseStatus.NOT_FOUND, AbstractMessage.RC_OPERATION_NOT_SUPPORTED, null,
                    "this node files nothing: it has no top-level node (federation.top-level) or is not a secondary node");
        }
        FilingShipper.Backlog b = federation.shipper().get().backlog();
        JsonReply reply = JsonReply.ok(HttpResponseStatus.OK);
        JsonObject o = reply.json();
        o.addProperty("topLevel", federation.settings().topLevel().toString());
        o.addProperty("secondaryPrefix", federation.secondaryPrefix());
        o.addProperty("policy", federation.settings().filing().policy().name().toLowerCase(Locale.ROOT));
        o.addProperty("filingAddress", b.filingAddress());
        o.addProperty("backlog", b.pending());
        o.addProperty("oldestPendingSequence", b.pending() == 0 ? null : b.oldestPendingSequence());
        o.addProperty("oldestPendingTime", text(b.oldestPendingTime()));
        o.addProperty("oldestPendingAgeSeconds", b.oldestPendingTime() == null ? null
                : Math.max(0, Duration.between(b.oldestPendingTime(), Instant.now()).toSeconds()));
        o.addProperty("lastSequence", b.lastSequence());
        o.addProperty("appliedThrough", b.appliedThrough() < 0 ? null : b.appliedThrough());
        o.addProperty("lastAcknowledged", text(b.lastAcknowledged()));
        o.addProperty("lastError", b.lastError());
        o.addProperty("lastErrorTime", text(b.lastErrorTime()));
        o.addProperty("nextAttempt", text(b.nextAttempt()));
        JsonObject counts = new JsonObject();
        for (Map.Entry<String, PendingFilings.Counts> e : b.pendingCounts().entrySet()) {
            JsonObject c = new JsonObject();
            c.addProperty("registered", e.getValue().registered());
            c.addProperty("deleted", e.getValue().deleted());
            counts.add(e.getKey(), c);
        }
        o.add("pendingCounts", counts);
        return reply;
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
