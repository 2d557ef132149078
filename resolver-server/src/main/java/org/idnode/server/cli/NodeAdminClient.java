package org.idnode.server.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.idnode.server.backup.BackupException;

/**
 * The {@code idnode} commands' client of a running node's operator API ({@code /api/admin/}), for what needs the
 * node itself while it holds its data folder: an online backup, which it starts and then follows until it is done.
 * Authenticates with an operator token ({@code Authorization: Bearer}).
 *
 * <p>Not thread-safe; one per command.
 */
final class NodeAdminClient {
    /** How often a running backup is asked about. */
    private static final Duration POLL = Duration.ofMillis(250);

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * @param base  the node's HTTP address, e.g. {@code http://127.0.0.1:8000}
     * @param token an operator token
     */
    NodeAdminClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /**
     * Starts a backup into {@code to} (a folder under the node's backup root) and waits for it to end.
     *
     * @return the final state: {@code {"state":"done", "to":..., "manifest":{...}}}
     * @throws BackupException {@link BackupException.Kind#REFUSED} when the node refuses the backup (4xx),
     *                         {@link BackupException.Kind#FAILED} when it cannot be reached or the backup fails
     */
    JsonObject backup(String to) throws InterruptedException {
        JsonObject request = new JsonObject();
        request.addProperty("to", to);
        JsonObject job = call(HttpRequest.newBuilder(base.resolve("/api/admin/backup"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.toString(), StandardCharsets.UTF_8)), 202);
        while ("running".equals(text(job, "state"))) {
            Thread.sleep(POLL.toMillis());
            job = call(HttpRequest.newBuilder(base.resolve("/api/admin/backup")).GET(), 200);
        }
        if (!"done".equals(text(job, "state"))) {
            throw new BackupException(BackupException.Kind.FAILED, "the backup to " + text(job, "to") + " failed: " + text(job, "message"));
        }
        return job;
    }

    private JsonObject call(HttpRequest.Builder request, int expected) throws InterruptedException {
        HttpResponse<String> resp;
        try {
            resp = http.send(request.timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new BackupException(BackupException.Kind.FAILED, "cannot reach the node at " + base + ": " + e);
        }
        JsonObject body;
        try {
            JsonElement parsed = JsonParser.parseString(resp.body());
            body = parsed.isJsonObject() ? parsed.getAsJsonObject() : new JsonObject();
        } catch (JsonParseException e) {
            body = new JsonObject();
        }
        if (resp.statusCode() != expected) {
            String message = body.has("message") ? text(body, "message") : resp.body();
            BackupException.Kind kind = resp.statusCode() >= 500 ? BackupException.Kind.FAILED : BackupException.Kind.REFUSED;
            throw new BackupException(kind, "the node at " + base + " answered " + resp.statusCode() + ": " + message);
        }
        return body;
    }

    private static String text(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }
}
