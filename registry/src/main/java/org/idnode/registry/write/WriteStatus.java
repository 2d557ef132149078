package org.idnode.registry.write;

/** How one {@link HandleOperation} ended. Each refusal matches a Handle protocol response code. */
public enum WriteStatus {
    /** Applied and durable. */
    OK,
    /** The handle does not exist ({@code RC_HANDLE_NOT_FOUND}). */
    HANDLE_NOT_FOUND,
    /** The handle exists and overwriting was not asked for ({@code RC_HANDLE_ALREADY_EXISTS}). */
    HANDLE_ALREADY_EXISTS,
    /** A value to modify or remove does not exist ({@code RC_VALUES_NOT_FOUND}). */
    VALUE_NOT_FOUND,
    /** A value index to add is in use and overwriting was not asked for ({@code RC_VALUE_ALREADY_EXISTS}). */
    VALUE_ALREADY_EXISTS,
    /** The resulting record breaks a rule: duplicate index, a template, … ({@code RC_INVALID_VALUE}). */
    INVALID,
    /**
     * The caller's {@link HandleWriter.Authorization} did not permit it; the caller knows why, and which Handle
     * response code to answer with.
     */
    NOT_PERMITTED
}
