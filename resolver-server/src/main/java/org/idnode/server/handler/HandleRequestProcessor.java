package org.idnode.server.handler;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.AdminRecord;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.GetSiteInfoResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.ServiceReferralResponse;
import net.handle.hdllib.Util;
import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.store.StoreException;
import org.idnode.registry.write.HandleWriter;
import org.idnode.server.admin.PrefixRecords;
import org.idnode.server.auth.AdminIdentity;
import org.idnode.server.auth.SessionLimits;
import org.idnode.server.auth.SessionManager;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.codec.MalformedMessageException;
import org.idnode.server.federation.Delegations;
import org.idnode.server.site.NodeSite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers decoded Handle requests; the one place where request semantics live, shared by the UDP,
 * TCP and HTTP transports. Supported: {@code OC_RESOLUTION} (index and type filters, public-only
 * values, prefix handles {@code 0.NA/<prefix>}) and {@code OC_GET_SITE_INFO}; sessions, challenges, writes,
 * list-handles and home/unhome prefix through {@link AdminRequestHandler}; every other operation is
 * answered {@code RC_OPERATION_NOT_SUPPORTED}. Certified requests get signed answers. In the top-level role the
 * {@link Delegations} answer first (see {@link #delegated}). Interfaces that speak the
 * record model rather than Handle messages (gRPC) resolve with the same rules through {@link #resolveValuesIfCached}
 * and {@link #resolveValues}, and write through {@link #writes} and {@link #batches}.
 *
 * <p>With a {@link ForeignResolver} (recursion on), a resolution of a handle outside the served prefixes is answered
 * recursively instead of {@code SERVER_NOT_RESP}: over the Handle protocol when the request carries the recursion flag,
 * always for the record model ({@link #resolveForeign}).
 *
 * <p>Threading: {@link #process} may be called from any thread and never blocks. Answers found in the
 * record cache are delivered on the calling thread; a cache miss (which reads RocksDB) and signing
 * (RSA) run on the {@code blockingWork} executor, so an event loop is never stalled by them. When that
 * executor refuses work the request is answered {@code RC_SERVER_TOO_BUSY}.
 */
public final class HandleRequestProcessor {
    private static final Logger log = LoggerFactory.getLogger(HandleRequestProcessor.class);
    private static final int PREFIX_SITE_INDEX = 1;
    private static final int PREFIX_ADMIN_INDEX = 100;
    private static final int PREFIX_ADMIN_KEY_INDEX = 300;

    private final CachingHandleRecordStore store;
    private final ServedNamespace namespace;
    private final Supplier<NodeSite> site;
    private final ResponseSigner signer;
    private final Executor blockingWork;
    private final SessionManager sessions;
    private final AdminRequestHandler admin;
    private final AuthorizedWriter writes;
    private final BatchRegistration batches;
    private final ForeignResolver foreign;
    /** The prefixes delegated to secondary nodes; null unless the node plays the top level. */
    private final Delegations delegations;

    /**
     * @param store          the record store with its cache
     * @param servedPrefixes prefixes served here, with every prefix derived from them
     * @param site           the node's site info; null until the listeners are bound, and requests
     *                       that need it are answered {@code RC_SERVER_TOO_BUSY} until then
     * @param writer         applies authenticated writes to {@code store}
     * @param keys           the node's private key, for certified answers
     * @param blockingWork   runs store reads on cache misses, signing, authentication and writes; may
     *                       reject when saturated
     */
    public HandleRequestProcessor(CachingHandleRecordStore store, HandleWriter writer, List<String> servedPrefixes,
                                  Supplier<NodeSite> site, java.security.PrivateKey keys, Executor blockingWork) {
        this(store, writer, servedPrefixes, site, keys, blockingWork, null, null);
    }

    /**
     * A processor for a node in the top-level role when {@code delegations} is not null: it answers the prefix
     * handles of the delegated prefixes, refers the prefixes derived from them to their secondary nodes, and answers
     * every other prefix handle it does not serve {@code RC_HANDLE_NOT_FOUND} (it is the root).
     */
    public HandleRequestProcessor(CachingHandleRecordStore store, HandleWriter writer, List<String> servedPrefixes,
                                  Supplier<NodeSite> site, java.security.PrivateKey keys, Executor blockingWork, Delegations delegations) {
        this(store, writer, servedPrefixes, site, keys, blockingWork, delegations, null);
    }

    /**
     * The processor in full.
     *
     * @param delegations the prefixes a top-level node delegated (see above); null for a secondary node
     * @param foreign     resolves handles outside the served prefixes recursively; null to answer them {@code SERVER_NOT_RESP}
     */
    public HandleRequestProcessor(CachingHandleRecordStore store, HandleWriter writer, List<String> servedPrefixes,
                                  Supplier<NodeSite> site, java.security.PrivateKey keys, Executor blockingWork, Delegations delegations,
                                  ForeignResolver foreign) {
        this.delegations = delegations;
        this.store = store;
        this.foreign = foreign;
        this.namespace = new ServedNamespace(servedPrefixes);
        this.site = site;
        this.signer = new ResponseSigner(keys);
        this.blockingWork = blockingWork;
        this.sessions = new SessionManager(SessionLimits.defaults(), Clock.systemUTC());
        Function<HandleName, List<HandleValue>> prefixValues = name -> prefixHandleValues(name, store.get(name));
        this.writes = new AuthorizedWriter(store, writer, namespace, prefixValues);
        this.admin = new AdminRequestHandler(store, writes, new HomedPrefixes(store, writer, namespace), namespace, prefixValues, sessions);
        this.batches = new BatchRegistration(writes);
    }

    /**
     * Resolves as an authenticated identity (for interfaces that authenticate by other means, such as
     * HTTP Basic): restricted values are included when the identity may read them. Blocks; the answer is
     * not signed.
     */
    public AbstractResponse resolveAs(AdminIdentity who, ResolutionRequest req) {
        try {
            return admin.readAs(who, req);
        } catch (HandleException | RuntimeException e) {
            return internalError(req, e);
        }
    }

    /** The record store, for interfaces that read it directly (listing). */
    public CachingHandleRecordStore store() {
        return store;
    }

    /** Writes on behalf of authenticated identities, for the interfaces other than the Handle protocol. */
    public AuthorizedWriter writes() {
        return writes;
    }

    /** Batch registration on behalf of authenticated identities (REST batches, gRPC batch and bulk registration). */
    public BatchRegistration batches() {
        return batches;
    }

    /**
     * Decodes the message after an envelope, decrypting it first with its session's key when the
     * envelope says it is encrypted.
     *
     * @throws MalformedMessageException when it cannot be decrypted or decoded
     */
    public AbstractRequest decode(MessageEnvelope envelope, byte[] message) throws MalformedMessageException {
        byte[] plain = envelope.encrypted ? sessions.decrypt(envelope, message) : message;
        return HandleMessageCodec.decodeRequest(envelope, plain);
    }

    /**
     * The bytes of an answer as they go on the wire: its encoded message, encrypted with the session key
     * when it answers inside a session and carries values that must not travel in clear.
     */
    public SessionManager.WireMessage seal(AbstractResponse response) throws HandleException {
        return sessions.encode(response);
    }

    /** Answers one request through {@code callback}, exactly once. */
    public void process(AbstractRequest request, ResponseCallback callback) {
        AbstractResponse response;
        try {
            Optional<AbstractResponse> badSession = admin.checkSession(request);
            if (badSession.isPresent()) {
                response = badSession.get();
            } else if (AdminRequestHandler.handles(request.opCode)) {
                response = startAdmin(request, callback);
            } else {
                response = switch (request.opCode) {
                    case AbstractMessage.OC_RESOLUTION -> resolve((ResolutionRequest) request, callback);
                    case AbstractMessage.OC_GET_SITE_INFO -> new GetSiteInfoResponse(request, site().siteInfo());
                    default -> error(request, AbstractMessage.RC_OPERATION_NOT_SUPPORTED,
                            "operation " + request.opCode + " is not supported by this node");
                };
            }
        } catch (NodeStartingException e) {
            response = busy(request);
        } catch (HandleException | RuntimeException e) {
            response = internalError(request, e);
        }
        if (response != null) {
            finish(request, response, callback, false);
        }
    }

    /**
     * Answers an anonymous resolution straight from the record cache, for transports that write the answer
     * from pre-encoded bytes instead of going through {@link #process}: the same answer {@code process}
     * gives an uncertified request outside any session, for a handle served here (not a prefix handle)
     * whose record, or whose absence, is cached. Never blocks; may be called from any thread.
     *
     * @param handle     the handle as sent (UTF-8)
     * @param publicOnly false when the client cleared the public-only flag: such a request is answered
     *                   here only when the record has no restricted value
     * @param indexes    requested indexes, empty for none
     * @param types      requested types, empty for none
     * @return the answer, or null when {@link #process} has to answer (not cached, not served here, an
     *         invalid handle, a prefix handle, restricted values asked for)
     */
    public CachedAnswer cachedAnswer(byte[] handle, boolean publicOnly, int[] indexes, byte[][] types) {
        HandleName name;
        try {
            name = HandleName.fromUtf8(handle);
        } catch (InvalidHandleException e) {
            return null;
        }
        if (name.isPrefixHandle() || !namespace.serves(name)) {
            return null;
        }
        return cachedAnswer(store.getIfCached(name), publicOnly, indexes, types);
    }

    /**
     * {@link #cachedAnswer(byte[], boolean, int[], byte[][])} for a record-model resolution (public values only): the
     * answer, or null when the resolution has to go on ({@link #resolveValuesIfCached} and the steps after it). Consults
     * the record cache for the resolution, which the following steps reuse. Never blocks.
     */
    public CachedAnswer cachedAnswer(ValueResolution resolution) {
        if (!resolution.servedRecord()) {
            return null;
        }
        ValueQuery query = resolution.query;
        return cachedAnswer(resolution.cached(store::getIfCached), true, query.indexes(), query.types());
    }

    /** @param cached what the record cache holds for a handle served here that is not a prefix handle */
    private static CachedAnswer cachedAnswer(Optional<HandleRecord> cached, boolean publicOnly, int[] indexes, byte[][] types) {
        if (cached == null) {
            return null;
        }
        if (cached.isEmpty()) {
            return CachedAnswer.HANDLE_NOT_FOUND;
        }
        PreparedRecord prepared = cached.get().derived(PreparedRecord.class, PreparedRecord::of);
        if (!publicOnly && prepared.withheld()) {
            return null;
        }
        return prepared.answer(indexes, types);
    }

    /** The serial number of the node's site info that answers carry, -1 until the site is published. */
    public int siteInfoSerial() {
        NodeSite current = site.get();
        return current == null ? -1 : current.serialNumber();
    }

    /** Returns the answer now, or null when the answer will come from a store thread. */
    private AbstractResponse startAdmin(AbstractRequest req, ResponseCallback callback) throws HandleException {
        AdminRequestHandler.Step step = admin.start(req);
        if (step.now() != null) {
            return step.now();
        }
        try {
            blockingWork.execute(() -> {
                AbstractResponse response;
                try {
                    response = step.blocking().call();
                } catch (Exception e) {
                    response = internalError(req, e);
                }
                finish(req, response, callback, true);
            });
        } catch (RejectedExecutionException e) {
            return error(req, AbstractMessage.RC_SERVER_TOO_BUSY, "the node is too busy, try again");
        }
        return null;
    }

    /** Returns the answer now, or null when the answer will come from a store thread. */
    private AbstractResponse resolve(ResolutionRequest req, ResponseCallback callback) throws HandleException {
        HandleName name;
        try {
            name = resolvable(req.handle);
        } catch (InvalidHandleException e) {
            return error(req, AbstractMessage.RC_INVALID_HANDLE, e.getMessage());
        }
        Delegated delegated = delegated(name);
        if (delegated != null) {
            return delegated.response(req);
        }
        if (!namespace.serves(name)) {
            if (foreign != null && req.recursive) {
                return resolveForeign(req, name, callback);
            }
            return error(req, AbstractMessage.RC_SERVER_NOT_RESP, notServed(name));
        }
        Optional<HandleRecord> cached = store.getIfCached(name);
        if (cached != null) {
            return answer(req, name, cached, callback);
        }
        try {
            blockingWork.execute(() -> {
                AbstractResponse response;
                try {
                    response = answer(req, name, store.get(name), callback);
                    if (response == null) {
                        return;
                    }
                } catch (NodeStartingException e) {
                    response = busy(req);
                } catch (HandleException | RuntimeException e) {
                    response = internalError(req, e);
                }
                finish(req, response, callback, true);
            });
        } catch (RejectedExecutionException e) {
            return error(req, AbstractMessage.RC_SERVER_TOO_BUSY, "the node is too busy, try again");
        }
        return null;
    }

    /** Returns the answer now when it is cached, else null: it will come from a recursion thread. */
    private AbstractResponse resolveForeign(ResolutionRequest req, HandleName name, ResponseCallback callback) throws HandleException {
        ForeignAnswer cached = foreign.cached(name);
        if (cached != null) {
            return foreignAnswer(req, cached);
        }
        CompletableFuture<ForeignAnswer> answer = foreign.resolve(name);
        if (answer.isDone()) {
            // Settled at once (cached meanwhile, or refused as busy): answer on this thread, which may be an event loop.
            return foreignAnswer(req, answer.join());
        }
        answer.thenAccept(a -> {
            AbstractResponse response;
            try {
                response = foreignAnswer(req, a);
            } catch (HandleException | RuntimeException e) {
                response = internalError(req, e);
            }
            finish(req, response, callback, true);
        });
        return null;
    }

    private static AbstractResponse foreignAnswer(ResolutionRequest req, ForeignAnswer a) throws HandleException {
        if (a.failure() != null) {
            return new RecursionErrorResponse(req, a.failure(), a.message());
        }
        if (!a.isFound()) {
            return error(req, a.responseCode(), a.message());
        }
        byte[][] values = a.prepared().select(req.requestedIndexes, req.requestedTypes);
        if (values.length == 0) {
            return error(req, AbstractMessage.RC_VALUES_NOT_FOUND, null);
        }
        return new ResolutionResponse(req, req.handle, values);
    }

    private AbstractResponse answer(ResolutionRequest req, HandleName name, Optional<HandleRecord> record, ResponseCallback callback)
            throws HandleException {
        PreparedRecord prepared = publicView(name, record);
        if (prepared == null) {
            return error(req, AbstractMessage.RC_HANDLE_NOT_FOUND, null);
        }
        if (!req.ignoreRestrictedValues && prepared.withheld()) {
            // The client asks for restricted values too: authenticate it (a challenge), then answer with
            // what its identity may read (AdminRequestHandler.readAs).
            return startAdmin(req, callback);
        }
        byte[][] values = prepared.select(req.requestedIndexes, req.requestedTypes);
        if (values.length == 0) {
            return error(req, AbstractMessage.RC_VALUES_NOT_FOUND, null);
        }
        return new ResolutionResponse(req, req.handle, values);
    }

    /**
     * Resolves in the record model for an anonymous caller when the record cache can answer: public values only,
     * prefix handles as over the Handle protocol. Never blocks.
     *
     * @return the answer, or null when the store has to be read: call {@link #resolveValues} on a thread that may block
     */
    public ValueAnswer resolveValuesIfCached(ValueResolution target) {
        if (target.answered != null) {
            return target.answered;
        }
        ValueQuery query = target.query;
        HandleName name = target.name;
        if (target.foreign) {
            ForeignAnswer cached = foreign.cached(name);
            return cached == null ? null : selected(query, cached);
        }
        Optional<HandleRecord> cached = target.cached(store::getIfCached);
        if (cached == null) {
            return null;
        }
        try {
            return selected(query, publicView(name, cached));
        } catch (NodeStartingException e) {
            return ValueAnswer.refused(query, AbstractMessage.RC_SERVER_TOO_BUSY, "the node is still starting, try again");
        }
    }

    /**
     * Resolves in the record model (for gRPC) with the semantics of {@code OC_RESOLUTION}: anonymous callers get the
     * public values; an authenticated identity also gets the restricted values it may read, exactly as
     * {@link #resolveAs} decides; prefix handles are answered as over the Handle protocol. Blocks (store reads).
     *
     * @param who the authenticated caller, or null for an anonymous one
     */
    public ValueAnswer resolveValues(ValueResolution target, AdminIdentity who) {
        if (target.answered != null) {
            return target.answered;
        }
        ValueQuery query = target.query;
        HandleName name = target.name;
        if (target.foreign) {
            return selected(query, foreign.resolve(name).join());
        }
        try {
            return selected(query, who == null ? publicView(name, store.get(name)) : admin.viewAs(who, name));
        } catch (NodeStartingException e) {
            return ValueAnswer.refused(query, AbstractMessage.RC_SERVER_TOO_BUSY, "the node is still starting, try again");
        }
    }

    /**
     * Resolves a handle this node does not serve recursively, without blocking the caller: for interfaces that speak
     * the record model. Public values only, whoever asks.
     *
     * @return the answer to come, or null when the query is not for such a handle (or recursion is off): use
     *         {@link #resolveValuesIfCached} and {@link #resolveValues}
     */
    public CompletableFuture<ValueAnswer> resolveForeign(ValueResolution target) {
        if (target.answered != null || !target.foreign) {
            return null;
        }
        return foreign.resolve(target.name).thenApply(a -> selected(target.query, a));
    }

    /**
     * True when a resolution of {@code handle} (UTF-8, as sent) is answered recursively, for whoever asks: the node
     * recurses, the handle is valid, not served here and not a delegation of a top-level node.
     */
    public boolean resolvesRecursively(byte[] handle) {
        if (foreign == null) {
            return false;
        }
        try {
            HandleName name = resolvable(handle);
            return delegated(name) == null && !namespace.serves(name);
        } catch (InvalidHandleException e) {
            return false;
        }
    }

    /**
     * Starts a record-model resolution (gRPC): parses the handle {@code query} names and places it once, served here,
     * to be resolved recursively, or answered already (a refusal, or a delegation's values). Hand the resolution to
     * {@link #cachedAnswer(ValueResolution)}, {@link #resolveValuesIfCached}, {@link #resolveForeign} and
     * {@link #resolveValues}, in that order, until one answers. Never blocks.
     */
    public ValueResolution resolution(ValueQuery query) {
        HandleName name;
        try {
            name = resolvable(Util.encodeString(query.handle()));
        } catch (InvalidHandleException e) {
            return new ValueResolution(query, null, ValueAnswer.refused(query, AbstractMessage.RC_INVALID_HANDLE, e.getMessage()), false);
        }
        Delegated delegated = delegated(name);
        if (delegated != null) {
            return new ValueResolution(query, null, delegated.answer(query), false);
        }
        if (!namespace.serves(name)) {
            if (foreign != null) {
                return new ValueResolution(query, name, null, true);
            }
            return new ValueResolution(query, null, ValueAnswer.refused(query, AbstractMessage.RC_SERVER_NOT_RESP, notServed(name)), false);
        }
        return new ValueResolution(query, name, null, false);
    }

    private static ValueAnswer selected(ValueQuery query, ForeignAnswer a) {
        if (a.failure() != null) {
            return ValueAnswer.failed(query, a.failure(), a.message());
        }
        if (!a.isFound()) {
            return ValueAnswer.refused(query, a.responseCode(), a.message());
        }
        List<HandleValue> values = a.prepared().selectValues(query.indexes(), query.types());
        if (values.isEmpty()) {
            return ValueAnswer.refused(query, AbstractMessage.RC_VALUES_NOT_FOUND, "handle " + query.handle() + " has no values that match");
        }
        return ValueAnswer.found(query, values);
    }

    private static ValueAnswer selected(ValueQuery query, PreparedRecord view) {
        if (view == null) {
            return ValueAnswer.refused(query, AbstractMessage.RC_HANDLE_NOT_FOUND, "handle " + query.handle() + " does not exist");
        }
        List<HandleValue> values = view.selectValues(query.indexes(), query.types());
        if (values.isEmpty()) {
            return ValueAnswer.refused(query, AbstractMessage.RC_VALUES_NOT_FOUND, "handle " + query.handle() + " has no values that match");
        }
        return ValueAnswer.found(query, values);
    }

    /** A handle to resolve, from its UTF-8 bytes; a bare prefix stands for its prefix handle {@code 0.NA/<prefix>}. */
    private static HandleName resolvable(byte[] handle) {
        return HandleName.fromUtf8(Util.hasSlash(handle) ? handle : Util.convertSlashlessHandleToZeroNaHandle(handle));
    }

    /**
     * What a top-level node answers for {@code name} in place of the ordinary path, or null when the ordinary path
     * answers (a node in the secondary role, a handle served here, a handle the delegations know nothing of):
     * <ul>
     *   <li>the prefix handle of a delegated prefix ({@code 0.NA/88.999}): its values ({@link Delegations});</li>
     *   <li>a prefix handle derived from one ({@code 0.NA/88.999.1}): {@code RC_PREFIX_REFERRAL} with the delegation's
     *       {@code HS_SITE.PREFIX}, which CNRI's resolver follows to the secondary node;</li>
     *   <li>another handle under a delegated prefix ({@code 88.999.1/LOT-1}): {@code RC_SERVER_NOT_RESP}, since the
     *       top level is not authoritative for it (clients find its site through {@code 0.NA/88.999.1});</li>
     *   <li>the prefix handle of a prefix neither delegated nor served here: {@code RC_HANDLE_NOT_FOUND}, as the root
     *       answers for a prefix that does not exist.</li>
     * </ul>
     */
    private Delegated delegated(HandleName name) {
        if (delegations == null) {
            return null;
        }
        String prefix = name.namedPrefix();
        Delegations.Delegation d = delegations.covering(prefix);
        if (d == null) {
            return name.isPrefixHandle() && !namespace.serves(name)
                    ? new Delegated(AbstractMessage.RC_HANDLE_NOT_FOUND, "prefix " + prefix + " is not known to this top-level node", null, null)
                    : null;
        }
        if (!name.isPrefixHandle()) {
            return new Delegated(AbstractMessage.RC_SERVER_NOT_RESP, "prefix " + prefix + " is delegated to the secondary node of "
                    + d.prefix() + " (" + d.site() + "); resolve " + HandleName.ofPrefix(prefix) + " to find where it is served", null, null);
        }
        if (prefix.length() == d.prefix().length()) {
            return new Delegated(AbstractMessage.RC_SUCCESS, null, PreparedRecord.of(d.prefixHandleValues(), false), null);
        }
        return new Delegated(AbstractMessage.RC_PREFIX_REFERRAL, "prefix " + prefix + " is delegated to the secondary node of "
                + d.prefix() + " (" + d.site() + "); ask it", null, d);
    }

    /** A top-level answer: a refusal, a delegated prefix handle's values, or a prefix referral. */
    private record Delegated(int responseCode, String message, PreparedRecord values, Delegations.Delegation referral) {
        AbstractResponse response(ResolutionRequest req) throws HandleException {
            if (referral != null) {
                byte[][] encoded = PreparedRecord.of(referral.referralValues(), false).select(null, null);
                return new ServiceReferralResponse(req, responseCode, Util.encodeString(referral.prefixHandle().toString()), encoded);
            }
            if (values == null) {
                return error(req, responseCode, message);
            }
            byte[][] selected = values.select(req.requestedIndexes, req.requestedTypes);
            return selected.length == 0 ? error(req, AbstractMessage.RC_VALUES_NOT_FOUND, null)
                    : new ResolutionResponse(req, req.handle, selected);
        }

        ValueAnswer answer(ValueQuery query) {
            return values == null ? ValueAnswer.refused(query, responseCode, message) : selected(query, values);
        }
    }

    private static String notServed(HandleName name) {
        return "prefix " + name.namedPrefix() + " is not served by this node";
    }

    /**
     * The public view of a handle as an anonymous resolution sees it (prepared once per cached record), or null when
     * it does not exist. Prefix handles: see {@link #prefixHandleValues}.
     */
    private PreparedRecord publicView(HandleName name, Optional<HandleRecord> record) {
        if (name.isPrefixHandle()) {
            List<HandleValue> values = prefixHandleValues(name, record);
            return values == null ? null : PreparedRecord.of(values, false);
        }
        return record.map(r -> r.derived(PreparedRecord.class, PreparedRecord::of)).orElse(null);
    }

    /**
     * The values of a prefix handle: its stored values, with this node's {@code HS_SITE} added when it
     * has no site of its own (a hosted prefix); for a configured prefix that has no stored record,
     * this node's {@code HS_SITE} and an {@code HS_ADMIN} naming {@code 300:0.NA/<prefix>}.
     * Null when the prefix handle does not exist.
     */
    private List<HandleValue> prefixHandleValues(HandleName name, Optional<HandleRecord> record) {
        int now = (int) (System.currentTimeMillis() / 1000);
        if (record.isPresent()) {
            List<HandleValue> stored = record.get().values();
            boolean hasSite = PrefixRecords.isSelfHosted(stored);
            if (hasSite) {
                return stored;
            }
            List<HandleValue> out = new ArrayList<>(stored.size() + 1);
            out.add(siteValue(freeIndex(stored), now));
            out.addAll(stored);
            return out;
        }
        if (!namespace.isConfigured(name.namedPrefix())) {
            return null;
        }
        AdminRecord admin = new AdminRecord(Util.encodeString(name.toString()), PREFIX_ADMIN_KEY_INDEX,
                true, true, true, true, true, true, true, true, true, true, true, true);
        return List.of(siteValue(PREFIX_SITE_INDEX, now),
                new HandleValue(PREFIX_ADMIN_INDEX, "HS_ADMIN", Encoder.encodeAdminRecord(admin), HandleValue.TtlType.RELATIVE,
                        HandleValue.DEFAULT_TTL, now, List.of(), Permissions.PUBLIC_READ));
    }

    private HandleValue siteValue(int index, int timestamp) {
        return new HandleValue(index, "HS_SITE", site().encoded(), HandleValue.TtlType.RELATIVE, HandleValue.DEFAULT_TTL,
                timestamp, List.of(), Permissions.PUBLIC_READ);
    }

    private static int freeIndex(List<HandleValue> values) {
        int candidate = PREFIX_SITE_INDEX;
        while (true) {
            int c = candidate;
            if (values.stream().noneMatch(v -> v.index() == c)) {
                return c;
            }
            candidate++;
        }
    }

    private void finish(AbstractRequest request, AbstractResponse response, ResponseCallback callback, boolean onBlockingThread) {
        response.siteInfoSerial = siteInfoSerial();
        response.authoritative = true;
        if (!request.certify) {
            callback.respond(response);
            return;
        }
        if (onBlockingThread) {
            callback.respond(signed(request, response));
            return;
        }
        try {
            blockingWork.execute(() -> callback.respond(signed(request, response)));
        } catch (RejectedExecutionException e) {
            callback.respond(busy(request));
        }
    }

    private NodeSite site() {
        NodeSite current = site.get();
        if (current == null) {
            throw new NodeStartingException();
        }
        return current;
    }

    /** The listeners are bound but the site info is not published yet. */
    private static final class NodeStartingException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NodeStartingException() {
            super("the node is starting", null, false, false);
        }
    }

    /** Signs a certified answer: with the session key inside a session, else with the node's RSA key. */
    private AbstractResponse signed(AbstractRequest request, AbstractResponse response) {
        try {
            if (!sessions.signWithSessionKey(response)) {
                signer.sign(response);
            }
            return response;
        } catch (HandleException | RuntimeException e) {
            return internalError(request, e);
        }
    }

    private AbstractResponse busy(AbstractRequest request) {
        try {
            return error(request, AbstractMessage.RC_SERVER_TOO_BUSY, "the node is too busy or still starting, try again");
        } catch (HandleException e) {
            return internalError(request, e);
        }
    }

    private AbstractResponse internalError(AbstractRequest request, Exception e) {
        if (e instanceof StoreException) {
            log.error("store failure answering {}", request, e);
        } else {
            log.error("internal error answering {}", request, e);
        }
        ErrorResponse resp = new ErrorResponse(request.opCode, AbstractMessage.RC_ERROR, Util.encodeString("internal error; see the node's error log"));
        resp.takeValuesFrom(request);
        resp.responseCode = AbstractMessage.RC_ERROR;
        resp.requestId = request.requestId;
        resp.sessionId = request.sessionId;
        resp.certify = false;
        return resp;
    }

    private static AbstractResponse error(AbstractRequest req, int rc, String message) throws HandleException {
        return new ErrorResponse(req, rc, message == null ? null : Util.encodeString(message));
    }
}
