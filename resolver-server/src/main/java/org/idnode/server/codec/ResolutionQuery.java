package org.idnode.server.codec;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import io.netty.buffer.ByteBuf;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Common;
import net.handle.hdllib.Encoder;

/**
 * A plain resolution request, read straight from its bytes without building CNRI's message objects: the
 * common case that the node answers from pre-encoded bytes ({@link HandleMessageCodec#writeResolutionAnswer}).
 *
 * <p>{@link #decode} accepts only what that fast answer reproduces byte for byte: protocol 2.x, not
 * compressed, encrypted or truncated, no session, {@code OC_RESOLUTION} with response code 0, no
 * certify, encrypt, continuous, overwrite or mint flag, an empty credential, and a body that its
 * length fields describe exactly. Anything else is left to the general path (CNRI's decoder), which
 * also produces the error answers.
 *
 * <p>Immutable and thread-safe once decoded; the arrays are not copied, callers must not modify them.
 */
public final class ResolutionQuery {
    static final int HEADER_SIZE = 24;
    /** Request flags the fast answer reproduces; the answer echoes CACR, PUBL, RRDG and DNRF. */
    private static final int ACCEPTED_FLAGS = Encoder.MSG_FLAG_AUTH | Encoder.MSG_FLAG_RECU | Encoder.MSG_FLAG_CACR
            | Encoder.MSG_FLAG_KPAL | Encoder.MSG_FLAG_PUBL | Encoder.MSG_FLAG_RRDG | Encoder.MSG_FLAG_DNRF;
    private static final int ENVELOPE_FLAGS = 0x80 | 0x40 | 0x20;
    private static final int[] NO_INDEXES = new int[0];
    private static final byte[][] NO_TYPES = new byte[0][];
    /** The request digest a 2.7+ answer carries when asked for (RRDG): SHA-256. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    });

    private final int requestId;
    private final byte answerMinorVersion;
    private final int opFlags;
    private final byte recursionCount;
    private final byte[] handle;
    private final int[] indexes;
    private final byte[][] types;
    private final byte[] requestDigest;

    private ResolutionQuery(int requestId, byte answerMinorVersion, int opFlags, byte recursionCount, byte[] handle,
                            int[] indexes, byte[][] types, byte[] requestDigest) {
        this.requestId = requestId;
        this.answerMinorVersion = answerMinorVersion;
        this.opFlags = opFlags;
        this.recursionCount = recursionCount;
        this.handle = handle;
        this.indexes = indexes;
        this.types = types;
        this.requestDigest = requestDigest;
    }

    /**
     * Reads a plain resolution request from {@code frame} (envelope and message, from its reader index to
     * its writer index; the indexes are not moved).
     *
     * @return the request, or null when it is anything else (or malformed), for the general path to answer
     */
    public static ResolutionQuery decode(ByteBuf frame) {
        int start = frame.readerIndex();
        int length = frame.readableBytes();
        int env = HandleMessageCodec.ENVELOPE_SIZE;
        if (length < env + HEADER_SIZE + 4 + 4 + 4 + 4) {
            return null;
        }
        byte major = frame.getByte(start);
        int envelopeFlags = frame.getByte(start + 2) & 0xff;
        if (major != 2 || (envelopeFlags & ENVELOPE_FLAGS) != 0 || frame.getInt(start + 4) != 0
                || frame.getInt(start + 16) != length - env) {
            return null;
        }
        // The answer takes the version the client suggests (its own when it suggests none), capped at 2.11.
        int suggestMajor = envelopeFlags & 0x03;
        byte suggestMinor = frame.getByte(start + 3);
        if (suggestMajor == 0) {
            suggestMajor = major;
            suggestMinor = frame.getByte(start + 1);
        }
        if (suggestMajor != 2 || suggestMinor < 0) {
            return null;
        }
        byte answerMinor = (byte) Math.min(suggestMinor, HandleMessageCodec.MAX_MINOR_VERSION);

        int h = start + env;
        int opFlags = frame.getInt(h + 8);
        int bodyLength = frame.getInt(h + 20);
        if (frame.getInt(h) != AbstractMessage.OC_RESOLUTION || frame.getInt(h + 4) != AbstractMessage.RC_RESERVED
                || (opFlags & ~ACCEPTED_FLAGS) != 0 || bodyLength != length - env - HEADER_SIZE - 4) {
            return null;
        }
        int end = h + HEADER_SIZE + bodyLength;
        if (frame.getInt(end) != 0) {
            return null; // a credential
        }
        int p = h + HEADER_SIZE;
        int handleLength = frame.getInt(p);
        if (handleLength <= 0 || handleLength > end - p - 4 - 8) {
            return null;
        }
        byte[] handle = new byte[handleLength];
        frame.getBytes(p + 4, handle);
        p += 4 + handleLength;
        int indexCount = frame.getInt(p);
        p += 4;
        if (indexCount < 0 || indexCount > (end - p - 4) / 4) {
            return null;
        }
        int[] indexes = indexCount == 0 ? NO_INDEXES : new int[indexCount];
        for (int i = 0; i < indexCount; i++, p += 4) {
            indexes[i] = frame.getInt(p);
        }
        int typeCount = frame.getInt(p);
        p += 4;
        if (typeCount < 0 || typeCount > (end - p) / 4) {
            return null;
        }
        byte[][] types = typeCount == 0 ? NO_TYPES : new byte[typeCount][];
        for (int i = 0; i < typeCount; i++) {
            int n = frame.getInt(p);
            if (n < 0 || n > end - p - 4) {
                return null;
            }
            types[i] = new byte[n];
            frame.getBytes(p + 4, types[i]);
            p += 4 + n;
        }
        if (p != end) {
            return null;
        }
        byte[] digest = null;
        if ((opFlags & Encoder.MSG_FLAG_RRDG) != 0) {
            if (answerMinor < 7) {
                return null; // SHA-1 or MD5 digests of old protocol versions: the general path
            }
            MessageDigest sha = SHA256.get();
            sha.update(frame.nioBuffer(h, HEADER_SIZE + bodyLength));
            digest = sha.digest();
        }
        return new ResolutionQuery(frame.getInt(start + 8), answerMinor, opFlags, frame.getByte(h + 14), handle,
                indexes, types, digest);
    }

    /** The requestId the answer echoes. */
    public int requestId() {
        return requestId;
    }

    /** The handle as sent (UTF-8), echoed in the answer. */
    public byte[] handle() {
        return handle;
    }

    /** Requested indexes; empty when none. */
    public int[] indexes() {
        return indexes;
    }

    /** Requested types; empty when none. */
    public byte[][] types() {
        return types;
    }

    /** True when the client asks for public values only (PUBL), as CNRI's client does by default. */
    public boolean publicOnly() {
        return (opFlags & Encoder.MSG_FLAG_PUBL) != 0;
    }

    /** The protocol minor version of the answer (major 2). */
    byte answerMinorVersion() {
        return answerMinorVersion;
    }

    /**
     * The answer's opFlags, as CNRI's response constructors set them: authoritative and recursive, with
     * cache-certify, public-only, request-digest and do-not-refer taken from the request.
     */
    int answerFlags() {
        return Encoder.MSG_FLAG_AUTH | Encoder.MSG_FLAG_RECU
                | (opFlags & (Encoder.MSG_FLAG_CACR | Encoder.MSG_FLAG_PUBL | Encoder.MSG_FLAG_RRDG | Encoder.MSG_FLAG_DNRF));
    }

    byte recursionCount() {
        return recursionCount;
    }

    /** SHA-256 of the request's header and body when the client asked for a request digest, else null. */
    byte[] requestDigest() {
        return requestDigest;
    }

    static byte digestType() {
        return Common.HASH_CODE_SHA256;
    }
}
