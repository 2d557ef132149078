package org.idnode.bench.jmh;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Runs JMH's benchmark threads as Netty threads ({@code FastThreadLocalThread}), as the node's event loops
 * are, so that buffers come from Netty's allocator the way they do on an event loop (thread-local caches)
 * rather than through the shared path other threads take. Selected with
 * {@code -Djmh.executor=CUSTOM -Djmh.executor.class=org.idnode.bench.jmh.NettyThreadExecutor}, which the
 * benchmarks that allocate Netty buffers put in their {@code @Fork}.
 */
public final class NettyThreadExecutor extends ThreadPoolExecutor {
    /** The constructor JMH calls for a custom executor. */
    public NettyThreadExecutor(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), new DefaultThreadFactory(prefix, true));
    }
}
