package org.idnode.server.lifecycle;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.grpc.Status;
import io.netty.handler.codec.http.HttpResponseStatus;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import org.idnode.server.logging.AccessLog;
import org.idnode.server.metrics.NodeMetrics;
import org.idnode.server.metrics.Operation;
import org.idnode.server.metrics.Protocol;

/**
 * Where the Handle (UDP, TCP) and HTTP transports account for each request: they {@link #admit} it when it arrives
 * and report its answer once ({@code ...Answered}), which records the metrics and the access log line and ends the
 * request's time in flight. A stopping node {@link #beginDrain drains}: from then on {@link #admit} says no (the
 * transport answers with a refusal, reported like any answer) and {@link #awaitIdle} waits for the requests already
 * admitted. gRPC calls are drained by the gRPC server itself and only reported ({@link #grpcAnswered}). Requests the
 * rate limit refuses are never admitted, only counted ({@code ...RateLimited}).
 *
 * <p>Thread-safe; {@link #admit} and the reports are cheap and allocation-free (except the access log line, when it is
 * on) and meant for event loops.
 */
public final class RequestTracker {
    private final NodeMetrics metrics;
    private final AccessLog access;
    private final LongAdder admitted = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private volatile boolean draining;

    public RequestTracker(NodeMetrics metrics, AccessLog access) {
        this.metrics = metrics;
        this.access = access;
    }

    /**
     * Counts a request in flight; false when the node is draining, in which case the transport refuses it. Either way
     * exactly one report ({@code ...Answered} or {@link #abandoned}) must follow.
     */
    public boolean admit() {
        admitted.increment();
        return !draining;
    }

    /** True once the node drains. */
    public boolean draining() {
        return draining;
    }

    /** From now on {@link #admit} refuses. */
    public void beginDrain() {
        draining = true;
    }

    /** Requests admitted and not answered yet. */
    public long inFlight() {
        // Answers first: every answer counted here was admitted before, so the difference is never too low.
        long done = answered.sum();
        return admitted.sum() - done;
    }

    /**
     * Waits until no admitted request is unanswered, or the deadline ({@link System#nanoTime()}) passes.
     *
     * @return true when none is left
     */
    public boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        while (inFlight() > 0) {
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
        return true;
    }

    /** A Handle request answered through CNRI's message objects; {@code request} null when it could not be decoded. */
    public void handleAnswered(Protocol protocol, long startNanos, InetSocketAddress client, AbstractRequest request, AbstractResponse response) {
        if (request == null) {
            handleAnswered(protocol, startNanos, client, response.majorProtocolVersion, response.minorProtocolVersion, response.opCode,
                    response.responseCode, null);
        } else {
            handleAnswered(protocol, startNanos, client, request.majorProtocolVersion, request.minorProtocolVersion, request.opCode,
                    response.responseCode, request.handle);
        }
    }

    /**
     * A Handle request answered, described by its fields (the pre-encoded resolution answers, and native messages over
     * HTTP); {@code handle} (UTF-8) may be null.
     */
    public void handleAnswered(Protocol protocol, long startNanos, InetSocketAddress client, int majorVersion, int minorVersion,
                               int opCode, int rc, byte[] handle) {
        answered.increment();
        long nanos = System.nanoTime() - startNanos;
        metrics.requests(protocol, Operation.forHandleOpCode(opCode)).handle(rc, nanos);
        access.handle(protocol, client, majorVersion, minorVersion, opCode, rc, nanos, handle);
    }

    /** A REST request answered with an HTTP status. */
    public void restAnswered(long startNanos, InetSocketAddress client, Operation operation, String method, String path, String handle, int status) {
        answered.increment();
        long nanos = System.nanoTime() - startNanos;
        metrics.requests(Protocol.HTTP, operation).http(status, nanos);
        access.rest(client, operation, method, path, handle, status, nanos);
    }

    /** An admitted request that gets no answer because its connection closed first; ends its time in flight only. */
    public void abandoned() {
        answered.increment();
    }

    /** A gRPC call closed with status {@code code}; not admitted here, so not counted in flight. */
    public void grpcAnswered(long startNanos, InetSocketAddress client, Operation operation, String fullMethod, String handle, int code) {
        long nanos = System.nanoTime() - startNanos;
        metrics.requests(Protocol.GRPC, operation).grpc(code, nanos);
        access.grpc(client, operation, fullMethod, handle, code, nanos);
    }

    /**
     * A Handle request (UDP, TCP) the rate limit refused with {@code SERVER_TOO_BUSY}; {@code opCode} as read from its
     * header ({@link org.idnode.server.codec.HandleMessageCodec#opCode}). Like every rate limit refusal
     * ({@link #restRateLimited}, {@link #grpcRateLimited}) it is counted in the request metrics under its response code
     * and nothing more: not timed, never in flight, and not in the access log, so that a flood does not turn into disk
     * writes.
     */
    public void handleRateLimited(Protocol protocol, int opCode) {
        metrics.requests(protocol, Operation.forHandleOpCode(opCode)).refused(AbstractMessage.RC_SERVER_TOO_BUSY);
    }

    /** An HTTP request the rate limit refused with {@code 429}; counted as {@link #handleRateLimited} says. */
    public void restRateLimited(Operation operation) {
        metrics.requests(Protocol.HTTP, operation).refused(HttpResponseStatus.TOO_MANY_REQUESTS.code());
    }

    /** A gRPC call the rate limit refused with {@code RESOURCE_EXHAUSTED}; counted as {@link #handleRateLimited} says. */
    public void grpcRateLimited(Operation operation) {
        metrics.requests(Protocol.GRPC, operation).refused(Status.Code.RESOURCE_EXHAUSTED.value());
    }

    /** True when the access log is on: transports gather what its lines need (the handle) only then. */
    public boolean accessLogged() {
        return access.enabled();
    }
}
