package org.idnode.server.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import net.handle.hdllib.AbstractMessage;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.store.HandleRecordStore;
import org.idnode.registry.write.FieldProblem;
import org.idnode.registry.write.HandleOperation;
import org.idnode.registry.write.HandleWriter;
import org.idnode.registry.write.WriteOutcome;
import org.idnode.server.admin.PrefixRecords;
import org.idnode.server.admin.PrefixState;
import org.idnode.server.auth.AdminAuthorizer;
import org.idnode.server.auth.AdminAuthorizer.Decision;
import org.idnode.server.auth.AdminAuthorizer.Permission;
import org.idnode.server.auth.AdminIdentity;

/**
 * Writes on behalf of an authenticated identity, for every interface that writes (Handle protocol,
 * REST): checks that the handle is served here and that its enterprise prefix is enabled, authorises the
 * operation by {@code HS_ADMIN} on the handle or on its prefix handle, then applies the accepted
 * operations in one durable batch.
 *
 * <p>Thread-safe; reads and writes the store, so it blocks.
 */
public final class AuthorizedWriter {
    /**
     * The result of one operation, with the Handle response code to answer with.
     *
     * @param fieldProblems for a record that breaks its template: one entry per offending value or item
     * @param created       true when the operation created a handle that did not exist before
     */
    public record Result(HandleName handle, int responseCode, String message, List<FieldProblem> fieldProblems, boolean created) {
        public Result {
            fieldProblems = List.copyOf(fieldProblems);
        }

        /** A refusal decided before the write (authorisation, prefix state). */
        public Result(HandleName handle, int responseCode, String message) {
            this(handle, responseCode, message, List.of(), false);
        }

        public boolean isOk() {
            return responseCode == AbstractMessage.RC_SUCCESS;
        }
    }

    private final HandleRecordStore store;
    private final HandleWriter writer;
    private final ServedNamespace namespace;
    private final Function<HandleName, List<HandleValue>> prefixHandleValues;
    private final AdminAuthorizer authorizer;

    AuthorizedWriter(HandleRecordStore store, HandleWriter writer, ServedNamespace namespace,
                     Function<HandleName, List<HandleValue>> prefixHandleValues) {
        this.store = store;
        this.writer = writer;
        this.namespace = namespace;
        this.prefixHandleValues = prefixHandleValues;
        this.authorizer = new AdminAuthorizer(store::get);
    }

    /** Authorises and applies one operation. */
    public Result apply(AdminIdentity who, HandleOperation op) {
        return applyAll(who, List.of(op)).get(0);
    }

    /**
     * Authorises each operation, then applies the accepted ones together in one durable batch.
     *
     * @return one result per operation, in order
     */
    public List<Result> applyAll(AdminIdentity who, List<HandleOperation> operations) {
        Result[] results = new Result[operations.size()];
        List<HandleOperation> accepted = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < operations.size(); i++) {
            HandleOperation op = operations.get(i);
            Decision d = authorize(who, op);
            if (d.granted()) {
                accepted.add(op);
                positions.add(i);
            } else {
                results[i] = new Result(op.handle(), d.responseCode(), d.reason());
            }
        }
        List<WriteOutcome> outcomes = writer.applyAll(accepted, who.index() + ":" + who.handle());
        for (int i = 0; i < outcomes.size(); i++) {
            WriteOutcome o = outcomes.get(i);
            results[positions.get(i)] = new Result(o.handle(), responseCode(o), o.message(), o.fieldProblems(), o.created());
        }
        return List.of(results);
    }

    /** Whether {@code who} may list the handles under {@code prefixHandle} ({@code LIST_HANDLES}). */
    public Decision authorizeList(AdminIdentity who, HandleName prefixHandle) {
        return authorizeOnPrefix(who, prefixHandle, Permission.LIST_HANDLES);
    }

    /**
     * Whether {@code who} may read the restricted values of a record: {@code READ_VALUE} on the handle's
     * own {@code HS_ADMIN} values or on its prefix handle's.
     */
    public Decision authorizeRead(AdminIdentity who, HandleName name, List<HandleValue> values) {
        Decision decision = authorizer.authorize(who, name.toString(), values, Set.of(Permission.READ_VALUE));
        if (!decision.granted() && !name.isPrefixHandle()) {
            decision = authorizeOnPrefix(who, HandleName.ofPrefix(name.prefix()), Permission.READ_VALUE);
        }
        return decision;
    }

    private Decision authorize(AdminIdentity who, HandleOperation op) {
        HandleName handle = op.handle();
        if (!namespace.serves(handle)) {
            return new Decision(false, AbstractMessage.RC_SERVER_NOT_RESP, "prefix " + handle.namedPrefix() + " is not served by this node");
        }
        if (!handle.isPrefixHandle()) {
            List<HandleValue> prefixValues = prefixHandleValues.apply(HandleName.ofPrefix(handle.prefix()));
            PrefixState state = prefixValues == null ? PrefixState.ENABLED : PrefixRecords.stateOf(prefixValues);
            if (state != PrefixState.ENABLED) {
                return new Decision(false, AbstractMessage.RC_INVALID_ADMIN,
                        "prefix " + handle.prefix() + " is " + state.text() + ": it accepts no registrations");
            }
        }
        if (op instanceof HandleOperation.Create) {
            return authorizeOnPrefix(who, AdminAuthorizer.authorityForCreate(handle), WriteRequests.createPermission(handle));
        }
        Optional<HandleRecord> own = store.get(handle);
        if (own.isEmpty()) {
            return new Decision(false, AbstractMessage.RC_HANDLE_NOT_FOUND, "handle " + handle + " does not exist");
        }
        Set<Permission> all = WriteRequests.permissions(op, own.get());
        Decision decision = authorizer.authorize(who, handle.toString(), own.get().values(), all);
        if (!decision.granted() && !handle.isPrefixHandle()) {
            Decision byPrefix = authorizeOnPrefix(who, HandleName.ofPrefix(handle.prefix()), all);
            decision = byPrefix.granted() ? byPrefix : decision;
        }
        return decision;
    }

    private Decision authorizeOnPrefix(AdminIdentity who, HandleName prefixHandle, Permission needed) {
        return authorizeOnPrefix(who, prefixHandle, Set.of(needed));
    }

    private Decision authorizeOnPrefix(AdminIdentity who, HandleName prefixHandle, Set<Permission> needed) {
        List<HandleValue> values = prefixHandleValues.apply(prefixHandle);
        if (values == null) {
            return new Decision(false, AbstractMessage.RC_INVALID_ADMIN, "prefix handle " + prefixHandle + " does not exist on this node");
        }
        return authorizer.authorize(who, prefixHandle.toString(), values, needed);
    }

    private static int responseCode(WriteOutcome outcome) {
        return switch (outcome.status()) {
            case OK -> AbstractMessage.RC_SUCCESS;
            case HANDLE_NOT_FOUND -> AbstractMessage.RC_HANDLE_NOT_FOUND;
            case HANDLE_ALREADY_EXISTS -> AbstractMessage.RC_HANDLE_ALREADY_EXISTS;
            case VALUE_NOT_FOUND -> AbstractMessage.RC_VALUES_NOT_FOUND;
            case VALUE_ALREADY_EXISTS -> AbstractMessage.RC_VALUE_ALREADY_EXISTS;
            case INVALID -> AbstractMessage.RC_INVALID_VALUE;
        };
    }
}
