package org.idnode.registry.write;

import org.idnode.registry.model.HandleName;

/**
 * The result of one operation: its status and, for refusals, a message fit for the client.
 */
public record WriteOutcome(HandleName handle, WriteStatus status, String message) {
    static WriteOutcome ok(HandleName handle) {
        return new WriteOutcome(handle, WriteStatus.OK, "");
    }

    public boolean isOk() {
        return status == WriteStatus.OK;
    }
}
