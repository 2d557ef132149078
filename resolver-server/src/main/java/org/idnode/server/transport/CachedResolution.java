package org.idnode.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import net.handle.hdllib.AbstractMessage;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.codec.ResolutionQuery;
import org.idnode.server.handler.CachedAnswer;
import org.idnode.server.handler.HandleRequestProcessor;

/**
 * The Handle transports' fast path: a plain resolution request ({@link ResolutionQuery}) whose answer is
 * in the record cache ({@link HandleRequestProcessor#cachedAnswer}) is answered with the pre-encoded
 * values written straight into a pooled buffer, byte for byte what the general path would send.
 *
 * <p>Stateless and thread-safe.
 */
final class CachedResolution {
    /**
     * The message of the {@code RC_ERROR} answer that replaces a UDP answer over its size budget. CNRI's resolver
     * takes {@code RC_ERROR} from an interface as a failure of that interface and tries the server's next one
     * (TCP, then HTTP), where the whole answer is sent.
     */
    static final String TOO_LARGE_FOR_UDP = "answer too large for UDP; ask over TCP";
    private static final byte[] TOO_LARGE_FOR_UDP_BYTES = TOO_LARGE_FOR_UDP.getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private CachedResolution() {
    }

    /**
     * The answer to the request in {@code frame} (envelope and message, not consumed), in a new buffer the
     * caller owns: the whole answer (envelope and message) for TCP, or with {@code udp} its UDP packets as
     * {@link HandleMessageCodec#writeResolutionAnswerPackets} lays them out; null when the general path
     * has to answer.
     *
     * @param udpBudget for UDP, the most bytes the answer's packets may take: a longer answer is replaced by
     *                  {@link #TOO_LARGE_FOR_UDP}; ignored for TCP
     * @param tooLarge  called when the answer was replaced
     */
    static ByteBuf answer(HandleRequestProcessor processor, ByteBufAllocator alloc, ByteBuf frame, boolean udp, int udpBudget,
                          Runnable tooLarge) {
        ResolutionQuery query = ResolutionQuery.decode(frame);
        if (query == null) {
            return null;
        }
        CachedAnswer answer = processor.cachedAnswer(query.handle(), query.publicOnly(), query.indexes(), query.types());
        if (answer == null) {
            return null;
        }
        int serial = processor.siteInfoSerial();
        int expiration = HandleMessageCodec.defaultExpiration();
        if (!udp) {
            return HandleMessageCodec.writeResolutionAnswer(alloc, query, answer.responseCode(), answer.valueBlock(), serial, expiration);
        }
        if (HandleMessageCodec.resolutionAnswerUdpBytes(query, answer.responseCode(), answer.valueBlock()) > udpBudget) {
            tooLarge.run();
            return HandleMessageCodec.writeResolutionError(alloc, query, AbstractMessage.RC_ERROR, TOO_LARGE_FOR_UDP_BYTES, serial,
                    expiration, true);
        }
        return HandleMessageCodec.writeResolutionAnswerPackets(alloc, query, answer.responseCode(), answer.valueBlock(), serial, expiration);
    }
}
