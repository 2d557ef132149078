package org.idnode.server.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.HandleException;
import org.idnode.server.auth.SessionManager;
import org.idnode.server.codec.HandleFrame;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.codec.MalformedMessageException;
import org.idnode.server.handler.HandleRequestProcessor;

/**
 * Answers Handle requests on one TCP connection, one at a time and in order: the channel stops reading
 * while a request is in flight and reads on once its answer is written. The connection stays open for
 * further requests (CNRI's client sends one and closes); it is closed after a malformed message or
 * when idle.
 */
final class TcpHandleRequestHandler extends SimpleChannelInboundHandler<HandleFrame> {
    private final HandleRequestProcessor processor;

    TcpHandleRequestHandler(HandleRequestProcessor processor) {
        this.processor = processor;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read();
        super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HandleFrame frame) {
        AbstractRequest request;
        try {
            request = processor.decode(frame.envelope(), frame.message());
        } catch (MalformedMessageException e) {
            HandleTcpFrameDecoder.rejectAndClose(ctx, e);
            return;
        }
        processor.process(request, response -> write(ctx, response));
    }

    private void write(ChannelHandlerContext ctx, AbstractResponse response) {
        byte[] bytes;
        try {
            SessionManager.WireMessage sealed = processor.seal(response);
            bytes = HandleMessageCodec.encodeWhole(response, sealed.message(), sealed.encrypted());
        } catch (HandleException e) {
            ctx.close();
            return;
        }
        ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                ctx.read();
            } else {
                ctx.close();
            }
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
