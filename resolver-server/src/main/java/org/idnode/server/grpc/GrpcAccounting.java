package org.idnode.server.grpc;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.idnode.server.lifecycle.RequestTracker;
import org.idnode.server.metrics.Operation;

/**
 * Reports every gRPC call to the {@link RequestTracker} (metrics and access log) when it closes, with its status
 * code and the time since it started; a call the client cancels is reported {@code CANCELLED}. The outermost
 * interceptor, so that calls refused by authentication are reported too. With the access log on, the {@code handle}
 * field of the call's first message, when it has one, names the call in the log.
 *
 * <p>Thread-safe.
 */
final class GrpcAccounting implements ServerInterceptor {
    private final RequestTracker tracker;
    private final Map<String, Operation> operations = new ConcurrentHashMap<>();
    /** By request type, the field that names the call in the access log (looked up once per type). */
    private final Map<Descriptor, Optional<FieldDescriptor>> handleFields = new ConcurrentHashMap<>();

    GrpcAccounting(RequestTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        long start = System.nanoTime();
        Reported<Q, R> reported = new Reported<>(call, start, operationOf(call.getMethodDescriptor()));
        ServerCall.Listener<Q> listener = next.startCall(reported, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                reported.noteHandle(message);
                super.onMessage(message);
            }

            @Override
            public void onCancel() {
                reported.report(Status.Code.CANCELLED);
                super.onCancel();
            }
        };
    }

    /**
     * Counts a call the rate limit refused before it reached this interceptor ({@code RESOURCE_EXHAUSTED}): in the
     * request metrics only ({@link RequestTracker#grpcRateLimited}).
     */
    void rateLimited(MethodDescriptor<?, ?> method) {
        tracker.grpcRateLimited(operationOf(method));
    }

    /** A message type's single string field {@code handle}, if it has one. */
    private static Optional<FieldDescriptor> handleField(Descriptor type) {
        FieldDescriptor field = type.findFieldByName("handle");
        return field != null && field.getType() == FieldDescriptor.Type.STRING && !field.isRepeated() ? Optional.of(field) : Optional.empty();
    }

    private Operation operationOf(MethodDescriptor<?, ?> method) {
        Operation operation = operations.get(method.getFullMethodName());
        if (operation == null) {
            operation = operation(method);
            operations.put(method.getFullMethodName(), operation);
        }
        return operation;
    }

    /** The call, reporting itself once when it closes. */
    private final class Reported<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private final long start;
        private final Operation operation;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile String handle;

        Reported(ServerCall<Q, R> call, long start, Operation operation) {
            super(call);
            this.start = start;
            this.operation = operation;
        }

        void noteHandle(Object message) {
            if (handle == null && tracker.accessLogged() && message instanceof MessageOrBuilder m) {
                Optional<FieldDescriptor> field = handleFields.computeIfAbsent(m.getDescriptorForType(), GrpcAccounting::handleField);
                if (field.isPresent()) {
                    handle = (String) m.getField(field.get());
                }
            }
        }

        void report(Status.Code code) {
            if (done.compareAndSet(false, true)) {
                SocketAddress remote = getAttributes() == null ? null : getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
                tracker.grpcAnswered(start, remote instanceof InetSocketAddress a ? a : null, operation,
                        getMethodDescriptor().getFullMethodName(), handle, code.value());
            }
        }

        @Override
        public void close(Status status, Metadata trailers) {
            report(status.getCode());
            super.close(status, trailers);
        }
    }

    /** The operation a method stands for: by method in IdentifierService, by service for the others. */
    static Operation operation(MethodDescriptor<?, ?> method) {
        String service = method.getServiceName() == null ? "" : method.getServiceName();
        String name = method.getBareMethodName() == null ? "" : method.getBareMethodName();
        if (service.equals("idnode.v1.IdentifierService")) {
            switch (name) {
                case "Resolve":
                    return Operation.RESOLVE;
                case "BatchResolve":
                    return Operation.BATCH_RESOLVE;
                case "Trace":
                    return Operation.TRACE;
                case "Register":
                    return Operation.CREATE;
                case "BatchRegister":
                    return Operation.BATCH;
                case "BulkRegister":
                    return Operation.BULK_REGISTER;
                case "UpdateValues":
                    return Operation.MODIFY_VALUES;
                case "DeleteValues":
                    return Operation.REMOVE_VALUES;
                case "DeleteHandle":
                    return Operation.DELETE;
                default:
                    return Operation.OTHER;
            }
        }
        switch (service) {
            case "idnode.v1.TemplateService":
                return Operation.TEMPLATE;
            case "idnode.v1.AdminService":
                return Operation.ADMIN;
            case "idnode.v1.FederationService":
                return Operation.FEDERATION;
            case "grpc.health.v1.Health":
                return Operation.HEALTH;
            default:
                return service.startsWith("grpc.reflection.") ? Operation.REFLECTION : Operation.OTHER;
        }
    }
}
