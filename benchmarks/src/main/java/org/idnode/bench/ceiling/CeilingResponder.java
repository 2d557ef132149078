package org.idnode.bench.ceiling;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.ByteProcessor;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.idnode.bench.load.IoMode;
import org.idnode.bench.load.Protocol;

/**
 * A trivial server that answers every request with the same pre-encoded successful answer (a 378-byte
 * Handle resolution response with six values, or its REST JSON), patching in only the requestId. It
 * does no decoding beyond framing, so the load generator's figures against it are the harness's own
 * ceiling on the machine: what the generator and the kernel can push when the server costs nothing.
 *
 * <ul>
 *   <li>UDP: one datagram in, one 378-byte datagram out to the sender. With epoll and more than one
 *       thread, one socket per thread shares the port ({@code SO_REUSEPORT}).</li>
 *   <li>TCP: envelope + message frames in, answers in order on the same connection, which stays open.</li>
 *   <li>gRPC: {@code IdentifierService/Resolve} answered with the same record as a canned
 *       {@code ResolveResponse}, on the responder's event loops with a direct executor.</li>
 *   <li>HTTP: every request head (up to the blank line; request bodies are not supported) gets the
 *       canned {@code 200} JSON answer on a keep-alive connection.</li>
 * </ul>
 *
 * <p>Threading: {@link #start} binds and returns; the responder runs on its own event loops until
 * {@link #close}, which may be called from any thread.
 */
public final class CeilingResponder implements AutoCloseable {
    private final EventLoopGroup group;
    private final List<Channel> channels;
    private final Server grpcServer;
    private final InetSocketAddress address;

    private CeilingResponder(EventLoopGroup group, List<Channel> channels, Server grpcServer, InetSocketAddress address) {
        this.group = group;
        this.channels = channels;
        this.grpcServer = grpcServer;
        this.address = address;
    }

    /**
     * Binds a responder.
     *
     * @param protocol udp, tcp, http or grpc
     * @param bind     address to bind (use 127.0.0.1)
     * @param port     port, 0 for a free one
     * @param threads  event-loop threads
     * @param io       Netty I/O implementation
     * @throws java.io.UncheckedIOException when the port cannot be bound
     */
    public static CeilingResponder start(Protocol protocol, InetAddress bind, int port, int threads, IoMode io) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        IoMode mode = io.resolve();
        CannedResponse canned = CannedResponse.create();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("idbench-responder", true), mode.handlerFactory());
        List<Channel> channels = new ArrayList<>();
        Server grpcServer = null;
        try {
            InetSocketAddress at = new InetSocketAddress(bind, port);
            switch (protocol) {
                case UDP -> {
                    boolean reusePort = mode == IoMode.EPOLL && threads > 1;
                    UdpAnswer handler = new UdpAnswer(canned.handleMessage);
                    int sockets = reusePort ? threads : 1;
                    for (int i = 0; i < sockets; i++) {
                        Bootstrap b = new Bootstrap().group(group).channel(mode.datagramChannel())
                                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                                .handler(handler);
                        if (reusePort) {
                            b.option(UnixChannelOption.SO_REUSEPORT, true);
                        }
                        mode.configureDatagramBatching(b, 512, 32);
                        Channel ch = b.bind(at).syncUninterruptibly().channel();
                        channels.add(ch);
                        at = (InetSocketAddress) ch.localAddress();
                    }
                }
                case TCP, HTTP -> {
                    ByteBuf httpAnswer = Unpooled.unreleasableBuffer(
                            Unpooled.directBuffer(canned.httpResponse.length).writeBytes(canned.httpResponse));
                    ServerBootstrap b = new ServerBootstrap().group(group).channel(mode.serverSocketChannel())
                            .option(ChannelOption.SO_BACKLOG, 4096)
                            .option(ChannelOption.SO_REUSEADDR, true)
                            .childOption(ChannelOption.TCP_NODELAY, true)
                            .childHandler(new ChannelInitializer<SocketChannel>() {
                                @Override
                                protected void initChannel(SocketChannel ch) {
                                    if (protocol == Protocol.TCP) {
                                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(20 + 262_144, 16, 4, 0, 0),
                                                new TcpAnswer(canned.handleMessage));
                                    } else {
                                        ch.pipeline().addLast(new HttpAnswer(httpAnswer));
                                    }
                                }
                            });
                    Channel ch = b.bind(at).syncUninterruptibly().channel();
                    channels.add(ch);
                    at = (InetSocketAddress) ch.localAddress();
                }
                case GRPC -> {
                    grpcServer = NettyServerBuilder.forAddress(at)
                            .bossEventLoopGroup(group)
                            .workerEventLoopGroup(group)
                            .channelType(mode.serverSocketChannel())
                            .directExecutor()
                            .addService(new GrpcAnswer(canned.grpcResponse))
                            .build()
                            .start();
                    at = new InetSocketAddress(at.getAddress(), grpcServer.getPort());
                }
                default -> throw new IllegalArgumentException("unsupported protocol " + protocol);
            }
            return new CeilingResponder(group, channels, grpcServer, at);
        } catch (RuntimeException | java.io.IOException e) {
            if (grpcServer != null) {
                grpcServer.shutdownNow();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new java.io.UncheckedIOException("cannot bind the " + protocol.label() + " responder on "
                    + bind.getHostAddress() + ":" + port + ": " + e.getMessage(), new java.io.IOException(e));
        }
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return address;
    }

    /** Size in bytes of the answer datagram (envelope + message). */
    public static int answerSize() {
        return CannedResponse.DATAGRAM_SIZE;
    }

    @Override
    public void close() {
        if (grpcServer != null) {
            grpcServer.shutdownNow();
            try {
                grpcServer.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Channel ch : channels) {
            ch.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ChannelHandler.Sharable
    private static final class UdpAnswer extends SimpleChannelInboundHandler<DatagramPacket> {
        private final byte[] answer;

        UdpAnswer(byte[] answer) {
            this.answer = answer;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf in = packet.content();
            if (in.readableBytes() < 20) {
                return;
            }
            int requestId = in.getInt(in.readerIndex() + 8);
            ByteBuf out = ctx.alloc().directBuffer(answer.length).writeBytes(answer);
            out.setInt(8, requestId);
            ctx.write(new DatagramPacket(out, packet.sender()), ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A failed send concerns one datagram.
        }
    }

    private static final class TcpAnswer extends SimpleChannelInboundHandler<ByteBuf> {
        private final byte[] answer;

        TcpAnswer(byte[] answer) {
            this.answer = answer;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            int requestId = frame.getInt(frame.readerIndex() + 8);
            ByteBuf out = ctx.alloc().directBuffer(answer.length).writeBytes(answer);
            out.setInt(8, requestId);
            ctx.write(out, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Counts request heads by their terminating blank line ({@code CR LF CR LF}) and answers each. */
    private static final class HttpAnswer extends ChannelInboundHandlerAdapter implements ByteProcessor {
        private final ByteBuf answer;
        private int matched;
        private int heads;

        HttpAnswer(ByteBuf answer) {
            this.answer = answer;
        }

        @Override
        public boolean process(byte b) {
            if (b == ((matched & 1) == 0 ? '\r' : '\n')) {
                if (++matched == 4) {
                    matched = 0;
                    heads++;
                }
            } else {
                matched = b == '\r' ? 1 : 0;
            }
            return true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                heads = 0;
                in.forEachByte(this);
                for (int i = 0; i < heads; i++) {
                    ctx.write(answer.duplicate(), ctx.voidPromise());
                }
            } finally {
                in.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Answers every {@code Resolve} with the canned record; other methods stay unimplemented. */
    private static final class GrpcAnswer extends org.idnode.api.v1.IdentifierServiceGrpc.IdentifierServiceImplBase {
        private final org.idnode.api.v1.ResolveResponse answer;

        GrpcAnswer(org.idnode.api.v1.ResolveResponse answer) {
            this.answer = answer;
        }

        @Override
        public void resolve(org.idnode.api.v1.ResolveRequest request, StreamObserver<org.idnode.api.v1.ResolveResponse> out) {
            out.onNext(answer);
            out.onCompleted();
        }
    }
}
