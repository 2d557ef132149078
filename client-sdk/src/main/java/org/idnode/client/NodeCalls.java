package org.idnode.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

/**
 * The gRPC side of an {@link IdClient}: one channel per node endpoint, the fail-over between them and the retry loop.
 *
 * <p><b>Why an own retry loop rather than gRPC's service-config retry.</b> gRPC's built-in retry works inside one channel,
 * while fail-over here moves a call to another endpoint's channel; and gRPC Java has no per-attempt deadline, which is
 * what lets a call leave a node that accepted it but does not answer. So each attempt is a plain gRPC call with a gRPC
 * deadline (the call's, or the smaller {@link RetryPolicy#attemptTimeout()}), and this class decides what follows a
 * failure (an attempt on a channel that is reconnecting first waits briefly for it, see {@link #whenReconnected}):
 * <ul>
 *   <li>An {@code UNAVAILABLE} (a connection that closed under the call included, which grpc-java reports as
 *       {@code UNKNOWN: channel closed}) or an attempt's own deadline moves the client's current endpoint to the next one; the
 *       client stays there while calls succeed.</li>
 *   <li>A call that provably never reached a node (connection refused, unresolvable address) goes straight to the next
 *       endpoint it has not tried yet, whatever the call: nothing of it was sent.</li>
 *   <li>Only idempotent calls are retried otherwise: on {@code UNAVAILABLE}, {@code RESOURCE_EXHAUSTED} or an attempt's
 *       deadline, up to {@link RetryPolicy#maxAttempts()} attempts, at once on an endpoint the call has not tried, else
 *       after an exponential, jittered back-off; never past the call's deadline.</li>
 * </ul>
 * gRPC's transparent retry (a stream refused before it was sent) stays on, as it is safe for every call.
 *
 * <p>Thread-safe: calls run concurrently; the current endpoint is one atomic index.
 */
final class NodeCalls implements AutoCloseable {
    /** How long an attempt waits for a channel in TRANSIENT_FAILURE to reconnect before it goes ahead. */
    static final long CONNECT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** One node endpoint: its channel (for connectivity control) and the same with the client's interceptors. */
    private record Endpoint(String address, ManagedChannel managed, Channel channel) {
    }

    private final List<Endpoint> endpoints;
    private final AtomicInteger current = new AtomicInteger();
    private final Duration callTimeout;
    private final RetryPolicy retry;
    private final ScheduledExecutorService scheduler;

    NodeCalls(List<String> addresses, List<ManagedChannel> channels, io.grpc.ClientInterceptor[] interceptors,
            Duration callTimeout, RetryPolicy retry, ScheduledExecutorService scheduler) {
        List<Endpoint> list = new ArrayList<>();
        for (int i = 0; i < channels.size(); i++) {
            ManagedChannel m = channels.get(i);
            list.add(new Endpoint(addresses.get(i), m, ClientInterceptors.intercept(m, interceptors)));
        }
        this.endpoints = List.copyOf(list);
        this.callTimeout = callTimeout;
        this.retry = retry;
        this.scheduler = scheduler;
    }

    boolean hasEndpoints() {
        return !endpoints.isEmpty();
    }

    /** The address calls go to now. */
    String currentAddress() {
        return endpoints.get(current.get()).address();
    }

    /** Runs a unary call with the client's deadline, fail-over and (for {@code idempotent} calls) retries. */
    <Q, R> CompletableFuture<R> unary(MethodDescriptor<Q, R> method, Q request, boolean idempotent, String handle) {
        if (endpoints.isEmpty()) {
            return CompletableFuture.failedFuture(Errors.of(Status.Code.FAILED_PRECONDITION,
                    "no gRPC endpoint is configured (IdClient.Builder.endpoints)", null));
        }
        UnaryCall<Q, R> call = new UnaryCall<>(method, request, idempotent, handle);
        call.attempt();
        return call.result;
    }

    /** A client-streaming call on the current endpoint (no deadline), for {@link BulkRegistration}. */
    <Q, R> StreamObserver<Q> clientStream(MethodDescriptor<Q, R> method, int endpoint, StreamObserver<R> responses) {
        Endpoint ep = endpoints.get(endpoint);
        awaitReconnected(ep);
        return ClientCalls.asyncClientStreamingCall(ep.channel().newCall(method, CallOptions.DEFAULT), responses);
    }

    int currentIndex() {
        return current.get();
    }

    int endpointCount() {
        return endpoints.size();
    }

    String address(int endpoint) {
        return endpoints.get(endpoint).address();
    }

    /** Moves the current endpoint past {@code failed} unless another call already did. */
    void failedOver(int failed) {
        current.compareAndSet(failed, (failed + 1) % endpoints.size());
    }

    /**
     * Runs {@code attempt} now, or, when the endpoint's channel is in {@code TRANSIENT_FAILURE}, once it has reconnected:
     * such a channel fails calls at once with its last error ("sticky" failure, until it is ready again) and retries
     * connections on a back-off of its own, so it is told to connect now and polled, for at most
     * {@link #CONNECT_WAIT_NANOS} (and never past {@code deadline}); the attempt then goes ahead either way.
     */
    private void whenReconnected(Endpoint ep, Deadline deadline, Runnable attempt) {
        if (ep.managed().getState(false) != ConnectivityState.TRANSIENT_FAILURE) {
            attempt.run();
            return;
        }
        ep.managed().resetConnectBackoff();
        long until = System.nanoTime() + Math.min(CONNECT_WAIT_NANOS, deadline.timeRemaining(TimeUnit.NANOSECONDS));
        poll(ep, until, attempt);
    }

    private void poll(Endpoint ep, long until, Runnable attempt) {
        if (ep.managed().getState(false) != ConnectivityState.TRANSIENT_FAILURE || System.nanoTime() - until >= 0) {
            attempt.run();
            return;
        }
        try {
            scheduler.schedule(() -> poll(ep, until, attempt), POLL_NANOS, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            attempt.run(); // the client is closing: the attempt fails on the shut-down channel
        }
    }

    /** {@link #whenReconnected}, waiting in the calling thread (for streams, which start synchronously). */
    private static void awaitReconnected(Endpoint ep) {
        if (ep.managed().getState(false) != ConnectivityState.TRANSIENT_FAILURE) {
            return;
        }
        ep.managed().resetConnectBackoff();
        long until = System.nanoTime() + CONNECT_WAIT_NANOS;
        while (ep.managed().getState(false) == ConnectivityState.TRANSIENT_FAILURE && System.nanoTime() - until < 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(POLL_NANOS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One logical call and its attempts. */
    private final class UnaryCall<Q, R> {
        final MethodDescriptor<Q, R> method;
        final Q request;
        final boolean idempotent;
        final String handle;
        final CompletableFuture<R> result = new CompletableFuture<>();
        final Deadline deadline;
        final BitSet tried = new BitSet();
        int attempts; // attempts counted against maxAttempts
        /** The last attempt that found no node; reported instead of a deadline that expired while retrying after it. */
        Throwable lastUnavailable;
        int backoffs;
        volatile ClientCall<Q, R> inFlight;

        UnaryCall(MethodDescriptor<Q, R> method, Q request, boolean idempotent, String handle) {
            this.method = method;
            this.request = request;
            this.idempotent = idempotent;
            this.handle = handle;
            this.deadline = Deadline.after(callTimeout.toNanos(), TimeUnit.NANOSECONDS);
            this.attempts = 1;
            result.whenComplete((r, e) -> {
                ClientCall<Q, R> c = inFlight;
                if (result.isCancelled() && c != null) {
                    c.cancel("cancelled by the caller", null);
                }
            });
        }

        void attempt() {
            if (result.isDone()) {
                return;
            }
            int index = current.get();
            whenReconnected(endpoints.get(index), deadline, () -> send(index));
        }

        private void send(int index) {
            if (result.isDone()) {
                return;
            }
            Endpoint ep = endpoints.get(index);
            Deadline attemptDeadline = deadline;
            if (idempotent && retry.attemptTimeout() != null) {
                attemptDeadline = deadline.minimum(Deadline.after(retry.attemptTimeout().toNanos(), TimeUnit.NANOSECONDS));
            }
            ClientCall<Q, R> call = ep.channel().newCall(method, CallOptions.DEFAULT.withDeadline(attemptDeadline));
            inFlight = call;
            ClientCalls.asyncUnaryCall(call, request, new StreamObserver<R>() {
                private R value;

                @Override
                public void onNext(R v) {
                    value = v;
                }

                @Override
                public void onError(Throwable t) {
                    failed(index, t);
                }

                @Override
                public void onCompleted() {
                    result.complete(value);
                }
            });
        }

        private void failed(int index, Throwable failure) {
            Throwable t = Errors.connectionLossAsUnavailable(failure);
            Status.Code code = Status.fromThrowable(t).getCode();
            if (code == Status.Code.UNAVAILABLE) {
                lastUnavailable = t;
            } else if (code == Status.Code.DEADLINE_EXCEEDED && deadline.isExpired() && lastUnavailable != null) {
                // The call ran out of time waiting for a node that was not there: that is what the caller should hear.
                t = lastUnavailable;
                code = Status.Code.UNAVAILABLE;
            }
            boolean neverReached = Errors.neverReachedNode(t);
            boolean attemptTimedOut = code == Status.Code.DEADLINE_EXCEEDED && !deadline.isExpired();
            if (code == Status.Code.UNAVAILABLE || attemptTimedOut) {
                failedOver(index);
            }
            tried.set(index);
            boolean nextUntried = !tried.get(current.get());
            if (neverReached && nextUntried) {
                attempt();
                return;
            }
            boolean retryable = idempotent && (code == Status.Code.UNAVAILABLE || code == Status.Code.RESOURCE_EXHAUSTED || attemptTimedOut);
            if (!retryable || attempts >= retry.maxAttempts()) {
                result.completeExceptionally(Errors.from(t, handle));
                return;
            }
            long delay = nextUntried ? 0 : retry.backoffNanos(++backoffs);
            if (deadline.timeRemaining(TimeUnit.NANOSECONDS) <= delay) {
                result.completeExceptionally(Errors.from(t, handle));
                return;
            }
            attempts++;
            if (delay == 0) {
                attempt();
                return;
            }
            try {
                scheduler.schedule(this::attempt, delay, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(Errors.of(Status.Code.CANCELLED, "the client is closed", t));
            }
        }
    }

    @Override
    public void close() {
        for (Endpoint ep : endpoints) {
            ep.managed().shutdown();
        }
        for (Endpoint ep : endpoints) {
            try {
                if (!ep.managed().awaitTermination(5, TimeUnit.SECONDS)) {
                    ep.managed().shutdownNow();
                }
            } catch (InterruptedException e) {
                ep.managed().shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
