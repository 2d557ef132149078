package org.idnode.server.importer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;

/**
 * Reads the body of a batch registration, {@code {"records": [{record}, ...]}}, in one streaming pass, for bodies of
 * thousands of records. A record in the plain shape that bulk registration sends (a {@code handle} and its
 * {@code values}, each value with {@code index}, {@code type}, {@code data} as {@code {"format": "string", "value": ...}}
 * and optionally an integer {@code ttl} and {@code permissions}; nothing else) is read here into the record
 * {@link RecordJson#parse} reads from the same text. Any other record object is handed back as its JSON text, for
 * {@link RecordJson#parse} to read (every form CNRI's REST API writes) or to refuse with its reason.
 *
 * <p>A body this reader does not take apart plainly (not strict JSON, not an object with one {@code records} array of
 * objects, nested deeper than {@link RecordJson#MAX_DEPTH}) gets no answer here ({@code null}): the caller reads it as
 * a tree, which accepts what it accepted before and words what is wrong.
 *
 * <p>Stateless and thread-safe.
 */
public final class BatchJson {
    private static final JsonFactory JSON = new JsonFactory();
    /** Open arrays and objects inside a record object: root object, records array, record object. */
    private static final int RECORD_DEPTH = 3;

    /**
     * One record of a batch body: the record read, or the JSON text of a record object for {@link RecordJson#parse}.
     * Exactly one of the two is set.
     */
    public record Entry(HandleRecord record, String json) {
    }

    private BatchJson() {
    }

    /**
     * The records of a batch body, in order.
     *
     * @param defaultTimestamp the timestamp of values that state none, as {@link RecordJson#parse} gives them
     * @return one entry per element of {@code records}; null when the body must be read as a tree (see the class comment)
     */
    public static List<Entry> read(String body, int defaultTimestamp) {
        try (JsonParser parser = JSON.createParser(body)) {
            return new Reader(parser, body, defaultTimestamp).body();
        } catch (IOException | RuntimeException e) {
            // Not strict JSON, or an unexpected shape: the tree reader judges it.
            return null;
        }
    }

    /** One pass over one body; {@code depth} counts the arrays and objects open at the current token. */
    private static final class Reader {
        private final JsonParser p;
        private final String body;
        private final int timestamp;
        private int depth;

        Reader(JsonParser p, String body, int timestamp) {
            this.p = p;
            this.body = body;
            this.timestamp = timestamp;
        }

        private JsonToken next() throws IOException {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                if (++depth > RecordJson.MAX_DEPTH) {
                    throw new IOException("nested too deep");
                }
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            } else if (t == null) {
                throw new IOException("unexpected end");
            }
            return t;
        }

        /** Reads on until the container open at depth {@code level + 1} is closed. */
        private void skipTo(int level) throws IOException {
            while (depth > level) {
                next();
            }
        }

        List<Entry> body() throws IOException {
            if (next() != JsonToken.START_OBJECT) {
                return null;
            }
            List<Entry> entries = null;
            while (next() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = next();
                if (name.equals("records")) {
                    if (entries != null || value != JsonToken.START_ARRAY) {
                        return null;
                    }
                    entries = new ArrayList<>();
                    while (next() != JsonToken.END_ARRAY) {
                        if (p.currentToken() != JsonToken.START_OBJECT) {
                            return null;
                        }
                        entries.add(record());
                    }
                } else {
                    skipTo(1);
                }
            }
            // Gson's reader refuses anything after the root value; so does the tree path this falls back to.
            return p.nextToken() == null ? entries : null;
        }

        /** At a record's START_OBJECT; returns at its END_OBJECT. */
        private Entry record() throws IOException {
            int start = (int) p.currentTokenLocation().getCharOffset();
            HandleRecord record = plainRecord();
            skipTo(RECORD_DEPTH - 1);
            if (record != null) {
                return new Entry(record, null);
            }
            int end = (int) p.currentTokenLocation().getCharOffset() + 1;
            return new Entry(null, body.substring(start, end));
        }

        /** The record when it has the plain shape, else null (wherever inside the record reading stopped). */
        private HandleRecord plainRecord() throws IOException {
            String handle = null;
            List<HandleValue> values = null;
            while (next() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = next();
                if (name.equals("handle") && handle == null && t == JsonToken.VALUE_STRING) {
                    handle = p.getText();
                } else if (name.equals("values") && values == null && t == JsonToken.START_ARRAY) {
                    values = values();
                    if (values == null) {
                        return null;
                    }
                } else {
                    return null;
                }
            }
            if (handle == null || values == null) {
                return null;
            }
            try {
                return new HandleRecord(HandleName.parse(handle), values);
            } catch (IllegalArgumentException e) {
                return null; // RecordJson.parse words the refusal
            }
        }

        private List<HandleValue> values() throws IOException {
            List<HandleValue> values = new ArrayList<>();
            JsonToken t;
            while ((t = next()) == JsonToken.START_OBJECT) {
                HandleValue v = value();
                if (v == null) {
                    return null;
                }
                values.add(v);
            }
            return t == JsonToken.END_ARRAY ? values : null;
        }

        private HandleValue value() throws IOException {
            Integer index = null;
            String type = null;
            byte[] data = null;
            Integer ttl = null;
            Permissions permissions = null;
            while (next() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = next();
                switch (name) {
                    case "index" -> {
                        if (index != null || !isInt(t)) {
                            return null;
                        }
                        index = p.getIntValue();
                    }
                    case "type" -> {
                        if (type != null || t != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        type = p.getText();
                    }
                    case "data" -> {
                        if (data != null || t != JsonToken.START_OBJECT || (data = stringData()) == null) {
                            return null;
                        }
                    }
                    case "ttl" -> {
                        if (ttl != null || !isInt(t)) {
                            return null;
                        }
                        ttl = p.getIntValue();
                    }
                    case "permissions" -> {
                        if (permissions != null || t != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        try {
                            permissions = Permissions.parse(p.getText());
                        } catch (IllegalArgumentException e) {
                            return null;
                        }
                    }
                    default -> {
                        return null;
                    }
                }
            }
            if (index == null || type == null || data == null || !wellFormed(type)) {
                return null;
            }
            try {
                return new HandleValue(index, type, data, HandleValue.TtlType.RELATIVE, ttl == null ? HandleValue.DEFAULT_TTL : ttl,
                        timestamp, List.of(), permissions == null ? Permissions.PUBLIC_READ : permissions);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        /** {@code {"format": "string", "value": "..."}} as UTF-8, else null. */
        private byte[] stringData() throws IOException {
            boolean format = false;
            String value = null;
            while (next() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = next();
                if (name.equals("format") && !format && t == JsonToken.VALUE_STRING && p.getText().equals("string")) {
                    format = true;
                } else if (name.equals("value") && value == null && t == JsonToken.VALUE_STRING) {
                    value = p.getText();
                } else {
                    return null;
                }
            }
            return format && value != null && wellFormed(value) ? value.getBytes(StandardCharsets.UTF_8) : null;
        }

        private boolean isInt(JsonToken t) throws IOException {
            return t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT;
        }
    }

    /** No unpaired surrogate: text whose UTF-8 form reads back as the same text. */
    private static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return false;
                }
            }
        }
        return true;
    }
}
