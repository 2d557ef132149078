package org.idnode.server.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.LastHttpContent;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.handler.HandleRequestProcessor;
import org.idnode.server.http.HttpAccounting;
import org.idnode.server.limits.ClientLimits;
import org.idnode.server.limits.HttpAdmission;
import org.idnode.server.limits.HttpBodyLimit;
import org.idnode.server.limits.InFlightLimiter;
import org.idnode.server.limits.ReadDeadline;
import org.idnode.server.http.HttpApi;
import org.idnode.server.http.HttpRequestHandler;
import org.idnode.server.http.OperationsEndpoints;
import org.idnode.server.lifecycle.NodeHealth;
import org.idnode.server.lifecycle.RequestTracker;
import org.idnode.server.metrics.NodeMetrics;

/**
 * The node's Netty listeners: Handle TCP and UDP on one port, and HTTP. Uses epoll when available,
 * NIO otherwise. Channels read only when their handler asks (auto-read off). The {@link ClientLimits} are applied
 * here: connection caps as connections are accepted, then per connection the idle timeout, the read deadline,
 * the message size limits and the in-flight bound, and per request the rate limits (in the handlers).
 *
 * <p>Every request is accounted for by a {@link RequestTracker} (metrics, access log, draining), and the HTTP port
 * also serves {@code /metrics} and {@code /health/*} ({@link OperationsEndpoints}), optionally over TLS: see
 * {@link #instrument} and {@link #httpTls}, called before {@link #bind}.
 *
 * <p>{@link #instrument}, {@link #httpTls}, {@link #bind}, {@link #stopAccepting} and {@link #close} are called once
 * each at most, in that order, from one thread.
 */
public final class NettyTransport implements AutoCloseable {
    /** Longest HTTP request line accepted; a handle is at most 255 bytes, 765 when percent-encoded. */
    static final int MAX_HTTP_INITIAL_LINE = 8192;
    private static final int MAX_HTTP_HEADER_SIZE = 16384;
    private static final int BIND_ATTEMPTS = 10;
    /** Largest UDP request read whole (Netty's default receive buffer); CNRI's client sends at most 512 bytes. */
    static final int UDP_MAX_DATAGRAM = 2048;
    /** UDP datagrams read per system call with epoll. */
    private static final int UDP_READ_BATCH = 16;

    private final boolean epoll = Epoll.isAvailable();
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final List<Channel> channels = new ArrayList<>();
    private InetSocketAddress handleAddress;
    private InetSocketAddress httpAddress;
    private Channel httpServer;
    private Channel handleTcpServer;
    private RequestTracker tracker;
    private NodeHealth health;
    private NodeMetrics metrics;
    private SslContext httpTls;
    private IsolatedUdpFlows isolatedUdpFlows;

    private final int workerThreads;

    public NettyTransport(int workerThreads) {
        this.workerThreads = workerThreads;
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.boss = new MultiThreadIoEventLoopGroup(1, factory);
        this.workers = new MultiThreadIoEventLoopGroup(workerThreads, factory);
    }

    /** Where requests are accounted for and what {@code /metrics} and {@code /health/*} report; required before {@link #bind}. */
    public void instrument(RequestTracker tracker, NodeHealth health, NodeMetrics metrics) {
        this.tracker = tracker;
        this.health = health;
        this.metrics = metrics;
    }

    /** Serves HTTP over TLS with this context ({@code http.tls.*}); plaintext unless called before {@link #bind}. */
    public void httpTls(SslContext context) {
        this.httpTls = context;
    }

    /**
     * Binds the Handle port (TCP and UDP; port 0 picks a free port shared by both) and the HTTP port, with
     * {@code limits} applied to every connection and request ({@code limits.*}, see docs/limits.md).
     *
     * @throws java.io.UncheckedIOException naming the port when a bind fails
     */
    public void bind(InetAddress address, int handlePort, int httpPort, int idleTimeoutSeconds, HandleRequestProcessor processor, HttpApi httpApi,
                     ClientLimits limits) {
        if (tracker == null) {
            throw new IllegalStateException("instrument() must be called before bind()");
        }
        NodeConfig.Limits settings = limits.settings();
        isolatedUdpFlows = IsolatedUdpFlows.of(limits, epoll);
        UdpHandleRequestHandler udpHandler = new UdpHandleRequestHandler(processor, limits, tracker, isolatedUdpFlows);
        Consumer<FullHttpRequest> httpRefused = req -> tracker.restRateLimited(HttpAccounting.operation(req));
        ChannelInitializer<SocketChannel> handleInit = new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                // The client's address, looked up once for every handler of the connection.
                InetSocketAddress client = ch.remoteAddress();
                if (!limits.connections(ClientLimits.Protocol.TCP).admit(ch, client)) {
                    return;
                }
                ReadDeadline deadline = limits.readDeadline(ClientLimits.Protocol.TCP);
                ch.pipeline().addLast(
                        new ReadTimeoutHandler(idleTimeoutSeconds, TimeUnit.SECONDS),
                        deadline.firstByte(),
                        new HandleTcpFrameDecoder(settings.maxHandleMessageBytes()),
                        deadline.wholeMessage(),
                        new InFlightLimiter(settings.maxInFlightPerConnection(), ByteBuf.class::isInstance,
                                limits.inFlightCap(ClientLimits.Protocol.TCP, client.getAddress()), client.getAddress()),
                        new TcpHandleRequestHandler(processor, limits, tracker, client));
            }
        };
        ChannelInitializer<SocketChannel> httpInit = new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                InetSocketAddress client = ch.remoteAddress();
                if (!limits.connections(ClientLimits.Protocol.HTTP).admit(ch, client)) {
                    return;
                }
                ReadDeadline deadline = limits.readDeadline(ClientLimits.Protocol.HTTP);
                if (httpTls != null) {
                    ch.pipeline().addLast(httpTls.newHandler(ch.alloc()));
                }
                ch.pipeline().addLast(
                        new ReadTimeoutHandler(idleTimeoutSeconds, TimeUnit.SECONDS),
                        deadline.firstByte(),
                        new HttpServerCodec(MAX_HTTP_INITIAL_LINE, MAX_HTTP_HEADER_SIZE, 8192),
                        new HttpBodyLimit(settings.maxHttpBodyBytes()),
                        deadline.wholeMessage(),
                        // Pipelined requests are answered one at a time, in order.
                        new InFlightLimiter(1, LastHttpContent.class::isInstance,
                                limits.inFlightCap(ClientLimits.Protocol.HTTP, client.getAddress()), client.getAddress()),
                        // Rate limit first: a refused request (429) is only counted, not accounted below (nor logged).
                        new HttpAdmission(limits, httpRefused, client.getAddress()),
                        new HttpAccounting(tracker, client),
                        new OperationsEndpoints(health, metrics, httpApi.blockingWork()),
                        new HttpRequestHandler(httpApi));
            }
        };
        for (int attempt = 1; ; attempt++) {
            Channel tcp = bindTcp(new InetSocketAddress(address, handlePort), handleInit, "Handle TCP");
            int port = ((InetSocketAddress) tcp.localAddress()).getPort();
            List<Channel> udp = new ArrayList<>();
            try {
                // With epoll, one UDP socket per event loop on the same port (SO_REUSEPORT): the kernel spreads
                // datagrams over them, so every core answers UDP; NIO has one socket.
                for (int i = 0; i < (epoll ? workerThreads : 1); i++) {
                    udp.add(bindUdp(new InetSocketAddress(address, port), udpHandler));
                }
                channels.add(tcp);
                channels.addAll(udp);
                handleTcpServer = tcp;
                handleAddress = (InetSocketAddress) tcp.localAddress();
                break;
            } catch (Exception e) {
                udp.forEach(c -> c.close().syncUninterruptibly());
                tcp.close().syncUninterruptibly();
                if (handlePort != 0 || attempt == BIND_ATTEMPTS) {
                    throw new java.io.UncheckedIOException("cannot bind Handle UDP port " + address.getHostAddress() + ":" + port + ": " + e.getMessage(),
                            e instanceof java.io.IOException io ? io : new java.io.IOException(e));
                }
            }
        }
        Channel http = bindTcp(new InetSocketAddress(address, httpPort), httpInit, "HTTP");
        channels.add(http);
        httpServer = http;
        httpAddress = (InetSocketAddress) http.localAddress();
    }

    private Channel bindUdp(InetSocketAddress at, UdpHandleRequestHandler handler) {
        Bootstrap b = new Bootstrap().group(workers)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                .handler(handler);
        if (epoll) {
            // recvmmsg: up to UDP_READ_BATCH datagrams of at most UDP_MAX_DATAGRAM bytes per system call.
            b.option(EpollChannelOption.SO_REUSEPORT, true)
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, UDP_MAX_DATAGRAM)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(UDP_READ_BATCH * UDP_MAX_DATAGRAM));
        }
        return b.bind(at).syncUninterruptibly().channel();
    }

    private Channel bindTcp(InetSocketAddress at, ChannelInitializer<SocketChannel> init, String what) {
        try {
            return new ServerBootstrap().group(boss, workers)
                    .channel(serverChannelType())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(init)
                    .bind(at).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new java.io.UncheckedIOException("cannot bind " + what + " port " + at.getAddress().getHostAddress() + ":" + at.getPort() + ": " + e.getMessage(),
                    e instanceof java.io.IOException io ? io : new java.io.IOException(e));
        }
    }

    /** The bound Handle address (TCP and UDP). */
    public InetSocketAddress handleAddress() {
        return handleAddress;
    }

    /** The bound HTTP address. */
    public InetSocketAddress httpAddress() {
        return httpAddress;
    }

    /** The event loop group that accepts connections, for other servers sharing the node's event loops (gRPC). */
    public EventLoopGroup bossGroup() {
        return boss;
    }

    /** The event loop group that serves connections, for other servers sharing the node's event loops (gRPC). */
    public EventLoopGroup workerGroup() {
        return workers;
    }

    /** The server socket channel type that fits the event loops: epoll when available, NIO otherwise. */
    public Class<? extends ServerChannel> serverChannelType() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * Stops accepting TCP connections (Handle and HTTP); connections already open, and UDP, keep being served, so
     * that requests in flight are answered while the node drains.
     */
    public void stopAccepting() {
        for (Channel server : new Channel[] {handleTcpServer, httpServer}) {
            if (server != null) {
                server.close().syncUninterruptibly();
            }
        }
    }

    /**
     * Stops accepting, closes every channel and waits for the event loops to finish. Servers sharing the event
     * loops must be stopped first.
     */
    @Override
    public void close() {
        for (Channel c : channels) {
            c.close().syncUninterruptibly();
        }
        if (isolatedUdpFlows != null) {
            isolatedUdpFlows.close();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
