package org.idnode.server.transport;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.Util;

/** The Handle answer to a request that arrives while the node is stopping. Stateless. */
final class Refusals {
    private static final byte[] STOPPING = Util.encodeString("the node is shutting down; send the request to another server of the site");

    private Refusals() {
    }

    /** {@code RC_SERVER_TOO_BUSY}, which CNRI's client answers by trying the site's other servers. */
    static AbstractResponse stopping(AbstractRequest request) {
        try {
            return new ErrorResponse(request, AbstractMessage.RC_SERVER_TOO_BUSY, STOPPING);
        } catch (HandleException e) {
            throw new IllegalStateException("cannot answer " + request, e);
        }
    }
}
