package org.idnode.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import org.idnode.api.v1.BatchRegisterRequest;
import org.idnode.api.v1.BatchRegisterResponse;
import org.idnode.api.v1.BatchResolveRequest;
import org.idnode.api.v1.DeleteHandleRequest;
import org.idnode.api.v1.DeleteValuesRequest;
import org.idnode.api.v1.Error;
import org.idnode.api.v1.GetTemplateRequest;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.api.v1.ListTemplatesRequest;
import org.idnode.api.v1.RegisterRequest;
import org.idnode.api.v1.RegisterResponse;
import org.idnode.api.v1.ResolveRequest;
import org.idnode.api.v1.ResolveResponse;
import org.idnode.api.v1.ResolveResult;
import org.idnode.api.v1.Template;
import org.idnode.api.v1.TemplateServiceGrpc;
import org.idnode.api.v1.TraceDirection;
import org.idnode.api.v1.TraceRequest;
import org.idnode.api.v1.TraceResponse;
import org.idnode.api.v1.UpdateValuesRequest;

/**
 * The Java client of idnode nodes, and of any Handle-protocol node: resolution (with a local cache), genealogy,
 * registration one by one, in batches and as a bulk stream, templates, and the operator's calls.
 *
 * <pre>{@code
 * try (IdClient client = IdClient.builder().endpoints("node1.example.com:9000", "node2.example.com:9000")
 *         .token(System.getenv("IDNODE_TOKEN")).build()) {
 *     HandleRecord lot = client.resolve("88.999.2/PCB.87.01.01.A2.250601.000123");
 * }
 * }</pre>
 *
 * <p><b>Calls.</b> Every call has a synchronous form and most an asynchronous one returning a {@link CompletableFuture};
 * every failure is an {@link IdNodeException} (thrown, or the future's failure). Each call has a deadline
 * ({@link Builder#callTimeout}, covering its retries); bulk streams have none.
 *
 * <p><b>Fail-over and retries.</b> The client keeps one gRPC channel per endpoint and sends calls to the current one; an
 * {@code UNAVAILABLE} moves it to the next, where it stays while calls succeed. Idempotent calls (resolve, batch
 * resolve, trace, templates, batch register, update and delete values, register with overwrite, the operator's reads)
 * are retried with back-off ({@link RetryPolicy}); the others are sent again only when they provably never reached a
 * node. See {@link RetryPolicy} for the exact rules.
 *
 * <p><b>Cache.</b> {@link #resolve}, {@link #resolveAsync} and {@link #resolveBatch} answer from a local Caffeine cache
 * when they can: a record is kept until its shortest value TTL runs out, "not found" for {@link Builder#negativeTtl}.
 * Writes through this client forget the identifiers they change; changes made elsewhere are seen once the TTL expires.
 *
 * <p><b>The Handle protocol.</b> Identifiers under a prefix given to {@link Builder#handleSite} are resolved over the
 * Handle protocol from that node with CNRI's resolver (never the global Handle root), so one client reads the whole
 * national system, our nodes and others.
 *
 * <p><b>Threads.</b> Thread-safe; build one per application and share it. Asynchronous results complete on gRPC's (or,
 * for the Handle protocol, the client's) threads: do not block in their callbacks. {@link #close()} releases the
 * channels and threads.
 */
public final class IdClient implements AutoCloseable {
    /** The most handles one {@code BatchResolve} carries; longer lists are split. */
    static final int BATCH_LIMIT = 2000;

    private final NodeCalls calls;
    private final ResolveCache cache;
    private final HandleSites sites;
    private final ScheduledThreadPoolExecutor scheduler;
    private final Operator operator;
    private final AtomicBoolean closed = new AtomicBoolean();

    private IdClient(NodeCalls calls, ResolveCache cache, HandleSites sites, ScheduledThreadPoolExecutor scheduler) {
        this.calls = calls;
        this.cache = cache;
        this.sites = sites;
        this.scheduler = scheduler;
        this.operator = new Operator(calls);
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Resolution
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * The record of an identifier (public values, plus the restricted ones this client's token may read).
     *
     * @throws IdNodeException reason {@code HANDLE_NOT_FOUND} when it does not exist, or any other failure
     */
    public HandleRecord resolve(String handle) {
        return await(resolveAsync(handle));
    }

    /**
     * Resolution with index and type filters, as the Handle protocol selects values: those at an asked index or of an
     * asked type, where a type ending in {@code .} also matches its sub-types ({@code "REF."} matches
     * {@code "REF.REEL"}).
     *
     * @throws IdNodeException reason {@code HANDLE_NOT_FOUND} when the identifier does not exist, {@code VALUES_NOT_FOUND}
     *                         when no value matches, or any other failure
     */
    public HandleRecord resolve(ResolveRequest request) {
        return await(resolveAsync(request));
    }

    /** {@link #resolve(String)}, asynchronously. */
    public CompletableFuture<HandleRecord> resolveAsync(String handle) {
        return resolveAsync(ResolveRequest.newBuilder().setHandle(Objects.requireNonNull(handle, "handle")).build());
    }

    /** {@link #resolve(ResolveRequest)}, asynchronously. */
    public CompletableFuture<HandleRecord> resolveAsync(ResolveRequest request) {
        if (cache == null) {
            return surface(fetch(request), request.getHandle(), true);
        }
        return surface(cache.get(request, () -> fetch(request)), request.getHandle(), false);
    }

    private CompletableFuture<HandleRecord> fetch(ResolveRequest request) {
        if (sites.routes(request.getHandle())) {
            return sites.resolve(request);
        }
        return calls.unary(IdentifierServiceGrpc.getResolveMethod(), request, true, request.getHandle())
                .thenApply(ResolveResponse::getRecord);
    }

    /**
     * Resolves many identifiers: one result per handle, in order, each the record or the error of that handle. Handles
     * in the cache are answered from it; the others go to the node in batches of {@value #BATCH_LIMIT} (or, under a
     * {@link Builder#handleSite}, over the Handle protocol one by one).
     *
     * @throws IdNodeException when a batch call fails as a whole
     */
    public List<ResolveResult> resolveBatch(List<String> handles) {
        return await(resolveBatchAsync(handles));
    }

    /** {@link #resolveBatch}, asynchronously. */
    public CompletableFuture<List<ResolveResult>> resolveBatchAsync(List<String> handles) {
        ResolveResult[] out = new ResolveResult[handles.size()];
        List<CompletableFuture<?>> pending = new ArrayList<>();
        List<Integer> misses = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            String h = Objects.requireNonNull(handles.get(i), "handle");
            int at = i;
            ResolveCache.Entry cached = cache == null ? null : cache.peek(h);
            if (cached != null) {
                out[i] = cached.record() != null ? ResolveResult.newBuilder().setRecord(cached.record()).build() : failed(cached.notFound());
            } else if (sites.routes(h)) {
                pending.add(resolveAsync(h).handle((record, e) -> {
                    out[at] = e == null ? ResolveResult.newBuilder().setRecord(record).build() : failed(Errors.from(e, h));
                    return null;
                }));
            } else {
                misses.add(i);
            }
        }
        for (int from = 0; from < misses.size(); from += BATCH_LIMIT) {
            List<Integer> part = misses.subList(from, Math.min(misses.size(), from + BATCH_LIMIT));
            BatchResolveRequest.Builder req = BatchResolveRequest.newBuilder();
            for (int i : part) {
                req.addRequests(ResolveRequest.newBuilder().setHandle(handles.get(i)));
            }
            pending.add(calls.unary(IdentifierServiceGrpc.getBatchResolveMethod(), req.build(), true, null).thenAccept(resp -> {
                if (resp.getResultsCount() != part.size()) {
                    throw Errors.of(Status.Code.INTERNAL, "the node answered " + resp.getResultsCount() + " results for "
                            + part.size() + " handles", null);
                }
                for (int j = 0; j < part.size(); j++) {
                    ResolveResult r = resp.getResults(j);
                    out[part.get(j)] = r;
                    remember(handles.get(part.get(j)), r);
                }
            }));
        }
        CompletableFuture<List<ResolveResult>> all = CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .thenApply(v -> List.of(out));
        return surface(all, null, false);
    }

    private void remember(String handle, ResolveResult r) {
        if (cache == null) {
            return;
        }
        if (r.hasRecord()) {
            cache.put(handle, new ResolveCache.Entry(r.getRecord(), null));
        } else if (r.getError().getResponseCode() == Errors.RC_HANDLE_NOT_FOUND
                || IdNodeException.HANDLE_NOT_FOUND.equals(r.getError().getReason())) {
            cache.put(handle, new ResolveCache.Entry(null, Errors.fromError(r.getError(), handle)));
        }
    }

    private static ResolveResult failed(IdNodeException e) {
        return ResolveResult.newBuilder().setError(Error.newBuilder()
                .setResponseCode(e.responseCode())
                .setReason(e.reason())
                .setMessage(e.getMessage() == null ? "" : e.getMessage())
                .addAllFieldErrors(e.fieldErrors())).build();
    }

    /**
     * The genealogy of an identifier: what it was made from ({@link TraceDirection#TRACE_DIRECTION_UP}) or what was made
     * from it ({@code DOWN}), {@code depth} levels (1 to 16; 0 for 16).
     */
    public TraceResponse trace(String handle, TraceDirection direction, int depth) {
        TraceRequest req = TraceRequest.newBuilder().setHandle(handle).setDirection(direction).setDepth(depth).build();
        return await(calls.unary(IdentifierServiceGrpc.getTraceMethod(), req, true, handle));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Registration (needs a token)
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Registers a record; with {@code overwrite} it replaces an existing one (and is retried like an idempotent call),
     * without it an existing record is refused ({@code HANDLE_ALREADY_EXISTS}) and the call is never sent twice.
     */
    public RegisterResponse register(HandleRecord record, boolean overwrite) {
        return await(registerAsync(record, overwrite));
    }

    /** {@link #register}, asynchronously. */
    public CompletableFuture<RegisterResponse> registerAsync(HandleRecord record, boolean overwrite) {
        RegisterRequest req = RegisterRequest.newBuilder().setRecord(record).setOverwrite(overwrite).build();
        return surface(written(calls.unary(IdentifierServiceGrpc.getRegisterMethod(), req, overwrite, record.getHandle()),
                List.of(record.getHandle())), record.getHandle(), true);
    }

    /**
     * Registers up to 2000 records in one call, each created or replaced; the response says per record whether it was
     * accepted. Retried as an idempotent call.
     *
     * @throws IllegalArgumentException for more than 2000 records
     */
    public BatchRegisterResponse registerBatch(List<HandleRecord> records) {
        if (records.size() > BATCH_LIMIT) {
            throw new IllegalArgumentException("registerBatch takes at most " + BATCH_LIMIT + " records, not " + records.size()
                    + "; use bulkRegister() for more");
        }
        List<String> handles = records.stream().map(HandleRecord::getHandle).toList();
        return await(written(calls.unary(IdentifierServiceGrpc.getBatchRegisterMethod(),
                BatchRegisterRequest.newBuilder().addAllRecords(records).build(), true, null), handles));
    }

    /** A bulk registration stream in chunks of {@value BulkRegistration#DEFAULT_CHUNK} records. */
    public BulkRegistration bulkRegister() {
        return bulkRegister(BulkRegistration.DEFAULT_CHUNK);
    }

    /** A bulk registration stream in chunks of {@code chunkRecords} (1 to 2000) records. */
    public BulkRegistration bulkRegister(int chunkRecords) {
        return new BulkRegistration(calls, chunkRecords, this::invalidate);
    }

    /** Adds values to an identifier; a value whose index exists replaces the stored one. Idempotent. */
    public void updateValues(String handle, List<HandleValue> values) {
        UpdateValuesRequest req = UpdateValuesRequest.newBuilder().setHandle(handle).addAllValues(values).build();
        await(written(calls.unary(IdentifierServiceGrpc.getUpdateValuesMethod(), req, true, handle), List.of(handle)));
    }

    /** Removes the values at these indexes. Idempotent. */
    public void deleteValues(String handle, List<Integer> indexes) {
        DeleteValuesRequest req = DeleteValuesRequest.newBuilder().setHandle(handle).addAllIndexes(indexes).build();
        await(written(calls.unary(IdentifierServiceGrpc.getDeleteValuesMethod(), req, true, handle), List.of(handle)));
    }

    /** Deletes an identifier. Not retried. */
    public void deleteHandle(String handle) {
        DeleteHandleRequest req = DeleteHandleRequest.newBuilder().setHandle(handle).build();
        await(written(calls.unary(IdentifierServiceGrpc.getDeleteHandleMethod(), req, false, handle), List.of(handle)));
    }

    /** After a write, succeeded or not (a failed one may still have been applied), the cache forgets its identifiers. */
    private <T> CompletableFuture<T> written(CompletableFuture<T> write, Collection<String> handles) {
        invalidate(handles);
        return write.whenComplete((v, e) -> invalidate(handles));
    }

    private void invalidate(Collection<String> handles) {
        if (cache != null) {
            cache.invalidate(handles);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Templates, operator
    // ---------------------------------------------------------------------------------------------------------------

    /** The templates usable under an enterprise prefix (node-wide ones and its own); {@code ""} for all. */
    public List<Template> templates(String prefix) {
        return await(calls.unary(TemplateServiceGrpc.getListTemplatesMethod(),
                ListTemplatesRequest.newBuilder().setPrefix(prefix).build(), true, null)).getTemplatesList();
    }

    /** One template version, e.g. {@code template("88.999/TPL.PCB_LOT", "")} for the latest. */
    public Template template(String id, String version) {
        return await(calls.unary(TemplateServiceGrpc.getGetTemplateMethod(),
                GetTemplateRequest.newBuilder().setId(id).setVersion(version).build(), true, id));
    }

    /** The operator's calls; they need an operator token. */
    public Operator operator() {
        return operator;
    }

    /** Forgets every cached resolution. */
    public void clearCache() {
        if (cache != null) {
            cache.clear();
        }
    }

    /** Shuts the channels and threads down (waiting up to a few seconds for calls in flight); idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            calls.close();
        } finally {
            sites.close();
            scheduler.shutdownNow();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Futures
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * A future that fails with the {@link IdNodeException} itself (not wrapped); cancelling it cancels {@code f} when
     * {@code propagateCancel} (not for futures shared through the cache).
     */
    private static <T> CompletableFuture<T> surface(CompletableFuture<T> f, String handle, boolean propagateCancel) {
        CompletableFuture<T> out = new CompletableFuture<>();
        f.whenComplete((v, e) -> {
            if (e == null) {
                out.complete(v);
            } else {
                out.completeExceptionally(Errors.from(e, handle));
            }
        });
        if (propagateCancel) {
            out.whenComplete((v, e) -> {
                if (out.isCancelled()) {
                    f.cancel(false);
                }
            });
        }
        return out;
    }

    /** Waits for a call; its failure is rethrown as an {@link IdNodeException} with this thread's stack. */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (ExecutionException | CancellationException e) {
            throw Errors.from(e, null).rethrownHere();
        } catch (InterruptedException e) {
            f.cancel(false);
            Thread.currentThread().interrupt();
            throw Errors.of(Status.Code.CANCELLED, "interrupted while waiting for the node", e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Builder
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Settings of an {@link IdClient}; every setting is checked by {@link #build()}, which names the bad one in its
     * {@link IllegalArgumentException}. Not thread-safe; build once.
     */
    public static final class Builder {
        private List<String> endpoints = List.of();
        private String token;
        private boolean tls;
        private Path trustedCerts;
        private Duration callTimeout = Duration.ofSeconds(5);
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private long cacheMaxEntries = 10_000;
        private Duration negativeTtl = Duration.ofSeconds(30);
        private final List<String[]> handleSites = new ArrayList<>();

        private Builder() {
        }

        /** The gRPC addresses ({@code host:port}) of one or more idnode nodes, tried in this order on fail-over. */
        public Builder endpoints(String... hostPorts) {
            this.endpoints = Arrays.asList(hostPorts.clone());
            return this;
        }

        /** An API token ({@code idt_...}), sent as {@code authorization: Bearer <token>} on every gRPC call. */
        public Builder token(String apiToken) {
            this.token = apiToken;
            return this;
        }

        /** TLS, trusting the certificates in this PEM file. */
        public Builder tls(Path trustedCertsPem) {
            this.tls = true;
            this.trustedCerts = Objects.requireNonNull(trustedCertsPem, "trustedCertsPem");
            return this;
        }

        /** TLS, trusting the system's certificate authorities. Default: plaintext. */
        public Builder tls() {
            this.tls = true;
            this.trustedCerts = null;
            return this;
        }

        /** The deadline of each call, retries included; default 5 s. Bulk streams have none. */
        public Builder callTimeout(Duration d) {
            this.callTimeout = d;
            return this;
        }

        /** How idempotent calls are retried; default {@link RetryPolicy#DEFAULT}. */
        public Builder retry(RetryPolicy p) {
            this.retry = p;
            return this;
        }

        /** The local cache's size in entries; 0 disables it; default 10 000. */
        public Builder cacheMaxEntries(long n) {
            this.cacheMaxEntries = n;
            return this;
        }

        /** How long "not found" is cached; default 30 s; 0 for not at all. */
        public Builder negativeTtl(Duration d) {
            this.negativeTtl = d;
            return this;
        }

        /**
         * Resolves identifiers under {@code prefix} (and prefixes derived from it) over the Handle protocol from the node
         * at {@code hostPort} (its Handle TCP/UDP port), through CNRI's resolver, instead of gRPC. The longest matching
         * prefix wins. Registration and other calls still use the gRPC endpoints.
         *
         * <p>CNRI's resolver reads its default configuration folder once per JVM ({@code -Dnet.handle.configDir}, else
         * {@code ~/.handle}, which it creates); the client then replaces the site configuration with one that knows only
         * these sites and never updates root information from the global Handle root.
         */
        public Builder handleSite(String prefix, String hostPort) {
            handleSites.add(new String[] {prefix, hostPort});
            return this;
        }

        /** @throws IllegalArgumentException naming the bad setting */
        public IdClient build() {
            List<HostPort> addresses = new ArrayList<>();
            for (String e : endpoints) {
                addresses.add(HostPort.parse(e, "endpoints"));
            }
            if (addresses.isEmpty() && handleSites.isEmpty()) {
                throw new IllegalArgumentException("endpoints: give at least one node address (or a handleSite)");
            }
            if (token != null && (token.isBlank() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
                throw new IllegalArgumentException("token: an API token is printable ASCII without spaces");
            }
            if (callTimeout == null || callTimeout.isNegative() || callTimeout.isZero()) {
                throw new IllegalArgumentException("callTimeout: must be positive, not " + callTimeout);
            }
            if (retry == null) {
                throw new IllegalArgumentException("retry: must not be null (RetryPolicy.NONE for no retries)");
            }
            if (cacheMaxEntries < 0) {
                throw new IllegalArgumentException("cacheMaxEntries: must be 0 (no cache) or more, not " + cacheMaxEntries);
            }
            if (negativeTtl == null || negativeTtl.isNegative()) {
                throw new IllegalArgumentException("negativeTtl: must be 0 or more, not " + negativeTtl);
            }
            for (String[] site : handleSites) {
                String p = site[0];
                if (p == null || p.isBlank() || p.indexOf('/') >= 0 || p.startsWith(".") || p.endsWith(".")) {
                    throw new IllegalArgumentException("handleSite: '" + p + "' is not a prefix (e.g. 88.999.1)");
                }
                HostPort.parse(site[1], "handleSite");
            }
            ChannelCredentials credentials = credentials();
            HandleSites sites = new HandleSites(handleSites, callTimeout);
            ClientInterceptor[] interceptors = new ClientInterceptor[0];
            if (token != null) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
                interceptors = new ClientInterceptor[] {MetadataUtils.newAttachHeadersInterceptor(headers)};
            }
            List<ManagedChannel> channels = new ArrayList<>();
            for (HostPort hp : addresses) {
                channels.add(Grpc.newChannelBuilderForAddress(hp.host(), hp.port(), credentials)
                        .maxInboundMessageSize(64 << 20)
                        .userAgent("idnode-java-sdk")
                        .build());
            }
            AtomicInteger n = new AtomicInteger();
            ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, task -> {
                Thread t = new Thread(task, "idnode-retry-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            scheduler.setRemoveOnCancelPolicy(true);
            NodeCalls calls = new NodeCalls(endpoints, channels, interceptors, callTimeout, retry, scheduler);
            ResolveCache cache = cacheMaxEntries == 0 ? null : new ResolveCache(cacheMaxEntries, negativeTtl);
            return new IdClient(calls, cache, sites, scheduler);
        }

        private ChannelCredentials credentials() {
            if (!tls) {
                return InsecureChannelCredentials.create();
            }
            if (trustedCerts == null) {
                return TlsChannelCredentials.create();
            }
            if (!Files.isReadable(trustedCerts)) {
                throw new IllegalArgumentException("tls: cannot read the trusted certificates " + trustedCerts);
            }
            try {
                return TlsChannelCredentials.newBuilder().trustManager(trustedCerts.toFile()).build();
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("tls: " + trustedCerts + " is not a PEM certificate file: " + e.getMessage(), e);
            }
        }
    }
}
