package org.idnode.registry.write;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.idnode.registry.federation.ChangeFiler;
import org.idnode.registry.federation.PendingFilings;
import org.idnode.registry.model.AuditEntry;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.registry.model.RecordChange;
import org.idnode.registry.store.HandleRecordStore;

/**
 * Applies {@link HandleOperation}s to a store with the Handle protocol's semantics: reads each handle's
 * current record, works out the new one, validates it, and commits every accepted operation of a call
 * in one durable batch with its audit entry. Written values get the commit time as their timestamp.
 *
 * <p>Each operation succeeds or fails on its own; operations in one call on the same handle see each
 * other's effects in order. Thread-safe: a call locks the handles it touches ({@link HandleLocks}) from their read to
 * their commit, so concurrent writes to one handle never lose each other's changes, while calls on different handles
 * run, and commit, side by side.
 *
 * <p>With a {@link ChangeFiler} (a node that files with its top-level node), every committed change is shown to the
 * filer with its record before and after, and what it files goes into the same store write as the changes.
 */
public final class HandleWriter {
    /**
     * Decides which operations of a call may be applied, from the records they would change as read under the call's
     * handle locks: what it is shown is exactly what the operations change, no other write comes between.
     *
     * <p>Called on the writing thread while the locks are held: it must not write through the same writer (the locks
     * are not reentrant); it may read the store.
     */
    @FunctionalInterface
    public interface Authorization {
        /** Permits everything. */
        Authorization NONE = (position, operation, stored) -> true;

        /**
         * Called once per operation, in order, before any of the call's operations is applied: every decision of a
         * call sees the records as they were before it.
         *
         * @param position  the operation's position in the call
         * @param operation the operation
         * @param stored    the record of its handle as stored now; empty when there is none
         * @return true to apply it; false to leave it out, with the outcome {@link WriteStatus#NOT_PERMITTED}
         */
        boolean permits(int position, HandleOperation operation, Optional<HandleRecord> stored);
    }

    private final HandleRecordStore store;
    private final RecordValidator validator;
    private final ChangeFiler filer;
    private final HandleLocks locks = new HandleLocks();

    /**
     * @param store     where records are read and committed (pass the caching store, so writes invalidate it)
     * @param validator checks every record before it is committed
     */
    public HandleWriter(HandleRecordStore store, RecordValidator validator) {
        this(store, validator, null);
    }

    /**
     * @param store     where records are read and committed; it must keep an outbox when {@code filer} files anything
     * @param validator checks every record before it is committed
     * @param filer     decides what each change files with the top-level node; null for a node that files nothing
     */
    public HandleWriter(HandleRecordStore store, RecordValidator validator, ChangeFiler filer) {
        this.store = store;
        this.validator = validator;
        this.filer = filer;
    }

    /** Applies one operation on behalf of {@code actor} (recorded in the audit log). */
    public WriteOutcome apply(HandleOperation operation, String actor) {
        return applyAll(List.of(operation), actor).get(0);
    }

    /**
     * Applies the operations in order, committing the accepted ones together in one durable batch.
     *
     * @return one outcome per operation, in the same order
     * @throws org.idnode.registry.store.StoreException when the store cannot commit; nothing was applied then
     */
    public List<WriteOutcome> applyAll(List<HandleOperation> operations, String actor) {
        return applyAll(operations, actor, Authorization.NONE);
    }

    /**
     * {@link #applyAll(List, String)} for the operations {@code authorization} permits, decided under the same handle
     * locks as the write, from the same read of the records.
     *
     * @return one outcome per operation, in the same order ({@link WriteStatus#NOT_PERMITTED} for those not permitted)
     */
    public List<WriteOutcome> applyAll(List<HandleOperation> operations, String actor, Authorization authorization) {
        List<HandleName> handles = new ArrayList<>(operations.size());
        for (HandleOperation op : operations) {
            handles.add(op.handle());
        }
        try (HandleLocks.Holder held = locks.lock(handles)) {
            return applyLocked(operations, actor, authorization);
        }
    }

    private List<WriteOutcome> applyLocked(List<HandleOperation> operations, String actor, Authorization authorization) {
        Map<HandleName, Optional<HandleRecord>> current = currentRecords(operations);
        boolean[] permitted = new boolean[operations.size()];
        for (int i = 0; i < permitted.length; i++) {
            HandleOperation op = operations.get(i);
            permitted[i] = authorization.permits(i, op, current.get(op.handle()));
        }
        long nowMillis = System.currentTimeMillis();
        int nowSeconds = (int) (nowMillis / 1000);
        List<RecordChange> changes = new ArrayList<>(operations.size());
        List<WriteOutcome> outcomes = new ArrayList<>(operations.size());
        PendingFilings.Builder filings = filer == null ? null : PendingFilings.builder();
        for (int i = 0; i < permitted.length; i++) {
            HandleOperation op = operations.get(i);
            if (!permitted[i]) {
                outcomes.add(new WriteOutcome(op.handle(), WriteStatus.NOT_PERMITTED, "not permitted"));
                continue;
            }
            Optional<HandleRecord> before = current.get(op.handle());
            Result result = next(op, before, nowSeconds);
            if (result.refusal != null) {
                outcomes.add(result.refusal);
                continue;
            }
            if (result.after != null) {
                List<FieldProblem> problems = validator.fieldProblems(result.after);
                if (!problems.isEmpty()) {
                    outcomes.add(WriteOutcome.invalid(op.handle(), problems));
                    continue;
                }
            }
            current.put(op.handle(), Optional.ofNullable(result.after));
            AuditEntry audit = new AuditEntry(nowMillis, actor, op.auditName(), op.handle().toString(), result.detail);
            // Several operations on one handle in a call are committed in order: the last one's record is
            // what stays, and each is audited.
            changes.add(new RecordChange(op.handle(), result.after, audit));
            outcomes.add(WriteOutcome.ok(op.handle(), before.isEmpty() && result.after != null));
            if (filings != null) {
                filer.fileChange(op.handle(), before.orElse(null), result.after, nowMillis, filings);
            }
        }
        if (filings == null || filings.isEmpty()) {
            store.commit(changes);
        } else {
            store.commit(changes, filings.build());
        }
        return outcomes;
    }

    /** The stored record (or its absence) of every handle the operations touch, read in one go. */
    private Map<HandleName, Optional<HandleRecord>> currentRecords(List<HandleOperation> operations) {
        Map<HandleName, Optional<HandleRecord>> current = new HashMap<>(operations.size() * 2);
        List<HandleName> distinct = new ArrayList<>(operations.size());
        for (HandleOperation op : operations) {
            if (current.putIfAbsent(op.handle(), Optional.empty()) == null) {
                distinct.add(op.handle());
            }
        }
        List<Optional<HandleRecord>> found = store.getAll(distinct);
        for (int i = 0; i < distinct.size(); i++) {
            current.put(distinct.get(i), found.get(i));
        }
        return current;
    }

    /** What an operation does to a record: the new record (null = deleted) or a refusal. */
    private record Result(HandleRecord after, WriteOutcome refusal, String detail) {
        static Result refuse(HandleName h, WriteStatus status, String message) {
            return new Result(null, new WriteOutcome(h, status, message), "");
        }
    }

    private static Result next(HandleOperation op, Optional<HandleRecord> before, int now) {
        HandleName h = op.handle();
        try {
            if (op instanceof HandleOperation.Create c) {
                if (before.isPresent() && !c.overwrite()) {
                    return Result.refuse(h, WriteStatus.HANDLE_ALREADY_EXISTS, "handle " + h + " already exists");
                }
                return new Result(new HandleRecord(h, stamped(c.values(), now)), null, indexes(c.values()));
            }
            if (before.isEmpty()) {
                return Result.refuse(h, WriteStatus.HANDLE_NOT_FOUND, "handle " + h + " does not exist");
            }
            if (op instanceof HandleOperation.Delete) {
                return new Result(null, null, "");
            }
            // Value operations keep the case the handle was created in, whatever case the request used.
            HandleName stored = before.get().handle();
            List<HandleValue> values = new ArrayList<>(before.get().values());
            if (op instanceof HandleOperation.AddValues a) {
                for (HandleValue v : a.values()) {
                    int at = indexOf(values, v.index());
                    if (at >= 0 && !a.overwrite()) {
                        return Result.refuse(h, WriteStatus.VALUE_ALREADY_EXISTS, "handle " + h + " already has a value at index " + v.index());
                    }
                    if (at >= 0) {
                        values.set(at, stamp(v, now));
                    } else {
                        values.add(stamp(v, now));
                    }
                }
                return new Result(new HandleRecord(stored, values), null, indexes(a.values()));
            } else if (op instanceof HandleOperation.ModifyValues m) {
                for (HandleValue v : m.values()) {
                    int at = indexOf(values, v.index());
                    if (at < 0) {
                        return Result.refuse(h, WriteStatus.VALUE_NOT_FOUND, "handle " + h + " has no value at index " + v.index());
                    }
                    values.set(at, stamp(v, now));
                }
                return new Result(new HandleRecord(stored, values), null, indexes(m.values()));
            } else {
                HandleOperation.RemoveValues r = (HandleOperation.RemoveValues) op;
                if (!values.removeIf(v -> r.indexes().contains(v.index()))) {
                    return Result.refuse(h, WriteStatus.VALUE_NOT_FOUND, "handle " + h + " has no value at indexes " + r.indexes());
                }
                return new Result(new HandleRecord(stored, values), null, "indexes " + r.indexes());
            }
        } catch (InvalidHandleException e) {
            return Result.refuse(h, WriteStatus.INVALID, e.getMessage());
        }
    }

    private static int indexOf(List<HandleValue> values, int index) {
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i).index() == index) {
                return i;
            }
        }
        return -1;
    }

    private static List<HandleValue> stamped(List<HandleValue> values, int now) {
        HandleValue[] out = new HandleValue[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = stamp(values.get(i), now);
        }
        return List.of(out);
    }

    private static HandleValue stamp(HandleValue v, int now) {
        return v.withTimestamp(now);
    }

    /** {@code indexes [1, 2, 3]}: the audit detail of an operation on these values. */
    private static String indexes(List<HandleValue> values) {
        StringBuilder b = new StringBuilder(16 + 6 * values.size()).append("indexes [");
        for (int i = 0; i < values.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(values.get(i).index());
        }
        return b.append(']').toString();
    }
}
