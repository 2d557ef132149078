package org.idnode.server.handler;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import net.handle.hdllib.AbstractMessage;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.store.HandleRecordStore;
import org.idnode.registry.template.TemplateItem;
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
import org.idnode.server.auth.ItemGrants;
import org.idnode.server.auth.ApiTokens;

/**
 * Writes on behalf of an authenticated identity, for every interface that writes (Handle protocol,
 * REST): checks that the handle is served here and that its enterprise prefix (and every prefix that one
 * derives from) is enabled, authorises the operation by {@code HS_ADMIN} on the handle or on its prefix
 * handle, then applies the accepted operations in one durable batch. Deleting an enterprise prefix handle
 * and changing its lifecycle state, enterprise name or API tokens is for the node's operator only.
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

    /**
     * Which values of a record an identity may read: the public ones, and every restricted one when
     * {@code all}, else the restricted template items whose types (ASCII upper-cased) are in {@code items}.
     */
    public record ReadAccess(boolean all, Set<String> items) {
        static final ReadAccess PUBLIC_ONLY = new ReadAccess(false, Set.of());
        static final ReadAccess ALL = new ReadAccess(true, Set.of());

        public ReadAccess {
            items = Set.copyOf(items);
        }

        public boolean mayRead(HandleValue v) {
            return v.permissions().publicRead() || all
                    || v.index() >= TemplateItem.FIRST_ITEM_INDEX && !items.isEmpty() && items.contains(HandleName.asciiUpperCase(v.type()));
        }
    }

    private final HandleWriter writer;
    private final ServedNamespace namespace;
    private final Function<HandleName, List<HandleValue>> prefixHandleValues;
    private final AdminAuthorizer authorizer;

    AuthorizedWriter(HandleRecordStore store, HandleWriter writer, ServedNamespace namespace,
                     Function<HandleName, List<HandleValue>> prefixHandleValues) {
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
     * Authorises each operation, then applies the accepted ones together in one durable batch. Each operation is
     * authorised by the record it changes as the writer reads it under its handle lock ({@link HandleWriter.Authorization}),
     * so no other write to that handle comes between the decision and the write, and the record is read once. Other
     * records a decision consults (the prefix handle, administrator groups) are read as they are at that moment and
     * are not locked unless the call also writes them.
     *
     * @return one result per operation, in order
     */
    public List<Result> applyAll(AdminIdentity who, List<HandleOperation> operations) {
        Result[] results = new Result[operations.size()];
        // Creating a handle that is not a prefix handle is decided by its prefix alone (served here, enabled, ADD_HANDLE
        // on the prefix handle), and every decision of a call is taken before any of its writes: one per prefix.
        Map<String, Decision> createUnder = new HashMap<>();
        List<WriteOutcome> outcomes = writer.applyAll(operations, who.index() + ":" + who.handle(), (i, op, stored) -> {
            Decision d = op instanceof HandleOperation.Create && !op.handle().isPrefixHandle()
                    ? createUnder.computeIfAbsent(op.handle().prefix(), p -> authorize(who, op, stored))
                    : authorize(who, op, stored);
            if (!d.granted()) {
                results[i] = new Result(op.handle(), d.responseCode(), d.reason());
            }
            return d.granted();
        });
        for (int i = 0; i < results.length; i++) {
            if (results[i] == null) {
                WriteOutcome o = outcomes.get(i);
                results[i] = new Result(o.handle(), responseCode(o), o.message(), o.fieldProblems(), o.created());
            }
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

    /**
     * Whether {@code who} operates this node, for operations on the node itself such as homing prefixes: an
     * {@code HS_ADMIN} value of one of the node's own prefix handles ({@code 0.NA/<configured prefix>}) grants it
     * {@code needed}, directly or through an {@code HS_VLIST} group.
     */
    public Decision authorizeOperator(AdminIdentity who, Permission needed) {
        Decision last = null;
        for (String prefix : namespace.configured()) {
            Decision d = authorizeOnPrefix(who, HandleName.ofPrefix(prefix), needed);
            if (d.granted()) {
                return d;
            }
            last = d;
        }
        String handles = namespace.configured().stream().map(p -> "0.NA/" + p).collect(java.util.stream.Collectors.joining(", "));
        return new Decision(false, last == null ? AbstractMessage.RC_INVALID_ADMIN : last.responseCode(),
                "only an operator of this node may do this, an administrator of " + handles + " with " + needed
                        + (last == null ? "" : ": " + last.reason()));
    }

    /**
     * Which values of a record {@code who} may read: every one with {@code READ_VALUE} on the handle or its prefix
     * ({@link #authorizeRead}); otherwise the public ones and the template items the owning enterprise granted it
     * on its prefix handle ({@link ItemGrants}) for the template the record is bound to.
     */
    public ReadAccess readAccess(AdminIdentity who, HandleName name, List<HandleValue> values) {
        if (authorizeRead(who, name, values).granted()) {
            return ReadAccess.ALL;
        }
        String template = null;
        for (HandleValue v : values) {
            if (v.index() == TemplateItem.TEMPLATE_ID_INDEX && v.type().equalsIgnoreCase(TemplateItem.TEMPLATE_ID_TYPE)) {
                template = new String(v.data(), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        if (template == null || name.isPrefixHandle()) {
            return ReadAccess.PUBLIC_ONLY;
        }
        List<HandleValue> prefixValues = prefixHandleValues.apply(HandleName.ofPrefix(name.prefix()));
        if (prefixValues == null) {
            return ReadAccess.PUBLIC_ONLY;
        }
        Set<String> items = ItemGrants.itemsFor(authorizer, who, template, prefixValues);
        return items.isEmpty() ? ReadAccess.PUBLIC_ONLY : new ReadAccess(false, items);
    }

    /** @param stored the record {@code op} changes, as read under its handle lock */
    private Decision authorize(AdminIdentity who, HandleOperation op, Optional<HandleRecord> stored) {
        HandleName handle = op.handle();
        if (!namespace.serves(handle)) {
            return new Decision(false, AbstractMessage.RC_SERVER_NOT_RESP, "prefix " + handle.namedPrefix() + " is not served by this node");
        }
        Optional<Decision> inactive = inactivePrefix(handle);
        if (inactive.isPresent()) {
            return inactive.get();
        }
        if (op instanceof HandleOperation.Create) {
            return authorizeOnPrefix(who, AdminAuthorizer.authorityForCreate(handle), WriteRequests.createPermission(handle));
        }
        if (stored.isEmpty()) {
            return new Decision(false, AbstractMessage.RC_HANDLE_NOT_FOUND, "handle " + handle + " does not exist");
        }
        if (isDerivedPrefixHandle(handle)
                && (op instanceof HandleOperation.Delete || WriteRequests.touches(op, stored.get(), PrefixRecords::isOperatorValue))) {
            return byParent(who, op);
        }
        Set<Permission> all = WriteRequests.permissions(op, stored.get());
        Decision decision = authorizer.authorize(who, handle.toString(), stored.get().values(), all);
        if (!decision.granted() && !handle.isPrefixHandle()) {
            Decision byPrefix = authorizeOnPrefix(who, HandleName.ofPrefix(handle.prefix()), all);
            decision = byPrefix.granted() ? byPrefix : decision;
        }
        return decision;
    }

    /**
     * The refusal when the prefix a handle is registered under (for a prefix handle, the prefix it derives from), or
     * any prefix that one derives from, is not enabled: a disabled enterprise can neither register nor create derived
     * prefixes to register under. The node's own prefixes have no lifecycle.
     */
    private Optional<Decision> inactivePrefix(HandleName handle) {
        for (String p = handle.isPrefixHandle() ? parentOf(handle.namedPrefix()) : handle.prefix(); p != null && !namespace.isConfigured(p);
             p = parentOf(p)) {
            List<HandleValue> values = prefixHandleValues.apply(HandleName.ofPrefix(p));
            PrefixState state = values == null ? PrefixState.ENABLED : PrefixRecords.stateOf(values);
            if (state != PrefixState.ENABLED) {
                return Optional.of(new Decision(false, AbstractMessage.RC_INVALID_ADMIN, "prefix " + p + " is " + state.text()
                        + ": it accepts no registrations"));
            }
        }
        return Optional.empty();
    }

    /**
     * An enterprise prefix belongs to the one who created it, the node's operator: deleting its prefix handle, and
     * changing the values only the operator sets ({@link PrefixRecords#isOperatorValue}: lifecycle state, enterprise
     * name, API tokens), need what creating it needs, ADD_NA (DELETE_NA to delete) on the parent prefix handle. The
     * enterprise's own admins cannot, whatever their HS_ADMIN on the prefix handle says.
     */
    private Decision byParent(AdminIdentity who, HandleOperation op) {
        HandleName handle = op.handle();
        boolean delete = op instanceof HandleOperation.Delete;
        HandleName parent = AdminAuthorizer.authorityForCreate(handle);
        Decision d = authorizeOnPrefix(who, parent, delete ? Permission.DELETE_NA : Permission.ADD_NA);
        if (d.granted()) {
            return d;
        }
        String what = delete ? "deleting the prefix handle " + handle
                : "changing the " + PrefixRecords.STATE_TYPE + ", " + PrefixRecords.ENTERPRISE_TYPE + " and " + ApiTokens.TOKEN_TYPE
                        + " values of " + handle;
        return new Decision(false, AbstractMessage.RC_INSUFFICIENT_PERMISSIONS, what + " is for the administrators of " + parent
                + " (the node's operator): " + d.reason());
    }

    /** A prefix handle of a prefix derived from one of the node's prefixes (an enterprise prefix, or one derived from it). */
    private boolean isDerivedPrefixHandle(HandleName handle) {
        return handle.isPrefixHandle() && !namespace.isConfigured(handle.namedPrefix());
    }

    private static String parentOf(String prefix) {
        int dot = prefix.lastIndexOf('.');
        return dot > 0 ? prefix.substring(0, dot) : null;
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

    /** The Handle response code for a write outcome. */
    static int responseCode(WriteOutcome outcome) {
        return switch (outcome.status()) {
            case OK -> AbstractMessage.RC_SUCCESS;
            case HANDLE_NOT_FOUND -> AbstractMessage.RC_HANDLE_NOT_FOUND;
            case HANDLE_ALREADY_EXISTS -> AbstractMessage.RC_HANDLE_ALREADY_EXISTS;
            case VALUE_NOT_FOUND -> AbstractMessage.RC_VALUES_NOT_FOUND;
            case VALUE_ALREADY_EXISTS -> AbstractMessage.RC_VALUE_ALREADY_EXISTS;
            case INVALID -> AbstractMessage.RC_INVALID_VALUE;
            case NOT_PERMITTED -> AbstractMessage.RC_INSUFFICIENT_PERMISSIONS;
        };
    }
}
