package org.idnode.server.importer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import net.handle.hdllib.GsonUtility;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;
import org.idnode.server.codec.HandleValueConverter;

/**
 * Reads one handle record from JSON in the shape of the REST API's GET answer:
 * {@code {"handle": "...", "values": [ {"index":1, "type":"URL", "data":{"format":"string","value":"..."},
 * "ttl":86400, "permissions":"1110"}, ... ]}}. Values are parsed by the Handle.net library's
 * {@link GsonUtility}, so every data format CNRI's REST API writes ({@code string}, {@code hex},
 * {@code base64}, {@code admin}, {@code vlist}, {@code site}, {@code key}) is accepted. A value without a
 * timestamp gets {@code defaultTimestamp}; without permissions, public read.
 *
 * <p>{@link #write} produces the same shape with every field of every value spelled out, in a form that
 * {@link #parse} reads back to an identical record: data as {@code string} when it is valid UTF-8, else
 * {@code base64}; a relative TTL as a number of seconds and an absolute one as an ISO-8601 time (CNRI's
 * convention); the timestamp as an ISO-8601 time; references; permissions.
 *
 * <p>Stateless and thread-safe.
 */
public final class RecordJson {
    private RecordJson() {
    }

    /**
     * Parses one record.
     *
     * @throws IllegalArgumentException with a reason fit for an operator when the JSON or a value is invalid
     */
    public static HandleRecord parse(String json, int defaultTimestamp) {
        JsonObject obj;
        try {
            JsonElement root = parseTree(json);
            if (!root.isJsonObject()) {
                throw new IllegalArgumentException("expected a JSON object with \"handle\" and \"values\"");
            }
            obj = root.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("not valid JSON: " + rootMessage(e));
        }
        JsonElement handleJson = obj.get("handle");
        if (handleJson == null || !handleJson.isJsonPrimitive() || !handleJson.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("\"handle\" is missing or not a string");
        }
        HandleName handle = HandleName.parse(handleJson.getAsString());
        JsonElement valuesJson = obj.get("values");
        if (valuesJson == null || !valuesJson.isJsonArray()) {
            throw new IllegalArgumentException("\"values\" is missing or not an array");
        }
        JsonArray array = valuesJson.getAsJsonArray();
        List<HandleValue> values = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonElement v = array.get(i);
            if (!v.isJsonObject() || !v.getAsJsonObject().has("index") || !v.getAsJsonObject().has("type")) {
                throw new IllegalArgumentException("value " + (i + 1) + " needs at least \"index\" and \"type\"");
            }
            checkValueFields(v.getAsJsonObject(), i + 1);
            net.handle.hdllib.HandleValue wire;
            try {
                wire = GsonUtility.getGson().fromJson(v, net.handle.hdllib.HandleValue.class);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("value " + (i + 1) + " is invalid: " + rootMessage(e));
            }
            JsonElement timestamp = v.getAsJsonObject().get("timestamp");
            if (timestamp == null || timestamp.isJsonNull()) {
                wire.setTimestamp(defaultTimestamp);
            }
            JsonElement perms = v.getAsJsonObject().get("permissions");
            if (perms != null) {
                // CNRI's reader always sets adminRead; the four flags are taken as written (checked above).
                Permissions p = Permissions.parse(perms.getAsString());
                wire.setAdminCanRead(p.adminRead());
                wire.setAdminCanWrite(p.adminWrite());
                wire.setAnyoneCanRead(p.publicRead());
                wire.setAnyoneCanWrite(p.publicWrite());
            }
            try {
                values.add(HandleValueConverter.fromWire(wire));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("value " + (i + 1) + ": " + e.getMessage());
            }
        }
        return new HandleRecord(handle, values);
    }

    /** How deep arrays and objects may nest in a request body or an import line; records need fewer than ten levels. */
    public static final int MAX_DEPTH = 64;

    /**
     * Parses JSON text from outside (a request body, an import line) into a tree, refusing arrays and objects nested
     * deeper than {@value #MAX_DEPTH} levels before anything recursive (the Handle.net library's value reader, Gson's
     * printer) could run out of stack on them.
     *
     * @throws JsonParseException for text that is not JSON or nests too deep
     */
    public static JsonElement parseTree(String json) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                if (++depth > MAX_DEPTH) {
                    throw new JsonParseException("arrays and objects nest deeper than " + MAX_DEPTH + " levels");
                }
            } else if (c == ']' || c == '}') {
                depth--;
            }
        }
        return JsonParser.parseString(json);
    }

    /** One record as a single line of JSON (no line breaks), every field of every value included; see the class comment. */
    public static String write(HandleRecord record) {
        JsonObject out = new JsonObject();
        out.addProperty("handle", record.handle().toString());
        JsonArray values = new JsonArray();
        for (HandleValue v : record.values()) {
            // CNRI's serializer gives the TTL, timestamp and reference forms its reader expects; data and the
            // fields it leaves out for default values are written here.
            JsonObject cnri = GsonUtility.getGson().toJsonTree(HandleValueConverter.toWire(v)).getAsJsonObject();
            JsonObject o = new JsonObject();
            o.addProperty("index", v.index());
            o.addProperty("type", v.type());
            o.add("data", data(v.data()));
            o.add("ttl", cnri.get("ttl"));
            o.add("timestamp", cnri.has("timestamp") ? cnri.get("timestamp") : new com.google.gson.JsonPrimitive(EPOCH));
            o.add("references", cnri.has("references") ? cnri.get("references") : new JsonArray());
            o.addProperty("permissions", v.permissions().flags());
            values.add(o);
        }
        out.add("values", values);
        return out.toString();
    }

    /** The timestamp 0 as CNRI's reader takes it (CNRI's writer leaves a zero timestamp out). */
    private static final String EPOCH = "1970-01-01T00:00:00Z";

    /** {@code {"format":"string","value":...}} for data that is valid UTF-8, else {@code base64}. */
    private static JsonObject data(byte[] bytes) {
        JsonObject d = new JsonObject();
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            d.addProperty("format", "string");
            d.addProperty("value", text);
        } catch (CharacterCodingException e) {
            d.addProperty("format", "base64");
            d.addProperty("value", Base64.getEncoder().encodeToString(bytes));
        }
        return d;
    }

    /**
     * Checks what the library's lenient JSON reading would silently change: integral index and ttl in
     * range, well-formed permissions, decodable hex and base64 data.
     */
    private static void checkValueFields(JsonObject v, int n) {
        String where = "value " + n + ": ";
        JsonElement index = v.get("index");
        if (!isInt(index)) {
            throw new IllegalArgumentException(where + "\"index\" must be an integer, got " + index);
        }
        JsonElement ttl = v.get("ttl");
        if (ttl != null && ttl.isJsonPrimitive() && ttl.getAsJsonPrimitive().isNumber() && !isInt(ttl)) {
            throw new IllegalArgumentException(where + "\"ttl\" must be an integer number of seconds, got " + ttl);
        }
        JsonElement perms = v.get("permissions");
        if (perms != null) {
            if (!perms.isJsonPrimitive() || !perms.getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException(where + "\"permissions\" must be a string such as \"1110\"");
            }
            try {
                Permissions.parse(perms.getAsString());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage());
            }
        }
        JsonElement data = v.get("data");
        if (data != null && data.isJsonObject() && data.getAsJsonObject().get("value") != null
                && data.getAsJsonObject().get("value").isJsonPrimitive()) {
            JsonElement format = data.getAsJsonObject().get("format");
            String value = data.getAsJsonObject().get("value").getAsString();
            String f = format == null || !format.isJsonPrimitive() ? "string" : format.getAsString();
            try {
                if (f.equals("base64")) {
                    Base64.getDecoder().decode(value);
                } else if (f.equals("hex")) {
                    HexFormat.of().parseHex(value);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "data is not valid " + f + ": " + e.getMessage());
            }
        }
    }

    private static boolean isInt(JsonElement e) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            return false;
        }
        try {
            new java.math.BigDecimal(e.getAsString()).intValueExact();
            return true;
        } catch (ArithmeticException | NumberFormatException ex) {
            return false;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
