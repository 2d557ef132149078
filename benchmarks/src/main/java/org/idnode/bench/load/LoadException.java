package org.idnode.bench.load;

/**
 * A run could not be carried out: the target could not be reached, the key file is unusable, or the
 * run was interrupted. The message is fit for an operator.
 */
public final class LoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong */
    public LoadException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong
     * @param cause   the underlying failure
     */
    public LoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
