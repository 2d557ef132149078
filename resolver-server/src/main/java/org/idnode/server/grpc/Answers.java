package org.idnode.server.grpc;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import net.handle.hdllib.AbstractMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers unary calls: {@link #now} on the calling thread (the event loop) for work that never blocks, or
 * {@link #later} on the node's blocking-work executor for work that may. Work fails a call by throwing a {@link StatusRuntimeException} (see
 * {@link GrpcErrors}); anything else is logged and answered {@code INTERNAL}. A call the executor refuses is answered
 * {@code RESOURCE_EXHAUSTED} ({@code SERVER_TOO_BUSY}); a call cancelled while it waited is not run.
 */
final class Answers {
    private static final Logger log = LoggerFactory.getLogger(Answers.class);

    private Answers() {
    }

    /** Runs {@code work} on the calling thread and answers with its result. */
    static <T> void now(StreamObserver<T> observer, Supplier<T> work) {
        T result;
        try {
            result = work.get();
        } catch (StatusRuntimeException e) {
            observer.onError(e);
            return;
        } catch (RuntimeException e) {
            log.error("gRPC call failed", e);
            observer.onError(GrpcErrors.internal());
            return;
        }
        observer.onNext(result);
        observer.onCompleted();
    }

    /** Runs {@code work} on {@code executor}, in the call's context, and answers with its result. */
    static <T> void later(Executor executor, StreamObserver<T> observer, Supplier<T> work) {
        Context context = Context.current();
        try {
            executor.execute(context.wrap(() -> {
                if (!context.isCancelled()) {
                    now(observer, work);
                }
            }));
        } catch (RejectedExecutionException e) {
            observer.onError(busy());
        }
    }

    /**
     * Runs {@code work} on {@code executor} in the call's context; the future fails with the {@code SERVER_TOO_BUSY}
     * error when the executor refuses it, and with the work's exception when it throws.
     */
    static CompletableFuture<Void> run(Executor executor, Runnable work) {
        Context context = Context.current();
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            executor.execute(context.wrap(() -> {
                try {
                    work.run();
                    done.complete(null);
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            }));
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(busy());
        }
        return done;
    }

    /** Ends a call with the failure of work done for it: its status when it has one, else logged and {@code INTERNAL}. */
    static void failed(StreamObserver<?> observer, Throwable failure) {
        Throwable e = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (e instanceof StatusRuntimeException s) {
            observer.onError(s);
            return;
        }
        log.error("gRPC call failed", e);
        observer.onError(GrpcErrors.internal());
    }

    static StatusRuntimeException busy() {
        return GrpcErrors.exception(AbstractMessage.RC_SERVER_TOO_BUSY, "the node is too busy, try again", null);
    }
}
