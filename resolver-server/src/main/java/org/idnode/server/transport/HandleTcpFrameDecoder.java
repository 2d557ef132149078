package org.idnode.server.transport;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.MessageEnvelope;
import org.idnode.server.codec.HandleFrame;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.codec.MalformedMessageException;

/**
 * Splits a TCP byte stream into Handle messages: a 20-byte envelope, then {@code messageLength} bytes.
 * An envelope announcing more than {@link HandleMessageCodec#MAX_MESSAGE_LENGTH} bytes, or otherwise
 * unreadable, is answered with {@code RC_PROTOCOL_ERROR} when it can be addressed, and the connection
 * is closed. A peer that stops sending in the middle of a message is closed by the read timeout, or
 * when it closes its side.
 */
final class HandleTcpFrameDecoder extends ByteToMessageDecoder {
    private MessageEnvelope pending;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (pending == null) {
            if (in.readableBytes() < HandleMessageCodec.ENVELOPE_SIZE) {
                return;
            }
            byte[] envelope = new byte[HandleMessageCodec.ENVELOPE_SIZE];
            in.readBytes(envelope);
            try {
                pending = HandleMessageCodec.decodeEnvelope(envelope);
            } catch (MalformedMessageException e) {
                in.skipBytes(in.readableBytes());
                rejectAndClose(ctx, e);
                return;
            }
        }
        if (in.readableBytes() < pending.messageLength) {
            return;
        }
        byte[] message = new byte[pending.messageLength];
        in.readBytes(message);
        out.add(new HandleFrame(pending, message));
        pending = null;
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
