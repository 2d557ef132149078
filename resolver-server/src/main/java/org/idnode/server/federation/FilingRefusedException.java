package org.idnode.server.federation;

/**
 * A filing batch (or status request) the top level refuses, with a message for the secondary node's operator; each
 * interface turns the {@link Kind} into its own status ({@code FederationService}: see {@link FilingReceiver}).
 * Immutable.
 */
public final class FilingRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Kind {
        /** Unknown secondary prefix, unsigned batch, unsupported algorithm, or a signature that does not verify. */
        UNAUTHENTICATED,
        /** The batch is malformed: too many filings, bad sequences, a filing without a kind or with bad fields. */
        INVALID,
        /** The first new filing is not the next in sequence: {@link #expectedSequence()} is. */
        SEQUENCE_GAP,
        /** A status request for a prefix with no registered secondary node. */
        NOT_FOUND
    }

    private final Kind kind;
    private final long expectedSequence;
    private final long appliedThrough;

    FilingRefusedException(Kind kind, String message) {
        this(kind, message, 0, 0);
    }

    FilingRefusedException(Kind kind, String message, long expectedSequence, long appliedThrough) {
        super(message, null, false, false);
        this.kind = kind;
        this.expectedSequence = expectedSequence;
        this.appliedThrough = appliedThrough;
    }

    public Kind kind() {
        return kind;
    }

    /** For {@link Kind#SEQUENCE_GAP}: the sequence the top level applies next; else 0. */
    public long expectedSequence() {
        return expectedSequence;
    }

    /** For {@link Kind#SEQUENCE_GAP}: the highest sequence applied; else 0. */
    public long appliedThrough() {
        return appliedThrough;
    }
}
