package org.idnode.server.transport;

import java.net.InetSocketAddress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import net.handle.hdllib.AbstractMessage;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.codec.ResolutionQuery;
import org.idnode.server.handler.CachedAnswer;
import org.idnode.server.handler.HandleRequestProcessor;
import org.idnode.server.lifecycle.RequestTracker;
import org.idnode.server.metrics.Protocol;

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
     * has to answer. An answer is reported to {@code tracker} as given {@code startNanos} after the request arrived
     * from {@code client}; the caller writes it at once.
     *
     * @param udpBudget for UDP, the most bytes the answer's packets may take: a longer answer is replaced by
     *                  {@link #TOO_LARGE_FOR_UDP}; ignored for TCP
     * @param tooLarge  called when the answer was replaced
     */
    static ByteBuf answer(HandleRequestProcessor processor, ByteBufAllocator alloc, ByteBuf frame, boolean udp, int udpBudget,
                          Runnable tooLarge, RequestTracker tracker, InetSocketAddress client, long startNanos) {
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
        ByteBuf out;
        int responseCode = answer.responseCode();
        if (!udp) {
            out = HandleMessageCodec.writeResolutionAnswer(alloc, query, responseCode, answer.valueBlock(), serial, expiration);
        } else if (HandleMessageCodec.resolutionAnswerUdpBytes(query, responseCode, answer.valueBlock()) > udpBudget) {
            tooLarge.run();
            responseCode = AbstractMessage.RC_ERROR;
            out = HandleMessageCodec.writeResolutionError(alloc, query, responseCode, TOO_LARGE_FOR_UDP_BYTES, serial, expiration, true);
        } else {
            out = HandleMessageCodec.writeResolutionAnswerPackets(alloc, query, responseCode, answer.valueBlock(), serial, expiration);
        }
        int start = frame.readerIndex();
        tracker.handleAnswered(udp ? Protocol.UDP : Protocol.TCP, startNanos, client, frame.getByte(start), frame.getByte(start + 1),
                AbstractMessage.OC_RESOLUTION, responseCode, query.handle());
        return out;
    }
}
