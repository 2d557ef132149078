package org.idnode.bench.ceiling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;

import org.idnode.bench.load.KeySet;
import org.idnode.bench.load.LoadGenerator;
import org.idnode.bench.load.LoadResult;
import org.idnode.bench.load.LoadSpec;
import org.idnode.bench.load.Protocol;

/**
 * Measures the harness ceiling: starts a {@link CeilingResponder} (in a child JVM, or in this one),
 * runs the given load against it, stops it, and returns the result marked
 * {@link LoadResult#ceiling()}. The spec's own target is ignored.
 *
 * <p>Threading: {@link #run} blocks until the run is over; callable from any thread.
 */
public final class CeilingRun {
    /** Where the responder runs. */
    public enum Placement {
        /** A separate JVM, like the node (the default for {@code idbench ceiling}). */
        CHILD_PROCESS,
        /** Inside this JVM, on its own event loops. */
        IN_PROCESS
    }

    private CeilingRun() {
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param spec             the load; its target is replaced by the responder's address
     * @param keys             keys to request (the responder ignores them, but the requests carry them)
     * @param placement        where the responder runs
     * @param responderThreads the responder's event-loop threads
     * @throws UncheckedIOException         when the responder cannot be started
     */
    public static LoadResult run(LoadSpec spec, KeySet keys, Placement placement, int responderThreads) {
        if (placement == Placement.IN_PROCESS) {
            try (CeilingResponder responder = CeilingResponder.start(spec.protocol(), loopback(), 0, responderThreads, spec.io())) {
                return LoadGenerator.run(spec.withTarget(responder.address()), keys).asCeiling();
            }
        }
        try (ResponderProcess responder = ResponderProcess.start(spec.protocol(), responderThreads, spec.io(), Duration.ofSeconds(30))) {
            return LoadGenerator.run(spec.withTarget(responder.address()), keys).asCeiling();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
