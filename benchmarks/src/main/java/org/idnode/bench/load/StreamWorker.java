package org.idnode.bench.load;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/**
 * A worker whose lanes are keep-alive connections with one request in flight each (Handle TCP, HTTP).
 * Connects every lane before the run starts; when a connection drops (or a request times out, which
 * closes it, since answers on a connection come in order) the lane reconnects, up to a few attempts,
 * and is then offered again. The lane of a channel is in the channel's {@link #LANE} attribute.
 */
abstract class StreamWorker extends Worker {
    static final AttributeKey<Lane> LANE = AttributeKey.valueOf("idbench.lane");
    private static final int RECONNECT_ATTEMPTS = 5;
    private static final long RECONNECT_DELAY_MS = 100;

    private final Bootstrap bootstrap;
    private boolean closing;

    StreamWorker(LoadSpec spec, RunControl run, EventLoop loop, KeySet keys, int laneCount, int workerIndex, int workerCount) {
        super(spec, run, loop, keys, laneCount, workerIndex, workerCount);
        bootstrap = new Bootstrap()
                .group(loop)
                .channel(spec.io().socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        initPipeline(ch);
                    }
                });
    }

    /** Adds the protocol's codec and inbound handler; the handler finds its lane in {@link #LANE}. */
    abstract void initPipeline(Channel ch);

    @Override
    Future<?> open() {
        Promise<Void> all = loop.newPromise();
        AtomicInteger pending = new AtomicInteger(lanes.length);
        for (Lane lane : lanes) {
            connect(lane).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    all.tryFailure(f.cause());
                } else if (pending.decrementAndGet() == 0) {
                    all.trySuccess(null);
                }
            });
        }
        return all;
    }

    private ChannelFuture connect(Lane lane) {
        ChannelFuture f = bootstrap.connect(spec.target(), spec.localAddress());
        Channel ch = f.channel();
        ch.attr(LANE).set(lane);
        f.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess()) {
                lane.channel = ch;
            }
        });
        return f;
    }

    @Override
    boolean usable(Lane lane) {
        return lane.channel != null && lane.channel.isActive();
    }

    /** The lane's connection went away (called by the inbound handler's {@code channelInactive}). */
    final void connectionLost(Lane lane, Channel ch) {
        if (lane.channel != ch) {
            return;
        }
        lane.channel = null;
        if (lane.busy) {
            failed(lane, "connection_closed");
        }
        reconnect(lane, 1);
    }

    @Override
    void abandon(Lane lane) {
        Channel ch = lane.channel;
        lane.channel = null;
        if (ch != null) {
            ch.close();
        }
        reconnect(lane, 1);
    }

    private void reconnect(Lane lane, int attempt) {
        if (closing || stopped()) {
            laneDead(lane);
            return;
        }
        connect(lane).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                laneAvailable(lane);
            } else if (attempt < RECONNECT_ATTEMPTS && !closing) {
                loop.schedule(() -> reconnect(lane, attempt + 1), RECONNECT_DELAY_MS, TimeUnit.MILLISECONDS);
            } else {
                laneDead(lane);
            }
        });
    }

    @Override
    void closeChannels() {
        closing = true;
        for (Lane lane : lanes) {
            Channel ch = lane.channel;
            lane.channel = null;
            if (ch != null) {
                ch.close();
            }
        }
    }
}
