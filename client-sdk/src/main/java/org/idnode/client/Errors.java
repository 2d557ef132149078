package org.idnode.client;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import net.handle.hdllib.AbstractMessage;
import org.idnode.api.v1.Error;
import org.idnode.api.v1.FieldError;

/** Turns gRPC statuses, Handle response codes and other throwables into {@link IdNodeException}s. */
final class Errors {
    static final String DOMAIN = "idnode.org";
    static final int RC_HANDLE_NOT_FOUND = AbstractMessage.RC_HANDLE_NOT_FOUND;

    /** Handle response code to its symbolic name: CNRI's {@code AbstractMessage.RC_*} constant without "RC_". */
    private static final Map<Integer, String> REASONS = reasons();

    private Errors() {
    }

    private static Map<Integer, String> reasons() {
        Map<Integer, String> names = new HashMap<>();
        for (Field f : AbstractMessage.class.getFields()) {
            if (f.getName().startsWith("RC_") && f.getType() == int.class && Modifier.isStatic(f.getModifiers())) {
                try {
                    names.putIfAbsent(f.getInt(null), f.getName().substring(3));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Collections.unmodifiableMap(names);
    }

    static String reasonOf(int responseCode) {
        return REASONS.getOrDefault(responseCode, "RC_" + responseCode);
    }

    /** The gRPC code for a Handle response code, as the node maps them (so both paths fail alike). */
    static Status.Code codeOf(int responseCode) {
        switch (responseCode) {
            case AbstractMessage.RC_SUCCESS:
                return Status.Code.OK;
            case AbstractMessage.RC_HANDLE_NOT_FOUND:
            case AbstractMessage.RC_VALUES_NOT_FOUND:
            case AbstractMessage.RC_SERVER_NOT_RESP:
                return Status.Code.NOT_FOUND;
            case AbstractMessage.RC_HANDLE_ALREADY_EXISTS:
            case AbstractMessage.RC_VALUE_ALREADY_EXISTS:
                return Status.Code.ALREADY_EXISTS;
            case AbstractMessage.RC_INVALID_HANDLE:
            case AbstractMessage.RC_INVALID_VALUE:
            case AbstractMessage.RC_PROTOCOL_ERROR:
                return Status.Code.INVALID_ARGUMENT;
            case AbstractMessage.RC_SERVICE_REFERRAL:
            case AbstractMessage.RC_PREFIX_REFERRAL:
                return Status.Code.FAILED_PRECONDITION;
            case AbstractMessage.RC_INVALID_ADMIN:
            case AbstractMessage.RC_INSUFFICIENT_PERMISSIONS:
                return Status.Code.PERMISSION_DENIED;
            case AbstractMessage.RC_AUTHENTICATION_NEEDED:
            case AbstractMessage.RC_AUTHENTICATION_FAILED:
            case AbstractMessage.RC_INVALID_CREDENTIAL:
            case AbstractMessage.RC_AUTHEN_TIMEOUT:
            case AbstractMessage.RC_AUTHEN_ERROR:
                return Status.Code.UNAUTHENTICATED;
            case AbstractMessage.RC_SERVER_TOO_BUSY:
                return Status.Code.RESOURCE_EXHAUSTED;
            case AbstractMessage.RC_SERVER_BACKUP:
                return Status.Code.UNAVAILABLE;
            case AbstractMessage.RC_OPERATION_NOT_SUPPORTED:
                return Status.Code.UNIMPLEMENTED;
            default:
                return Status.Code.INTERNAL;
        }
    }

    /** A Handle-protocol error answer. */
    static IdNodeException fromHandle(int responseCode, String handle, String message) {
        String text = message == null || message.isEmpty() ? reasonOf(responseCode) + (handle == null ? "" : ": " + handle) : message;
        return new IdNodeException(codeOf(responseCode), responseCode, reasonOf(responseCode), handle, text, List.of(), null);
    }

    /** The failure of one batch item, as a whole-call exception. */
    static IdNodeException fromError(Error e, String handle) {
        return new IdNodeException(codeOf(e.getResponseCode()), e.getResponseCode(),
                e.getReason().isEmpty() ? reasonOf(e.getResponseCode()) : e.getReason(), handle,
                e.getMessage().isEmpty() ? e.getReason() : e.getMessage(), e.getFieldErrorsList(), null);
    }

    static IdNodeException unavailable(String message, Throwable cause) {
        return new IdNodeException(Status.Code.UNAVAILABLE, 0, "", null, message, List.of(), cause);
    }

    static IdNodeException of(Status.Code code, String message, Throwable cause) {
        return new IdNodeException(code, 0, "", null, message, List.of(), cause);
    }

    /**
     * Any throwable a call can end with, as an {@link IdNodeException}: a gRPC status with its {@code ErrorInfo} and
     * {@code BadRequest} details, or a local failure.
     */
    static IdNodeException from(Throwable t, String handle) {
        Throwable c = unwrapCompletion(t);
        if (c instanceof IdNodeException) {
            return (IdNodeException) c;
        }
        if (c instanceof CancellationException) {
            return of(Status.Code.CANCELLED, "cancelled", c);
        }
        Status status = Status.fromThrowable(c);
        if (status.getCode() == Status.Code.UNKNOWN && !(c instanceof io.grpc.StatusRuntimeException)
                && !(c instanceof io.grpc.StatusException)) {
            return of(Status.Code.INTERNAL, String.valueOf(c), c);
        }
        int responseCode = 0;
        String reason = "";
        String who = handle;
        List<FieldError> fields = new ArrayList<>();
        com.google.rpc.Status details = StatusProto.fromThrowable(c);
        if (details != null) {
            for (Any any : details.getDetailsList()) {
                try {
                    if (any.is(ErrorInfo.class)) {
                        ErrorInfo info = any.unpack(ErrorInfo.class);
                        reason = info.getReason();
                        String rc = info.getMetadataMap().get("response_code");
                        if (rc != null) {
                            responseCode = parseInt(rc);
                        }
                        String h = info.getMetadataMap().get("handle");
                        if (h != null && !h.isEmpty()) {
                            who = h;
                        }
                    } else if (any.is(BadRequest.class)) {
                        for (BadRequest.FieldViolation v : any.unpack(BadRequest.class).getFieldViolationsList()) {
                            fields.add(FieldError.newBuilder().setField(v.getField()).setMessage(v.getDescription()).build());
                        }
                    }
                } catch (InvalidProtocolBufferException e) {
                    // A malformed detail is ignored; the status code and description still say what happened.
                }
            }
        }
        String message = status.getDescription() != null ? status.getDescription() : status.getCode().name();
        return new IdNodeException(status.getCode(), responseCode, reason, who, message, fields, c);
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static Throwable unwrapCompletion(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /**
     * {@code t} as the failure the caller and the fail-over see: grpc-java reports a connection that closed under a
     * call (the node was killed, a reset) as {@code UNKNOWN: channel closed} with a {@link ClosedChannelException}
     * underneath (grpc-java issue 10120), which is the node being unavailable, so it becomes {@code UNAVAILABLE}
     * with the original as its cause. Anything else (null included) is returned as it is.
     */
    static Throwable connectionLossAsUnavailable(Throwable t) {
        if (t == null || Status.fromThrowable(t).getCode() != Status.Code.UNKNOWN) {
            return t;
        }
        return causedBy(t, ClosedChannelException.class)
                ? Status.UNAVAILABLE.withDescription("the connection to the node closed during the call").withCause(t).asRuntimeException()
                : t;
    }

    /**
     * Whether the call provably never reached a node: the connection was refused or the address could not be resolved,
     * so not a byte of the request was sent.
     */
    static boolean neverReachedNode(Throwable t) {
        Throwable c = unwrapCompletion(t);
        if (c instanceof IdNodeException) {
            c = c.getCause();
        }
        if (c == null || Status.fromThrowable(c).getCode() != Status.Code.UNAVAILABLE) {
            return false;
        }
        return causedBy(c, ConnectException.class, UnresolvedAddressException.class, UnknownHostException.class);
    }

    /** Whether {@code t} or one of its causes is of one of {@code kinds}. */
    private static boolean causedBy(Throwable t, Class<?>... kinds) {
        for (Throwable x = t; x != null; x = x.getCause() == x ? null : x.getCause()) {
            for (Class<?> kind : kinds) {
                if (kind.isInstance(x)) {
                    return true;
                }
            }
        }
        return false;
    }
}
