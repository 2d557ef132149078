package org.idnode.server.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledFuture;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import org.idnode.server.limits.ClientLimits;

/**
 * Sockets of their own for flooding UDP flows. A flow (source address and port) whose sender floods
 * ({@link ClientLimits.DatagramVerdict#ISOLATE}) is moved out of the node's shared UDP sockets: a new socket is bound
 * to the node's UDP address and port too ({@code SO_REUSEPORT}) and connected to the flow, and from then on the
 * kernel gives that socket every datagram of the flow and no other (Linux 5.4 and later: a connected socket of a
 * reuseport group takes its 4-tuple's traffic, the group's unconnected sockets the rest). The socket has a small
 * receive buffer and is read only at the client's own rate (every {@value #READ_PERIOD_MILLIS} ms, as many datagrams
 * as the client has tokens left), through the same handler and rate limit as every datagram, so the client still
 * gets the answers its rate allows; the rest of the flood overflows the buffer and is dropped by the kernel. Those
 * datagrams cost the node's event loops nothing (no wake-up, no {@code recvmmsg}, no Java), and other clients'
 * datagrams no longer queue behind them in the shared sockets. A socket that has had nothing to read for a second is
 * closed, which returns the flow to the shared sockets.
 *
 * <p>At most {@code limits.udp-isolated-flows} flows are isolated at once; beyond that a flood is dropped in the
 * shared sockets as before. A flooder that changes its source port with every datagram is not isolated usefully
 * (each isolated flow goes idle at once), and spoofed sources are each a new client with a full bucket.
 *
 * <p>Thread-safe: {@link #isolate} is called from any event loop; an isolated socket lives on the event loop of the
 * shared socket that saw its flow flood.
 */
final class IsolatedUdpFlows {
    static final int READ_PERIOD_MILLIS = 10;
    /** Read periods without a datagram after which an isolated flow is released. */
    private static final int IDLE_PERIODS = 1000 / READ_PERIOD_MILLIS;
    /** Most datagrams read by one {@code recvmmsg}. */
    private static final int MAX_READ_BATCH = 64;

    private final ClientLimits limits;
    private final int max;
    private final int perPeriod;
    private final int readBatch;
    private final int receiveBufferBytes;
    private final ConcurrentHashMap<InetSocketAddress, Channel> flows = new ConcurrentHashMap<>();

    private IsolatedUdpFlows(ClientLimits limits) {
        this.limits = limits;
        this.max = limits.settings().udpIsolatedFlows();
        this.perPeriod = Math.max(1, limits.settings().udpRate().perSecond() / (1000 / READ_PERIOD_MILLIS));
        // A fifth of a period's datagrams per recvmmsg: a read overshoots the client's tokens by less than that.
        this.readBatch = Math.max(1, Math.min(MAX_READ_BATCH, perPeriod / 5));
        // Room for about one period's datagrams (the kernel doubles this and counts some 1 KB per small datagram).
        this.receiveBufferBytes = Math.max(4096, Math.min(4 << 20, perPeriod * 1024));
    }

    /**
     * The isolation of flooding flows {@code limits} asks for, or null when there is none: {@code limits.udp-isolated-flows}
     * 0, no UDP rate limit, or not Linux 5.4+ with epoll ({@code epoll}).
     */
    static IsolatedUdpFlows of(ClientLimits limits, boolean epoll) {
        boolean wanted = limits.settings().udpIsolatedFlows() > 0 && !limits.settings().udpRate().unlimited();
        return wanted && epoll && kernelSteersConnectedFlows(System.getProperty("os.version", "")) ? new IsolatedUdpFlows(limits) : null;
    }

    /** True for a Linux release ({@code 6.1.0-28-amd64}) from 5.4 on, whose reuseport groups give a connected socket its flow only. */
    static boolean kernelSteersConnectedFlows(String release) {
        String[] parts = release.split("[.-]", 3);
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > 5 || (major == 5 && minor >= 4);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Moves {@code flow}, which floods the node through the shared socket of {@code ctx}, to a socket of its own
     * served by the same handler; nothing when it has one already or {@code limits.udp-isolated-flows} are isolated.
     */
    void isolate(ChannelHandlerContext ctx, InetSocketAddress flow) {
        if (flows.size() >= max || flows.containsKey(flow)) {
            return;
        }
        Channel shared = ctx.channel();
        ChannelHandler handler = ctx.handler();
        ChannelFuture connecting = new Bootstrap().group(shared.eventLoop())
                .channel(EpollDatagramChannel.class)
                .option(EpollChannelOption.SO_REUSEPORT, true)
                .option(ChannelOption.SO_RCVBUF, receiveBufferBytes)
                .option(ChannelOption.AUTO_READ, false)
                .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, NettyTransport.UDP_MAX_DATAGRAM)
                .option(ChannelOption.RECVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(readBatch * NettyTransport.UDP_MAX_DATAGRAM))
                .handler(new ChannelInitializer<EpollDatagramChannel>() {
                    @Override
                    protected void initChannel(EpollDatagramChannel ch) {
                        ch.pipeline().addLast(new PacedReads(perPeriod, limits, flow.getAddress()), handler);
                    }
                })
                .connect(flow, shared.localAddress());
        Channel isolated = connecting.channel();
        if (flows.putIfAbsent(flow, isolated) != null) {
            isolated.close();
            return;
        }
        isolated.closeFuture().addListener(f -> flows.remove(flow, isolated));
        connecting.addListener(f -> {
            if (f.isSuccess()) {
                limits.udpFlowIsolated();
                isolated.closeFuture().addListener(c -> limits.udpFlowReleased());
            } else {
                isolated.close();
            }
        });
    }

    /** Closes every isolated flow's socket. */
    void close() {
        for (Channel c : flows.values()) {
            c.close().syncUninterruptibly();
        }
    }

    /**
     * Reads an isolated flow's socket: every {@value #READ_PERIOD_MILLIS} ms as many datagrams as the client has tokens
     * left, at most {@code perPeriod} and at least one (so that a client whose tokens go to its other flows is still
     * seen to stop), which leaves the handler little to refuse however many flows of the client are isolated; closes
     * the socket after {@value #IDLE_PERIODS} periods without a datagram. One per isolated socket, on its event loop.
     */
    private static final class PacedReads extends ChannelInboundHandlerAdapter {
        private final int perPeriod;
        private final ClientLimits limits;
        private final InetAddress client;
        private ScheduledFuture<?> ticks;
        private int budget;
        private int readSinceComplete;
        private boolean readThisPeriod;
        private int idlePeriods;

        PacedReads(int perPeriod, ClientLimits limits, InetAddress client) {
            this.perPeriod = perPeriod;
            this.limits = limits;
            this.client = client;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ticks = ctx.executor().scheduleAtFixedRate(() -> tick(ctx), 0, READ_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        private void tick(ChannelHandlerContext ctx) {
            idlePeriods = readThisPeriod ? 0 : idlePeriods + 1;
            if (idlePeriods >= IDLE_PERIODS) {
                ctx.close();
                return;
            }
            readThisPeriod = false;
            budget = (int) Math.max(1, Math.min(perPeriod, limits.udpTokens(client)));
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            budget--;
            readSinceComplete++;
            readThisPeriod = true;
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // One recvmmsg per read: read on while this period's budget lasts and the socket had something.
            boolean more = readSinceComplete > 0 && budget > 0;
            readSinceComplete = 0;
            ctx.fireChannelReadComplete();
            if (more) {
                ctx.read();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ticks != null) {
                ticks.cancel(false);
            }
            ctx.fireChannelInactive();
        }
    }
}
