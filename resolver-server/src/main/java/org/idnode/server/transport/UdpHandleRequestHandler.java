package org.idnode.server.transport;

import java.net.InetSocketAddress;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.MessageEnvelope;
import org.idnode.server.auth.SessionManager;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.codec.MalformedMessageException;
import org.idnode.server.handler.HandleRequestProcessor;

/**
 * Answers Handle requests arriving as single UDP datagrams; answers longer than one packet go out
 * in chunks. A datagram whose length disagrees with its envelope, or a multi-packet request (which
 * CNRI's client never sends for resolution), is answered {@code RC_PROTOCOL_ERROR}; a datagram too
 * short to hold an envelope is dropped. Shared by the one UDP channel; stateless.
 */
@ChannelHandler.Sharable
final class UdpHandleRequestHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final HandleRequestProcessor processor;

    UdpHandleRequestHandler(HandleRequestProcessor processor) {
        this.processor = processor;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        InetSocketAddress sender = packet.sender();
        ByteBuf content = packet.content();
        byte[] bytes = new byte[content.readableBytes()];
        content.readBytes(bytes);
        AbstractRequest request;
        try {
            request = decode(processor, bytes);
        } catch (MalformedMessageException e) {
            if (e.canAnswer()) {
                sendUnsealed(ctx, sender, e.toErrorResponse());
            }
            return;
        }
        processor.process(request, response -> send(ctx, sender, response));
    }

    private static AbstractRequest decode(HandleRequestProcessor processor, byte[] datagram) throws MalformedMessageException {
        MessageEnvelope env = HandleMessageCodec.decodeEnvelope(datagram);
        int length = datagram.length - HandleMessageCodec.ENVELOPE_SIZE;
        if (env.truncated || env.messageLength != length) {
            throw MalformedMessageException.forEnvelope(env, AbstractMessage.RC_PROTOCOL_ERROR,
                    "UDP request must be one datagram whose envelope length (" + env.messageLength
                            + ") matches the bytes that follow (" + length + ")");
        }
        byte[] message = new byte[length];
        System.arraycopy(datagram, HandleMessageCodec.ENVELOPE_SIZE, message, 0, length);
        return processor.decode(env, message);
    }

    private void send(ChannelHandlerContext ctx, InetSocketAddress to, AbstractResponse response) {
        List<byte[]> packets;
        try {
            SessionManager.WireMessage sealed = processor.seal(response);
            packets = HandleMessageCodec.encodeUdpPackets(response, sealed.message(), sealed.encrypted());
        } catch (HandleException e) {
            return;
        }
        for (byte[] p : packets) {
            ctx.write(new DatagramPacket(Unpooled.wrappedBuffer(p), to));
        }
        ctx.flush();
    }

    private static void sendUnsealed(ChannelHandlerContext ctx, InetSocketAddress to, AbstractResponse response) {
        try {
            for (byte[] p : HandleMessageCodec.encodeUdpPackets(response)) {
                ctx.write(new DatagramPacket(Unpooled.wrappedBuffer(p), to));
            }
            ctx.flush();
        } catch (HandleException e) {
            // An error answer that cannot be encoded is dropped; the client times out.
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A UDP socket error concerns one datagram; the channel stays open for the others.
    }
}
