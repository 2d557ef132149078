package org.idnode.server.importer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
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
 * <p>A body this reader does not take apart plainly (not strict JSON in UTF-8, not an object with one {@code records}
 * array of objects, nested deeper than {@link RecordJson#MAX_DEPTH}) gets no answer here ({@code null}): the caller
 * reads it as a tree, which accepts what it accepted before and words what is wrong.
 *
 * <p>Stateless and thread-safe.
 */
public final class BatchJson {
    /** Strict JSON, refusing the nesting {@link RecordJson#parseTree} refuses. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(RecordJson.MAX_DEPTH).build())
            .build();
    /** The nesting depth inside a record object: root object, records array, record object. */
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
     * @param body             the body as sent, UTF-8
     * @param defaultTimestamp the timestamp of values that state none, as {@link RecordJson#parse} gives them
     * @return one entry per element of {@code records}; null when the body must be read as a tree (see the class comment)
     */
    public static List<Entry> read(byte[] body, int defaultTimestamp) {
        if (!plainUtf8Start(body)) {
            return null;
        }
        try (JsonParser parser = JSON.createParser(body)) {
            return new Reader(parser, body, defaultTimestamp).body();
        } catch (IOException | RuntimeException e) {
            // Not strict UTF-8 JSON, or an unexpected shape: the tree reader judges it.
            return null;
        }
    }

    /**
     * Whether the body starts as UTF-8 JSON text with an object: no byte-order mark and no NUL among the first bytes
     * (from which Jackson would guess UTF-16 or UTF-32, where the tree reader decodes UTF-8).
     */
    private static boolean plainUtf8Start(byte[] body) {
        for (int i = 0; i < Math.min(4, body.length); i++) {
            if (body[i] == 0) {
                return false;
            }
        }
        return body.length > 0 && (body[0] == '{' || body[0] == ' ' || body[0] == '\t' || body[0] == '\n' || body[0] == '\r');
    }

    /** One pass over one body. */
    private static final class Reader {
        private final JsonParser p;
        private final byte[] body;
        private final int timestamp;

        Reader(JsonParser p, byte[] body, int timestamp) {
            this.p = p;
            this.body = body;
            this.timestamp = timestamp;
        }

        private JsonToken next() throws IOException {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new IOException("unexpected end");
            }
            return t;
        }

        /** Reads on until the nesting depth is {@code level}: the container opened at {@code level + 1} is closed. */
        private void skipTo(int level) throws IOException {
            while (p.getParsingContext().getNestingDepth() > level) {
                next();
            }
        }

        List<Entry> body() throws IOException {
            if (next() != JsonToken.START_OBJECT) {
                return null;
            }
            List<Entry> entries = null;
            String name;
            while ((name = p.nextFieldName()) != null) {
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
            return p.currentToken() == JsonToken.END_OBJECT && p.nextToken() == null ? entries : null;
        }

        /** At a record's START_OBJECT; returns at its END_OBJECT. */
        private Entry record() throws IOException {
            int start = (int) p.currentTokenLocation().getByteOffset();
            HandleRecord record = plainRecord();
            skipTo(RECORD_DEPTH - 1);
            if (record != null) {
                return new Entry(record, null);
            }
            int end = (int) p.currentTokenLocation().getByteOffset() + 1;
            return new Entry(null, new String(body, start, end - start, StandardCharsets.UTF_8));
        }

        /** The record when it has the plain shape, else null (wherever inside the record reading stopped). */
        private HandleRecord plainRecord() throws IOException {
            String handle = null;
            List<HandleValue> values = null;
            String name;
            while ((name = p.nextFieldName()) != null) {
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
            if (handle == null || values == null || p.currentToken() != JsonToken.END_OBJECT) {
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
            int index = 0;
            String type = null;
            byte[] data = null;
            int ttl = HandleValue.DEFAULT_TTL;
            Permissions permissions = null;
            int seen = 0;
            String name;
            while ((name = p.nextFieldName()) != null) {
                int field = FIELDS.indexOf(name);
                if (field < 0 || (seen & (1 << field)) != 0) {
                    return null;
                }
                seen |= 1 << field;
                JsonToken t = next();
                switch (field) {
                    case INDEX, TTL -> {
                        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
                            return null;
                        }
                        if (field == INDEX) {
                            index = p.getIntValue();
                        } else {
                            ttl = p.getIntValue();
                        }
                    }
                    case TYPE -> {
                        if (t != JsonToken.VALUE_STRING || !wellFormed(type = p.getText())) {
                            return null;
                        }
                    }
                    case DATA -> {
                        if (t != JsonToken.START_OBJECT || (data = stringData()) == null) {
                            return null;
                        }
                    }
                    default -> {
                        if (t != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        try {
                            permissions = Permissions.parse(p.getText());
                        } catch (IllegalArgumentException e) {
                            return null;
                        }
                    }
                }
            }
            if ((seen & REQUIRED) != REQUIRED || p.currentToken() != JsonToken.END_OBJECT) {
                return null;
            }
            try {
                return new HandleValue(index, type, data, HandleValue.TtlType.RELATIVE, ttl, timestamp, List.of(), permissions);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        /** {@code {"format": "string", "value": "..."}} (either order) as UTF-8, else null. */
        private byte[] stringData() throws IOException {
            boolean format = false;
            String value = null;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = next();
                if (name.equals("format") && !format && t == JsonToken.VALUE_STRING && p.getText().equals("string")) {
                    format = true;
                } else if (name.equals("value") && value == null && t == JsonToken.VALUE_STRING) {
                    value = p.getText();
                } else {
                    return null;
                }
            }
            return format && value != null && p.currentToken() == JsonToken.END_OBJECT && wellFormed(value)
                    ? value.getBytes(StandardCharsets.UTF_8) : null;
        }
    }

    /** The fields of a plain value, by their bit in {@code seen}; index, type and data are required. */
    private static final List<String> FIELDS = List.of("index", "type", "data", "ttl", "permissions");
    private static final int INDEX = 0;
    private static final int TYPE = 1;
    private static final int DATA = 2;
    private static final int TTL = 3;
    private static final int REQUIRED = 1 << INDEX | 1 << TYPE | 1 << DATA;

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
