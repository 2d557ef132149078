package org.idnode.server.transport;

import java.net.InetSocketAddress;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
import org.idnode.server.lifecycle.RequestTracker;
import org.idnode.server.metrics.Protocol;

/**
 * Answers Handle requests arriving as single UDP datagrams; answers longer than one packet go out
 * in chunks. A datagram whose length disagrees with its envelope, or a multi-packet request (which
 * CNRI's client never sends for resolution), is answered {@code RC_PROTOCOL_ERROR}; a datagram too
 * short to hold an envelope is dropped.
 *
 * <p>A plain resolution whose answer is in the record cache is answered from pre-encoded bytes
 * ({@link CachedResolution}) straight into a pooled buffer; every other request is decoded into CNRI's message objects and answered by {@link HandleRequestProcessor#process}.
 * Answers given on the event loop are written without a flush and flushed once per read batch
 * ({@link #channelReadComplete}), so that a batch leaves in one {@code sendmmsg}; answers that come
 * from a store thread are flushed at once.
 *
 * <p>Every request is admitted by the {@link RequestTracker} and its answer reported to it; while the node stops,
 * requests are answered {@code RC_SERVER_TOO_BUSY} ({@link Refusals}).
 *
 * <p>Shared by the node's UDP channels; stateless.
 */
@ChannelHandler.Sharable
final class UdpHandleRequestHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final HandleRequestProcessor processor;
    private final RequestTracker tracker;

    UdpHandleRequestHandler(HandleRequestProcessor processor, RequestTracker tracker) {
        this.processor = processor;
        this.tracker = tracker;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        long start = System.nanoTime();
        InetSocketAddress sender = packet.sender();
        ByteBuf content = packet.content();
        boolean admitted = tracker.admit();
        if (admitted) {
            ByteBuf cached = CachedResolution.answer(processor, ctx.alloc(), content, true, tracker, sender, start);
            if (cached != null) {
                writePackets(ctx, sender, cached);
                return;
            }
        }
        AbstractRequest request;
        try {
            request = decode(processor, ByteBufUtil.getBytes(content));
        } catch (MalformedMessageException e) {
            if (e.canAnswer()) {
                AbstractResponse error = e.toErrorResponse();
                sendUnsealed(ctx, sender, error);
                tracker.handleAnswered(Protocol.UDP, start, sender, null, error);
            } else {
                tracker.abandoned();
            }
            return;
        }
        if (!admitted) {
            answer(ctx, sender, start, request, Refusals.stopping(request));
            return;
        }
        processor.process(request, response -> answer(ctx, sender, start, request, response));
    }

    private void answer(ChannelHandlerContext ctx, InetSocketAddress to, long start, AbstractRequest request, AbstractResponse response) {
        send(ctx, to, response);
        tracker.handleAnswered(Protocol.UDP, start, to, request, response);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    /** Writes the packets of a buffer laid out by {@link HandleMessageCodec#writeResolutionAnswerPackets}; releases it. */
    private static void writePackets(ChannelHandlerContext ctx, InetSocketAddress to, ByteBuf packets) {
        int count = HandleMessageCodec.udpPacketCount(packets);
        if (count == 1) {
            ctx.write(new DatagramPacket(packets, to), ctx.voidPromise());
            return;
        }
        try {
            for (int i = 0; i < count; i++) {
                ctx.write(new DatagramPacket(HandleMessageCodec.udpPacket(packets, i), to), ctx.voidPromise());
            }
        } finally {
            packets.release();
        }
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
        write(ctx, to, packets);
    }

    private static void sendUnsealed(ChannelHandlerContext ctx, InetSocketAddress to, AbstractResponse response) {
        try {
            write(ctx, to, HandleMessageCodec.encodeUdpPackets(response));
        } catch (HandleException e) {
            // An error answer that cannot be encoded is dropped; the client times out.
        }
    }

    /**
     * Writes packets; on the event loop (an answer given while reading) {@link #channelReadComplete}
     * flushes them with the rest of the batch, from any other thread they are flushed now.
     */
    private static void write(ChannelHandlerContext ctx, InetSocketAddress to, List<byte[]> packets) {
        for (byte[] p : packets) {
            ctx.write(new DatagramPacket(Unpooled.wrappedBuffer(p), to), ctx.voidPromise());
        }
        if (!ctx.executor().inEventLoop()) {
            ctx.flush();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A UDP socket error concerns one datagram; the channel stays open for the others.
    }
}
