package org.idnode.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.RegisterResponse;
import org.idnode.api.v1.Template;
import org.idnode.api.v1.TemplateItem;
import org.idnode.client.IdNodeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "register", mixinStandardHelpOptions = true,
        description = {"Register one identifier, from --value options or from a JSON file in the import format.",
            "With --template the record is bound to the template (1000 TEMPLATE_ID, 1001 TEMPLATE), values may be given as "
                    + "TYPE=TEXT (the item's index; repeat for a repeated item), and each value gets the item's default access.",
            "Exits 1 when the node refuses the record (e.g. it breaks its template: one line per offending field)."})
final class RegisterCommand extends Base implements Callable<Integer> {
    private static final Pattern BY_INDEX = Pattern.compile("(\\d{1,9}):([^:=\\s]+):(.*)", Pattern.DOTALL);
    private static final Pattern BY_TYPE = Pattern.compile("([^:=\\s]+)=(.*)", Pattern.DOTALL);

    @Parameters(arity = "0..1", paramLabel = "HANDLE", description = "the identifier (not with --file)")
    String handle;
    @Option(names = "--value", paramLabel = "INDEX:TYPE:TEXT|TYPE=TEXT",
            description = "a text value, e.g. 1:URL:https://example.com/lot/1 or, with --template, LAYER_COUNT=4")
    List<String> values = new ArrayList<>();
    @Option(names = "--template", paramLabel = "ID[@VERSION]", description = "bind the record to this template (default version: the latest)")
    String template;
    @Option(names = "--restricted", split = ",", paramLabel = "INDEX", description = "make the value at this index restricted (not public)")
    List<Integer> restricted = new ArrayList<>();
    @Option(names = "--file", paramLabel = "FILE", description = "the record as JSON in the import format ({\"handle\", \"values\"})")
    Path file;
    @Option(names = "--overwrite", description = "replace the record if the identifier exists (default: refuse)")
    boolean overwrite;

    @Override
    public Integer call() throws IOException {
        HandleRecord record;
        if (file != null) {
            try {
                record = fromFile();
            } catch (IllegalArgumentException e) {
                err().println("idctl: " + file + ": " + e.getMessage());
                return Exit.REFUSED;
            }
        } else {
            record = fromOptions();
        }
        RegisterResponse response;
        try {
            response = client().register(record, overwrite);
        } catch (IdNodeException e) {
            if (e.code() == Status.Code.ALREADY_EXISTS) {
                err().println("idctl: " + record.getHandle() + " exists; --overwrite replaces it");
            }
            throw e;
        }
        if (jsonOutput()) {
            JsonObject obj = new JsonObject();
            obj.addProperty("handle", response.getHandle().isEmpty() ? record.getHandle() : response.getHandle());
            obj.addProperty("created", response.getCreated());
            printJson(obj);
        } else {
            out().println((response.getCreated() ? "created " : "replaced ") + record.getHandle() + " ("
                    + record.getValuesCount() + " values)");
        }
        return Exit.OK;
    }

    /** @throws IllegalArgumentException when the file does not hold a record in the import format */
    private HandleRecord fromFile() throws IOException {
        if (handle != null || !values.isEmpty() || template != null || !restricted.isEmpty()) {
            throw usage("--file holds the whole record: give no HANDLE, --value, --template or --restricted with it");
        }
        if (!Files.isReadable(file)) {
            throw new UsageException("cannot read " + file);
        }
        return RecordJson.parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    private HandleRecord fromOptions() {
        if (handle == null) {
            throw usage("give the identifier (HANDLE) and --value options, or --file");
        }
        handle(handle);
        if (values.isEmpty()) {
            throw usage("give at least one --value");
        }
        Template t = null;
        Map<String, TemplateItem> items = new HashMap<>();
        Map<Integer, TemplateItem> itemAtIndex = new HashMap<>();
        List<HandleValue> out = new ArrayList<>();
        if (template != null) {
            TemplateRef ref;
            try {
                ref = TemplateRef.parse(template);
            } catch (IllegalArgumentException e) {
                throw usage("--template: " + e.getMessage());
            }
            t = client().template(ref.id(), ref.versionOrLatest());
            for (TemplateItem item : t.getItemsList()) {
                items.put(item.getType().toUpperCase(Locale.ROOT), item);
                for (int i = 0; i < Math.max(1, item.getMaxCount()); i++) {
                    itemAtIndex.put(item.getIndex() + i, item);
                }
            }
            out.add(value(1000, "TEMPLATE_ID", t.getId(), true));
            out.add(value(1001, "TEMPLATE", t.getVersion(), true));
        }
        Map<String, Integer> repeats = new HashMap<>();
        Set<Integer> used = new HashSet<>();
        for (String spec : values) {
            Matcher byIndex = BY_INDEX.matcher(spec);
            Matcher byType = BY_TYPE.matcher(spec);
            int index;
            String type;
            String text;
            if (byIndex.matches()) {
                index = Integer.parseInt(byIndex.group(1));
                type = byIndex.group(2);
                text = byIndex.group(3);
            } else if (byType.matches()) {
                if (t == null) {
                    throw usage("--value " + spec + ": TYPE=TEXT needs --template (else write INDEX:TYPE:TEXT)");
                }
                TemplateItem item = items.get(byType.group(1).toUpperCase(Locale.ROOT));
                if (item == null) {
                    throw usage("--value " + spec + ": " + t.getId() + "@" + t.getVersion() + " has no item " + byType.group(1));
                }
                int k = repeats.merge(item.getType(), 1, Integer::sum) - 1;
                if (k >= Math.max(1, item.getMaxCount())) {
                    throw usage("--value " + spec + ": item " + item.getType() + " takes at most " + Math.max(1, item.getMaxCount())
                            + " values");
                }
                index = item.getIndex() + k;
                type = item.getType();
                text = byType.group(2);
            } else {
                throw usage("--value '" + spec + "' is not INDEX:TYPE:TEXT or TYPE=TEXT");
            }
            if (!used.add(index)) {
                throw usage("--value: index " + index + " is given twice");
            }
            TemplateItem item = itemAtIndex.get(index);
            boolean publicRead = !restricted.contains(index) && (item == null || item.getPublicRead());
            out.add(value(index, type, text, publicRead));
        }
        for (int r : restricted) {
            if (!used.contains(r)) {
                throw usage("--restricted " + r + ": no --value has that index");
            }
        }
        out.sort(Comparator.comparingInt(HandleValue::getIndex));
        return HandleRecord.newBuilder().setHandle(handle).addAllValues(out).build();
    }

    private static HandleValue value(int index, String type, String text, boolean publicRead) {
        return HandleValue.newBuilder().setIndex(index).setType(type).setData(ByteString.copyFromUtf8(text))
                .setTtl(CsvSource.TTL).setAdminRead(true).setAdminWrite(true).setPublicRead(publicRead).build();
    }
}
