package org.idnode.server.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import net.handle.hdllib.AbstractMessage;
import org.idnode.api.v1.BatchRegisterRequest;
import org.idnode.api.v1.BatchRegisterResponse;
import org.idnode.api.v1.BatchResolveRequest;
import org.idnode.api.v1.BatchResolveResponse;
import org.idnode.api.v1.BulkRegisterRequest;
import org.idnode.api.v1.BulkRegisterResponse;
import org.idnode.api.v1.DeleteHandleRequest;
import org.idnode.api.v1.DeleteHandleResponse;
import org.idnode.api.v1.DeleteValuesRequest;
import org.idnode.api.v1.DeleteValuesResponse;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.api.v1.RegisterRequest;
import org.idnode.api.v1.RegisterResponse;
import org.idnode.api.v1.RegisterResult;
import org.idnode.api.v1.ResolveRequest;
import org.idnode.api.v1.ResolveResponse;
import org.idnode.api.v1.ResolveResult;
import org.idnode.api.v1.TraceDirection;
import org.idnode.api.v1.TraceRequest;
import org.idnode.api.v1.TraceResponse;
import org.idnode.api.v1.UpdateValuesRequest;
import org.idnode.api.v1.UpdateValuesResponse;
import org.idnode.registry.genealogy.GenealogyTracer;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.registry.template.TemplateCatalog;
import org.idnode.registry.write.HandleOperation;
import org.idnode.server.auth.AdminIdentity;
import org.idnode.server.handler.AuthorizedWriter;
import org.idnode.server.handler.BatchRegistration;
import org.idnode.server.handler.CachedAnswer;
import org.idnode.server.handler.ValueAnswer;
import org.idnode.server.handler.ValueQuery;
import org.idnode.server.handler.ValueResolution;

/**
 * {@code idnode.v1.IdentifierService}: resolution, genealogy and registration over gRPC, with the semantics of the
 * Handle protocol and the REST API (the same {@link org.idnode.server.handler.HandleRequestProcessor},
 * {@link AuthorizedWriter} and {@link BatchRegistration} they use). Anonymous resolutions found in the record cache
 * are answered on the event loop (a {@code Resolve} written straight from the cached value block, see
 * {@link #definition}); everything else runs on the blocking-work executor. Writes need an authenticated
 * caller ({@link GrpcAuthenticator}) and are authorised like REST writes.
 *
 * <p>Thread-safe.
 */
final class IdentifierGrpcService extends IdentifierServiceGrpc.IdentifierServiceImplBase {
    /** Most handles one {@code BatchResolve} may ask for. */
    static final int MAX_BATCH_RESOLVE = 2000;

    private final GrpcApi api;
    private final TemplateCatalog templates;

    IdentifierGrpcService(GrpcApi api) {
        this.api = api;
        this.templates = api.templates();
    }

    // -------------------------------------------------------------------------------------------------------------
    // Resolution
    // -------------------------------------------------------------------------------------------------------------

    /**
     * The service with {@code Resolve} answering in {@link EncodedMessage}s ({@link #resolveEncoded}); the other methods
     * and the schema (for reflection) as generated. What the server binds, in place of {@link #bindService()}.
     */
    ServerServiceDefinition definition() {
        ServerServiceDefinition generated = bindService();
        ServiceDescriptor service = generated.getServiceDescriptor();
        MethodDescriptor<ResolveRequest, ResolveResponse> declared = IdentifierServiceGrpc.getResolveMethod();
        MethodDescriptor<ResolveRequest, EncodedMessage> resolve = declared.toBuilder(declared.getRequestMarshaller(), EncodedMessage.MARSHALLER).build();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(service.getName()).setSchemaDescriptor(service.getSchemaDescriptor());
        for (MethodDescriptor<?, ?> m : service.getMethods()) {
            descriptor.addMethod(m == declared ? resolve : m);
        }
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build())
                .addMethod(resolve, ServerCalls.asyncUnaryCall(this::resolveEncoded));
        for (ServerMethodDefinition<?, ?> m : generated.getMethods()) {
            if (m.getMethodDescriptor() != declared) {
                b.addMethod(m);
            }
        }
        return b.build();
    }

    /**
     * {@code Resolve} as served: an anonymous resolution whose answer the record cache holds (its public values, as the
     * Handle and REST fast paths answer it) is written straight from the cached value block
     * ({@link ResolveResponseEncoder}); everything else, refusals included, goes through {@link #resolve}.
     */
    void resolveEncoded(ResolveRequest request, StreamObserver<EncodedMessage> observer) {
        ValueResolution resolution = api.processor().resolution(query(request));
        Optional<AdminIdentity> who = GrpcAuthenticator.currentIdentity();
        if (who.isEmpty()) {
            CachedAnswer cached = api.processor().cachedAnswer(resolution);
            if (cached != null && cached.responseCode() == AbstractMessage.RC_SUCCESS) {
                observer.onNext(new EncodedMessage(ResolveResponseEncoder.encode(request.getHandleBytes(), cached.valueBlock())));
                observer.onCompleted();
                return;
            }
        }
        resolve(resolution, who, new StreamObserver<>() {
            @Override
            public void onNext(ResolveResponse value) {
                observer.onNext(EncodedMessage.of(value));
            }

            @Override
            public void onError(Throwable t) {
                observer.onError(t);
            }

            @Override
            public void onCompleted() {
                observer.onCompleted();
            }
        });
    }

    /** {@code Resolve} in the record model; as served, {@link #resolveEncoded} answers it. */
    @Override
    public void resolve(ResolveRequest request, StreamObserver<ResolveResponse> observer) {
        resolve(api.processor().resolution(query(request)), GrpcAuthenticator.currentIdentity(), observer);
    }

    /** The general path of {@code Resolve}: what {@link #resolveEncoded} cannot answer from the cached value block. */
    private void resolve(ValueResolution resolution, Optional<AdminIdentity> who, StreamObserver<ResolveResponse> observer) {
        if (who.isEmpty()) {
            ValueAnswer cached = api.processor().resolveValuesIfCached(resolution);
            if (cached != null) {
                Answers.now(observer, () -> resolved(cached));
                return;
            }
        }
        CompletableFuture<ValueAnswer> foreign = api.processor().resolveForeign(resolution);
        if (foreign != null) {
            foreign.thenAccept(answer -> Answers.now(observer, () -> resolved(answer)));
            return;
        }
        Answers.later(api.blockingWork(), observer, () -> resolved(api.processor().resolveValues(resolution, who.orElse(null))));
    }

    @Override
    public void batchResolve(BatchResolveRequest request, StreamObserver<BatchResolveResponse> observer) {
        if (request.getRequestsCount() > MAX_BATCH_RESOLVE) {
            observer.onError(GrpcErrors.exception(AbstractMessage.RC_PROTOCOL_ERROR, "a batch resolves at most " + MAX_BATCH_RESOLVE
                    + " handles, this one asks for " + request.getRequestsCount(), null));
            return;
        }
        List<ValueResolution> resolutions = request.getRequestsList().stream().map(r -> api.processor().resolution(query(r))).toList();
        Optional<AdminIdentity> who = GrpcAuthenticator.currentIdentity();
        ValueAnswer[] answers = new ValueAnswer[resolutions.size()];
        boolean allCached = who.isEmpty();
        if (who.isEmpty()) {
            for (int i = 0; i < answers.length; i++) {
                answers[i] = api.processor().resolveValuesIfCached(resolutions.get(i));
                allCached &= answers[i] != null;
            }
        }
        if (allCached) {
            Answers.now(observer, () -> batchResolved(answers));
            return;
        }
        // Handles not served here resolve recursively on the recursion threads, the others on the blocking executor.
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        List<Integer> local = new ArrayList<>();
        for (int i = 0; i < answers.length; i++) {
            if (answers[i] != null) {
                continue;
            }
            int at = i;
            CompletableFuture<ValueAnswer> foreign = api.processor().resolveForeign(resolutions.get(i));
            if (foreign != null) {
                pending.add(foreign.thenAccept(a -> answers[at] = a));
            } else {
                local.add(i);
            }
        }
        if (!local.isEmpty()) {
            pending.add(Answers.run(api.blockingWork(), () -> {
                for (int i : local) {
                    answers[i] = api.processor().resolveValues(resolutions.get(i), who.orElse(null));
                }
            }));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).whenComplete((done, e) -> {
            if (e == null) {
                Answers.now(observer, () -> batchResolved(answers));
            } else {
                Answers.failed(observer, e);
            }
        });
    }

    private static ValueQuery query(ResolveRequest r) {
        return ValueQuery.of(r.getHandle(), r.getIndexesList(), r.getTypesList());
    }

    private static ResolveResponse resolved(ValueAnswer answer) {
        if (!answer.isOk()) {
            throw GrpcErrors.exception(answer);
        }
        return ResolveResponse.newBuilder().setRecord(RecordMessages.record(answer.handle(), answer.values())).build();
    }

    private static BatchResolveResponse batchResolved(ValueAnswer[] answers) {
        BatchResolveResponse.Builder b = BatchResolveResponse.newBuilder();
        for (ValueAnswer a : answers) {
            b.addResults(a.isOk()
                    ? ResolveResult.newBuilder().setRecord(RecordMessages.record(a.handle(), a.values()))
                    : ResolveResult.newBuilder().setError(GrpcErrors.error(a.responseCode(), a.message(), List.of())));
        }
        return b.build();
    }

    // -------------------------------------------------------------------------------------------------------------
    // Genealogy
    // -------------------------------------------------------------------------------------------------------------

    @Override
    public void trace(TraceRequest request, StreamObserver<TraceResponse> observer) {
        HandleName start;
        try {
            start = HandleName.parse(request.getHandle());
        } catch (InvalidHandleException e) {
            observer.onError(GrpcErrors.exception(AbstractMessage.RC_INVALID_HANDLE, e.getMessage(), request.getHandle()));
            return;
        }
        int depth = request.getDepth() == 0 ? GenealogyTracer.MAX_DEPTH : request.getDepth();
        if (depth < 1 || depth > GenealogyTracer.MAX_DEPTH) {
            observer.onError(GrpcErrors.exception(AbstractMessage.RC_PROTOCOL_ERROR, "depth must be from 1 to " + GenealogyTracer.MAX_DEPTH
                    + " (0 for " + GenealogyTracer.MAX_DEPTH + "), got " + Integer.toUnsignedString(request.getDepth()), request.getHandle()));
            return;
        }
        GenealogyTracer.Direction direction;
        if (request.getDirection() == TraceDirection.TRACE_DIRECTION_DOWN) {
            direction = GenealogyTracer.Direction.DOWN;
        } else if (request.getDirection() == TraceDirection.TRACE_DIRECTION_UP || request.getDirection() == TraceDirection.TRACE_DIRECTION_UNSPECIFIED) {
            direction = GenealogyTracer.Direction.UP;
        } else {
            observer.onError(GrpcErrors.exception(AbstractMessage.RC_PROTOCOL_ERROR, "direction must be UP or DOWN, got "
                    + request.getDirectionValue(), request.getHandle()));
            return;
        }
        Answers.later(api.blockingWork(), observer, () -> {
            GenealogyTracer.Trace trace = api.tracer().trace(start, direction, depth);
            if (!trace.root().found()) {
                throw GrpcErrors.exception(AbstractMessage.RC_HANDLE_NOT_FOUND, "handle " + start + " does not exist", start.toString());
            }
            return TraceResponse.newBuilder().setRoot(RecordMessages.trace(trace.root())).setTruncated(trace.truncated()).build();
        });
    }

    // -------------------------------------------------------------------------------------------------------------
    // Registration
    // -------------------------------------------------------------------------------------------------------------

    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> observer) {
        write(observer, who -> {
            HandleRecord record = clientRecord(request.getRecord());
            AuthorizedWriter.Result r = api.processor().writes().apply(who,
                    new HandleOperation.Create(record.handle(), record.values(), request.getOverwrite()));
            checkApplied(r);
            return RegisterResponse.newBuilder().setHandle(r.handle().toString()).setCreated(r.created()).build();
        });
    }

    @Override
    public void batchRegister(BatchRegisterRequest request, StreamObserver<BatchRegisterResponse> observer) {
        String tooLarge = BatchRegistration.sizeProblem(request.getRecordsCount());
        if (tooLarge != null) {
            observer.onError(GrpcErrors.exception(AbstractMessage.RC_PROTOCOL_ERROR, tooLarge, null));
            return;
        }
        write(observer, who -> {
            List<BatchRegistration.Outcome> outcomes = api.processor().batches().register(who, batchItems(request.getRecordsList(), templates));
            BatchRegisterResponse.Builder b = BatchRegisterResponse.newBuilder();
            int accepted = 0;
            for (BatchRegistration.Outcome o : outcomes) {
                RegisterResult.Builder r = RegisterResult.newBuilder().setHandle(o.handle() == null ? "" : o.handle());
                if (o.isOk()) {
                    accepted++;
                } else {
                    r.setError(GrpcErrors.error(o.responseCode(), o.message(), o.fieldProblems()));
                }
                b.addResults(r);
            }
            return b.setAccepted(accepted).setRefused(outcomes.size() - accepted).build();
        });
    }

    @Override
    public StreamObserver<BulkRegisterRequest> bulkRegister(StreamObserver<BulkRegisterResponse> observer) {
        ServerCallStreamObserver<BulkRegisterResponse> response = (ServerCallStreamObserver<BulkRegisterResponse>) observer;
        Optional<AdminIdentity> who = GrpcAuthenticator.currentIdentity();
        if (who.isEmpty()) {
            response.onError(authenticationNeeded());
            return new DiscardingObserver<>();
        }
        return BulkRegisterCall.start(response, who.get(), api.processor().batches(), templates, api.blockingWork());
    }

    /** Reads records as a batch's items: a record that cannot be read becomes a refused item, as in REST batches. */
    static List<BatchRegistration.Item> batchItems(List<org.idnode.api.v1.HandleRecord> records, TemplateCatalog templates) {
        List<BatchRegistration.Item> items = new ArrayList<>(records.size());
        for (org.idnode.api.v1.HandleRecord r : records) {
            try {
                items.add(BatchRegistration.Item.of(RecordMessages.record(r, templates::templateOf)));
            } catch (InvalidHandleException e) {
                items.add(BatchRegistration.Item.unreadable(r.getHandle(), AbstractMessage.RC_INVALID_HANDLE, e.getMessage()));
            } catch (IllegalArgumentException e) {
                items.add(BatchRegistration.Item.unreadable(r.getHandle(), AbstractMessage.RC_INVALID_VALUE, e.getMessage()));
            }
        }
        return items;
    }

    @Override
    public void updateValues(UpdateValuesRequest request, StreamObserver<UpdateValuesResponse> observer) {
        write(observer, who -> {
            HandleName handle = clientHandle(request.getHandle());
            if (request.getValuesCount() == 0) {
                throw GrpcErrors.exception(AbstractMessage.RC_INVALID_VALUE, "name at least one value to add or replace", handle.toString());
            }
            List<HandleValue> values;
            try {
                // Default permissions follow the template the request or, failing that, the stored record names.
                values = RecordMessages.values(request.getValuesList(), vs -> templates.templateOf(vs)
                        .or(() -> api.processor().store().get(handle).flatMap(stored -> templates.templateOf(stored.values()))));
            } catch (IllegalArgumentException e) {
                throw GrpcErrors.exception(AbstractMessage.RC_INVALID_VALUE, e.getMessage(), handle.toString());
            }
            checkApplied(api.processor().writes().apply(who, new HandleOperation.AddValues(handle, values, true)));
            return UpdateValuesResponse.newBuilder().setHandle(handle.toString()).build();
        });
    }

    @Override
    public void deleteValues(DeleteValuesRequest request, StreamObserver<DeleteValuesResponse> observer) {
        write(observer, who -> {
            HandleName handle = clientHandle(request.getHandle());
            if (request.getIndexesCount() == 0) {
                throw GrpcErrors.exception(AbstractMessage.RC_INVALID_VALUE, "name at least one value index to delete", handle.toString());
            }
            checkApplied(api.processor().writes().apply(who, new HandleOperation.RemoveValues(handle, request.getIndexesList())));
            return DeleteValuesResponse.newBuilder().setHandle(handle.toString()).build();
        });
    }

    @Override
    public void deleteHandle(DeleteHandleRequest request, StreamObserver<DeleteHandleResponse> observer) {
        write(observer, who -> {
            HandleName handle = clientHandle(request.getHandle());
            checkApplied(api.processor().writes().apply(who, new HandleOperation.Delete(handle)));
            return DeleteHandleResponse.newBuilder().setHandle(handle.toString()).build();
        });
    }

    /**
     * Runs a write for the authenticated caller on the blocking-work executor; an anonymous caller is answered
     * {@code UNAUTHENTICATED} at once.
     */
    private <T> void write(StreamObserver<T> observer, Function<AdminIdentity, T> work) {
        Optional<AdminIdentity> who = GrpcAuthenticator.currentIdentity();
        if (who.isEmpty()) {
            observer.onError(authenticationNeeded());
            return;
        }
        Answers.later(api.blockingWork(), observer, () -> work.apply(who.get()));
    }

    static io.grpc.StatusRuntimeException authenticationNeeded() {
        return GrpcErrors.exception(AbstractMessage.RC_AUTHENTICATION_NEEDED,
                "writes need an API token in the call metadata (authorization: Bearer idt_...), or Basic with an admin identity and its secret key",
                null);
    }

    private static HandleName clientHandle(String text) {
        try {
            return HandleName.parse(text);
        } catch (InvalidHandleException e) {
            throw GrpcErrors.exception(AbstractMessage.RC_INVALID_HANDLE, e.getMessage(), text);
        }
    }

    private HandleRecord clientRecord(org.idnode.api.v1.HandleRecord message) {
        try {
            return RecordMessages.record(message, templates::templateOf);
        } catch (InvalidHandleException e) {
            throw GrpcErrors.exception(AbstractMessage.RC_INVALID_HANDLE, e.getMessage(), message.getHandle());
        } catch (IllegalArgumentException e) {
            throw GrpcErrors.exception(AbstractMessage.RC_INVALID_VALUE, e.getMessage(), message.getHandle());
        }
    }

    private static void checkApplied(AuthorizedWriter.Result r) {
        if (!r.isOk()) {
            throw GrpcErrors.exception(r.responseCode(), r.message(), r.handle().toString(), r.fieldProblems());
        }
    }

    /** The request side of a call that already failed: whatever still arrives is dropped. */
    private static final class DiscardingObserver<T> implements StreamObserver<T> {
        @Override
        public void onNext(T value) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }
}
