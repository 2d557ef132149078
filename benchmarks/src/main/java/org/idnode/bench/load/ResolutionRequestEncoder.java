package org.idnode.bench.load;

import java.util.Arrays;

import io.netty.buffer.ByteBuf;
import net.handle.hdllib.Common;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.ResolutionRequest;

/**
 * Writes Handle {@code OC_RESOLUTION} requests (protocol 2.11, no index or type filter, public values
 * only, no credential) for any handle, envelope included, as the Handle.net library encodes them.
 *
 * <p>The envelope and the 24-byte message header are taken from one request encoded by the library's
 * {@link Encoder} when the encoder is built; each request then costs a copy of those 44 bytes, the
 * handle and a 12-byte zero trailer, with only the {@code requestId}, the lengths and the handle
 * differing. This is byte-for-byte what the library produces for the same handle and requestId (the
 * tests check it), without holding one encoded datagram per key in memory.
 *
 * <p>Immutable and thread-safe.
 */
final class ResolutionRequestEncoder {
    static final int ENVELOPE_SIZE = Common.MESSAGE_ENVELOPE_SIZE;
    static final int HEADER_SIZE = 24;
    /** {@code I nIndexes = 0}, {@code I nTypes = 0}, {@code I credentialLength = 0}. */
    static final int TRAILER_SIZE = 12;
    private static final int OFFSET_REQUEST_ID = 8;
    private static final int OFFSET_MESSAGE_LENGTH = 16;
    private static final int OFFSET_BODY_LENGTH = ENVELOPE_SIZE + 20;

    private final byte[] prefix;

    ResolutionRequestEncoder() {
        byte[] probe = "88.999/PROBE".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] whole = encodeWithLibrary(probe, 0);
        int expected = ENVELOPE_SIZE + HEADER_SIZE + 4 + probe.length + TRAILER_SIZE;
        if (whole.length != expected || readInt(whole, ENVELOPE_SIZE + HEADER_SIZE) != probe.length) {
            throw new IllegalStateException("unexpected resolution request layout from the Handle.net library ("
                    + whole.length + " bytes, expected " + expected + ")");
        }
        for (int i = whole.length - TRAILER_SIZE; i < whole.length; i++) {
            if (whole[i] != 0) {
                throw new IllegalStateException("unexpected resolution request trailer from the Handle.net library");
            }
        }
        prefix = Arrays.copyOf(whole, ENVELOPE_SIZE + HEADER_SIZE);
    }

    /** Bytes of the request (envelope included) for a handle of {@code handleLength} UTF-8 bytes. */
    static int size(int handleLength) {
        return ENVELOPE_SIZE + HEADER_SIZE + 4 + handleLength + TRAILER_SIZE;
    }

    /** Appends the request for {@code data[off, off + len)} with this requestId to {@code out}. */
    void write(ByteBuf out, int requestId, byte[] data, int off, int len) {
        int start = out.writerIndex();
        out.writeBytes(prefix);
        out.setInt(start + OFFSET_REQUEST_ID, requestId);
        out.setInt(start + OFFSET_MESSAGE_LENGTH, HEADER_SIZE + 4 + len + TRAILER_SIZE);
        out.setInt(start + OFFSET_BODY_LENGTH, 4 + len + 8);
        out.writeInt(len);
        out.writeBytes(data, off, len);
        out.writeZero(TRAILER_SIZE);
    }

    /** The request as the Handle.net library encodes it, envelope included. */
    static byte[] encodeWithLibrary(byte[] handle, int requestId) {
        ResolutionRequest req = new ResolutionRequest(handle, null, null, null);
        req.majorProtocolVersion = Common.MAJOR_VERSION;
        req.minorProtocolVersion = Common.MINOR_VERSION;
        req.suggestMajorProtocolVersion = Common.MAJOR_VERSION;
        req.suggestMinorProtocolVersion = Common.MINOR_VERSION;
        req.requestId = requestId;
        req.certify = false;
        try {
            byte[] msg = req.getEncodedMessage();
            MessageEnvelope env = new MessageEnvelope();
            env.protocolMajorVersion = req.majorProtocolVersion;
            env.protocolMinorVersion = req.minorProtocolVersion;
            env.suggestMajorProtocolVersion = req.suggestMajorProtocolVersion;
            env.suggestMinorProtocolVersion = req.suggestMinorProtocolVersion;
            env.requestId = requestId;
            env.messageLength = msg.length;
            byte[] out = new byte[ENVELOPE_SIZE + msg.length];
            Encoder.encodeEnvelope(env, out);
            System.arraycopy(msg, 0, out, ENVELOPE_SIZE, msg.length);
            return out;
        } catch (HandleException e) {
            throw new IllegalStateException("the Handle.net library cannot encode a resolution request", e);
        }
    }

    static int readInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }
}
