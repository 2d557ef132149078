package org.idnode.bench.load;

import java.util.Locale;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * Which Netty I/O implementation the generator (and the ceiling responder) uses. {@link #AUTO} picks
 * epoll when the native library loads, which also gives sub-millisecond timers for open-loop pacing;
 * NIO rounds timers up to whole milliseconds.
 */
public enum IoMode {
    /** Epoll when available, else NIO. */
    AUTO,
    /** Linux epoll (native). */
    EPOLL,
    /** Java NIO selectors. */
    NIO;

    /** Parses {@code auto}, {@code epoll} or {@code nio}. */
    public static IoMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown I/O mode '" + text + "'; expected auto, epoll or nio");
        }
    }

    /** The concrete mode: {@link #AUTO} resolved to {@link #EPOLL} or {@link #NIO}. */
    public IoMode resolve() {
        if (this == AUTO) {
            return Epoll.isAvailable() ? EPOLL : NIO;
        }
        if (this == EPOLL && !Epoll.isAvailable()) {
            throw new LoadException("epoll is not available here: " + Epoll.unavailabilityCause());
        }
        return this;
    }

    /** Netty's I/O handler factory for this mode. */
    public IoHandlerFactory handlerFactory() {
        return resolve() == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** The datagram channel class for this mode. */
    public Class<? extends DatagramChannel> datagramChannel() {
        return resolve() == EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /** The client socket channel class for this mode. */
    public Class<? extends SocketChannel> socketChannel() {
        return resolve() == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The server socket channel class for this mode. */
    public Class<? extends ServerSocketChannel> serverSocketChannel() {
        return resolve() == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * Applies the options that let a datagram channel read many datagrams per system call: with epoll,
     * {@code recvmmsg} into one buffer of {@code batch} slots of {@code maxDatagram} bytes (and Netty
     * sends queued datagrams with one {@code sendmmsg} anyway). Without epoll, nothing.
     */
    public void configureDatagramBatching(io.netty.bootstrap.Bootstrap bootstrap, int maxDatagram, int batch) {
        if (resolve() != EPOLL) {
            return;
        }
        io.netty.channel.FixedRecvByteBufAllocator allocator = new io.netty.channel.FixedRecvByteBufAllocator(maxDatagram * batch);
        allocator.maxMessagesPerRead(batch * 4);
        bootstrap.option(io.netty.channel.epoll.EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, maxDatagram)
                .option(io.netty.channel.ChannelOption.RCVBUF_ALLOCATOR, allocator);
    }

    /** The lower-case name. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
