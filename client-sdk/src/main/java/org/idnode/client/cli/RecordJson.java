package org.idnode.client.cli;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import net.handle.hdllib.GsonUtility;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.ValueReference;

/**
 * The node's import format (conf/sample-data/README.md), one record as JSON:
 * {@code {"handle": "...", "values": [{"index": 1, "type": "URL", "data": {"format": "string", "value": "..."},
 * "ttl": 86400, "permissions": "1110"}, ...]}}, the shape of CNRI's REST API. Values are read and written by the
 * Handle.net library's {@link GsonUtility}, so every data format it knows ({@code string}, {@code hex},
 * {@code base64}, {@code admin}, {@code vlist}, {@code site}, {@code key}) works. A value without
 * {@code permissions} is sent with {@code default_permissions}: the node then uses the template item's default
 * (public unless the item says otherwise).
 */
final class RecordJson {
    private RecordJson() {
    }

    /**
     * Reads one record.
     *
     * @throws IllegalArgumentException with a reason fit for the user
     */
    static HandleRecord parse(String json) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("not valid JSON: " + rootMessage(e));
        }
        if (!root.isJsonObject()) {
            throw new IllegalArgumentException("expected a JSON object with \"handle\" and \"values\"");
        }
        JsonObject obj = root.getAsJsonObject();
        JsonElement handle = obj.get("handle");
        if (handle == null || !handle.isJsonPrimitive() || !handle.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("\"handle\" is missing or not a string");
        }
        Handles.check(handle.getAsString());
        JsonElement values = obj.get("values");
        if (values == null || !values.isJsonArray()) {
            throw new IllegalArgumentException("\"values\" is missing or not an array");
        }
        HandleRecord.Builder record = HandleRecord.newBuilder().setHandle(handle.getAsString());
        JsonArray array = values.getAsJsonArray();
        for (int i = 0; i < array.size(); i++) {
            record.addValues(value(array.get(i), i + 1));
        }
        return record.build();
    }

    private static HandleValue value(JsonElement json, int n) {
        String where = "value " + n + ": ";
        if (!json.isJsonObject() || !json.getAsJsonObject().has("index") || !json.getAsJsonObject().has("type")) {
            throw new IllegalArgumentException(where + "needs at least \"index\" and \"type\"");
        }
        JsonObject v = json.getAsJsonObject();
        checkStrictly(v, where);
        net.handle.hdllib.HandleValue wire;
        try {
            wire = GsonUtility.getGson().fromJson(v, net.handle.hdllib.HandleValue.class);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + "invalid: " + rootMessage(e));
        }
        HandleValue.Builder b = fromWire(wire).toBuilder().clearTimestamp();
        if (!v.has("permissions")) {
            b.setDefaultPermissions(true);
        }
        return b.build();
    }

    /** Refuses what the library's lenient reading would silently change. */
    private static void checkStrictly(JsonObject v, String where) {
        if (!isInt(v.get("index")) || v.get("index").getAsInt() < 0) {
            throw new IllegalArgumentException(where + "\"index\" must be a non-negative integer, got " + v.get("index"));
        }
        JsonElement type = v.get("type");
        if (!type.isJsonPrimitive() || !type.getAsJsonPrimitive().isString() || type.getAsString().isEmpty()) {
            throw new IllegalArgumentException(where + "\"type\" must be a non-empty string");
        }
        JsonElement ttl = v.get("ttl");
        if (ttl != null && !isInt(ttl)) {
            throw new IllegalArgumentException(where + "\"ttl\" must be an integer number of seconds, got " + ttl);
        }
        JsonElement perms = v.get("permissions");
        if (perms != null && (!perms.isJsonPrimitive() || !perms.getAsString().matches("[01]{4}"))) {
            throw new IllegalArgumentException(where + "\"permissions\" must be four 0/1 flags (adminRead, adminWrite, "
                    + "publicRead, publicWrite) such as \"1110\", got " + perms);
        }
        JsonElement data = v.get("data");
        if (data != null && data.isJsonObject()) {
            JsonElement format = data.getAsJsonObject().get("format");
            JsonElement value = data.getAsJsonObject().get("value");
            String f = format == null || !format.isJsonPrimitive() ? "string" : format.getAsString();
            if (value != null && value.isJsonPrimitive()) {
                try {
                    if (f.equals("base64")) {
                        Base64.getDecoder().decode(value.getAsString());
                    } else if (f.equals("hex")) {
                        HexFormat.of().parseHex(value.getAsString());
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + "data is not valid " + f + ": " + e.getMessage());
                }
            }
        }
    }

    private static boolean isInt(JsonElement e) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            return false;
        }
        try {
            new BigDecimal(e.getAsString()).intValueExact();
            return true;
        } catch (ArithmeticException | NumberFormatException ex) {
            return false;
        }
    }

    /** One record in the import format, every value with its permissions, so that it reads back the same. */
    static JsonObject toJson(HandleRecord record) {
        JsonObject obj = new JsonObject();
        obj.addProperty("handle", record.getHandle());
        JsonArray values = new JsonArray();
        for (HandleValue v : record.getValuesList()) {
            values.add(toJson(v));
        }
        obj.add("values", values);
        return obj;
    }

    static JsonObject toJson(HandleValue v) {
        JsonObject json = GsonUtility.getGson().toJsonTree(toWire(v)).getAsJsonObject();
        json.addProperty("permissions", flag(v.getAdminRead()) + flag(v.getAdminWrite()) + flag(v.getPublicRead()) + flag(v.getPublicWrite()));
        return json;
    }

    private static String flag(boolean b) {
        return b ? "1" : "0";
    }

    /** The value's data as the library writes it: {@code {"format": "string", "value": "..."}} and so on. */
    static JsonObject data(HandleValue v) {
        JsonElement data = toJson(v).get("data");
        if (data != null && data.isJsonObject()) {
            return data.getAsJsonObject();
        }
        JsonObject obj = new JsonObject();
        obj.addProperty("format", "string");
        obj.add("value", data);
        return obj;
    }

    static net.handle.hdllib.HandleValue toWire(HandleValue v) {
        net.handle.hdllib.ValueReference[] refs = new net.handle.hdllib.ValueReference[v.getReferencesCount()];
        for (int i = 0; i < refs.length; i++) {
            ValueReference r = v.getReferences(i);
            refs[i] = new net.handle.hdllib.ValueReference(r.getHandle().getBytes(StandardCharsets.UTF_8), r.getIndex());
        }
        return new net.handle.hdllib.HandleValue(v.getIndex(), v.getType().getBytes(StandardCharsets.UTF_8),
                v.getData().toByteArray(),
                v.getTtlAbsolute() ? net.handle.hdllib.HandleValue.TTL_TYPE_ABSOLUTE : net.handle.hdllib.HandleValue.TTL_TYPE_RELATIVE,
                v.getTtl(), (int) v.getTimestamp(), refs, v.getAdminRead(), v.getAdminWrite(), v.getPublicRead(), v.getPublicWrite());
    }

    static HandleValue fromWire(net.handle.hdllib.HandleValue w) {
        HandleValue.Builder b = HandleValue.newBuilder()
                .setIndex(w.getIndex())
                .setType(w.getTypeAsString())
                .setData(ByteString.copyFrom(w.getData() == null ? new byte[0] : w.getData()))
                .setTtl(w.getTTL())
                .setTtlAbsolute(w.getTTLType() == net.handle.hdllib.HandleValue.TTL_TYPE_ABSOLUTE)
                .setTimestamp(w.getTimestamp())
                .setAdminRead(w.getAdminCanRead())
                .setAdminWrite(w.getAdminCanWrite())
                .setPublicRead(w.getAnyoneCanRead())
                .setPublicWrite(w.getAnyoneCanWrite());
        if (w.getReferences() != null) {
            for (net.handle.hdllib.ValueReference r : w.getReferences()) {
                b.addReferences(ValueReference.newBuilder().setHandle(r.getHandleAsString()).setIndex(r.index));
            }
        }
        return b.build();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
