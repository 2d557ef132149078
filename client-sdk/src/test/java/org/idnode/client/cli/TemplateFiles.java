package org.idnode.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.idnode.api.v1.ItemDataType;
import org.idnode.api.v1.Template;
import org.idnode.api.v1.TemplateItem;

/** The project's templates (conf/templates/*.json) as the node's TemplateService sends them, for tests without a node. */
final class TemplateFiles {
    static final Path PROJECT_ROOT = Path.of(System.getProperty("idnode.project.root", "..")).toAbsolutePath().normalize();
    static final Path DIR = PROJECT_ROOT.resolve("conf/templates");

    private TemplateFiles() {
    }

    /** A cache that knows the project's templates and nothing else. */
    static TemplateCache cache() {
        return new TemplateCache(ref -> {
            try (var files = Files.list(DIR)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                    Template t = load(f);
                    if (t.getId().equalsIgnoreCase(ref.id()) && (ref.version() == null || ref.version().equals(t.getVersion()))) {
                        return Optional.of(t);
                    }
                }
                return Optional.empty();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    static Template load(Path file) throws IOException {
        JsonObject json = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        Template.Builder t = Template.newBuilder().setId(json.get("id").getAsString()).setVersion(json.get("version").getAsString())
                .setOwner(json.get("owner").getAsString()).setDescription(json.get("description").getAsString());
        for (JsonElement e : json.getAsJsonArray("items")) {
            JsonObject i = e.getAsJsonObject();
            TemplateItem.Builder item = TemplateItem.newBuilder()
                    .setIndex(i.get("index").getAsInt())
                    .setMaxCount(i.has("maxCount") ? i.get("maxCount").getAsInt() : 1)
                    .setType(i.get("type").getAsString())
                    .setNameZh(i.get("nameZh").getAsString())
                    .setNameEn(i.get("nameEn").getAsString())
                    .setDataType(ItemDataType.valueOf("ITEM_DATA_TYPE_" + i.get("dataType").getAsString().toUpperCase(Locale.ROOT)))
                    .setRequired(i.has("required") && i.get("required").getAsBoolean())
                    .setMinLength(i.has("minLength") ? i.get("minLength").getAsInt() : 0)
                    .setMaxLength(i.has("maxLength") ? i.get("maxLength").getAsInt() : 0)
                    .setMin(i.has("min") ? i.get("min").getAsString() : "")
                    .setMax(i.has("max") ? i.get("max").getAsString() : "")
                    .setMaxDecimals(i.has("maxDecimals") ? i.get("maxDecimals").getAsInt() : -1)
                    .setTargetTemplate(i.has("targetTemplate") ? i.get("targetTemplate").getAsString() : "")
                    .setPublicRead(!i.has("publicRead") || i.get("publicRead").getAsBoolean())
                    .setEnabled(!i.has("state") || i.get("state").getAsString().equals("enabled"));
            t.addItems(item);
        }
        return t.build();
    }
}
