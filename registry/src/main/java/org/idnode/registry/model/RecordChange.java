package org.idnode.registry.model;

/**
 * One change to commit to the store: a handle's new record, or its deletion, with the audit entry
 * that describes it.
 *
 * @param handle the handle changed
 * @param after  the record as it is after the change, or null when the handle is deleted
 * @param audit  what to record in the audit log
 */
public record RecordChange(HandleName handle, HandleRecord after, AuditEntry audit) {
    public RecordChange {
        if (handle == null || audit == null) {
            throw new IllegalArgumentException("a change needs a handle and an audit entry");
        }
        if (after != null && !after.handle().equals(handle)) {
            throw new IllegalArgumentException("record " + after.handle() + " does not belong to " + handle);
        }
    }

    /** A change that stores {@code record}. */
    public static RecordChange put(HandleRecord record, AuditEntry audit) {
        return new RecordChange(record.handle(), record, audit);
    }

    /** A change that deletes {@code handle}. */
    public static RecordChange delete(HandleName handle, AuditEntry audit) {
        return new RecordChange(handle, null, audit);
    }
}
