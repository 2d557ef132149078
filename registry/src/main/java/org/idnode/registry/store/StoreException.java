package org.idnode.registry.store;

/**
 * The store could not read or write: the data folder is unusable, the disk is full, or a stored
 * record is corrupt. Callers answer the request with a server error; the store stays usable.
 */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
