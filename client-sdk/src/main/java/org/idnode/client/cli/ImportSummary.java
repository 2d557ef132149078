package org.idnode.client.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.idnode.api.v1.Error;
import org.idnode.api.v1.FieldError;

/** What an import did: the counts, the time, and each refused line with its reason. */
final class ImportSummary {
    /** Refused lines printed in the text summary; --rejects and --json have them all. */
    static final int SHOWN = 50;

    /** A refused line: refused by idctl (it could not be read) or by the node (with its error). */
    record Refusal(long line, String handle, boolean byNode, Error error) {
        String text() {
            return "line " + line + ": " + (handle == null ? "-" : handle) + ": "
                    + (byNode ? Errors.describe(error) : error.getMessage());
        }
    }

    final String file;
    final String format;
    long read;
    long accepted;
    /** Records the node refused without naming them (it itemizes only the first 10000 of a stream). */
    long refusedUnlisted;
    Duration elapsed = Duration.ZERO;
    String stoppedBecause;
    private final List<Refusal> refusals = new ArrayList<>();

    ImportSummary(String file, String format) {
        this.file = file;
        this.format = format;
    }

    void refusedLocally(long line, String handle, String reason) {
        refusals.add(new Refusal(line, handle, false, Error.newBuilder().setMessage(reason).build()));
    }

    void refusedByNode(long line, String handle, Error error) {
        refusals.add(new Refusal(line, handle, true, error));
    }

    long refused() {
        return refusals.size() + refusedUnlisted;
    }

    List<Refusal> refusals() {
        refusals.sort(Comparator.comparingLong(Refusal::line));
        return refusals;
    }

    void printText(PrintWriter out) {
        out.println("import " + file + " (" + format + ")");
        out.println("  lines read  " + read);
        out.println("  accepted    " + accepted);
        out.println("  refused     " + refused());
        out.println("  elapsed     " + Text.seconds(elapsed));
        out.println("  rate        " + Text.rate(read, elapsed) + " lines/s");
        if (stoppedBecause != null) {
            out.println("stopped early: " + stoppedBecause);
        }
        List<Refusal> all = refusals();
        if (!all.isEmpty()) {
            out.println("refused lines:");
            for (int i = 0; i < Math.min(SHOWN, all.size()); i++) {
                out.println("  " + all.get(i).text());
            }
            if (all.size() > SHOWN) {
                out.println("  ... and " + (all.size() - SHOWN) + " more (--rejects FILE or --json lists them all)");
            }
        }
        if (refusedUnlisted > 0) {
            out.println("  " + refusedUnlisted + " more records were refused by the node without being itemized");
        }
    }

    JsonObject json() {
        JsonObject obj = new JsonObject();
        obj.addProperty("file", file);
        obj.addProperty("format", format);
        obj.addProperty("linesRead", read);
        obj.addProperty("accepted", accepted);
        obj.addProperty("refused", refused());
        obj.addProperty("refusedUnlisted", refusedUnlisted);
        obj.addProperty("elapsedSeconds", elapsed.toMillis() / 1000.0);
        obj.addProperty("ratePerSecond", Text.rate(read, elapsed));
        obj.addProperty("complete", stoppedBecause == null);
        if (stoppedBecause != null) {
            obj.addProperty("stoppedBecause", stoppedBecause);
        }
        JsonArray list = new JsonArray();
        for (Refusal r : refusals()) {
            JsonObject o = new JsonObject();
            o.addProperty("line", r.line());
            if (r.handle() != null) {
                o.addProperty("handle", r.handle());
            }
            o.addProperty("refusedBy", r.byNode() ? "node" : "idctl");
            errorJson(r.error()).entrySet().forEach(e -> o.add(e.getKey(), e.getValue()));
            list.add(o);
        }
        obj.add("refusals", list);
        return obj;
    }

    /** All refused lines, one per line as in the text summary. */
    void writeRejects(Path path) throws IOException {
        try (Writer w = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
            for (Refusal r : refusals()) {
                w.write(r.text());
                w.write('\n');
            }
            if (refusedUnlisted > 0) {
                w.write(refusedUnlisted + " more records were refused by the node without being itemized\n");
            }
        }
    }

    static JsonObject errorJson(Error e) {
        JsonObject o = new JsonObject();
        if (!e.getReason().isEmpty()) {
            o.addProperty("reason", e.getReason());
            o.addProperty("responseCode", e.getResponseCode());
        }
        o.addProperty("message", e.getMessage());
        if (e.getFieldErrorsCount() > 0) {
            JsonArray fields = new JsonArray();
            for (FieldError f : e.getFieldErrorsList()) {
                JsonObject fo = new JsonObject();
                fo.addProperty("field", f.getField());
                fo.addProperty("message", f.getMessage());
                fields.add(fo);
            }
            o.add("fieldErrors", fields);
        }
        return o;
    }
}
