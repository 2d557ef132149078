package org.idnode.server.lifecycle;

import java.util.function.LongSupplier;

/**
 * Whether the node is live and ready, as {@code /health/live}, {@code /health/ready} and gRPC health report it. The
 * node is ready once its store is open and every listener is bound ({@link #ready()}), as long as it is not
 * stopping ({@link #stopping()}) and the store reports no background error (a failed flush or compaction, after
 * which RocksDB refuses writes).
 *
 * <p>Thread-safe.
 */
public final class NodeHealth {
    /** Where the node is in its life. */
    public enum State {
        /** Opening the store and binding listeners. */
        STARTING,
        /** Serving. */
        READY,
        /** Stopping: announcing, then draining requests in flight. */
        STOPPING,
        /** Listeners closed, store closed. */
        STOPPED
    }

    private final LongSupplier storeBackgroundErrors;
    private volatile State state = State.STARTING;

    /** @param storeBackgroundErrors the store's background error count, read at every readiness check */
    public NodeHealth(LongSupplier storeBackgroundErrors) {
        this.storeBackgroundErrors = storeBackgroundErrors;
    }

    public State state() {
        return state;
    }

    /** The store is open and every listener bound. */
    public void ready() {
        if (state == State.STARTING) {
            state = State.READY;
        }
    }

    /** The node has begun to stop; it is not ready from now on. */
    public void stopping() {
        if (state != State.STOPPED) {
            state = State.STOPPING;
        }
    }

    public void stopped() {
        state = State.STOPPED;
    }

    /** Why the node is not ready, or null when it is. */
    public String notReadyReason() {
        switch (state) {
            case STARTING:
                return "the node is starting";
            case STOPPING:
                return "the node is shutting down";
            case STOPPED:
                return "the node has stopped";
            default:
                long errors = storeBackgroundErrors.getAsLong();
                return errors > 0 ? "the store reports " + errors + " background error(s) and may refuse writes; see the error log" : null;
        }
    }

    /** The status word {@code /health/ready} answers with: {@code ready}, {@code starting}, {@code stopping}, {@code stopped} or {@code degraded}. */
    public String status() {
        State s = state;
        if (s == State.READY) {
            return notReadyReason() == null ? "ready" : "degraded";
        }
        return s.name().toLowerCase(java.util.Locale.ROOT);
    }
}
