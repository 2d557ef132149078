package org.idnode.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.Future;

/**
 * Handle resolution over TCP the way CNRI's client does it: a new connection for every request,
 * closed by the client once the answer is read. The latency includes the connection set-up. A
 * connection that cannot be made counts as {@code connect_failed}.
 */
final class TcpNewConnectionWorker extends Worker {
    private final ResolutionRequestEncoder encoder = new ResolutionRequestEncoder();
    private final Bootstrap bootstrap;
    private int nextRequestId;

    TcpNewConnectionWorker(LoadSpec spec, RunControl run, EventLoop loop, KeySet keys, int laneCount, int workerIndex, int workerCount) {
        super(spec, run, loop, keys, laneCount, workerIndex, workerCount);
        Inbound inbound = new Inbound(this);
        bootstrap = new Bootstrap()
                .group(loop)
                .channel(spec.io().socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, spec.timeout().toMillis()))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(TcpWorker.frameDecoder(), inbound);
                    }
                });
    }

    /** Checks once that the target accepts connections, so that a wrong port fails the run up front. */
    @Override
    Future<?> open() {
        ChannelFuture f = bootstrap.connect(spec.target(), spec.localAddress());
        f.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        f.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess()) {
                done.channel().close();
            }
        });
        return f;
    }

    @Override
    void send(Lane lane) {
        lane.requestId = nextRequestId = (nextRequestId + 1) & Integer.MAX_VALUE;
        ChannelFuture f = bootstrap.connect(spec.target(), spec.localAddress());
        Channel ch = f.channel();
        ch.attr(StreamWorker.LANE).set(lane);
        lane.channel = ch;
        int requestId = lane.requestId;
        f.addListener((ChannelFutureListener) done -> {
            if (lane.channel != ch || lane.requestId != requestId || !lane.busy) {
                ch.close();   // abandoned after a timeout
                return;
            }
            if (!done.isSuccess()) {
                lane.channel = null;
                failed(lane, "connect_failed");
                laneAvailable(lane);
                return;
            }
            int len = keys.length(lane.key);
            ByteBuf buf = ch.alloc().directBuffer(ResolutionRequestEncoder.size(len));
            encoder.write(buf, requestId, keys.data(), keys.offset(lane.key), len);
            ch.writeAndFlush(buf, ch.voidPromise());
        });
    }

    @Override
    void abandon(Lane lane) {
        Channel ch = lane.channel;
        lane.channel = null;
        if (ch != null) {
            ch.close();
        }
        laneAvailable(lane);
    }

    @Override
    void closeChannels() {
        for (Lane lane : lanes) {
            Channel ch = lane.channel;
            lane.channel = null;
            if (ch != null) {
                ch.close();
            }
        }
    }

    @ChannelHandler.Sharable
    private static final class Inbound extends SimpleChannelInboundHandler<ByteBuf> {
        private final TcpNewConnectionWorker worker;

        Inbound(TcpNewConnectionWorker worker) {
            this.worker = worker;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            Lane lane = ctx.channel().attr(StreamWorker.LANE).get();
            if (lane == null || !lane.busy || lane.channel != ctx.channel()) {
                return;
            }
            String code = TcpWorker.evaluate(frame, lane, worker.keys, worker.spec.verify());
            lane.channel = null;
            ctx.close();
            worker.answered(lane, code);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            Lane lane = ctx.channel().attr(StreamWorker.LANE).get();
            if (lane != null && lane.channel == ctx.channel()) {
                lane.channel = null;
                if (lane.busy) {
                    worker.failed(lane, "connection_closed");
                    worker.laneAvailable(lane);
                }
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
