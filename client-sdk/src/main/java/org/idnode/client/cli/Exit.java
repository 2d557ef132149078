package org.idnode.client.cli;

import org.idnode.client.IdNodeException;

/** idctl's exit codes (documented in docs/idctl.md and in {@code idctl --help}). */
final class Exit {
    static final int OK = 0;
    /** Input was refused: an import with refused lines, a refused registration or change. */
    static final int REFUSED = 1;
    /** Bad usage or configuration: unknown option, unreadable file, bad config file. */
    static final int USAGE = 2;
    /** The node could not be reached, or it failed. */
    static final int UNAVAILABLE = 3;
    static final int NOT_FOUND = 4;
    /** No token, a bad token, or the token's identity may not do this. */
    static final int DENIED = 5;

    /** The {@code exitCodeList} of {@code idctl --help}. */
    static final String[] HELP = {
        "0:success",
        "1:input refused (an import with refused lines, a refused registration or change)",
        "2:usage or configuration error",
        "3:node unreachable, unavailable or failing",
        "4:not found",
        "5:authentication or permission error"};

    private Exit() {
    }

    /** The exit code for a failed call. */
    static int of(IdNodeException e) {
        if (e.code() != null) {
            switch (e.code()) {
                case NOT_FOUND:
                    return NOT_FOUND;
                case UNAUTHENTICATED:
                case PERMISSION_DENIED:
                    return DENIED;
                case INVALID_ARGUMENT:
                case ALREADY_EXISTS:
                case FAILED_PRECONDITION:
                case OUT_OF_RANGE:
                    return REFUSED;
                default:
                    return UNAVAILABLE;
            }
        }
        return UNAVAILABLE;
    }
}
