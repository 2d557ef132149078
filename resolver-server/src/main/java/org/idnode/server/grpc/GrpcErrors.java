package org.idnode.server.grpc;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import net.handle.hdllib.AbstractMessage;
import org.idnode.api.v1.FieldError;
import org.idnode.registry.write.FieldProblem;

/**
 * The one mapping from the node's Handle response codes to gRPC: the status code (following the REST API's HTTP
 * mapping), and the error details every failed call carries: a {@code google.rpc.ErrorInfo} with domain
 * {@value #DOMAIN}, the response code's symbolic name as reason ({@code HANDLE_NOT_FOUND}) and metadata
 * {@code response_code} and {@code handle}; for a record that breaks its template, a {@code google.rpc.BadRequest}
 * with one field violation per offending template item. Batch results carry the same content as an
 * {@link org.idnode.api.v1.Error}.
 *
 * <p>Stateless and thread-safe.
 */
public final class GrpcErrors {
    /** The {@code ErrorInfo.domain} of every error the node sends. */
    public static final String DOMAIN = "idnode.org";
    /** The message of failures the client cannot act on; the cause is logged. */
    public static final String INTERNAL_MESSAGE = "internal error; see the node's error log";

    private static final Map<Integer, String> REASONS = reasons();

    private GrpcErrors() {
    }

    /** The gRPC status code for a Handle response code. */
    public static Status.Code code(int responseCode) {
        return switch (responseCode) {
            case AbstractMessage.RC_SUCCESS -> Status.Code.OK;
            case AbstractMessage.RC_HANDLE_NOT_FOUND, AbstractMessage.RC_VALUES_NOT_FOUND, AbstractMessage.RC_SERVER_NOT_RESP -> Status.Code.NOT_FOUND;
            case AbstractMessage.RC_HANDLE_ALREADY_EXISTS, AbstractMessage.RC_VALUE_ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
            case AbstractMessage.RC_INVALID_HANDLE, AbstractMessage.RC_INVALID_VALUE, AbstractMessage.RC_PROTOCOL_ERROR -> Status.Code.INVALID_ARGUMENT;
            case AbstractMessage.RC_SERVICE_REFERRAL, AbstractMessage.RC_PREFIX_REFERRAL -> Status.Code.FAILED_PRECONDITION;
            case AbstractMessage.RC_INVALID_ADMIN, AbstractMessage.RC_INSUFFICIENT_PERMISSIONS -> Status.Code.PERMISSION_DENIED;
            case AbstractMessage.RC_AUTHENTICATION_NEEDED, AbstractMessage.RC_AUTHENTICATION_FAILED, AbstractMessage.RC_INVALID_CREDENTIAL,
                    AbstractMessage.RC_AUTHEN_TIMEOUT, AbstractMessage.RC_AUTHEN_ERROR -> Status.Code.UNAUTHENTICATED;
            case AbstractMessage.RC_SERVER_TOO_BUSY -> Status.Code.RESOURCE_EXHAUSTED;
            case AbstractMessage.RC_SERVER_BACKUP -> Status.Code.UNAVAILABLE;
            case AbstractMessage.RC_OPERATION_NOT_SUPPORTED -> Status.Code.UNIMPLEMENTED;
            default -> Status.Code.INTERNAL;
        };
    }

    /** The symbolic name of a Handle response code without {@code RC_}, e.g. {@code HANDLE_NOT_FOUND}. */
    public static String reason(int responseCode) {
        return REASONS.getOrDefault(responseCode, "RESPONSE_CODE_" + responseCode);
    }

    /**
     * The exception that ends a call with a refused resolution: by its response code, or for a failed recursive
     * resolution {@code UNAVAILABLE} (loop, unreachable or failing node), {@code DEADLINE_EXCEEDED} (no answer in time)
     * or {@code RESOURCE_EXHAUSTED} (too many in flight), with ErrorInfo metadata {@code recursion} naming the failure.
     */
    public static StatusRuntimeException exception(org.idnode.server.handler.ValueAnswer answer) {
        if (answer.recursion() == null) {
            return exception(answer.responseCode(), answer.message(), answer.handle());
        }
        Status.Code code = switch (answer.recursion()) {
            case LOOP, UPSTREAM -> Status.Code.UNAVAILABLE;
            case TIMEOUT -> Status.Code.DEADLINE_EXCEEDED;
            case BUSY -> Status.Code.RESOURCE_EXHAUSTED;
        };
        return exception(code, answer.responseCode(), answer.message(), answer.handle(), Map.of("recursion", answer.recursion().name()));
    }

    /**
     * The exception that ends a call with this response code.
     *
     * @param handle the identifier the error is about, or null
     */
    public static StatusRuntimeException exception(int responseCode, String message, String handle) {
        return exception(responseCode, message, handle, List.of());
    }

    /**
     * The exception that ends a call with this response code; {@code problems} (a record that breaks its template)
     * become a {@code google.rpc.BadRequest}.
     */
    public static StatusRuntimeException exception(int responseCode, String message, String handle, List<FieldProblem> problems) {
        return exception(code(responseCode), responseCode, message, handle, Map.of(), problems);
    }

    /**
     * The exception that ends a call with {@code code}, for refusals whose gRPC code the response code alone does not
     * say (an operator action the prefix's state does not allow is {@code FAILED_PRECONDITION}); the ErrorInfo still
     * names the response code, and carries {@code metadata} besides.
     */
    public static StatusRuntimeException exception(Status.Code code, int responseCode, String message, String handle,
                                                   Map<String, String> metadata) {
        return exception(code, responseCode, message, handle, metadata, List.of());
    }

    private static StatusRuntimeException exception(Status.Code code, int responseCode, String message, String handle,
                                                    Map<String, String> metadata, List<FieldProblem> problems) {
        ErrorInfo.Builder info = ErrorInfo.newBuilder()
                .setDomain(DOMAIN)
                .setReason(reason(responseCode))
                .putMetadata("response_code", Integer.toString(responseCode));
        if (handle != null && !handle.isEmpty()) {
            info.putMetadata("handle", handle);
        }
        info.putAllMetadata(metadata);
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                .setCode(code.value())
                .setMessage(message == null ? "" : message)
                .addDetails(Any.pack(info.build()));
        if (!problems.isEmpty()) {
            BadRequest.Builder bad = BadRequest.newBuilder();
            for (FieldProblem p : problems) {
                bad.addFieldViolations(BadRequest.FieldViolation.newBuilder().setField(field(p)).setDescription(p.message()));
            }
            status.addDetails(Any.pack(bad.build()));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }

    /** The error of one item of a batch. */
    public static org.idnode.api.v1.Error error(int responseCode, String message, List<FieldProblem> problems) {
        org.idnode.api.v1.Error.Builder e = org.idnode.api.v1.Error.newBuilder()
                .setResponseCode(responseCode)
                .setReason(reason(responseCode))
                .setMessage(message == null ? "" : message);
        for (FieldProblem p : problems) {
            e.addFieldErrors(FieldError.newBuilder().setField(field(p)).setMessage(p.message()));
        }
        return e.build();
    }

    /** The error of a failed call, with the node's error log holding the cause. */
    static StatusRuntimeException internal() {
        return exception(AbstractMessage.RC_ERROR, INTERNAL_MESSAGE, null);
    }

    /** How a field is named to clients: the template item's type, else {@code index <n>}, else {@code record}. */
    private static String field(FieldProblem p) {
        if (!p.type().isEmpty()) {
            return p.type();
        }
        return p.index() > 0 ? "index " + p.index() : "record";
    }

    private static Map<Integer, String> reasons() {
        Map<Integer, String> out = new HashMap<>();
        for (Field f : AbstractMessage.class.getFields()) {
            if (f.getName().startsWith("RC_") && f.getType() == int.class && Modifier.isStatic(f.getModifiers())) {
                try {
                    out.putIfAbsent(f.getInt(null), f.getName().substring(3));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot read " + f, e);
                }
            }
        }
        return Map.copyOf(out);
    }
}
