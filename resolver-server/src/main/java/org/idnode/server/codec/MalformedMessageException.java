package org.idnode.server.codec;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.Util;

/**
 * A message could not be decoded. Carries what could be read of the envelope and header, so the
 * transport can still answer with {@code RC_PROTOCOL_ERROR} addressed to the right request; when
 * not even the envelope was readable {@link #canAnswer()} is false and the transport drops the input.
 */
public final class MalformedMessageException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient MessageEnvelope envelope;
    private final int opCode;
    private final int responseCode;

    MalformedMessageException(String message, MessageEnvelope envelope, int opCode, int responseCode) {
        super(message);
        this.envelope = envelope;
        this.opCode = opCode;
        this.responseCode = responseCode;
    }

    /** True when the envelope was readable, so an error answer can be addressed. */
    public boolean canAnswer() {
        return envelope != null;
    }

    /** The error answer for the client; only when {@link #canAnswer()}. */
    public AbstractResponse toErrorResponse() {
        ErrorResponse resp = new ErrorResponse(opCode, responseCode, Util.encodeString(getMessage()));
        resp.requestId = envelope.requestId;
        resp.sessionId = envelope.sessionId;
        if (envelope.protocolMajorVersion == 2) {
            resp.majorProtocolVersion = 2;
            resp.minorProtocolVersion = (byte) Math.min(envelope.protocolMinorVersion, HandleMessageCodec.MAX_MINOR_VERSION);
        }
        return resp;
    }

    /** The Handle response code the answer carries. */
    public int responseCode() {
        return responseCode;
    }

    /** An error about a message whose envelope was readable. */
    public static MalformedMessageException forEnvelope(MessageEnvelope envelope, int responseCode, String message) {
        return new MalformedMessageException(message, envelope, AbstractMessage.OC_RESERVED, responseCode);
    }

    static MalformedMessageException unaddressable(String message) {
        return new MalformedMessageException(message, null, AbstractMessage.OC_RESERVED, AbstractMessage.RC_PROTOCOL_ERROR);
    }
}
