package org.idnode.server.handler;

import net.handle.hdllib.AbstractMessage;

/**
 * Why a recursive resolution (of a handle this node does not serve) gave no answer. Each kind has the Handle response
 * code its error carries; REST and gRPC map the kind to their own status (502/504/503, UNAVAILABLE/DEADLINE_EXCEEDED/
 * RESOURCE_EXHAUSTED).
 */
public enum RecursionFailure {
    /** More referrals than {@code federation.recursion.max-referrals}: a referral loop or a chain too long. */
    LOOP(AbstractMessage.RC_RECURSION_COUNT_TOO_HIGH),
    /** The top level or the node it referred to could not be reached, or answered with an error. */
    UPSTREAM(AbstractMessage.RC_ERROR),
    /** No answer within {@code federation.recursion.deadline-ms}. */
    TIMEOUT(AbstractMessage.RC_ERROR),
    /** Too many recursive resolutions in flight; try again. */
    BUSY(AbstractMessage.RC_SERVER_TOO_BUSY);

    private final int responseCode;

    RecursionFailure(int responseCode) {
        this.responseCode = responseCode;
    }

    /** The Handle response code of the error. */
    public int responseCode() {
        return responseCode;
    }
}
