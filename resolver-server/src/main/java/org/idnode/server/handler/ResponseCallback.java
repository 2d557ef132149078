package org.idnode.server.handler;

import net.handle.hdllib.AbstractResponse;

/**
 * Receives the answer to one request. Called exactly once, either on the thread that submitted the
 * request (answers from the cache) or on one of the node's store threads (answers that needed disk or
 * signing); implementations must therefore be safe to call from any thread.
 */
@FunctionalInterface
public interface ResponseCallback {
    void respond(AbstractResponse response);
}
