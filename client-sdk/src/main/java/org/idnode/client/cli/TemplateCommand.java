package org.idnode.client.cli;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.idnode.api.v1.ItemDataType;
import org.idnode.api.v1.Template;
import org.idnode.api.v1.TemplateItem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "template", mixinStandardHelpOptions = true, description = "The node's identifier metadata templates.",
        subcommands = {TemplateCommand.ListTemplates.class, TemplateCommand.Show.class})
final class TemplateCommand extends Base implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the templates (id, version, owner, items, description).")
    static final class ListTemplates extends Base implements Callable<Integer> {
        @Option(names = "--prefix", paramLabel = "PREFIX", description = "only those usable under this enterprise prefix")
        String prefix = "";

        @Override
        public Integer call() {
            List<Template> templates = client().templates(prefix);
            if (jsonOutput()) {
                JsonArray array = new JsonArray();
                templates.forEach(t -> array.add(json(t)));
                printJson(array);
                return Exit.OK;
            }
            Table table = new Table("ID", "VERSION", "OWNER", "ITEMS", "DESCRIPTION");
            for (Template t : templates) {
                table.row(t.getId(), t.getVersion(), t.getOwner(), t.getItemsCount(), t.getDescription());
            }
            table.print(out());
            return Exit.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show a template and its items: index, type, names, data type, required, limits, default access. "
                    + "With --json, the template in the form of conf/templates/*.json.")
    static final class Show extends Base implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "template id, e.g. 88.999/TPL.PCB_LOT, or ID@VERSION")
        String id;
        @Option(names = "--version", paramLabel = "V", description = "the version (default: the latest)")
        String version;

        @Override
        public Integer call() {
            TemplateRef ref = TemplateRef.parse(id);
            if (version != null && ref.version() != null && !version.equals(ref.version())) {
                throw usage("the version is given twice: " + id + " and --version " + version);
            }
            Template t = client().template(ref.id(), version != null ? version : ref.versionOrLatest());
            if (jsonOutput()) {
                printJson(json(t));
                return Exit.OK;
            }
            out().println("template    " + t.getId() + " version " + t.getVersion());
            out().println("owner       " + t.getOwner());
            if (!t.getDescription().isEmpty()) {
                out().println("description " + t.getDescription());
            }
            out().println("binding     1000 TEMPLATE_ID = " + t.getId() + ", 1001 TEMPLATE = " + t.getVersion());
            out().println();
            Table table = new Table("INDEX", "TYPE", "NAME", "DATA TYPE", "REQUIRED", "LIMITS", "ACCESS");
            for (TemplateItem item : t.getItemsList()) {
                String index = item.getMaxCount() > 1
                        ? item.getIndex() + "-" + (item.getIndex() + item.getMaxCount() - 1) : String.valueOf(item.getIndex());
                table.row(index, item.getType() + (item.getEnabled() ? "" : " (disabled)"),
                        item.getNameZh() + " / " + item.getNameEn(), dataType(item.getDataType()),
                        item.getRequired() ? "yes" : "no", limits(item), item.getPublicRead() ? "public" : "restricted");
            }
            table.print(out());
            return Exit.OK;
        }
    }

    static String dataType(ItemDataType t) {
        switch (t) {
            case ITEM_DATA_TYPE_STRING:
                return "string";
            case ITEM_DATA_TYPE_NUMBER:
                return "number";
            case ITEM_DATA_TYPE_DATE:
                return "date";
            case ITEM_DATA_TYPE_REFERENCE:
                return "reference";
            default:
                return t.name().toLowerCase(Locale.ROOT);
        }
    }

    /** An item's limits in short: {@code length <= 64}, {@code 1..64, 0 decimals}, {@code -> 88.999/TPL.CCL_LOT}. */
    static String limits(TemplateItem item) {
        StringBuilder b = new StringBuilder();
        switch (item.getDataType()) {
            case ITEM_DATA_TYPE_STRING:
                b.append(range("length ", item.getMinLength() > 0 ? String.valueOf(item.getMinLength()) : "",
                        item.getMaxLength() > 0 ? String.valueOf(item.getMaxLength()) : ""));
                break;
            case ITEM_DATA_TYPE_NUMBER:
                b.append(range("", item.getMin(), item.getMax()));
                if (item.getMaxDecimals() >= 0) {
                    b.append(b.length() > 0 ? ", " : "").append(item.getMaxDecimals()).append(" decimals");
                }
                break;
            case ITEM_DATA_TYPE_DATE:
                b.append("YYYY-MM-DD");
                break;
            case ITEM_DATA_TYPE_REFERENCE:
                if (!item.getTargetTemplate().isEmpty()) {
                    b.append("-> ").append(item.getTargetTemplate());
                }
                break;
            default:
                break;
        }
        if (item.getMaxCount() > 1) {
            b.append(b.length() > 0 ? ", " : "").append("up to ").append(item.getMaxCount()).append(" values");
        }
        return b.toString();
    }

    /** {@code a..b}, {@code a} when they are equal, {@code >= a}, {@code <= b}, or nothing. */
    private static String range(String what, String min, String max) {
        if (min.isEmpty() && max.isEmpty()) {
            return "";
        }
        if (min.equals(max)) {
            return what + min;
        }
        if (max.isEmpty()) {
            return what + ">= " + min;
        }
        return what + (min.isEmpty() ? "<= " + max : min + ".." + max);
    }

    /** The template in the JSON form of conf/templates: the node's own definition when it sends one. */
    static JsonObject json(Template t) {
        if (!t.getDefinitionJson().isEmpty()) {
            return JsonParser.parseString(t.getDefinitionJson()).getAsJsonObject();
        }
        JsonObject obj = new JsonObject();
        obj.addProperty("id", t.getId());
        obj.addProperty("version", t.getVersion());
        obj.addProperty("owner", t.getOwner());
        if (!t.getDescription().isEmpty()) {
            obj.addProperty("description", t.getDescription());
        }
        JsonArray items = new JsonArray();
        for (TemplateItem i : t.getItemsList()) {
            JsonObject item = new JsonObject();
            item.addProperty("index", i.getIndex());
            if (i.getMaxCount() > 1) {
                item.addProperty("maxCount", i.getMaxCount());
            }
            item.addProperty("type", i.getType());
            item.addProperty("nameZh", i.getNameZh());
            item.addProperty("nameEn", i.getNameEn());
            item.addProperty("dataType", dataType(i.getDataType()));
            item.addProperty("required", i.getRequired());
            if (i.getMinLength() > 0) {
                item.addProperty("minLength", i.getMinLength());
            }
            if (i.getMaxLength() > 0) {
                item.addProperty("maxLength", i.getMaxLength());
            }
            if (!i.getMin().isEmpty()) {
                item.addProperty("min", new java.math.BigDecimal(i.getMin()));
            }
            if (!i.getMax().isEmpty()) {
                item.addProperty("max", new java.math.BigDecimal(i.getMax()));
            }
            if (i.getMaxDecimals() >= 0 && i.getDataType() == ItemDataType.ITEM_DATA_TYPE_NUMBER) {
                item.addProperty("maxDecimals", i.getMaxDecimals());
            }
            if (!i.getTargetTemplate().isEmpty()) {
                item.addProperty("targetTemplate", i.getTargetTemplate());
            }
            item.addProperty("publicRead", i.getPublicRead());
            item.addProperty("state", i.getEnabled() ? "enabled" : "disabled");
            items.add(item);
        }
        obj.add("items", items);
        return obj;
    }
}
