package org.idnode.client;

import java.util.List;

import io.grpc.Status;
import org.idnode.api.v1.FieldError;

/**
 * Every failure of an {@link IdClient} call: the node's answer (an identifier that does not exist, a refused write,
 * a record that breaks its template) or the failure to get one (no node reachable, deadline exceeded).
 *
 * <p>{@link #code()} is the gRPC status code; for Handle-protocol answers it is the code the REST/gRPC mapping gives the
 * Handle response code, and {@link #code()} is {@code UNAVAILABLE} when no node could be reached. {@link #responseCode()}
 * and {@link #reason()} are the Handle response code and its symbolic name (e.g. {@code 100}, {@code "HANDLE_NOT_FOUND"})
 * when the node gave one.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public class IdNodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The reason of an identifier that does not exist. */
    public static final String HANDLE_NOT_FOUND = "HANDLE_NOT_FOUND";

    private final transient Status.Code code;
    private final int responseCode;
    private final String reason;
    private final String handle;
    private final transient List<FieldError> fieldErrors;

    IdNodeException(Status.Code code, int responseCode, String reason, String handle, String message,
            List<FieldError> fieldErrors, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.responseCode = responseCode;
        this.reason = reason == null ? "" : reason;
        this.handle = handle;
        this.fieldErrors = List.copyOf(fieldErrors);
    }

    /** The gRPC status code ({@code UNAVAILABLE} when no node could be reached). */
    public Status.Code code() {
        return code;
    }

    /** The Handle response code (e.g. 100 for HANDLE_NOT_FOUND); 0 when unknown. */
    public int responseCode() {
        return responseCode;
    }

    /** The symbolic reason, e.g. {@code "HANDLE_NOT_FOUND"}; empty when unknown. */
    public String reason() {
        return reason;
    }

    /** The identifier the failure is about; may be null. */
    public String handle() {
        return handle;
    }

    /** For a record that breaks its template: one entry per offending item; otherwise empty. */
    public List<FieldError> fieldErrors() {
        return fieldErrors;
    }

    /** Whether this is the answer "the identifier does not exist". */
    public boolean isNotFound() {
        return HANDLE_NOT_FOUND.equals(reason) || responseCode == Errors.RC_HANDLE_NOT_FOUND;
    }

    /**
     * The same failure with the calling thread's stack, and this one as the cause: the synchronous API rethrows failures
     * completed on gRPC's threads through this.
     */
    IdNodeException rethrownHere() {
        return new IdNodeException(code, responseCode, reason, handle, getMessage(), fieldErrors, this);
    }
}
