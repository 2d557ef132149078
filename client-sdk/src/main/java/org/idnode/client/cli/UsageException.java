package org.idnode.client.cli;

/** A usage or configuration problem found after the command line was parsed; idctl exits with 2. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
