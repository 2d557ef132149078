package org.idnode.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * Handle resolution over keep-alive TCP connections, one request in flight per connection (the node
 * answers a connection's requests in order, one at a time). Frames are the 20-byte envelope followed
 * by {@code messageLength} bytes; the response code is read from the message header.
 */
final class TcpWorker extends StreamWorker {
    /** Largest frame: envelope + CNRI's {@code MAX_MESSAGE_LENGTH}. */
    static final int MAX_FRAME = ResolutionRequestEncoder.ENVELOPE_SIZE + 262_144;

    private final ResolutionRequestEncoder encoder = new ResolutionRequestEncoder();
    private final Inbound inbound = new Inbound(this);
    private int nextRequestId;

    TcpWorker(LoadSpec spec, RunControl run, EventLoop loop, KeySet keys, int laneCount, int workerIndex, int workerCount) {
        super(spec, run, loop, keys, laneCount, workerIndex, workerCount);
    }

    @Override
    void initPipeline(Channel ch) {
        ch.pipeline().addLast(frameDecoder(), inbound);
    }

    static LengthFieldBasedFrameDecoder frameDecoder() {
        return new LengthFieldBasedFrameDecoder(MAX_FRAME, 16, 4, 0, 0);
    }

    @Override
    void send(Lane lane) {
        lane.requestId = nextRequestId = (nextRequestId + 1) & Integer.MAX_VALUE;
        int len = keys.length(lane.key);
        ByteBuf buf = lane.channel.alloc().directBuffer(ResolutionRequestEncoder.size(len));
        encoder.write(buf, lane.requestId, keys.data(), keys.offset(lane.key), len);
        lane.channel.writeAndFlush(buf, lane.channel.voidPromise());
    }

    /**
     * The error code of one framed Handle answer for the lane's request, or null for success; decodes
     * and checks the answer when verifying.
     */
    static String evaluate(ByteBuf frame, Lane lane, KeySet keys, boolean verify) {
        int base = frame.readerIndex();
        int n = frame.readableBytes();
        if (n < ResolutionRequestEncoder.ENVELOPE_SIZE + 8) {
            return "malformed";
        }
        if (frame.getInt(base + 8) != lane.requestId) {
            return "mismatch";
        }
        if (verify) {
            byte[] envelope = ByteBufUtil.getBytes(frame, base, ResolutionRequestEncoder.ENVELOPE_SIZE);
            byte[] message = ByteBufUtil.getBytes(frame, base + ResolutionRequestEncoder.ENVELOPE_SIZE, n - ResolutionRequestEncoder.ENVELOPE_SIZE);
            return AnswerCheck.check(envelope, message, keys.handleBytes(lane.key));
        }
        int rc = frame.getInt(base + ResolutionRequestEncoder.ENVELOPE_SIZE + 4);
        return rc == 1 ? null : Recorder.handleCode(rc);
    }

    /** Shared by the worker's connections; finds the lane in the channel attribute. */
    @ChannelHandler.Sharable
    private static final class Inbound extends SimpleChannelInboundHandler<ByteBuf> {
        private final TcpWorker worker;

        Inbound(TcpWorker worker) {
            this.worker = worker;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            Lane lane = ctx.channel().attr(LANE).get();
            if (lane == null || !lane.busy || lane.channel != ctx.channel()) {
                return;
            }
            worker.answered(lane, evaluate(frame, lane, worker.keys, worker.spec.verify()));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            Lane lane = ctx.channel().attr(LANE).get();
            if (lane != null) {
                worker.connectionLost(lane, ctx.channel());
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
