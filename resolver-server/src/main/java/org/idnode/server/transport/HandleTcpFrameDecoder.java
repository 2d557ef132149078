package org.idnode.server.transport;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.HandleException;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.codec.MalformedMessageException;

/**
 * Splits a TCP byte stream into Handle messages: a 20-byte envelope, then {@code messageLength} bytes,
 * passed on as one buffer (a retained slice of the stream, envelope included). An envelope announcing
 * more than the configured limit ({@code limits.message-bytes.handle-tcp}), or otherwise unreadable, is answered
 * with {@code RC_PROTOCOL_ERROR} when it can be addressed, and the connection is closed. A peer that
 * stops sending in the middle of a message, or sends it too slowly, is closed by the read deadline
 * ({@link org.idnode.server.limits.ReadDeadline}).
 */
final class HandleTcpFrameDecoder extends ByteToMessageDecoder {
    private static final int MESSAGE_LENGTH_OFFSET = 16;
    private final int maxMessageLength;

    /** @param maxMessageLength the longest message accepted ({@code limits.message-bytes.handle-tcp}), at most {@link HandleMessageCodec#MAX_MESSAGE_LENGTH} */
    HandleTcpFrameDecoder(int maxMessageLength) {
        this.maxMessageLength = Math.min(maxMessageLength, HandleMessageCodec.MAX_MESSAGE_LENGTH);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < HandleMessageCodec.ENVELOPE_SIZE) {
            return;
        }
        int start = in.readerIndex();
        int messageLength = in.getInt(start + MESSAGE_LENGTH_OFFSET);
        byte major = in.getByte(start);
        if (messageLength < 0 || messageLength > maxMessageLength || (major != 2 && major != 5)) {
            // Refused: let the codec say why, with what it could read of the envelope.
            byte[] envelope = new byte[HandleMessageCodec.ENVELOPE_SIZE];
            in.getBytes(start, envelope);
            MalformedMessageException refusal;
            try {
                refusal = MalformedMessageException.forEnvelope(HandleMessageCodec.decodeEnvelope(envelope), AbstractMessage.RC_PROTOCOL_ERROR,
                        "message length " + messageLength + " exceeds the limit of " + maxMessageLength + " bytes");
            } catch (MalformedMessageException e) {
                refusal = e;
            }
            in.skipBytes(in.readableBytes());
            rejectAndClose(ctx, refusal);
            return;
        }
        if (in.readableBytes() - HandleMessageCodec.ENVELOPE_SIZE < messageLength) {
            return;
        }
        out.add(in.readRetainedSlice(HandleMessageCodec.ENVELOPE_SIZE + messageLength));
    }

    static void rejectAndClose(ChannelHandlerContext ctx, MalformedMessageException e) {
        if (!e.canAnswer()) {
            ctx.close();
            return;
        }
        try {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(HandleMessageCodec.encodeWhole(e.toErrorResponse())))
                    .addListener(ChannelFutureListener.CLOSE);
        } catch (HandleException ex) {
            ctx.close();
        }
    }
}
