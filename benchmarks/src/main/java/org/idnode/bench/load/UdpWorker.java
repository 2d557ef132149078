package org.idnode.bench.load;

import java.net.InetSocketAddress;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.Future;

/**
 * Handle resolution over UDP from one connected datagram socket. Each lane owns the request ids whose
 * low bits are its index; the high bits count its requests, so an answer to a request that has timed
 * out is recognised and ignored. Multi-packet answers are collected by {@code messageId} (chunk
 * number) until all {@code ceil(messageLength / 492)} chunks have arrived; the response code is read
 * from the message header in chunk 0. With epoll, answers are read up to 32 per {@code recvmmsg}, and
 * writes are flushed once per batch of reads so that they leave with one {@code sendmmsg}.
 */
final class UdpWorker extends Worker {
    private static final int CHUNK = 492;
    private static final int MAX_MESSAGE = 262_144;

    private final ResolutionRequestEncoder encoder = new ResolutionRequestEncoder();
    private final InetSocketAddress target;
    private final int slotBits;
    private final int slotMask;
    private final boolean verify;
    private Channel channel;
    private boolean pendingFlush;

    UdpWorker(LoadSpec spec, RunControl run, EventLoop loop, KeySet keys, int laneCount, int workerIndex, int workerCount) {
        super(spec, run, loop, keys, laneCount, workerIndex, workerCount);
        this.target = spec.target();
        this.slotBits = Math.max(1, 32 - Integer.numberOfLeadingZeros(laneCount - 1));
        this.slotMask = (1 << slotBits) - 1;
        this.verify = spec.verify();
    }

    @Override
    Future<?> open() {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(spec.io().datagramChannel())
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                .handler(new Inbound());
        spec.io().configureDatagramBatching(b, ResolutionRequestEncoder.ENVELOPE_SIZE + CHUNK, 32);
        ChannelFuture f = b.connect(target, spec.bind() != null ? spec.localAddress() : new InetSocketAddress(target.getAddress(), 0));
        channel = f.channel();
        return f;
    }

    @Override
    void send(Lane lane) {
        lane.generation++;
        int id = ((lane.generation << slotBits) | lane.index) & Integer.MAX_VALUE;
        lane.requestId = id;
        lane.resetChunks();
        int len = keys.length(lane.key);
        ByteBuf buf = channel.alloc().directBuffer(ResolutionRequestEncoder.size(len));
        encoder.write(buf, id, keys.data(), keys.offset(lane.key), len);
        channel.write(buf, channel.voidPromise());
        pendingFlush = true;
    }

    @Override
    void flush() {
        if (pendingFlush) {
            pendingFlush = false;
            channel.flush();
        }
    }

    @Override
    void abandon(Lane lane) {
        lane.requestId = -1;
        laneAvailable(lane);
    }

    @Override
    void closeChannels() {
        if (channel != null) {
            channel.close();
        }
    }

    private void onPacket(ByteBuf c) {
        int n = c.readableBytes();
        if (n < ResolutionRequestEncoder.ENVELOPE_SIZE) {
            return;
        }
        int base = c.readerIndex();
        int id = c.getInt(base + 8);
        int slot = id & slotMask;
        if (id < 0 || slot >= lanes.length) {
            recorder.lateAnswers++;
            return;
        }
        Lane lane = lanes[slot];
        if (!lane.busy || lane.requestId != id) {
            recorder.lateAnswers++;
            return;
        }
        if (lane.measured) {
            recorder.udpPackets++;
        }
        boolean truncated = (c.getByte(base + 2) & 0x20) != 0;
        int messageLength = c.getInt(base + 16);
        int chunk = c.getInt(base + 12);
        int data = n - ResolutionRequestEncoder.ENVELOPE_SIZE;
        if (messageLength < 0 || messageLength > MAX_MESSAGE) {
            answered(lane, "malformed");
            return;
        }
        int chunks = truncated ? Math.max(1, (messageLength + CHUNK - 1) / CHUNK) : 1;
        int expectedData = truncated ? Math.min(CHUNK, messageLength - chunk * CHUNK) : messageLength;
        if (chunk < 0 || chunk >= chunks || data != expectedData
                || (lane.expectedChunks != 0 && (lane.expectedChunks != chunks || lane.messageLength != messageLength))) {
            answered(lane, "malformed");
            return;
        }
        lane.expectedChunks = chunks;
        lane.messageLength = messageLength;
        if (!lane.markChunk(chunk)) {
            return;   // a duplicate
        }
        if (chunk == 0) {
            lane.responseCode = data >= 8 ? c.getInt(base + ResolutionRequestEncoder.ENVELOPE_SIZE + 4) : -1;
        }
        if (verify) {
            if (lane.assembly == null || lane.assembly.length < ResolutionRequestEncoder.ENVELOPE_SIZE + messageLength) {
                lane.assembly = new byte[ResolutionRequestEncoder.ENVELOPE_SIZE + messageLength];
            }
            if (chunk == 0) {
                c.getBytes(base, lane.assembly, 0, ResolutionRequestEncoder.ENVELOPE_SIZE);
            }
            c.getBytes(base + ResolutionRequestEncoder.ENVELOPE_SIZE, lane.assembly,
                    ResolutionRequestEncoder.ENVELOPE_SIZE + chunk * CHUNK, data);
        }
        if (lane.seenChunks < chunks) {
            return;
        }
        String code;
        if (verify) {
            byte[] envelope = java.util.Arrays.copyOf(lane.assembly, ResolutionRequestEncoder.ENVELOPE_SIZE);
            byte[] message = java.util.Arrays.copyOfRange(lane.assembly, ResolutionRequestEncoder.ENVELOPE_SIZE,
                    ResolutionRequestEncoder.ENVELOPE_SIZE + messageLength);
            code = AnswerCheck.check(envelope, message, keys.handleBytes(lane.key));
        } else {
            code = lane.responseCode == 1 ? null : lane.responseCode < 0 ? "malformed" : Recorder.handleCode(lane.responseCode);
        }
        answered(lane, code);
    }

    private final class Inbound extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            onPacket(packet.content());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Port unreachable and the like concern single datagrams; those requests time out.
        }
    }
}
