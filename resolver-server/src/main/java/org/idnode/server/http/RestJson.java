package org.idnode.server.http;

import java.nio.charset.StandardCharsets;

import com.google.gson.Gson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Common;
import net.handle.hdllib.GsonUtility;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import org.idnode.server.handler.CachedAnswer;

/**
 * The REST JSON of a successful cached resolution ({@code GET /api/handles/{handle}} without parameters),
 * serialised once per answer by CNRI's {@link GsonUtility} and kept as the text before and after the
 * handle, which is the only part that differs between requests for the same record (it is echoed as
 * the client spelled it). A request then costs copying those bytes around its handle.
 *
 * <p>Immutable and thread-safe.
 */
final class RestJson {
    /** A handle to serialise the answer with; any handle does, it is cut out again. */
    private static final String PROBE_HANDLE = "0.NA/0";
    /** ASCII characters Gson writes as they are in a JSON string. */
    private static final boolean[] VERBATIM = verbatimAscii();

    private final byte[] head;
    private final byte[] tail;

    private RestJson(byte[] head, byte[] tail) {
        this.head = head;
        this.tail = tail;
    }

    /**
     * The JSON of {@code answer} (an {@code RC_SUCCESS} answer) as the general path writes it: CNRI's
     * {@link GsonUtility#serializeResponseToRequest} of the {@link ResolutionResponse} over the same values.
     * Unusable (null {@link #write}) should that JSON not have the expected shape.
     */
    static RestJson of(CachedAnswer answer) {
        byte[] probe = PROBE_HANDLE.getBytes(StandardCharsets.UTF_8);
        ResolutionRequest req = new ResolutionRequest(probe, null, null, null);
        req.majorProtocolVersion = Common.MAJOR_VERSION;
        req.minorProtocolVersion = Common.MINOR_VERSION;
        req.suggestMajorProtocolVersion = Common.MAJOR_VERSION;
        req.suggestMinorProtocolVersion = Common.MINOR_VERSION;
        Gson gson = GsonUtility.getGson();
        String full;
        try {
            full = gson.toJson(GsonUtility.serializeResponseToRequest(req, new ResolutionResponse(req, probe, answer.values())));
        } catch (HandleException e) {
            return new RestJson(null, null);
        }
        String head = "{\"responseCode\":" + AbstractMessage.RC_SUCCESS + ",\"handle\":";
        String probed = head + gson.toJson(PROBE_HANDLE);
        if (answer.responseCode() != AbstractMessage.RC_SUCCESS || !full.startsWith(probed)) {
            return new RestJson(null, null);
        }
        return new RestJson(head.getBytes(StandardCharsets.UTF_8), full.substring(probed.length()).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The JSON answer for a request that named the record {@code handle} (valid UTF-8), in a new buffer
     * from {@code alloc}; null when this answer could not be prepared, for the general path to answer.
     */
    ByteBuf write(ByteBufAllocator alloc, byte[] handle) {
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
