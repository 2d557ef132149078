package org.idnode.bench.dataset;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * Writes records in the node's import format, one JSON object per line, in the shape of the REST
 * API's GET answer: {@code {"handle": ..., "values": [{"index", "type", "data": {"format", "value"},
 * "ttl", "permissions"}, ...]}}. No timestamps are written (the importer stamps the import time), so
 * the output depends on the generator's seed only. Also writes each handle to the key file when one is
 * given. Stops accepting records once {@code limit} have been written.
 *
 * <p>Not thread-safe.
 */
final class RecordWriter implements AutoCloseable {
    static final int TTL = 86_400;
    static final String PUBLIC = "1110";
    static final String RESTRICTED = "1100";

    private final JsonGenerator json;
    private final Writer keys;
    private final long limit;
    private long written;

    RecordWriter(OutputStream out, Writer keys, long limit) throws IOException {
        JsonFactory factory = JsonFactory.builder().build();
        this.json = factory.createGenerator(out, JsonEncoding.UTF8);
        this.json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        this.json.setRootValueSeparator(null);
        this.keys = keys;
        this.limit = limit;
    }

    /** True once {@code limit} records have been written. */
    boolean full() {
        return written >= limit;
    }

    long written() {
        return written;
    }

    void begin(String handle) throws IOException {
        json.writeStartObject();
        json.writeStringField("handle", handle);
        json.writeArrayFieldStart("values");
        if (keys != null) {
            keys.write(handle);
            keys.write('\n');
        }
    }

    /** A public string value. */
    void string(int index, String type, String value) throws IOException {
        value(index, type, "string", value, PUBLIC);
    }

    /** A string value readable by administrators only (never in an anonymous answer). */
    void restricted(int index, String type, String value) throws IOException {
        value(index, type, "string", value, RESTRICTED);
    }

    /** A public value in another data format ({@code hex}, {@code base64}). */
    void value(int index, String type, String format, String value, String permissions) throws IOException {
        json.writeStartObject();
        json.writeNumberField("index", index);
        json.writeStringField("type", type);
        json.writeObjectFieldStart("data");
        json.writeStringField("format", format);
        json.writeStringField("value", value);
        json.writeEndObject();
        json.writeNumberField("ttl", TTL);
        json.writeStringField("permissions", permissions);
        json.writeEndObject();
    }

    /** An {@code HS_ADMIN} value granting every permission to {@code adminIndex:adminHandle}. */
    void admin(int index, String adminHandle, int adminIndex) throws IOException {
        json.writeStartObject();
        json.writeNumberField("index", index);
        json.writeStringField("type", "HS_ADMIN");
        json.writeObjectFieldStart("data");
        json.writeStringField("format", "admin");
        json.writeObjectFieldStart("value");
        json.writeStringField("handle", adminHandle);
        json.writeNumberField("index", adminIndex);
        json.writeStringField("permissions", "111111111111");
        json.writeEndObject();
        json.writeEndObject();
        json.writeNumberField("ttl", TTL);
        json.writeStringField("permissions", PUBLIC);
        json.writeEndObject();
    }

    void end() throws IOException {
        json.writeEndArray();
        json.writeEndObject();
        json.writeRaw('\n');
        written++;
    }

    @Override
    public void close() throws IOException {
        json.flush();
        json.close();
        if (keys != null) {
            keys.flush();
        }
    }
}
