package org.idnode.server.handler;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.ChallengeAnswerRequest;
import net.handle.hdllib.CreateHandleResponse;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.GenericResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.ListHandlesRequest;
import net.handle.hdllib.ListHandlesResponse;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.SessionSetupRequest;
import net.handle.hdllib.Util;
import net.handle.hdllib.VerifyAuthRequest;
import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.registry.write.HandleOperation;
import org.idnode.server.auth.AdminAuthorizer.Decision;
import org.idnode.server.auth.AdminAuthorizer.Permission;
import org.idnode.server.auth.AdminIdentity;
import org.idnode.server.auth.AuthResult;
import org.idnode.server.auth.ChallengeManager;
import org.idnode.server.auth.SessionManager;
import org.idnode.server.auth.VerifyChallengeHandler;

/**
 * The Handle protocol's authenticated operations: session setup and terminate, challenge answers,
 * verify-challenge, and the writes (create, delete, add, modify, remove values), list-handles and
 * home/unhome prefix that run once the requester is authenticated and authorised by {@code HS_ADMIN} (on the
 * handle, or on its prefix handle as CNRI's {@code allow_na_admins}; for homing, on the node's own prefix
 * handle).
 *
 * <p>Each request is split into a cheap step that may answer at once and a blocking step (key
 * generation, signature checks, store reads and durable writes) that the caller runs off the event loop.
 * Thread-safe.
 */
final class AdminRequestHandler {
    /** Most handles one list answer carries (CNRI streams longer lists over several messages). */
    static final int MAX_LISTED_HANDLES = 5_000;

    /** What to do with a request: answer {@code now}, or run {@code blocking} for the answer. */
    record Step(AbstractResponse now, Callable<AbstractResponse> blocking) {
        static Step now(AbstractResponse response) {
            return new Step(response, null);
        }

        static Step blocking(Callable<AbstractResponse> work) {
            return new Step(null, work);
        }
    }

    private final CachingHandleRecordStore store;
    private final ServedNamespace namespace;
    private final Function<HandleName, List<HandleValue>> prefixHandleValues;
    private final SessionManager sessions;
    private final ChallengeManager challenges;
    private final VerifyChallengeHandler verifier;
    private final AuthorizedWriter writes;
    private final HomedPrefixes homed;

    /**
     * @param homed              the prefixes homed here, changed by home and unhome requests
     * @param prefixHandleValues the values the node serves for a prefix handle (stored or made up for a
     *                           configured prefix), or null when it does not exist; may block
     */
    AdminRequestHandler(CachingHandleRecordStore store, AuthorizedWriter writes, HomedPrefixes homed, ServedNamespace namespace,
                        Function<HandleName, List<HandleValue>> prefixHandleValues, SessionManager sessions) {
        this.store = store;
        this.writes = writes;
        this.homed = homed;
        this.namespace = namespace;
        this.prefixHandleValues = prefixHandleValues;
        this.sessions = sessions;
        this.challenges = new ChallengeManager(sessions, store::get, ChallengeManager.Settings.defaults(), java.time.Clock.systemUTC());
        this.verifier = new VerifyChallengeHandler(store::get);
    }

    static boolean handles(int opCode) {
        return opCode == AbstractMessage.OC_SESSION_SETUP || opCode == AbstractMessage.OC_SESSION_TERMINATE
                || opCode == AbstractMessage.OC_RESPONSE_TO_CHALLENGE || opCode == AbstractMessage.OC_VERIFY_CHALLENGE
                || opCode == AbstractMessage.OC_LIST_HANDLES || opCode == AbstractMessage.OC_HOME_NA
                || opCode == AbstractMessage.OC_UNHOME_NA || WriteRequests.isWrite(opCode);
    }

    /** An answer for a request that names a session this node does not know, checked before anything else. */
    Optional<AbstractResponse> checkSession(AbstractRequest req) throws HandleException {
        return challenges.checkSessionId(req);
    }

    Step start(AbstractRequest req) throws HandleException {
        switch (req.opCode) {
            case AbstractMessage.OC_SESSION_SETUP:
                return Step.blocking(() -> sessions.setUp((SessionSetupRequest) req));
            case AbstractMessage.OC_SESSION_TERMINATE:
                return Step.now(sessions.terminate(req));
            case AbstractMessage.OC_RESPONSE_TO_CHALLENGE:
                return Step.blocking(() -> complete(challenges.answer((ChallengeAnswerRequest) req)));
            case AbstractMessage.OC_VERIFY_CHALLENGE:
                return Step.blocking(() -> verifier.verify((VerifyAuthRequest) req));
            default:
                AuthResult result = challenges.authenticate(req);
                if (result instanceof AuthResult.Reply reply) {
                    return Step.now(reply.response());
                }
                return Step.blocking(() -> complete(result));
        }
    }

    private AbstractResponse complete(AuthResult result) throws HandleException {
        if (result instanceof AuthResult.Reply reply) {
            return reply.response();
        }
        AuthResult.Authenticated auth = (AuthResult.Authenticated) result;
        AbstractRequest req = auth.request();
        AbstractResponse response = switch (req.opCode) {
            case AbstractMessage.OC_LIST_HANDLES -> list(auth.identity(), (ListHandlesRequest) req);
            case AbstractMessage.OC_RESOLUTION -> readAs(auth.identity(), (ResolutionRequest) req);
            case AbstractMessage.OC_HOME_NA, AbstractMessage.OC_UNHOME_NA -> homing(auth.identity(), req);
            default -> write(auth.identity(), req);
        };
        auth.bind(response);
        return response;
    }

    private AbstractResponse write(AdminIdentity who, AbstractRequest req) throws HandleException {
        HandleOperation op;
        try {
            op = WriteRequests.toOperation(req);
        } catch (InvalidHandleException e) {
            return error(req, AbstractMessage.RC_INVALID_HANDLE, e.getMessage());
        } catch (IllegalArgumentException e) {
            return error(req, AbstractMessage.RC_INVALID_VALUE, e.getMessage());
        }
        if (req.mintNewSuffix) {
            return error(req, AbstractMessage.RC_OPERATION_NOT_SUPPORTED, "minting suffixes is not supported; name the handle");
        }
        AuthorizedWriter.Result result = writes.apply(who, op);
        if (!result.isOk()) {
            return error(req, result.responseCode(), result.message());
        }
        return req.opCode == AbstractMessage.OC_CREATE_HANDLE
                ? new CreateHandleResponse(req, req.handle) : new GenericResponse(req, AbstractMessage.RC_SUCCESS);
    }

    /**
     * A resolution by an authenticated identity: every value (restricted ones too) when an {@code HS_ADMIN}
     * of the handle or of its prefix grants it {@code READ_VALUE}; otherwise the public values and the
     * template items granted to it ({@link AuthorizedWriter#readAccess}).
     */
    AbstractResponse readAs(AdminIdentity who, ResolutionRequest req) throws HandleException {
        HandleName name;
        try {
            name = HandleName.fromUtf8(req.handle);
        } catch (InvalidHandleException e) {
            return error(req, AbstractMessage.RC_INVALID_HANDLE, e.getMessage());
        }
        PreparedRecord view = viewAs(who, name);
        if (view == null) {
            return new ErrorResponse(req, AbstractMessage.RC_HANDLE_NOT_FOUND, null);
        }
        byte[][] selected = view.select(req.requestedIndexes, req.requestedTypes);
        if (selected.length == 0) {
            return new ErrorResponse(req, AbstractMessage.RC_VALUES_NOT_FOUND, null);
        }
        return new ResolutionResponse(req, req.handle, selected);
    }

    /**
     * Homes or unhomes a prefix ({@code OC_HOME_NA}, {@code OC_UNHOME_NA}): for operators of this node only
     * (see {@link AuthorizedWriter#authorizeOperator}), which homing needs {@code ADD_NA} and unhoming
     * {@code DELETE_NA} for, as creating and deleting a derived prefix does.
     */
    private AbstractResponse homing(AdminIdentity who, AbstractRequest req) throws HandleException {
        String prefix;
        try {
            prefix = HomedPrefixes.prefixOf(req.handle);
        } catch (InvalidHandleException e) {
            return error(req, AbstractMessage.RC_INVALID_HANDLE, e.getMessage());
        }
        boolean home = req.opCode == AbstractMessage.OC_HOME_NA;
        Decision decision = writes.authorizeOperator(who, home ? Permission.ADD_NA : Permission.DELETE_NA);
        if (!decision.granted()) {
            return error(req, decision.responseCode(), decision.reason());
        }
        AuthorizedWriter.Result result = home ? homed.home(prefix, who.toString()) : homed.unhome(prefix, who.toString());
        return result.isOk() ? new GenericResponse(req, AbstractMessage.RC_SUCCESS) : error(req, result.responseCode(), result.message());
    }

    /**
     * What {@code who} may read of a handle: every value, restricted ones too, when an {@code HS_ADMIN} of the
     * handle or of its prefix grants it {@code READ_VALUE}; otherwise the public values and the template items
     * granted to it ({@link AuthorizedWriter#readAccess}). Null when the handle does not exist. Blocks.
     */
    PreparedRecord viewAs(AdminIdentity who, HandleName name) {
        List<HandleValue> values = name.isPrefixHandle()
                ? prefixHandleValues.apply(name)
                : store.get(name).map(HandleRecord::values).orElse(null);
        if (values == null) {
            return null;
        }
        return PreparedRecord.of(values, writes.readAccess(who, name, values)::mayRead);
    }

    private AbstractResponse list(AdminIdentity who, ListHandlesRequest req) throws HandleException {
        HandleName prefixHandle;
        try {
            prefixHandle = HandleName.fromUtf8(req.handle);
        } catch (InvalidHandleException e) {
            return error(req, AbstractMessage.RC_INVALID_HANDLE, e.getMessage());
        }
        if (!prefixHandle.isPrefixHandle()) {
            return error(req, AbstractMessage.RC_INVALID_HANDLE, "list-handles needs a prefix handle such as 0.NA/88.999.1");
        }
        if (!namespace.serves(prefixHandle)) {
            return error(req, AbstractMessage.RC_SERVER_NOT_RESP, "prefix " + prefixHandle.namedPrefix() + " is not served by this node");
        }
        Decision decision = writes.authorizeList(who, prefixHandle);
        if (!decision.granted()) {
            return error(req, decision.responseCode(), decision.reason());
        }
        List<HandleName> names = store.list(prefixHandle.suffix(), null, MAX_LISTED_HANDLES);
        byte[][] handles = names.stream().map(HandleName::toUtf8).toArray(byte[][]::new);
        return new ListHandlesResponse(req, handles);
    }

    private static AbstractResponse error(AbstractRequest req, int rc, String message) throws HandleException {
        return new ErrorResponse(req, rc, Util.encodeString(message));
    }
}
