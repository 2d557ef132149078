package org.idnode.registry.template;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads and writes one template version as JSON, the format of the files in {@code conf/templates/}
 * (described in {@code conf/templates/README.md}):
 *
 * <pre>{@code
 * {"id": "88.999/TPL.PCB_LOT", "version": "1.0", "owner": "node", "description": "...",
 *  "items": [{"index": 2005, "type": "LAYER_COUNT", "nameZh": "层数", "nameEn": "Layer count",
 *             "dataType": "number", "required": true, "min": 1, "max": 64, "maxDecimals": 0}, ...]}
 * }</pre>
 *
 * Reading is strict: unknown fields, duplicate keys, wrong JSON types and broken rules are refused with a
 * {@link TemplateLoadException} naming the source and the field. Thread-safe.
 */
public final class TemplateJson {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private static final Set<String> TEMPLATE_FIELDS = Set.of("id", "version", "owner", "description", "items");
    private static final Set<String> ITEM_FIELDS = Set.of("index", "maxCount", "type", "nameZh", "nameEn", "dataType",
            "required", "minLength", "maxLength", "min", "max", "maxDecimals", "targetTemplate", "publicRead", "state");
    private static final Pattern PLAIN_DECIMAL = Pattern.compile("-?\\d+(\\.\\d+)?");

    private TemplateJson() {
    }

    /**
     * Parses one template version.
     *
     * @param source names the JSON in error messages, usually the file name
     * @throws TemplateLoadException naming {@code source} and the offending field
     */
    public static Template parse(String source, String json) throws TemplateLoadException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new TemplateLoadException(source, null, "not valid JSON" + where + ": " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new TemplateLoadException(source, null, "must hold one JSON object, a template version");
        }
        try {
            return template(root);
        } catch (InvalidTemplateException e) {
            throw new TemplateLoadException(source, e.field(), e.problem());
        }
    }

    private static Template template(JsonNode root) {
        unknownFields(root, TEMPLATE_FIELDS);
        String id = text(root, "id");
        String version = text(root, "version");
        String owner = text(root, "owner");
        String description = text(root, "description");
        JsonNode itemsNode = root.get("items");
        if (itemsNode == null || itemsNode.isNull()) {
            throw new InvalidTemplateException("items", "missing; list the template's items");
        }
        if (!itemsNode.isArray()) {
            throw new InvalidTemplateException("items", "must be an array of items");
        }
        List<TemplateItem> items = new ArrayList<>();
        for (int i = 0; i < itemsNode.size(); i++) {
            String path = "items[" + i + "]";
            if (!itemsNode.get(i).isObject()) {
                throw new InvalidTemplateException(path, "must be an object, got " + itemsNode.get(i));
            }
            try {
                items.add(item(itemsNode.get(i)));
            } catch (InvalidTemplateException e) {
                throw e.under(path);
            }
        }
        // Template's own checks (overlaps, duplicate types) already name items[i].
        return new Template(id, version, owner, description, items);
    }

    private static TemplateItem item(JsonNode n) {
        unknownFields(n, ITEM_FIELDS);
        Integer index = integer(n, "index");
        if (index == null) {
            throw new InvalidTemplateException("index", "missing; items start at index 2000");
        }
        String type = text(n, "type");
        String dataTypeName = text(n, "dataType");
        if (dataTypeName == null) {
            throw new InvalidTemplateException("dataType", "missing; use string, number, date or reference");
        }
        DataType dataType;
        try {
            dataType = DataType.fromJsonName(dataTypeName);
        } catch (IllegalArgumentException e) {
            throw new InvalidTemplateException("dataType", e.getMessage());
        }
        TemplateItem.Builder b = TemplateItem.builder(index, type, dataType)
                .names(text(n, "nameZh"), text(n, "nameEn"))
                .minLength(integer(n, "minLength"))
                .maxLength(integer(n, "maxLength"))
                .min(decimal(n, "min"))
                .max(decimal(n, "max"))
                .maxDecimals(integer(n, "maxDecimals"))
                .targetTemplate(text(n, "targetTemplate"));
        Integer maxCount = integer(n, "maxCount");
        if (maxCount != null) {
            b.maxCount(maxCount);
        }
        Boolean required = bool(n, "required");
        if (required != null) {
            b.required(required);
        }
        Boolean publicRead = bool(n, "publicRead");
        if (publicRead != null) {
            b.publicRead(publicRead);
        }
        String state = text(n, "state");
        if (state != null) {
            if (state.equals("enabled")) {
                b.enabled(true);
            } else if (state.equals("disabled")) {
                b.enabled(false);
            } else {
                throw new InvalidTemplateException("state", "'" + state + "' is not a state; use enabled or disabled");
            }
        }
        return b.build();
    }

    private static void unknownFields(JsonNode n, Set<String> known) {
        Iterator<String> names = n.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new InvalidTemplateException(name, "unknown field (known fields: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static JsonNode field(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v == null || v.isNull() ? null : v;
    }

    private static String text(JsonNode n, String name) {
        JsonNode v = field(n, name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidTemplateException(name, "must be a string in double quotes, got " + kind(v));
        }
        return v.textValue();
    }

    private static String kind(JsonNode v) {
        return switch (v.getNodeType()) {
            case NUMBER -> "the number " + v;
            case STRING -> "the string " + v;
            case BOOLEAN -> v.toString();
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static Integer integer(JsonNode n, String name) {
        JsonNode v = field(n, name);
        if (v == null) {
            return null;
        }
        if (v.isIntegralNumber() && !v.canConvertToInt()) {
            throw new InvalidTemplateException(name, v + " is out of range");
        }
        if (!v.isIntegralNumber()) {
            throw new InvalidTemplateException(name, "must be a whole number, got " + kind(v));
        }
        return v.intValue();
    }

    private static Boolean bool(JsonNode n, String name) {
        JsonNode v = field(n, name);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw new InvalidTemplateException(name, "must be true or false, got " + kind(v));
        }
        return v.booleanValue();
    }

    private static BigDecimal decimal(JsonNode n, String name) {
        JsonNode v = field(n, name);
        if (v == null) {
            return null;
        }
        if (v.isNumber()) {
            return v.decimalValue();
        }
        if (v.isTextual() && PLAIN_DECIMAL.matcher(v.textValue()).matches()) {
            return new BigDecimal(v.textValue());
        }
        throw new InvalidTemplateException(name, "must be a number, got " + kind(v));
    }

    /** The template as JSON in the format {@link #parse} reads, omitting fields that hold their default. */
    public static String toJson(Template t) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("id", t.id().toString());
        root.put("version", t.version());
        root.put("owner", t.owner());
        if (!t.description().isEmpty()) {
            root.put("description", t.description());
        }
        ArrayNode items = root.putArray("items");
        for (TemplateItem i : t.items()) {
            ObjectNode o = items.addObject();
            o.put("index", i.index());
            if (i.maxCount() != 1) {
                o.put("maxCount", i.maxCount());
            }
            o.put("type", i.type());
            o.put("nameZh", i.nameZh());
            o.put("nameEn", i.nameEn());
            o.put("dataType", i.dataType().jsonName());
            if (i.required()) {
                o.put("required", true);
            }
            if (i.dataType() == DataType.STRING) {
                if (i.minLength() != 0) {
                    o.put("minLength", i.minLength());
                }
                o.put("maxLength", i.maxLength());
            }
            i.min().ifPresent(m -> o.put("min", m));
            i.max().ifPresent(m -> o.put("max", m));
            i.maxDecimals().ifPresent(m -> o.put("maxDecimals", m));
            i.targetTemplate().ifPresent(h -> o.put("targetTemplate", h.toString()));
            if (!i.publicRead()) {
                o.put("publicRead", false);
            }
            if (!i.enabled()) {
                o.put("state", "disabled");
            }
        }
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }
}
