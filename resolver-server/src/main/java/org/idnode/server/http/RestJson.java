package org.idnode.server.http;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

import com.google.gson.Gson;
import com.google.gson.stream.JsonWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Common;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.GsonUtility;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.Util;
import net.cnri.util.FastDateFormat;
import org.idnode.server.handler.CachedAnswer;
import org.idnode.server.handler.ValueBlockReader;

/**
 * The REST JSON of a successful cached resolution ({@code GET /api/handles/{handle}} without parameters),
 * exactly as CNRI's {@link GsonUtility} writes it, as the text before and after the handle, which is the only part
 * that differs between requests for the same record (it is echoed as the client spelled it). Written for each
 * request straight from the cached value block ({@link #direct}): kept with every cached record, the JSON would
 * about double the record cache's memory once every record has been asked for over REST (a 1M-record cache no
 * longer fit a 1 GiB heap). Answers with values CNRI writes as structures (an {@code HS_ADMIN}, for one) go through
 * CNRI's serialiser ({@link #serialised}), and are kept with their records.
 *
 * <p>Immutable and thread-safe.
 */
final class RestJson {
    /** A handle to serialise the answer with; any handle does, it is cut out again. */
    private static final String PROBE_HANDLE = "0.NA/0";
    /** ASCII characters Gson writes as they are in a JSON string. */
    private static final boolean[] VERBATIM = verbatimAscii();
    /** What every answer starts with: the handle follows. */
    private static final byte[] HEAD =
            ("{\"responseCode\":" + AbstractMessage.RC_SUCCESS + ",\"handle\":").getBytes(StandardCharsets.UTF_8);
    /** Types whose data CNRI's serialiser writes as a structure (admin record, value list, site, key), not as text. */
    private static final byte[][] STRUCTURED_TYPES = {Common.ADMIN_TYPE, Common.ADMIN_GROUP_TYPE, Common.SITE_INFO_TYPE,
            Common.DERIVED_PREFIX_SITE_TYPE, Common.LEGACY_DERIVED_PREFIX_SITE_TYPE, Common.PUBLIC_KEY_TYPE};
    /** The view of an answer whose JSON is written for each request ({@link #direct}); never written itself. */
    private static final RestJson WRITTEN_PER_REQUEST = new RestJson(null, null);
    /** Permission bits CNRI's serialiser leaves out, the usual ones: all but public write. */
    private static final int USUAL_PERMISSIONS = 0x0e;

    private final byte[] head;
    private final byte[] tail;

    private RestJson(byte[] head, byte[] tail) {
        this.head = head;
        this.tail = tail;
    }

    /**
     * The JSON answer to a request that named the record {@code handle} (valid UTF-8) and found {@code answer} (an
     * {@code RC_SUCCESS} answer) in the cache, in a new buffer from {@code alloc}; null when it could not be prepared,
     * for the general path to answer. Whether the answer is written per request ({@link #direct}) or kept
     * ({@link #serialised}) is decided once per answer and remembered in its view slot, which costs no memory.
     */
    static ByteBuf answer(CachedAnswer answer, ByteBufAllocator alloc, byte[] handle) {
        RestJson kept = answer.view(RestJson.class, RestJson::prepare);
        return (kept == WRITTEN_PER_REQUEST ? direct(answer) : kept).write(alloc, handle);
    }

    private static RestJson prepare(CachedAnswer answer) {
        ValueBlockReader values = new ValueBlockReader(answer.valueBlock());
        while (values.next()) {
            byte[] block = values.block();
            if (structured(Arrays.copyOfRange(block, values.typeOffset(), values.typeOffset() + values.typeLength()))) {
                return serialised(answer);
            }
        }
        return WRITTEN_PER_REQUEST;
    }

    /**
     * The JSON of {@code answer} (an {@code RC_SUCCESS} answer) as the general path writes it, CNRI's
     * {@link GsonUtility#serializeResponseToRequest} of the same values, byte for byte, written straight from the
     * answer's value block ({@link #directTail}); null when a value has a type CNRI gives a structured form, for
     * {@link #serialised}.
     */
    static RestJson direct(CachedAnswer answer) {
        String tail = directTail(answer.valueBlock());
        return tail == null ? null : new RestJson(HEAD, tail.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The JSON of {@code answer} (an {@code RC_SUCCESS} answer) by CNRI's serialiser ({@link #gsonTail}). Unusable
     * (null {@link #write}) should that JSON not have the expected shape.
     */
    static RestJson serialised(CachedAnswer answer) {
        String tail = answer.responseCode() == AbstractMessage.RC_SUCCESS ? gsonTail(answer.values()) : null;
        return tail == null ? new RestJson(null, null) : new RestJson(HEAD, tail.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The JSON after the handle (a comma, the {@code "values"} array, the closing brace) that {@link GsonUtility}
     * writes for the values of {@code block}, written value by value with Gson's own string escaping; null when a
     * value's type is one CNRI serialises as a structure ({@link #STRUCTURED_TYPES}), for {@link #gsonTail} to write.
     * Data that CNRI's {@link Util#looksLikeBinary} takes for text is written as format "string", other data as
     * "base64".
     */
    static String directTail(byte[] block) {
        ValueBlockReader values = new ValueBlockReader(block);
        StringWriter text = new StringWriter(64 + block.length * 2);
        try {
            // Not closed: a StringWriter holds nothing to release, and closing a half-written document throws.
            JsonWriter json = GsonUtility.getGson().newJsonWriter(text);
            json.beginObject().name("values").beginArray();
            while (values.next()) {
                byte[] type = Arrays.copyOfRange(block, values.typeOffset(), values.typeOffset() + values.typeLength());
                if (structured(type)) {
                    return null;
                }
                json.beginObject().name("index").value(values.index()).name("type").value(Util.decodeString(type));
                byte[] data = Arrays.copyOfRange(block, values.dataOffset(), values.dataOffset() + values.dataLength());
                boolean binary = Util.looksLikeBinary(data);
                json.name("data").beginObject().name("format").value(binary ? "base64" : "string").name("value")
                        .value(binary ? Base64.getEncoder().encodeToString(data) : Util.decodeString(data)).endObject();
                int bits = values.permissionBits();
                if (bits != USUAL_PERMISSIONS) {
                    json.name("permissions").value(permissions(bits));
                }
                json.name("ttl");
                if (values.ttlAbsolute()) {
                    json.value(secondsAsText(values.ttl()));
                } else {
                    json.value(values.ttl());
                }
                if (values.timestamp() != 0) {
                    json.name("timestamp").value(secondsAsText(values.timestamp()));
                }
                if (values.referenceCount() > 0) {
                    json.name("references").beginArray();
                    for (int i = 0, p = values.referencesOffset(); i < values.referenceCount(); i++) {
                        int length = Encoder.readInt(block, p);
                        String handle = Util.decodeString(Arrays.copyOfRange(block, p + 4, p + 4 + length));
                        p += 4 + length;
                        json.beginObject().name("handle").value(handle).name("index").value(Encoder.readInt(block, p)).endObject();
                        p += 4;
                    }
                    json.endArray();
                }
                json.endObject();
            }
            json.endArray().endObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a string failed", e);
        }
        // The object written is {"values":[...]}; after the handle it continues the response object.
        return "," + text.getBuffer().substring(1);
    }

    /**
     * The JSON after the handle that CNRI's {@link GsonUtility#serializeResponseToRequest} writes for a response over
     * {@code values} (encoded values); null should it not start as expected.
     */
    static String gsonTail(byte[][] values) {
        byte[] probe = PROBE_HANDLE.getBytes(StandardCharsets.UTF_8);
        ResolutionRequest req = new ResolutionRequest(probe, null, null, null);
        req.majorProtocolVersion = Common.MAJOR_VERSION;
        req.minorProtocolVersion = Common.MINOR_VERSION;
        req.suggestMajorProtocolVersion = Common.MAJOR_VERSION;
        req.suggestMinorProtocolVersion = Common.MINOR_VERSION;
        Gson gson = GsonUtility.getGson();
        String full;
        try {
            full = gson.toJson(GsonUtility.serializeResponseToRequest(req, new ResolutionResponse(req, probe, values)));
        } catch (HandleException e) {
            return null;
        }
        String probed = new String(HEAD, StandardCharsets.UTF_8) + gson.toJson(PROBE_HANDLE);
        return full.startsWith(probed) ? full.substring(probed.length()) : null;
    }

    private static boolean structured(byte[] type) {
        net.handle.hdllib.HandleValue probe = new net.handle.hdllib.HandleValue();
        probe.setType(type);
        for (byte[] structuredType : STRUCTURED_TYPES) {
            if (probe.hasType(structuredType)) {
                return true;
            }
        }
        return false;
    }

    /** CNRI's form of unusual permission bits: admin read, admin write, public read, public write as 0/1. */
    private static String permissions(int bits) {
        char[] out = new char[4];
        for (int i = 0; i < 4; i++) {
            out[i] = (bits & (0x08 >> i)) != 0 ? '1' : '0';
        }
        return new String(out);
    }

    private static String secondsAsText(int seconds) {
        return FastDateFormat.formatUtc(FastDateFormat.FormatSpec.ISO8601_NO_MS, seconds * 1000L);
    }

    /**
     * The JSON answer for a request that named the record {@code handle} (valid UTF-8), in a new buffer
     * from {@code alloc}; null when this answer could not be prepared, for the general path to answer.
     */
    private ByteBuf write(ByteBufAllocator alloc, byte[] handle) {
        if (head == null) {
            return null;
        }
        byte[] quoted = verbatim(handle) ? null : GsonUtility.getGson().toJson(new String(handle, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        int handleLength = quoted == null ? handle.length + 2 : quoted.length;
        ByteBuf out = alloc.buffer(head.length + handleLength + tail.length);
        out.writeBytes(head);
        if (quoted == null) {
            out.writeByte('"');
            out.writeBytes(handle);
            out.writeByte('"');
        } else {
            out.writeBytes(quoted);
        }
        out.writeBytes(tail);
        return out;
    }

    private static boolean verbatim(byte[] handle) {
        for (byte b : handle) {
            if (b < 0 || !VERBATIM[b]) {
                return false;
            }
        }
        return true;
    }

    private static boolean[] verbatimAscii() {
        Gson gson = GsonUtility.getGson();
        boolean[] out = new boolean[128];
        for (char c = 0x20; c < 0x7f; c++) {
            out[c] = gson.toJson(String.valueOf(c)).equals("\"" + c + "\"");
        }
        return out;
    }
}
