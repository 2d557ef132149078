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
import org.idnode.server.limits.ClientLimits;
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
 * <p>Limits ({@link ClientLimits}) come first: a client over its UDP rate is answered {@code SERVER_TOO_BUSY}, at most
 * at its own rate (further refusals are dropped unanswered, and counted as such by the limits); a refusal answered is
 * counted by the {@link RequestTracker} under the op code read from its header, without decoding the request, and
 * not admitted. The flow of a client that floods is moved to a socket of its own ({@link IsolatedUdpFlows}), served
 * by this handler too. Every other request is admitted by the tracker and its answer reported to it: a datagram
 * over {@code limits.message-bytes.udp} is answered {@code RC_PROTOCOL_ERROR}; while the node stops, requests are
 * answered {@code RC_SERVER_TOO_BUSY} ({@link Refusals}). No answer is larger than
 * {@code limits.udp-amplification-factor} times its request: a longer one is replaced by {@code RC_ERROR}
 * ("ask over TCP"), on which CNRI's resolver tries the server's TCP interface. Error answers that would
 * be over that budget are not sent.
 *
 * <p>Shared by the node's UDP channels, isolated flows' included; stateless.
 */
@ChannelHandler.Sharable
final class UdpHandleRequestHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final String TOO_BUSY = "too many requests from this address; retry later";
    private final HandleRequestProcessor processor;
    private final ClientLimits limits;
    private final int maxRequestBytes;
    private final RequestTracker tracker;
    private final IsolatedUdpFlows isolatedFlows;

    /** @param isolatedFlows where flooding flows are moved; null: they stay (and are dropped) here */
    UdpHandleRequestHandler(HandleRequestProcessor processor, ClientLimits limits, RequestTracker tracker, IsolatedUdpFlows isolatedFlows) {
        this.processor = processor;
        this.limits = limits;
        this.maxRequestBytes = limits.settings().maxUdpRequestBytes();
        this.tracker = tracker;
        this.isolatedFlows = isolatedFlows;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        InetSocketAddress sender = packet.sender();
        ByteBuf content = packet.content();
        ClientLimits.DatagramVerdict verdict = limits.admitDatagram(sender.getAddress());
        if (verdict != ClientLimits.DatagramVerdict.ADMIT) {
            if (verdict == ClientLimits.DatagramVerdict.REFUSE && refuse(ctx, sender, content, AbstractMessage.RC_SERVER_TOO_BUSY, TOO_BUSY)) {
                tracker.handleRateLimited(Protocol.UDP, HandleMessageCodec.opCode(content));
            } else {
                limits.udpRefusalDropped();
                if (verdict == ClientLimits.DatagramVerdict.ISOLATE && isolatedFlows != null) {
                    isolatedFlows.isolate(ctx, sender);
                }
            }
            return;
        }
        long start = System.nanoTime();
        int size = content.readableBytes();
        boolean admitted = tracker.admit();
        // A datagram longer than the receive buffer arrives cut short; its envelope still says how long it was.
        int announced = size >= HandleMessageCodec.ENVELOPE_SIZE ? HandleMessageCodec.ENVELOPE_SIZE + content.getInt(content.readerIndex() + 16) : size;
        if (size > maxRequestBytes || announced > maxRequestBytes || announced < 0) {
            if (refuse(ctx, sender, content, AbstractMessage.RC_PROTOCOL_ERROR, "UDP request of " + Math.max(size, announced)
                    + " bytes exceeds the limit of " + maxRequestBytes + " bytes; send it over TCP")) {
                reportRefusal(start, sender, content, AbstractMessage.RC_PROTOCOL_ERROR);
            } else {
                tracker.abandoned();
            }
            return;
        }
        int budget = limits.udpAnswerBudget(size);
        if (admitted) {
            ByteBuf cached = CachedResolution.answer(processor, ctx.alloc(), content, true, budget, limits::udpAnswerTooLarge, tracker,
                    sender, start);
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
                sendUnsealed(ctx, sender, error, budget);
                tracker.handleAnswered(Protocol.UDP, start, sender, null, error);
            } else {
                tracker.abandoned();
            }
            return;
        }
        if (!admitted) {
            answer(ctx, sender, start, request, Refusals.stopping(request), budget);
            return;
        }
        processor.process(request, response -> answer(ctx, sender, start, request, response, budget));
    }

    private void answer(ChannelHandlerContext ctx, InetSocketAddress to, long start, AbstractRequest request, AbstractResponse response,
                        int budget) {
        if (send(ctx, to, request, response, budget)) {
            tracker.handleAnswered(Protocol.UDP, start, to, request, response);
        } else {
            tracker.handleAnswered(Protocol.UDP, start, to, request.majorProtocolVersion, request.minorProtocolVersion, request.opCode,
                    AbstractMessage.RC_ERROR, request.handle);
        }
    }

    /**
     * Answers with an error instead of processing the request; the answer is never larger than the request's budget.
     *
     * @return whether an answer was sent
     */
    private boolean refuse(ChannelHandlerContext ctx, InetSocketAddress to, ByteBuf request, int responseCode, String message) {
        ByteBuf answer = HandleRefusal.answer(processor, ctx.alloc(), request, responseCode, message, true);
        if (answer == null) {
            return false;
        }
        if (answer.readableBytes() > limits.udpAnswerBudget(request.readableBytes())) {
            answer.release();
            return false;
        }
        ctx.write(new DatagramPacket(answer, to), ctx.voidPromise());
        return true;
    }

    /** Reports a refusal sent by {@link #refuse} to the tracker, described by the request's envelope and header. */
    private void reportRefusal(long start, InetSocketAddress client, ByteBuf request, int responseCode) {
        int at = request.readerIndex();
        tracker.handleAnswered(Protocol.UDP, start, client, request.getByte(at), request.getByte(at + 1), HandleMessageCodec.opCode(request),
                responseCode, null);
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

    /**
     * Sends an answer of the general path; one over the request's size budget is replaced by {@code RC_ERROR},
     * which sends CNRI's resolver to the server's TCP interface.
     *
     * @return false when {@code response} was replaced
     */
    private boolean send(ChannelHandlerContext ctx, InetSocketAddress to, AbstractRequest request, AbstractResponse response, int budget) {
        List<byte[]> packets;
        try {
            SessionManager.WireMessage sealed = processor.seal(response);
            packets = HandleMessageCodec.encodeUdpPackets(response, sealed.message(), sealed.encrypted());
        } catch (HandleException e) {
            return true;
        }
        int bytes = 0;
        for (byte[] p : packets) {
            bytes += p.length;
        }
        if (bytes <= budget) {
            write(ctx, to, packets);
            return true;
        }
        limits.udpAnswerTooLarge();
        ByteBuf replacement = HandleRefusal.answer(request, AbstractMessage.RC_ERROR, CachedResolution.TOO_LARGE_FOR_UDP, true);
        if (replacement == null || replacement.readableBytes() > budget) {
            if (replacement != null) {
                replacement.release();
            }
            return false;
        }
        ctx.write(new DatagramPacket(replacement, to), ctx.voidPromise());
        if (!ctx.executor().inEventLoop()) {
            ctx.flush();
        }
        return false;
    }

    /** Sends an error answer unless it is over {@code budget} bytes (then the client times out, as for one that cannot be encoded). */
    private static void sendUnsealed(ChannelHandlerContext ctx, InetSocketAddress to, AbstractResponse response, int budget) {
        try {
            List<byte[]> packets = HandleMessageCodec.encodeUdpPackets(response);
            if (packets.size() == 1 && packets.get(0).length <= budget) {
                write(ctx, to, packets);
            }
        } catch (HandleException e) {
            // Dropped; the client times out.
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
