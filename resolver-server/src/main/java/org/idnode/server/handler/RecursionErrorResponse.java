package org.idnode.server.handler;

import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.Util;

/**
 * The Handle error answer to a recursive resolution that failed: the failure's response code and message on the
 * wire, and the {@link RecursionFailure} for interfaces that map it to their own status (REST: 502, 504, 503).
 */
public final class RecursionErrorResponse extends ErrorResponse {
    private final RecursionFailure failure;

    RecursionErrorResponse(AbstractRequest req, RecursionFailure failure, String message) throws HandleException {
        super(req, failure.responseCode(), Util.encodeString(message));
        this.failure = failure;
    }

    public RecursionFailure failure() {
        return failure;
    }
}
