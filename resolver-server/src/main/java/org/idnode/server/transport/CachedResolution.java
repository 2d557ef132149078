package org.idnode.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
    private CachedResolution() {
    }

    /**
     * The answer to the request in {@code frame} (envelope and message, not consumed), in a new buffer the
     * caller owns: the whole answer (envelope and message) for TCP, or with {@code udp} its UDP packets as
     * {@link HandleMessageCodec#writeResolutionAnswerPackets} lays them out; null when the general path
     * has to answer.
     */
    static ByteBuf answer(HandleRequestProcessor processor, ByteBufAllocator alloc, ByteBuf frame, boolean udp) {
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
        return udp
                ? HandleMessageCodec.writeResolutionAnswerPackets(alloc, query, answer.responseCode(), answer.valueBlock(), serial, expiration)
                : HandleMessageCodec.writeResolutionAnswer(alloc, query, answer.responseCode(), answer.valueBlock(), serial, expiration);
    }
}
