package org.idnode.registry.model;

/**
 * One change in the audit log: who changed which handle, how and when.
 *
 * @param timeMillis when the change was committed (Unix milliseconds)
 * @param actor      who made it: an admin identity {@code index:handle}, an API token's name, or
 *                   {@code import} for offline bulk loads
 * @param operation  what was done, e.g. {@code create}, {@code delete}, {@code add-values}
 * @param handle     the handle changed
 * @param detail     free text, e.g. the value indexes touched
 */
public record AuditEntry(long timeMillis, String actor, String operation, String handle, String detail) {
    public AuditEntry {
        if (actor == null || operation == null || handle == null) {
            throw new IllegalArgumentException("audit entry needs an actor, an operation and a handle");
        }
        detail = detail == null ? "" : detail;
    }
}
