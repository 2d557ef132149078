package org.idnode.client.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.ResolveRequest;
import org.idnode.api.v1.ResolveResult;
import org.idnode.client.IdNodeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "resolve", mixinStandardHelpOptions = true,
        description = {"Resolve identifiers: a table of their values (index, type, TTL, access, data), or with --json the "
                + "records in the import format (one object, or an array for several identifiers).",
            "Values a token does not entitle you to read are left out. Non-text data is shown as format:value "
                    + "(hex, base64, admin, ...)."})
final class ResolveCommand extends Base implements Callable<Integer> {
    /** The most identifiers one batch call may carry. */
    private static final int MAX_BATCH = 2000;

    @Parameters(arity = "1..*", paramLabel = "HANDLE", description = "identifiers, e.g. 88.999.2/PCB.87.01.01.A2.250601.000123")
    List<String> handles;
    @Option(names = "--index", split = ",", paramLabel = "N", description = "only these indexes")
    List<Integer> indexes = new ArrayList<>();
    @Option(names = "--type", split = ",", paramLabel = "TYPE", description = "only these types (a type matches its sub-types)")
    List<String> types = new ArrayList<>();

    @Override
    public Integer call() {
        handles.forEach(this::handle);
        if (handles.size() == 1) {
            HandleRecord record = client().resolve(request(handles.get(0)));
            if (jsonOutput()) {
                printJson(RecordJson.toJson(record));
            } else {
                printTable(record);
            }
            return Exit.OK;
        }
        List<ResolveResult> results = resolveAll();
        int exit = Exit.OK;
        JsonArray array = new JsonArray();
        for (int i = 0; i < results.size(); i++) {
            ResolveResult r = results.get(i);
            if (r.hasRecord()) {
                if (jsonOutput()) {
                    array.add(RecordJson.toJson(r.getRecord()));
                } else {
                    if (i > 0) {
                        out().println();
                    }
                    printTable(r.getRecord());
                }
            } else {
                exit = Math.max(exit, Errors.exitCode(r.getError()));
                err().println("idctl: " + handles.get(i) + ": " + Errors.describe(r.getError()));
                if (jsonOutput()) {
                    JsonObject failed = new JsonObject();
                    failed.addProperty("handle", handles.get(i));
                    failed.add("error", ImportSummary.errorJson(r.getError()));
                    array.add(failed);
                }
            }
        }
        if (jsonOutput()) {
            printJson(array);
        }
        return exit;
    }

    private List<ResolveResult> resolveAll() {
        if (indexes.isEmpty() && types.isEmpty()) {
            List<ResolveResult> results = new ArrayList<>(handles.size());
            for (int from = 0; from < handles.size(); from += MAX_BATCH) {
                results.addAll(client().resolveBatch(handles.subList(from, Math.min(handles.size(), from + MAX_BATCH))));
            }
            return results;
        }
        List<ResolveResult> results = new ArrayList<>();
        for (String h : handles) {
            try {
                results.add(ResolveResult.newBuilder().setRecord(client().resolve(request(h))).build());
            } catch (IdNodeException e) {
                if (Exit.of(e) != Exit.NOT_FOUND && Exit.of(e) != Exit.DENIED) {
                    throw e;
                }
                results.add(ResolveResult.newBuilder().setError(org.idnode.api.v1.Error.newBuilder()
                        .setResponseCode(e.responseCode()).setReason(e.reason() == null ? "" : e.reason())
                        .setMessage(e.getMessage() == null ? "" : e.getMessage())).build());
            }
        }
        return results;
    }

    private ResolveRequest request(String handle) {
        return ResolveRequest.newBuilder().setHandle(handle).addAllIndexes(indexes).addAllTypes(types).build();
    }

    private void printTable(HandleRecord record) {
        out().println(record.getHandle());
        // DATA last: a long value (an HS_SITE, a key) then only makes its own line long.
        Table t = new Table("INDEX", "TYPE", "TTL", "ACCESS", "DATA");
        for (HandleValue v : record.getValuesList()) {
            t.row(v.getIndex(), v.getType(), v.getTtlAbsolute() ? "until " + Text.time(v.getTtl()) : v.getTtl(),
                    v.getPublicRead() ? "public" : "restricted", dataText(v));
        }
        t.print(out());
    }

    /** Text data as is; anything else as {@code format:value}. */
    static String dataText(HandleValue v) {
        JsonObject data = RecordJson.data(v);
        String format = data.has("format") ? data.get("format").getAsString() : "string";
        JsonElement value = data.get("value");
        if (value == null) {
            return format + ":";
        }
        if (format.equals("string") && value.isJsonPrimitive()) {
            return value.getAsString();
        }
        return format + ":" + (value.isJsonPrimitive() ? value.getAsString() : value.toString());
    }
}
