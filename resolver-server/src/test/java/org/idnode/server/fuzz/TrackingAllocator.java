package org.idnode.server.fuzz;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * A Netty allocator that remembers every buffer it hands out, so that a test can check that all of them were
 * released ({@link #unreleased()}): the leak check of the fuzzers that drive a channel pipeline. Delegates to
 * unpooled heap and direct buffers.
 *
 * <p>Not thread-safe: for one {@code EmbeddedChannel}, whose work happens on the test's thread.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private final UnpooledByteBufAllocator delegate = new UnpooledByteBufAllocator(false);
    private final List<ByteBuf> handedOut = new ArrayList<>();

    public TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(delegate.heapBuffer(initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(delegate.directBuffer(initialCapacity, maxCapacity));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    private ByteBuf track(ByteBuf b) {
        handedOut.add(b);
        return b;
    }

    /** How many buffers were handed out. */
    public int allocated() {
        return handedOut.size();
    }

    /** The buffers handed out whose reference count is not 0. */
    public List<ByteBuf> unreleased() {
        return handedOut.stream().filter(b -> b.refCnt() != 0).toList();
    }
}
