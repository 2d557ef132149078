package org.idnode.registry.model;

/**
 * Thrown when a handle name or a handle record breaks the syntax rules of the registry.
 * The message says which rule was broken, in words fit to return to a client.
 */
public final class InvalidHandleException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidHandleException(String message) {
        super(message);
    }
}
