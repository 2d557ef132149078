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
    private CachedResolution() {
    }

    /**
     * The answer to the request in {@code frame} (envelope and message, not consumed), in a new buffer the
     * caller owns: the whole answer (envelope and message) for TCP, or with {@code udp} its UDP packets as
     * {@link HandleMessageCodec#writeResolutionAnswerPackets} lays them out; null when the general path
     * has to answer. An answer is reported to {@code tracker} as given {@code startNanos} after the request arrived
     * from {@code client}; the caller writes it at once.
     */
    static ByteBuf answer(HandleRequestProcessor processor, ByteBufAllocator alloc, ByteBuf frame, boolean udp,
                          RequestTracker tracker, InetSocketAddress client, long startNanos) {
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
        ByteBuf out = udp
                ? HandleMessageCodec.writeResolutionAnswerPackets(alloc, query, answer.responseCode(), answer.valueBlock(), serial, expiration)
                : HandleMessageCodec.writeResolutionAnswer(alloc, query, answer.responseCode(), answer.valueBlock(), serial, expiration);
        int start = frame.readerIndex();
        tracker.handleAnswered(udp ? Protocol.UDP : Protocol.TCP, startNanos, client, frame.getByte(start), frame.getByte(start + 1),
                AbstractMessage.OC_RESOLUTION, answer.responseCode(), query.handle());
        return out;
    }
}
