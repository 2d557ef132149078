package org.idnode.server.http;

import java.nio.charset.StandardCharsets;

import com.google.gson.Gson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Common;
import net.handle.hdllib.GsonUtility;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.Util;
import org.idnode.registry.model.Permissions;
import org.idnode.server.handler.CachedAnswer;
import org.idnode.server.handler.ValueBlockReader;

/**
 * The REST JSON of a successful cached resolution ({@code GET /api/handles/{handle}} without parameters),
 * exactly as CNRI's {@link GsonUtility} writes it, as the text before and after the handle, which is the only part
 * that differs between requests for the same record (it is echoed as the client spelled it). Written for each
 * request as UTF-8 straight from the cached value block into the response buffer ({@link #writeTail}): kept with
 * every cached record, the JSON would about double the record cache's memory once every record has been asked for
 * over REST (a 1M-record cache no longer fit a 1 GiB heap). Answers with values CNRI writes as structures (an
 * {@code HS_ADMIN}, for one) go through CNRI's serialiser ({@link #serialised}), and are kept with their records.
 *
 * <p>Immutable and thread-safe.
 */
final class RestJson {
    /** A handle to serialise the answer with; any handle does, it is cut out again. */
    private static final String PROBE_HANDLE = "0.NA/0";
    /** What every answer starts with: the handle follows. */
    private static final byte[] HEAD = ascii("{\"responseCode\":" + AbstractMessage.RC_SUCCESS + ",\"handle\":");
    /** Types whose data CNRI's serialiser writes as a structure (admin record, value list, site, key), not as text. */
    private static final byte[][] STRUCTURED_TYPES = {Common.ADMIN_TYPE, Common.ADMIN_GROUP_TYPE, Common.SITE_INFO_TYPE,
            Common.DERIVED_PREFIX_SITE_TYPE, Common.LEGACY_DERIVED_PREFIX_SITE_TYPE, Common.PUBLIC_KEY_TYPE};
    /** The view of an answer whose JSON is written for each request ({@link #writeTail}); never written itself. */
    private static final RestJson WRITTEN_PER_REQUEST = new RestJson(null);
    // The JSON between the values' fields, in the order GsonUtility writes them.
    private static final byte[] VALUES = ascii(",\"values\":[");
    private static final byte[] FIRST_VALUE = ascii("{\"index\":");
    private static final byte[] NEXT_VALUE = ascii(",{\"index\":");
    private static final byte[] TYPE = ascii(",\"type\":");
    private static final byte[] STRING_DATA = ascii(",\"data\":{\"format\":\"string\",\"value\":");
    private static final byte[] BASE64_DATA = ascii(",\"data\":{\"format\":\"base64\",\"value\":");
    private static final byte[] PERMISSIONS = ascii(",\"permissions\":");
    private static final byte[] TTL = ascii(",\"ttl\":");
    private static final byte[] TIMESTAMP = ascii(",\"timestamp\":");
    private static final byte[] REFERENCES = ascii(",\"references\":[");
    private static final byte[] FIRST_REFERENCE = ascii("{\"handle\":");
    private static final byte[] NEXT_REFERENCE = ascii(",{\"handle\":");
    private static final byte[] REFERENCE_INDEX = ascii(",\"index\":");

    /** The JSON after the handle; null when CNRI's serialiser gave JSON of an unexpected shape. */
    private final byte[] tail;

    private RestJson(byte[] tail) {
        this.tail = tail;
    }

    /**
     * The JSON answer to a request that named the record {@code handle} (valid UTF-8) and found {@code answer} (an
     * {@code RC_SUCCESS} answer) in the cache, in a new buffer from {@code alloc}; null when it could not be prepared,
     * for the general path to answer. Whether the answer is written per request ({@link #writeTail}) or kept
     * ({@link #serialised}) is decided once per answer and remembered in its view slot, which costs no memory.
     */
    static ByteBuf answer(CachedAnswer answer, ByteBufAllocator alloc, byte[] handle) {
        RestJson kept = answer.view(RestJson.class, RestJson::prepare);
        if (kept != WRITTEN_PER_REQUEST) {
            return kept.write(alloc, handle);
        }
        byte[] block = answer.valueBlock();
        // Room for the usual answer: about 100 bytes of names and numbers per value, data as text or Base64.
        ByteBuf out = alloc.buffer(HEAD.length + handle.length + 2 + 128 * ValueBlockReader.count(block) + 2 * block.length);
        try {
            writeHead(out, handle);
            writeTail(out, block);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    private static RestJson prepare(CachedAnswer answer) {
        return hasStructuredValue(answer.valueBlock()) ? serialised(answer) : WRITTEN_PER_REQUEST;
    }

    /** Whether a value of {@code block} has a type CNRI serialises as a structure ({@link #STRUCTURED_TYPES}). */
    private static boolean hasStructuredValue(byte[] block) {
        ValueBlockReader values = new ValueBlockReader(block);
        while (values.next()) {
            if (structured(values.typeBytes())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The JSON of {@code answer} (an {@code RC_SUCCESS} answer) by CNRI's serialiser ({@link #gsonTail}). Unusable
     * (null {@link #write}) should that JSON not have the expected shape.
     */
    static RestJson serialised(CachedAnswer answer) {
        String tail = answer.responseCode() == AbstractMessage.RC_SUCCESS ? gsonTail(answer.values()) : null;
        return new RestJson(tail == null ? null : tail.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #writeTail} as text; null for a block with a value CNRI serialises as a structure, which it does not write. */
    static String directTail(byte[] block) {
        if (hasStructuredValue(block)) {
            return null;
        }
        ByteBuf out = Unpooled.buffer();
        try {
            writeTail(out, block);
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
        }
    }

    /**
     * Writes the JSON after the handle (a comma, the {@code "values"} array, the closing brace) that
     * {@link GsonUtility} writes for the values of {@code block}, byte for byte, straight from the block into
     * {@code out}, for a block with no value of a type CNRI serialises as a structure ({@link #hasStructuredValue}:
     * {@link #gsonTail} writes those). Data that CNRI's {@link Util#looksLikeBinary} takes for text is written as
     * format "string", other data as "base64".
     */
    private static void writeTail(ByteBuf out, byte[] block) {
        ValueBlockReader values = new ValueBlockReader(block);
        out.writeBytes(VALUES);
        for (boolean first = true; values.next(); first = false) {
            out.writeBytes(first ? FIRST_VALUE : NEXT_VALUE);
            JsonTokens.number(out, values.index());
            out.writeBytes(TYPE);
            JsonTokens.string(out, block, values.typeOffset(), values.typeLength());
            int data = values.dataOffset();
            int dataLength = values.dataLength();
            if (looksLikeBinary(block, data, dataLength)) {
                out.writeBytes(BASE64_DATA);
                JsonTokens.base64String(out, block, data, dataLength);
            } else {
                out.writeBytes(STRING_DATA);
                JsonTokens.string(out, block, data, dataLength);
            }
            out.writeByte('}');
            int bits = values.permissionBits();
            if (bits != Permissions.PUBLIC_READ.bits()) {
                out.writeBytes(PERMISSIONS);
                JsonTokens.string(out, Permissions.fromBits(bits).flags());
            }
            out.writeBytes(TTL);
            if (values.ttlAbsolute()) {
                JsonTokens.utcTimeString(out, values.ttl());
            } else {
                JsonTokens.number(out, values.ttl());
            }
            if (values.timestamp() != 0) {
                out.writeBytes(TIMESTAMP);
                JsonTokens.utcTimeString(out, values.timestamp());
            }
            if (values.referenceCount() > 0) {
                out.writeBytes(REFERENCES);
                for (int i = 0, r = values.referencesOffset(); i < values.referenceCount(); i++, r = values.nextReference(r)) {
                    out.writeBytes(i == 0 ? FIRST_REFERENCE : NEXT_REFERENCE);
                    JsonTokens.string(out, block, values.referenceHandleOffset(r), values.referenceHandleLength(r));
                    out.writeBytes(REFERENCE_INDEX);
                    JsonTokens.number(out, values.referenceIndex(r));
                    out.writeByte('}');
                }
                out.writeByte(']');
            }
            out.writeByte('}');
        }
        out.writeByte(']').writeByte('}');
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

    /**
     * Whether CNRI's {@code HandleValue.hasType} holds for {@code type} and one of {@link #STRUCTURED_TYPES}: the same
     * type, or it followed by a dot, ASCII letters compared regardless of case (with the library's own comparisons).
     */
    private static boolean structured(byte[] type) {
        for (byte[] structuredType : STRUCTURED_TYPES) {
            if (Util.equalsCI(type, structuredType)
                    || type.length > structuredType.length && type[structuredType.length] == '.' && Util.startsWithCI(type, structuredType)) {
                return true;
            }
        }
        return false;
    }

    /**
     * CNRI's {@link Util#looksLikeBinary} of the {@code length} bytes at {@code offset}: not UTF-8 as CNRI checks it,
     * or holding a control character other than tab to 0x13.
     */
    private static boolean looksLikeBinary(byte[] block, int offset, int length) {
        int end = offset + length;
        if (!Util.isValidString(block, offset, end)) {
            return true;
        }
        for (int i = offset; i < end; i++) {
            byte b = block[i];
            if ((b >= 0 && b < 9) || (b > 19 && b < 32) || b == 127) {
                return true;
            }
        }
        return false;
    }

    /**
     * The JSON answer for a request that named the record {@code handle} (valid UTF-8), in a new buffer
     * from {@code alloc}; null when this answer could not be prepared, for the general path to answer.
     */
    private ByteBuf write(ByteBufAllocator alloc, byte[] handle) {
        if (tail == null) {
            return null;
        }
        ByteBuf out = alloc.buffer(HEAD.length + handle.length + 2 + tail.length);
        writeHead(out, handle);
        return out.writeBytes(tail);
    }

    /** Writes what precedes the values: the response code and {@code handle} (UTF-8). */
    private static void writeHead(ByteBuf out, byte[] handle) {
        out.writeBytes(HEAD);
        JsonTokens.string(out, handle, 0, handle.length);
    }

    private static byte[] ascii(String json) {
        return json.getBytes(StandardCharsets.US_ASCII);
    }
}
