package org.idnode.server.limits;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.ServerChannel;

/**
 * Caps the connections open on one listener: at most {@code max} in all and {@code maxPerAddress} from one client
 * address (allow-listed addresses are held only to the total). A connection over a cap is closed as soon as it is
 * accepted, before anything is read from it. The per-address counts exist only for addresses with open
 * connections, so their memory is bounded by the total cap.
 *
 * <p>Our own listeners call {@link #admit} as they initialise each connection; a server whose connections we do not
 * initialise (grpc-java's) is given listening channels that apply the cap as they accept ({@link #serverChannels}).
 *
 * <p>Thread-safe; {@link #admit} is called from the event loops as connections are accepted.
 */
public final class ConnectionCap {
    private final int max;
    private final int maxPerAddress;
    private final Predicate<InetAddress> exempt;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();

    ConnectionCap(int max, int maxPerAddress, Predicate<InetAddress> exempt) {
        this.max = max;
        this.maxPerAddress = maxPerAddress;
        this.exempt = exempt;
    }

    /**
     * Counts a newly accepted connection, or closes it when a cap is reached; the count is given back when the
     * connection closes.
     *
     * @return false when the connection was refused (and is being closed)
     */
    public boolean admit(Channel channel) {
        return admit(channel, channel.remoteAddress() instanceof InetSocketAddress remote ? remote : null);
    }

    /**
     * {@link #admit(Channel)} for a connection whose client address the caller has looked up already.
     *
     * @param remote the connection's remote address; null when it has none (the connection is already gone)
     */
    public boolean admit(Channel channel, InetSocketAddress remote) {
        if (remote == null) {
            return refuse(channel);
        }
        InetAddress client = remote.getAddress();
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            return refuse(channel);
        }
        boolean[] over = new boolean[1];
        boolean capped = !exempt.test(client);
        perAddress.compute(client, (a, n) -> {
            int next = n == null ? 1 : n + 1;
            if (capped && next > maxPerAddress) {
                over[0] = true;
                return n;
            }
            return next;
        });
        if (over[0]) {
            open.decrementAndGet();
            return refuse(channel);
        }
        channel.closeFuture().addListener(f -> {
            open.decrementAndGet();
            perAddress.computeIfPresent(client, (a, n) -> n == 1 ? null : n - 1);
        });
        return true;
    }

    private boolean refuse(Channel channel) {
        refused.increment();
        if (channel.isRegistered()) {
            channel.close();
        } else {
            // Just accepted, not yet on an event loop (see serverChannels): close its socket directly.
            channel.unsafe().closeForcibly();
        }
        return false;
    }

    /**
     * Listening channels of {@code type} that apply this cap to every connection they accept, before the server's
     * bootstrap registers it and sets up its pipeline: a refused connection is closed before anything is read from
     * it or written to it. This is how the gRPC listener, whose bootstrap and connection pipelines belong to
     * grpc-java, is capped: {@code NettyServerBuilder.channelFactory(cap.serverChannels(type))}. Uses only Netty's
     * public API (a handler in the listening channel's pipeline, which sees each accepted connection before the
     * bootstrap's acceptor).
     */
    public ChannelFactory<ServerChannel> serverChannels(Class<? extends ServerChannel> type) {
        ChannelFactory<? extends ServerChannel> plain = new ReflectiveChannelFactory<>(type);
        ChannelHandler acceptor = new Acceptor();
        return () -> {
            ServerChannel listener = plain.newChannel();
            listener.pipeline().addLast(acceptor);
            return listener;
        };
    }

    /** In a listening channel's pipeline: lets on the accepted connections the cap admits. */
    @ChannelHandler.Sharable
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Channel accepted) || admit(accepted)) {
                ctx.fireChannelRead(msg);
            }
        }
    }

    int open() {
        return open.get();
    }

    long refused() {
        return refused.sum();
    }
}
