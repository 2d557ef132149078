package org.idnode.registry.federation;

/**
 * A change the {@link FilingLedger} refuses, with a message fit for the operator or the filing secondary node.
 * Immutable.
 */
public final class LedgerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Kind {
        /** No secondary node is registered for the prefix. */
        UNKNOWN_SECONDARY,
        /** The prefix is registered already, or overlaps a registered one (the same, derived from it, or its parent). */
        ALREADY_REGISTERED,
        /** The first new filing is not the one after the last applied: {@link #expectedSequence()} is. */
        SEQUENCE_GAP
    }

    private final Kind kind;
    private final long expectedSequence;

    LedgerException(Kind kind, String message) {
        this(kind, message, 0);
    }

    LedgerException(Kind kind, String message, long expectedSequence) {
        super(message, null, false, false);
        this.kind = kind;
        this.expectedSequence = expectedSequence;
    }

    public Kind kind() {
        return kind;
    }

    /** For {@link Kind#SEQUENCE_GAP}: the sequence the ledger expects next; else 0. */
    public long expectedSequence() {
        return expectedSequence;
    }
}
