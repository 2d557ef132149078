package org.idnode.server.codec;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.Common;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.GenericRequest;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.MessageEnvelope;

/**
 * Turns Handle protocol bytes into request objects and response objects into bytes, using the
 * Handle.net client library's {@link Encoder} and message classes; and, for the common plain resolution
 * ({@link ResolutionQuery}), writes the answer straight from pre-encoded values into a Netty buffer
 * ({@link #writeResolutionAnswer}), byte for byte as those classes would encode it. Knows the envelope
 * (20 bytes), the message length limit and UDP chunking; knows nothing of sockets or of what requests mean.
 *
 * <p>Stateless and thread-safe.
 */
public final class HandleMessageCodec {
    /** Envelope size in bytes. */
    public static final int ENVELOPE_SIZE = Common.MESSAGE_ENVELOPE_SIZE;
    /** Largest message (after the envelope) the node accepts, as CNRI's {@code Common.MAX_MESSAGE_LENGTH}. */
    public static final int MAX_MESSAGE_LENGTH = Common.MAX_MESSAGE_LENGTH;
    /** Message bytes per UDP packet, after the envelope. */
    public static final int UDP_DATA_SIZE = Common.MAX_UDP_DATA_SIZE;
    /** Largest UDP packet: envelope and {@link #UDP_DATA_SIZE} message bytes. */
    private static final int UDP_PACKET_SIZE = ENVELOPE_SIZE + UDP_DATA_SIZE;
    /** Highest protocol minor version this node speaks (2.11). */
    public static final int MAX_MINOR_VERSION = 11;

    private static final int HEADER_SIZE = 24;
    /** Smallest encoded handle value: the fixed fields plus empty type, data and reference list. */
    private static final int MIN_VALUE_SIZE = 4 + 4 + 1 + 4 + 1 + 4 + 4 + 4;
    /** Longest message of {@link #writeResolutionError}, so that the answer always fits in one UDP packet. */
    public static final int MAX_ERROR_MESSAGE = 200;
    private static final byte[] NO_MESSAGE = new byte[0];

    private HandleMessageCodec() {
    }

    /**
     * The op code in the header of {@code message} (envelope and message, from its reader index, not consumed), read
     * without decoding anything; {@code OC_RESERVED} when the bytes are too short to hold it.
     */
    public static int opCode(ByteBuf message) {
        return message.readableBytes() >= ENVELOPE_SIZE + 4 ? message.getInt(message.readerIndex() + ENVELOPE_SIZE) : AbstractMessage.OC_RESERVED;
    }

    /**
     * Decodes a 20-byte envelope.
     *
     * @throws MalformedMessageException when the envelope is short, of an unknown major version,
     *                                   or announces a message longer than {@link #MAX_MESSAGE_LENGTH}
     */
    public static MessageEnvelope decodeEnvelope(byte[] buf) throws MalformedMessageException {
        if (buf.length < ENVELOPE_SIZE) {
            throw MalformedMessageException.unaddressable("message envelope is " + buf.length + " bytes, expected " + ENVELOPE_SIZE);
        }
        MessageEnvelope env = new MessageEnvelope();
        // Read the fields by hand first: Encoder.decodeEnvelope rejects long messages before we know the requestId.
        env.protocolMajorVersion = buf[0];
        env.protocolMinorVersion = buf[1];
        env.sessionId = readInt(buf, 4);
        env.requestId = readInt(buf, 8);
        env.messageId = readInt(buf, 12);
        env.messageLength = readInt(buf, 16);
        if (env.messageLength < 0 || env.messageLength > MAX_MESSAGE_LENGTH) {
            throw new MalformedMessageException("message length " + Integer.toUnsignedString(env.messageLength)
                    + " exceeds the limit of " + MAX_MESSAGE_LENGTH + " bytes", env, AbstractMessage.OC_RESERVED, AbstractMessage.RC_PROTOCOL_ERROR);
        }
        if (env.protocolMajorVersion != 2 && env.protocolMajorVersion != 5) {
            throw new MalformedMessageException("unsupported protocol version " + env.protocolMajorVersion + "." + env.protocolMinorVersion,
                    env, AbstractMessage.OC_RESERVED, AbstractMessage.RC_PROTOCOL_ERROR);
        }
        try {
            Encoder.decodeEnvelope(buf, env);
        } catch (HandleException e) {
            throw new MalformedMessageException("bad message envelope: " + e.getMessage(), env, AbstractMessage.OC_RESERVED, AbstractMessage.RC_PROTOCOL_ERROR);
        }
        return env;
    }

    /**
     * Decodes the message that follows an envelope.
     *
     * @param message exactly {@code env.messageLength} bytes
     * @throws MalformedMessageException when the message cannot be decoded, is not a request, or
     *                                   is encrypted or compressed (which needs a session)
     */
    public static AbstractRequest decodeRequest(MessageEnvelope env, byte[] message) throws MalformedMessageException {
        int opCode = message.length >= 4 ? Encoder.readOpCode(message, 0) : AbstractMessage.OC_RESERVED;
        if (message.length < HEADER_SIZE) {
            throw new MalformedMessageException("message is " + message.length + " bytes, shorter than a message header", env, opCode, AbstractMessage.RC_PROTOCOL_ERROR);
        }
        if (env.encrypted || env.compressed) {
            throw new MalformedMessageException("encrypted or compressed messages need a session, and this node has none open",
                    env, opCode, AbstractMessage.RC_SESSION_FAILED);
        }
        checkLengthFields(env, message, opCode);
        if (readInt(message, 4) != AbstractMessage.RC_RESERVED) {
            throw new MalformedMessageException("expected a request, got a response (code " + readInt(message, 4) + ")", env, opCode, AbstractMessage.RC_PROTOCOL_ERROR);
        }
        if (!decodesBody(opCode)) {
            // Not implemented here, answered RC_OPERATION_NOT_SUPPORTED by the processor: decode the header only,
            // CNRI's decoders for these bodies size arrays from unchecked counts.
            return headerOnlyRequest(env, message, opCode);
        }
        AbstractMessage msg;
        try {
            msg = Encoder.decodeMessage(message, 0, env);
        } catch (HandleException | RuntimeException e) {
            throw new MalformedMessageException("cannot decode message: " + describe(e), env, opCode, AbstractMessage.RC_PROTOCOL_ERROR);
        }
        if (msg == null) {
            throw new MalformedMessageException("unknown operation code " + opCode, env, opCode, AbstractMessage.RC_OPERATION_NOT_SUPPORTED);
        }
        if (!(msg instanceof AbstractRequest req) || msg.responseCode != AbstractMessage.RC_RESERVED) {
            throw new MalformedMessageException("expected a request, got a response (code " + msg.responseCode + ")", env, opCode, AbstractMessage.RC_PROTOCOL_ERROR);
        }
        return req;
    }

    /**
     * The operations whose bodies are decoded with CNRI's {@link Encoder}, each after
     * {@link #checkLengthFields} has checked every length and count field of its body.
     */
    private static boolean decodesBody(int opCode) {
        return switch (opCode) {
            case AbstractMessage.OC_RESOLUTION, AbstractMessage.OC_GET_SITE_INFO, AbstractMessage.OC_SESSION_SETUP,
                    AbstractMessage.OC_SESSION_TERMINATE, AbstractMessage.OC_RESPONSE_TO_CHALLENGE,
                    AbstractMessage.OC_VERIFY_CHALLENGE, AbstractMessage.OC_CREATE_HANDLE, AbstractMessage.OC_DELETE_HANDLE,
                    AbstractMessage.OC_ADD_VALUE, AbstractMessage.OC_REMOVE_VALUE, AbstractMessage.OC_MODIFY_VALUE,
                    AbstractMessage.OC_LIST_HANDLES, AbstractMessage.OC_HOME_NA, AbstractMessage.OC_UNHOME_NA -> true;
            default -> false;
        };
    }

    /**
     * Refuses length and count fields the message cannot hold, before CNRI's {@link Encoder} sizes arrays
     * from them ({@code 24 + bodyLength}, the credential, a resolution request's type count, every
     * length-prefixed field of the session, challenge-answer and verify-challenge bodies).
     */
    private static void checkLengthFields(MessageEnvelope env, byte[] m, int opCode) throws MalformedMessageException {
        int bodyLength = readInt(m, 20);
        int afterHeader = m.length - HEADER_SIZE;
        if (bodyLength < 0 || bodyLength > afterHeader) {
            throw new MalformedMessageException("message header announces a body of " + Integer.toUnsignedString(bodyLength)
                    + " bytes, but " + afterHeader + " bytes follow the header", env, opCode, AbstractMessage.RC_PROTOCOL_ERROR);
        }
        int end = HEADER_SIZE + bodyLength;
        if (m.length - end >= 4) {
            int credentialLength = readInt(m, end);
            if (credentialLength < 0 || credentialLength > m.length - end - 4) {
                throw new MalformedMessageException("credential length " + Integer.toUnsignedString(credentialLength)
                        + " exceeds the " + (m.length - end - 4) + " bytes left", env, opCode, AbstractMessage.RC_PROTOCOL_ERROR);
            }
        }
        BodyFields body = new BodyFields(env, m, opCode, HEADER_SIZE, end);
        switch (opCode) {
            case AbstractMessage.OC_RESOLUTION -> {
                // S handle, I nIdx + I*nIdx, I nTypes + S*nTypes. CNRI's reader takes these fields whatever the body
                // length says, reading on into the credential; so every one must lie within the body, or a short body
                // lets a count read from beyond it size an array of gigabytes (found by HandleMessageFuzzTest).
                body.string("handle");
                body.skip(4 * body.count("index count", 4), "indexes");
                int types = body.count("type count", 4);
                for (int i = 0; i < types; i++) {
                    body.string("type");
                }
            }
            case AbstractMessage.OC_SESSION_TERMINATE -> body.string("handle");
            case AbstractMessage.OC_SESSION_SETUP -> {
                // int2 keyExchangeMode, I timeout, S identityHandle, I identityIndex, then by mode:
                // cipher-client (1) and DH (4) S publicKey; cipher-hdl (3) S keyHandle, I keyIndex.
                int mode = body.int2("key exchange mode");
                body.int4("timeout");
                body.string("identity handle");
                body.int4("identity index");
                if (mode == Common.KEY_EXCHANGE_CIPHER_CLIENT || mode == Common.KEY_EXCHANGE_DH) {
                    body.string("public key");
                } else if (mode == Common.KEY_EXCHANGE_CIPHER_HDL) {
                    body.string("exchange key handle");
                    body.int4("exchange key index");
                }
            }
            case AbstractMessage.OC_RESPONSE_TO_CHALLENGE -> {
                // S authType, S userIdHandle, I userIdIndex, S signedResponse
                body.string("authentication type");
                body.string("identity handle");
                body.int4("identity index");
                body.string("signed response");
            }
            case AbstractMessage.OC_VERIFY_CHALLENGE -> {
                // S handle, I index, S nonce, request digest (1 byte hash type + fixed digest, or S for type 0), S signedResponse
                body.string("handle");
                body.int4("index");
                body.string("nonce");
                int hashType = body.peekByte("request digest type");
                switch (hashType) {
                    case Common.HASH_CODE_MD5_OLD_FORMAT -> body.string("request digest");
                    case Common.HASH_CODE_MD5 -> body.skip(1 + 16, "request digest");
                    case Common.HASH_CODE_SHA1 -> body.skip(1 + 20, "request digest");
                    case Common.HASH_CODE_SHA256 -> body.skip(1 + 32, "request digest");
                    default -> throw new MalformedMessageException("verify-challenge request digest type " + hashType + " is unknown",
                            env, opCode, AbstractMessage.RC_PROTOCOL_ERROR);
                }
                body.string("signed response");
            }
            case AbstractMessage.OC_DELETE_HANDLE, AbstractMessage.OC_LIST_HANDLES, AbstractMessage.OC_HOME_NA,
                    AbstractMessage.OC_UNHOME_NA -> body.string("handle");
            case AbstractMessage.OC_REMOVE_VALUE -> {
                body.string("handle");
                body.skip(4 * body.count("index count", 4), "indexes");
            }
            case AbstractMessage.OC_CREATE_HANDLE, AbstractMessage.OC_ADD_VALUE, AbstractMessage.OC_MODIFY_VALUE -> {
                // S handle, I n, then n values: I index, I timestamp, byte ttlType, I ttl, byte perms,
                // S type, S data, I nRefs + (S handle, I index) per reference.
                body.string("handle");
                int values = body.count("value count", MIN_VALUE_SIZE);
                for (int i = 0; i < values; i++) {
                    body.skip(4 + 4 + 1 + 4 + 1, "value");
                    body.string("value type");
                    body.string("value data");
                    int refs = body.count("reference count", 8);
                    for (int r = 0; r < refs; r++) {
                        body.string("reference handle");
                        body.int4("reference index");
                    }
                }
            }
            default -> {
                // OC_GET_SITE_INFO's one string is bounded by CNRI's reader and the message; other operations are
                // decoded header-only.
            }
        }
    }

    /**
     * Walks the fields of a message body, refusing any that does not fit before the body's end; a
     * length-prefixed field ({@code S}) whose length does not fit is refused before anything is allocated.
     */
    private static final class BodyFields {
        private final MessageEnvelope env;
        private final byte[] m;
        private final int opCode;
        private final int end;
        private int p;

        BodyFields(MessageEnvelope env, byte[] m, int opCode, int start, int end) {
            this.env = env;
            this.m = m;
            this.opCode = opCode;
            this.p = start;
            this.end = end;
        }

        int int4(String field) throws MalformedMessageException {
            need(4, field);
            int v = readInt(m, p);
            p += 4;
            return v;
        }

        int int2(String field) throws MalformedMessageException {
            need(2, field);
            int v = ((m[p] & 0xff) << 8) | (m[p + 1] & 0xff);
            p += 2;
            return v;
        }

        int peekByte(String field) throws MalformedMessageException {
            need(1, field);
            return m[p];
        }

        /** A count of items each at least {@code itemSize} bytes long, refused when the body cannot hold them. */
        int count(String field, int itemSize) throws MalformedMessageException {
            int n = int4(field);
            if (n < 0 || n > (end - p) / itemSize) {
                throw new MalformedMessageException(describeOp(opCode) + " " + field + " " + Integer.toUnsignedString(n)
                        + " exceeds what the body can hold", env, opCode, AbstractMessage.RC_PROTOCOL_ERROR);
            }
            return n;
        }

        void skip(int n, String field) throws MalformedMessageException {
            need(n, field);
            p += n;
        }

        void string(String field) throws MalformedMessageException {
            int n = int4(field + " length");
            if (n < 0 || n > end - p) {
                throw new MalformedMessageException(describeOp(opCode) + " " + field + " length " + Integer.toUnsignedString(n)
                        + " exceeds the " + (end - p) + " bytes left in the body", env, opCode, AbstractMessage.RC_PROTOCOL_ERROR);
            }
            p += n;
        }

        private void need(int n, String field) throws MalformedMessageException {
            if (end - p < n) {
                throw new MalformedMessageException(describeOp(opCode) + " body ends before its " + field,
                        env, opCode, AbstractMessage.RC_PROTOCOL_ERROR);
            }
        }
    }

    private static String describeOp(int opCode) {
        return switch (opCode) {
            case AbstractMessage.OC_SESSION_SETUP -> "session setup";
            case AbstractMessage.OC_SESSION_TERMINATE -> "session terminate";
            case AbstractMessage.OC_RESPONSE_TO_CHALLENGE -> "challenge answer";
            case AbstractMessage.OC_RESOLUTION -> "resolution request";
            case AbstractMessage.OC_VERIFY_CHALLENGE -> "verify-challenge request";
            default -> "operation " + opCode;
        };
    }

    private static AbstractRequest headerOnlyRequest(MessageEnvelope env, byte[] m, int opCode) {
        GenericRequest req = new GenericRequest(Common.BLANK_HANDLE, opCode, null);
        req.requestId = env.requestId;
        req.sessionId = env.sessionId;
        req.majorProtocolVersion = env.protocolMajorVersion;
        req.minorProtocolVersion = env.protocolMinorVersion;
        req.suggestMajorProtocolVersion = env.suggestMajorProtocolVersion;
        req.suggestMinorProtocolVersion = env.suggestMinorProtocolVersion;
        Encoder.decodeOpFlagsInToMessage(req, readInt(m, 8));
        req.siteInfoSerial = (short) (((m[12] & 0xff) << 8) | (m[13] & 0xff));
        req.recursionCount = (short) (m[14] & 0xff);
        req.expiration = readInt(m, 16);
        int end = HEADER_SIZE + readInt(m, 20);
        req.messageBody = java.util.Arrays.copyOf(m, end);
        // Keep the credential too (as CNRI's decoder does), so that a session MAC can still be checked;
        // checkLengthFields has bounded its length.
        if (m.length - end >= 4) {
            req.signature = java.util.Arrays.copyOfRange(m, end + 4, end + 4 + readInt(m, end));
        }
        return req;
    }

    /** Envelope plus message, for TCP and HTTP. */
    public static byte[] encodeWhole(AbstractResponse resp) throws HandleException {
        return encodeWhole(resp, resp.getEncodedMessage(), false);
    }

    /**
     * Envelope plus an already sealed message (signed, and encrypted with the session key when
     * {@code encrypted}), for TCP and HTTP.
     */
    public static byte[] encodeWhole(AbstractResponse resp, byte[] msg, boolean encrypted) {
        byte[] out = new byte[ENVELOPE_SIZE + msg.length];
        MessageEnvelope env = envelopeFor(resp, msg.length, 0, false);
        env.encrypted = encrypted;
        Encoder.encodeEnvelope(env, out);
        System.arraycopy(msg, 0, out, ENVELOPE_SIZE, msg.length);
        return out;
    }

    /**
     * The UDP packets of a response: one packet when the message fits in {@link #UDP_DATA_SIZE}
     * bytes, else chunks with the truncated flag set, {@code messageId} = chunk number and
     * {@code messageLength} = the whole message's length in every envelope, as CNRI's client reassembles them.
     */
    public static List<byte[]> encodeUdpPackets(AbstractResponse resp) throws HandleException {
        return encodeUdpPackets(resp, resp.getEncodedMessage(), false);
    }

    /** The UDP packets of an already sealed message; see {@link #encodeUdpPackets(AbstractResponse)}. */
    public static List<byte[]> encodeUdpPackets(AbstractResponse resp, byte[] msg, boolean encrypted) {
        int chunks = Math.max(1, (msg.length + UDP_DATA_SIZE - 1) / UDP_DATA_SIZE);
        List<byte[]> packets = new ArrayList<>(chunks);
        for (int i = 0; i < chunks; i++) {
            int off = i * UDP_DATA_SIZE;
            int len = Math.min(UDP_DATA_SIZE, msg.length - off);
            byte[] packet = new byte[ENVELOPE_SIZE + len];
            MessageEnvelope env = envelopeFor(resp, msg.length, i, chunks > 1);
            env.encrypted = encrypted;
            Encoder.encodeEnvelope(env, packet);
            System.arraycopy(msg, off, packet, ENVELOPE_SIZE, len);
            packets.add(packet);
        }
        return packets;
    }

    /**
     * The expiration CNRI's message constructors give every message, twelve hours from now (Unix seconds);
     * CNRI's client refuses answers whose expiration has passed.
     */
    public static int defaultExpiration() {
        return (int) (System.currentTimeMillis() / 1000) + 12 * 3600;
    }

    /**
     * The whole answer (envelope and message) to a {@link ResolutionQuery}, for TCP and HTTP, written into a
     * new buffer from {@code alloc}: byte for byte what CNRI's {@code ResolutionResponse} (for
     * {@code RC_SUCCESS}) or {@code ErrorResponse} without a message (for any other code) built from the
     * same request encodes, once the node has marked it authoritative and set its site serial.
     *
     * @param valueBlock     for {@code RC_SUCCESS}, the value count and the encoded values ({@code I n, V*n});
     *                       ignored otherwise
     * @param siteInfoSerial the node's site serial, -1 when unknown
     * @param expiration     Unix seconds, normally {@link #defaultExpiration()}
     * @return a buffer the caller owns (and releases, or hands to a channel)
     */
    public static ByteBuf writeResolutionAnswer(ByteBufAllocator alloc, ResolutionQuery query, int responseCode, byte[] valueBlock,
                                                int siteInfoSerial, int expiration) {
        return writeAnswer(alloc, query, responseCode, valueBlock, NO_MESSAGE, siteInfoSerial, expiration, false);
    }

    /**
     * An error answer ({@code responseCode} other than {@code RC_SUCCESS}) to a {@link ResolutionQuery} with a
     * message, as CNRI's {@code ErrorResponse} built from the same request with that message encodes; one UDP packet
     * when {@code udp}, else the whole answer for TCP and HTTP.
     *
     * @param message the error message, UTF-8, at most {@value #MAX_ERROR_MESSAGE} bytes
     */
    public static ByteBuf writeResolutionError(ByteBufAllocator alloc, ResolutionQuery query, int responseCode, byte[] message,
                                               int siteInfoSerial, int expiration, boolean udp) {
        if (responseCode == AbstractMessage.RC_SUCCESS || message.length > MAX_ERROR_MESSAGE) {
            throw new IllegalArgumentException("an error answer needs an error code and a message of at most " + MAX_ERROR_MESSAGE + " bytes");
        }
        return writeAnswer(alloc, query, responseCode, null, message, siteInfoSerial, expiration, udp);
    }

    /**
     * The bytes all UDP packets of {@link #writeResolutionAnswerPackets} would take for this answer (envelopes
     * included), computed without writing it.
     */
    public static int resolutionAnswerUdpBytes(ResolutionQuery query, int responseCode, byte[] valueBlock) {
        int messageLength = answerMessageLength(query, responseCode, valueBlock, NO_MESSAGE);
        int packets = (messageLength + UDP_DATA_SIZE - 1) / UDP_DATA_SIZE;
        return packets * ENVELOPE_SIZE + messageLength;
    }

    private static int answerMessageLength(ResolutionQuery query, int responseCode, byte[] valueBlock, byte[] message) {
        byte[] digest = query.requestDigest();
        int bodyLength = (digest == null ? 0 : 1 + digest.length)
                + (responseCode == AbstractMessage.RC_SUCCESS ? 4 + query.handle().length + valueBlock.length : 4 + message.length);
        return HEADER_SIZE + bodyLength + 4;
    }

    /**
     * The same answer as {@link #writeResolutionAnswer} as UDP packets, laid out one after another in one new
     * buffer, packet {@code n} at offset {@code n * }{@value Common#MAX_UDP_PACKET_SIZE}: each packet is an
     * envelope and the next {@link #UDP_DATA_SIZE} message bytes, as {@link #encodeUdpPackets} splits a
     * message (truncated flag and {@code messageId} when there are several). Take the packets with
     * {@link #udpPacket}.
     */
    public static ByteBuf writeResolutionAnswerPackets(ByteBufAllocator alloc, ResolutionQuery query, int responseCode, byte[] valueBlock,
                                                       int siteInfoSerial, int expiration) {
        return writeAnswer(alloc, query, responseCode, valueBlock, NO_MESSAGE, siteInfoSerial, expiration, true);
    }

    /** How many UDP packets a buffer from {@link #writeResolutionAnswerPackets} holds. */
    public static int udpPacketCount(ByteBuf packets) {
        return (packets.readableBytes() + UDP_PACKET_SIZE - 1) / UDP_PACKET_SIZE;
    }

    /**
     * Packet {@code n} of a buffer from {@link #writeResolutionAnswerPackets}: a retained slice, released
     * independently of the buffer.
     */
    public static ByteBuf udpPacket(ByteBuf packets, int n) {
        int offset = n * UDP_PACKET_SIZE;
        return packets.retainedSlice(packets.readerIndex() + offset, Math.min(UDP_PACKET_SIZE, packets.readableBytes() - offset));
    }

    private static ByteBuf writeAnswer(ByteBufAllocator alloc, ResolutionQuery query, int responseCode, byte[] valueBlock,
                                       byte[] errorMessage, int siteInfoSerial, int expiration, boolean udp) {
        byte[] digest = query.requestDigest();
        boolean success = responseCode == AbstractMessage.RC_SUCCESS;
        int messageLength = answerMessageLength(query, responseCode, valueBlock, errorMessage);
        int bodyLength = messageLength - HEADER_SIZE - 4;
        int packets = udp ? (messageLength + UDP_DATA_SIZE - 1) / UDP_DATA_SIZE : 1;
        ByteBuf out = alloc.buffer(packets * ENVELOPE_SIZE + messageLength);
        writeEnvelope(out, query, messageLength, 0, packets > 1);
        // Header, digest and handle (at most 24 + 33 + 259 bytes) always fit in the first packet.
        out.writeInt(AbstractMessage.OC_RESOLUTION);
        out.writeInt(responseCode);
        out.writeInt(query.answerFlags());
        out.writeShort(siteInfoSerial);
        out.writeByte(query.recursionCount());
        out.writeByte(0);
        out.writeInt(expiration);
        out.writeInt(bodyLength);
        if (digest != null) {
            out.writeByte(ResolutionQuery.digestType());
            out.writeBytes(digest);
        }
        if (!success) {
            out.writeInt(errorMessage.length);
            out.writeBytes(errorMessage);
            out.writeInt(0); // no credential
            return out;
        }
        out.writeInt(query.handle().length);
        out.writeBytes(query.handle());
        if (packets == 1) {
            out.writeBytes(valueBlock);
            out.writeInt(0); // no credential
            return out;
        }
        int start = out.readerIndex();
        int p = 0;
        while (p < valueBlock.length + 4) {
            int written = out.writerIndex() - start;
            if (written % UDP_PACKET_SIZE == 0) {
                writeEnvelope(out, query, messageLength, written / UDP_PACKET_SIZE, true);
                written += ENVELOPE_SIZE;
            }
            int n = Math.min(UDP_PACKET_SIZE - written % UDP_PACKET_SIZE, valueBlock.length + 4 - p);
            int fromBlock = Math.max(0, Math.min(n, valueBlock.length - p));
            if (fromBlock > 0) {
                out.writeBytes(valueBlock, p, fromBlock);
            }
            out.writeZero(n - fromBlock); // the empty credential's length
            p += n;
        }
        return out;
    }

    private static void writeEnvelope(ByteBuf out, ResolutionQuery query, int messageLength, int messageId, boolean truncated) {
        out.writeByte(2);
        out.writeByte(query.answerMinorVersion());
        out.writeByte((truncated ? Encoder.ENV_FLAG_TRUNCATED : 0) | Common.MAJOR_VERSION); // suggests 2.11
        out.writeByte(Common.MINOR_VERSION);
        out.writeInt(0); // sessionId
        out.writeInt(query.requestId());
        out.writeInt(messageId);
        out.writeInt(messageLength);
    }

    private static MessageEnvelope envelopeFor(AbstractResponse resp, int length, int messageId, boolean truncated) {
        MessageEnvelope env = new MessageEnvelope();
        env.protocolMajorVersion = resp.majorProtocolVersion;
        env.protocolMinorVersion = resp.minorProtocolVersion;
        env.suggestMajorProtocolVersion = resp.suggestMajorProtocolVersion;
        env.suggestMinorProtocolVersion = resp.suggestMinorProtocolVersion;
        env.sessionId = resp.sessionId;
        env.requestId = resp.requestId;
        env.messageId = messageId;
        env.messageLength = length;
        env.truncated = truncated;
        return env;
    }

    private static int readInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
