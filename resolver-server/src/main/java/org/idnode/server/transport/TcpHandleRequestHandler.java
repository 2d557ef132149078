package org.idnode.server.transport;

import java.net.InetSocketAddress;
import java.util.Arrays;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
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
import org.idnode.server.limits.ConnectionPacing;
import org.idnode.server.metrics.Protocol;

/**
 * Answers Handle requests on one TCP connection: the channel reads on once an answer is written, and the
 * {@link org.idnode.server.limits.InFlightLimiter} before this handler bounds how many requests are answered at
 * once (answers to pipelined requests may then leave out of order; each carries its request's id). A client
 * over its TCP rate is answered {@code SERVER_TOO_BUSY} (counted by the {@link RequestTracker}, not admitted), and its
 * connection is not read from for one to two seconds ({@link ClientLimits#pauseNanos}); from then on the client is
 * paced ({@link ClientLimits#admitPaced}): a request is held until its token is due. The connection stays open for
 * further requests (CNRI's client sends one and closes); it is closed after a malformed message or
 * when idle. A plain resolution whose answer is cached is answered from pre-encoded bytes
 * ({@link CachedResolution}), anything else through CNRI's message objects. Each request is admitted by the
 * {@link RequestTracker} and its answer reported to it; while the node stops, a request is answered
 * {@code RC_SERVER_TOO_BUSY} ({@link Refusals}) and the connection closed.
 *
 * <p>One instance per connection, called on its event loop (answers from store threads excepted).
 */
final class TcpHandleRequestHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private final HandleRequestProcessor processor;
    private final ClientLimits limits;
    private final RequestTracker tracker;
    private ChannelHandlerContext ctx;
    private final InetSocketAddress client;
    private final ChannelFutureListener readOn = f -> {
        if (f.isSuccess()) {
            ctx.read();
        } else {
            ctx.close();
        }
    };

    /** @param client the connection's client address */
    TcpHandleRequestHandler(HandleRequestProcessor processor, ClientLimits limits, RequestTracker tracker, InetSocketAddress client) {
        this.processor = processor;
        this.limits = limits;
        this.tracker = tracker;
        this.client = client;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read();
        super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        long verdict = limits.admitPaced(ClientLimits.Protocol.TCP, client.getAddress());
        if (verdict == 0) {
            serve(ctx, frame);
        } else if (verdict > 0) {
            ConnectionPacing.deliverWhenDue(ctx, frame.retain(), verdict, held -> {
                try {
                    serve(ctx, held);
                } finally {
                    held.release();
                }
            });
        } else {
            refuse(ctx, frame, -verdict);
        }
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf frame, long wait) {
        ByteBuf refusal = HandleRefusal.answer(processor, ctx.alloc(), frame, AbstractMessage.RC_SERVER_TOO_BUSY,
                "too many requests from this address; retry later", false);
        if (refusal == null) {
            ctx.close();
            return;
        }
        tracker.handleRateLimited(Protocol.TCP, HandleMessageCodec.opCode(frame));
        // The connection is not read from for a while: a flooding connection costs at most one refusal a second.
        ConnectionPacing.refuseAndPause(ctx, refusal, wait, true);
    }

    private void serve(ChannelHandlerContext ctx, ByteBuf frame) {
        long start = System.nanoTime();
        boolean admitted = tracker.admit();
        if (admitted) {
            ByteBuf cached = CachedResolution.answer(processor, ctx.alloc(), frame, false, 0, null, tracker, client, start);
            if (cached != null) {
                ctx.writeAndFlush(cached).addListener(readOn);
                return;
            }
        }
        byte[] bytes = ByteBufUtil.getBytes(frame);
        AbstractRequest request;
        try {
            MessageEnvelope envelope = HandleMessageCodec.decodeEnvelope(Arrays.copyOf(bytes, HandleMessageCodec.ENVELOPE_SIZE));
            request = processor.decode(envelope, Arrays.copyOfRange(bytes, HandleMessageCodec.ENVELOPE_SIZE, bytes.length));
        } catch (MalformedMessageException e) {
            HandleTcpFrameDecoder.rejectAndClose(ctx, e);
            if (e.canAnswer()) {
                tracker.handleAnswered(Protocol.TCP, start, client, null, e.toErrorResponse());
            } else {
                tracker.abandoned();
            }
            return;
        }
        if (!admitted) {
            write(request, Refusals.stopping(request), start, ChannelFutureListener.CLOSE);
            return;
        }
        processor.process(request, response -> write(request, response, start, readOn));
    }

    private void write(AbstractRequest request, AbstractResponse response, long start, ChannelFutureListener then) {
        byte[] bytes;
        try {
            SessionManager.WireMessage sealed = processor.seal(response);
            bytes = HandleMessageCodec.encodeWhole(response, sealed.message(), sealed.encrypted());
        } catch (HandleException e) {
            ctx.close();
            tracker.abandoned();
            return;
        }
        ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener(tracker.draining() ? ChannelFutureListener.CLOSE : then);
        tracker.handleAnswered(Protocol.TCP, start, client, request, response);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
