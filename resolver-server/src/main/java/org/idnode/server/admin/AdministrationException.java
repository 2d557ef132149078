package org.idnode.server.admin;

import java.util.Map;

/**
 * A refused operator action, with a message fit for the operator. Each interface turns the {@link Kind} into
 * its own answer (exit code, HTTP status, gRPC status) and passes {@link #responseCode()} (a Handle response
 * code) along where it reports one. Immutable.
 */
public final class AdministrationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the action was refused. */
    public enum Kind {
        /** The request itself is wrong: a bad prefix, key, state name, identity or missing field. */
        INVALID,
        /** The prefix (or token) does not exist. */
        NOT_FOUND,
        /** The prefix (or a token of that name) exists already. */
        ALREADY_EXISTS,
        /** The prefix is in a state that does not allow it, e.g. a lifecycle transition {@link PrefixState#next()} forbids. */
        FAILED_PRECONDITION,
        /** The caller is not an operator of this node. */
        PERMISSION_DENIED
    }

    private final Kind kind;
    private final int responseCode;
    private final Map<String, String> details;

    /**
     * @param responseCode the Handle response code that fits ({@code net.handle.hdllib.AbstractMessage.RC_*})
     */
    public AdministrationException(Kind kind, int responseCode, String message) {
        this(kind, responseCode, message, Map.of());
    }

    /**
     * @param details facts about the refusal for programs, e.g. {@code state} and {@code allowed_states} of a refused
     *                transition
     */
    public AdministrationException(Kind kind, int responseCode, String message, Map<String, String> details) {
        super(message, null, false, false);
        this.kind = kind;
        this.responseCode = responseCode;
        this.details = Map.copyOf(details);
    }

    /** Facts about the refusal for programs (snake_case keys); empty for most. */
    public Map<String, String> details() {
        return details;
    }

    public Kind kind() {
        return kind;
    }

    /** The Handle response code that fits the refusal. */
    public int responseCode() {
        return responseCode;
    }
}
