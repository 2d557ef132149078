package org.idnode.server.grpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import net.handle.hdllib.AbstractMessage;
import org.idnode.server.auth.AdminIdentity;
import org.idnode.server.auth.HttpAuthenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates gRPC calls from their {@code authorization} metadata, as the REST API reads its
 * {@code Authorization} header ({@link HttpAuthenticator}): {@code Bearer idt_...} with an API token, or
 * {@code Basic} with an admin identity and its secret key. A call without the metadata is anonymous; a call whose
 * credential is refused ends with {@code UNAUTHENTICATED} (reason {@code AUTHENTICATION_FAILED} or
 * {@code INVALID_CREDENTIAL}) before any service sees it. Services read the caller with {@link #currentIdentity()}.
 *
 * <p>Checking a credential reads the store (and hashes secrets), so it runs on the blocking-work executor while
 * the call waits; a credential verified in the last {@value #VERIFIED_SECONDS} seconds is accepted on the event loop
 * at once. Revoking a token through {@link org.idnode.server.admin.PrefixAdministration} makes it forget them all
 * ({@link #forgetVerified()}), so a revoked token stops working at once.
 *
 * <p>Thread-safe.
 */
public final class GrpcAuthenticator implements ServerInterceptor {
    /** How long a verified credential is trusted without reading the store again: the delay of a revocation. */
    public static final int VERIFIED_SECONDS = 5;
    private static final int VERIFIED_MAX_ENTRIES = 10_000;
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<AdminIdentity> IDENTITY = Context.key("idnode-admin-identity");
    private static final Logger log = LoggerFactory.getLogger(GrpcAuthenticator.class);

    private final HttpAuthenticator authenticator;
    private final Executor blockingWork;
    /** Counts {@link #forgetVerified()} calls, so that a check that began before one is not remembered after it. */
    private final java.util.concurrent.atomic.AtomicLong forgotten = new java.util.concurrent.atomic.AtomicLong();
    private final Cache<String, AdminIdentity> verified = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofSeconds(VERIFIED_SECONDS))
            .maximumSize(VERIFIED_MAX_ENTRIES)
            .build();

    /**
     * @param authenticator reads credentials (may block)
     * @param blockingWork  runs the credential checks; when it refuses work the call ends {@code RESOURCE_EXHAUSTED}
     */
    public GrpcAuthenticator(HttpAuthenticator authenticator, Executor blockingWork) {
        this.authenticator = authenticator;
        this.blockingWork = blockingWork;
    }

    /**
     * The authenticated caller of the current call, empty for an anonymous one. Valid inside a service method and
     * in work it hands on with {@link Context#wrap} (or after reading it there).
     */
    public static Optional<AdminIdentity> currentIdentity() {
        return Optional.ofNullable(IDENTITY.get());
    }

    /** Forgets every credential verified so far: the next call with each is checked against the store again. */
    void forgetVerified() {
        forgotten.incrementAndGet();
        verified.invalidateAll();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String credential = headers.get(AUTHORIZATION);
        if (credential == null) {
            return next.startCall(call, headers);
        }
        Context context = Context.current();
        AdminIdentity known = verified.getIfPresent(credential);
        if (known != null) {
            return Contexts.interceptCall(context.withValue(IDENTITY, known), call, headers, next);
        }
        PendingListener<Q> pending = new PendingListener<>();
        try {
            blockingWork.execute(() -> {
                HttpAuthenticator.Outcome outcome;
                long generation = forgotten.get();
                try {
                    outcome = authenticator.authenticate(credential);
                } catch (RuntimeException e) {
                    log.error("authenticating a gRPC call failed", e);
                    pending.discard();
                    close(call, GrpcErrors.internal());
                    return;
                }
                if (outcome instanceof HttpAuthenticator.Authenticated a) {
                    verified.put(credential, a.identity());
                    if (forgotten.get() != generation) {
                        verified.invalidate(credential);
                    }
                    pending.start(() -> Contexts.interceptCall(context.withValue(IDENTITY, a.identity()), call, headers, next));
                } else if (outcome instanceof HttpAuthenticator.Refused r) {
                    pending.discard();
                    close(call, GrpcErrors.exception(r.responseCode(), r.reason(), null));
                } else {
                    pending.start(() -> Contexts.interceptCall(context, call, headers, next));
                }
            });
        } catch (RejectedExecutionException e) {
            pending.discard();
            close(call, GrpcErrors.exception(AbstractMessage.RC_SERVER_TOO_BUSY, "the node is too busy, try again", null));
        }
        return pending;
    }

    private static void close(ServerCall<?, ?> call, StatusRuntimeException e) {
        call.close(e.getStatus(), e.getTrailers() == null ? new Metadata() : e.getTrailers());
    }

    /**
     * Stands in for a call's listener while its credential is checked: keeps what the transport delivers, then hands
     * it, in order, to the listener of the started call. The lock keeps the replay (on a blocking thread) and later
     * events (on the event loop) in order and never concurrent.
     */
    private static final class PendingListener<Q> extends ServerCall.Listener<Q> {
        private final Object lock = new Object();
        private final List<Consumer<ServerCall.Listener<Q>>> early = new ArrayList<>();
        private ServerCall.Listener<Q> delegate;
        private boolean discarded;

        /** The call ended without being started: what arrives is dropped. */
        void discard() {
            synchronized (lock) {
                discarded = true;
                early.clear();
            }
        }

        void start(Supplier<ServerCall.Listener<Q>> starter) {
            synchronized (lock) {
                if (discarded) {
                    return;
                }
                delegate = starter.get();
                early.forEach(event -> event.accept(delegate));
                early.clear();
            }
        }

        private void deliver(Consumer<ServerCall.Listener<Q>> event) {
            synchronized (lock) {
                if (delegate != null) {
                    event.accept(delegate);
                } else if (!discarded) {
                    early.add(event);
                }
            }
        }

        @Override
        public void onMessage(Q message) {
            deliver(l -> l.onMessage(message));
        }

        @Override
        public void onHalfClose() {
            deliver(ServerCall.Listener::onHalfClose);
        }

        @Override
        public void onCancel() {
            synchronized (lock) {
                if (delegate == null) {
                    // Cancelled while its credential was checked: the call is never started.
                    discarded = true;
                    early.clear();
                    return;
                }
            }
            deliver(ServerCall.Listener::onCancel);
        }

        @Override
        public void onComplete() {
            deliver(ServerCall.Listener::onComplete);
        }

        @Override
        public void onReady() {
            deliver(ServerCall.Listener::onReady);
        }
    }
}
