package org.idnode.server.grpc;

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

    static StatusRuntimeException busy() {
        return GrpcErrors.exception(AbstractMessage.RC_SERVER_TOO_BUSY, "the node is too busy, try again", null);
    }
}
