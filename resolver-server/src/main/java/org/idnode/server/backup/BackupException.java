package org.idnode.server.backup;

/**
 * A backup, restore or export cannot be done; the message says why in an operator's terms (which folder, which
 * file, what was expected). {@link #kind()} tells a refusal of the request apart from a failure while doing it.
 */
public final class BackupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the operation stopped. */
    public enum Kind {
        /** The request cannot be done as asked: a target that exists or is outside the backup root, a node that runs. */
        REFUSED,
        /** Not now: another backup is running, or the node is stopping. */
        BUSY,
        /** The backup is not usable: no manifest, a corrupt or missing file, a count that does not match. */
        BAD_BACKUP,
        /** Reading or writing failed. */
        FAILED
    }

    private final Kind kind;

    public BackupException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public BackupException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
