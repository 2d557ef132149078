package org.idnode.bench.load;

/** Thrown when asked to drive a protocol the harness cannot drive yet (gRPC, until issue 4 lands). */
public final class UnsupportedProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what is missing, fit for an operator */
    public UnsupportedProtocolException(String message) {
        super(message);
    }
}
