package org.idnode.server.limits;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.function.Consumer;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import net.handle.hdllib.AbstractMessage;
import org.idnode.server.grpc.GrpcErrors;

/**
 * Applies the gRPC rate limit to each call, before anything else looks at it: a client over its rate gets
 * {@code RESOURCE_EXHAUSTED} with the node's {@code google.rpc.ErrorInfo} (reason {@code SERVER_TOO_BUSY},
 * metadata {@code response_code} 3 and {@code retry_after_ms}). A stream counts as one call.
 *
 * <p>Stateless and thread-safe.
 */
public final class GrpcAdmission implements ServerInterceptor {
    private final ClientLimits limits;
    private final Consumer<MethodDescriptor<?, ?>> refused;

    /** @param refused told of each refused call's method (for the request metrics), on the calling thread; must be cheap */
    public GrpcAdmission(ClientLimits limits, Consumer<MethodDescriptor<?, ?>> refused) {
        this.limits = limits;
        this.refused = refused;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        if (remote instanceof InetSocketAddress inet) {
            long wait = limits.admit(ClientLimits.Protocol.GRPC, inet.getAddress());
            if (wait > 0) {
                long waitMs = Math.max(1, wait / 1_000_000);
                StatusRuntimeException e = GrpcErrors.exception(Status.Code.RESOURCE_EXHAUSTED, AbstractMessage.RC_SERVER_TOO_BUSY,
                        "too many calls from this address; retry after " + waitMs + " ms", null,
                        Map.of("retry_after_ms", Long.toString(waitMs)));
                Metadata trailers = e.getTrailers() == null ? new Metadata() : e.getTrailers();
                refused.accept(call.getMethodDescriptor());
                call.close(e.getStatus(), trailers);
                return new ServerCall.Listener<>() {
                };
            }
        }
        return next.startCall(call, headers);
    }
}
