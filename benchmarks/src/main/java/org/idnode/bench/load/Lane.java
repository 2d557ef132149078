package org.idnode.bench.load;

import java.util.Arrays;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * One slot for a request in flight: a UDP request id range, or one TCP/HTTP connection, or one gRPC stream. Holds the
 * timing of the request it carries and the transport's per-request state. Confined to its worker's
 * event loop.
 */
final class Lane {
    /** Most chunks a UDP answer can have: {@code ceil(262144 / 492)}. */
    static final int MAX_CHUNKS = 533;

    final int index;
    boolean busy;
    /** Open loop: waiting in the worker's free list. */
    boolean queued;
    boolean measured;
    /** When the request was due (open loop) or sent (closed loop): latency is measured from here. */
    long startNanos;
    /** When the request was actually sent: timeouts are measured from here. */
    long sentNanos;
    int key;
    int requestId;
    int generation;

    // UDP reassembly
    int expectedChunks;
    int seenChunks;
    int responseCode;
    int messageLength;
    byte[] assembly;
    private final long[] chunkBits = new long[(MAX_CHUNKS + 63) / 64];

    // TCP / HTTP
    Channel channel;
    int httpStatus;
    ByteBuf body;

    // gRPC: the call in flight
    io.grpc.ClientCall<?, ?> grpcCall;

    Lane(int index) {
        this.index = index;
    }

    void resetChunks() {
        if (expectedChunks > 0) {
            Arrays.fill(chunkBits, 0, (expectedChunks + 63) / 64, 0L);
        }
        expectedChunks = 0;
        seenChunks = 0;
        responseCode = -1;
    }

    /** Marks a chunk received; false when it was already seen. */
    boolean markChunk(int chunk) {
        long bit = 1L << (chunk & 63);
        int word = chunk >>> 6;
        if ((chunkBits[word] & bit) != 0) {
            return false;
        }
        chunkBits[word] |= bit;
        seenChunks++;
        return true;
    }
}
