package org.idnode.server.transport;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.MessageEnvelope;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.codec.MalformedMessageException;
import org.idnode.server.codec.ResolutionQuery;
import org.idnode.server.handler.HandleRequestProcessor;

/**
 * Error answers the transports give instead of processing a request ({@code SERVER_TOO_BUSY} for a client over
 * its rate, {@code RC_ERROR} for a UDP answer over its size budget, {@code PROTOCOL_ERROR} for a request over the
 * size limit), addressed to the request as CNRI's client checks it: a plain resolution gets the fast path's bytes
 * (with the request digest when asked for), any other request CNRI's {@code ErrorResponse} built from the decoded
 * request, and a request that cannot be decoded an answer addressed from its envelope alone. Answers are not
 * signed.
 *
 * <p>Stateless and thread-safe.
 */
final class HandleRefusal {
    private HandleRefusal() {
    }

    /**
     * The error answer to the request in {@code frame} (envelope and message, not consumed): one UDP packet
     * when {@code udp}, else the whole answer; null when not even the envelope is readable.
     *
     * @param message at most {@link HandleMessageCodec#MAX_ERROR_MESSAGE} bytes of UTF-8
     */
    static ByteBuf answer(HandleRequestProcessor processor, ByteBufAllocator alloc, ByteBuf frame, int responseCode, String message,
                          boolean udp) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        ResolutionQuery query = ResolutionQuery.decode(frame);
        if (query != null) {
            return HandleMessageCodec.writeResolutionError(alloc, query, responseCode, text, processor.siteInfoSerial(),
                    HandleMessageCodec.defaultExpiration(), udp);
        }
        byte[] bytes = ByteBufUtil.getBytes(frame);
        MessageEnvelope envelope;
        try {
            envelope = HandleMessageCodec.decodeEnvelope(bytes);
        } catch (MalformedMessageException e) {
            if (!e.canAnswer()) {
                return null;
            }
            return encode(e.toErrorResponse(), udp);
        }
        AbstractResponse response;
        try {
            AbstractRequest request = processor.decode(envelope, Arrays.copyOfRange(bytes, HandleMessageCodec.ENVELOPE_SIZE, bytes.length));
            response = new ErrorResponse(request, responseCode, text);
        } catch (MalformedMessageException | HandleException e) {
            response = MalformedMessageException.forEnvelope(envelope, responseCode, message).toErrorResponse();
        }
        return encode(response, udp);
    }

    /** The error answer to a decoded request, or null when it cannot be encoded. */
    static ByteBuf answer(AbstractRequest request, int responseCode, String message, boolean udp) {
        try {
            return encode(new ErrorResponse(request, responseCode, message.getBytes(StandardCharsets.UTF_8)), udp);
        } catch (HandleException e) {
            return null;
        }
    }

    private static ByteBuf encode(AbstractResponse response, boolean udp) {
        try {
            if (udp) {
                List<byte[]> packets = HandleMessageCodec.encodeUdpPackets(response);
                return packets.size() == 1 ? Unpooled.wrappedBuffer(packets.get(0)) : null;
            }
            return Unpooled.wrappedBuffer(HandleMessageCodec.encodeWhole(response));
        } catch (HandleException e) {
            return null;
        }
    }
}
