package org.idnode.server.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import net.handle.hdllib.AbstractMessage;
import org.idnode.api.v1.BulkRefusal;
import org.idnode.api.v1.BulkRegisterRequest;
import org.idnode.api.v1.BulkRegisterResponse;
import org.idnode.registry.template.TemplateCatalog;
import org.idnode.server.auth.AdminIdentity;
import org.idnode.server.handler.BatchRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code BulkRegister} call: a stream of chunks (at most {@value BatchRegistration#MAX_RECORDS} records each),
 * each registered like a batch ({@link BatchRegistration}) on the blocking-work executor, one after the other in the
 * order sent. Flow control is the point: the call asks the client for one chunk ahead of the one being written (so
 * the next chunk is received and decoded while the current one is written) and for more only as chunks are written,
 * so a client that honours {@code isReady()} never has more than two chunks and the HTTP/2 window in flight, however
 * many millions of records it sends. Records are numbered from 0 across the stream; the answer, sent when the client
 * half-closes and the last chunk is written, counts them and lists the first {@value #MAX_REFUSALS} refusals.
 *
 * <p>A chunk over the limit ends the call {@code INVALID_ARGUMENT}; the chunks before it stay written.
 *
 * <p>Threading: the transport calls {@link #onNext}, {@link #onCompleted} and {@link #onError} on the event loop,
 * one at a time; chunks are written on a blocking thread. Every touch of the response observer and of the counters
 * holds this object's lock, so the two sides never act on the call at once.
 */
final class BulkRegisterCall implements StreamObserver<BulkRegisterRequest> {
    /** Most refusals the answer lists; the counts cover all. */
    static final int MAX_REFUSALS = 10_000;
    private static final Logger log = LoggerFactory.getLogger(BulkRegisterCall.class);

    private final ServerCallStreamObserver<BulkRegisterResponse> response;
    private final AdminIdentity who;
    private final BatchRegistration batches;
    private final TemplateCatalog templates;
    private final Executor blockingWork;
    private final Context context = Context.current();

    // Guarded by this.
    private long received;
    private long accepted;
    private long refused;
    private final List<BulkRefusal> refusals = new ArrayList<>();
    private boolean writing;
    /** A chunk received while another was being written, and the number of its first record; written next. */
    private BulkRegisterRequest waiting;
    private long waitingFirst;
    private boolean halfClosed;
    private boolean ended;

    private BulkRegisterCall(ServerCallStreamObserver<BulkRegisterResponse> response, AdminIdentity who, BatchRegistration batches,
                             TemplateCatalog templates, Executor blockingWork) {
        this.response = response;
        this.who = who;
        this.batches = batches;
        this.templates = templates;
        this.blockingWork = blockingWork;
    }

    /** Takes over flow control of the call and asks for the first chunk; to be called inside the service method. */
    static BulkRegisterCall start(ServerCallStreamObserver<BulkRegisterResponse> response, AdminIdentity who, BatchRegistration batches,
                                  TemplateCatalog templates, Executor blockingWork) {
        response.disableAutoRequest();
        BulkRegisterCall call = new BulkRegisterCall(response, who, batches, templates, blockingWork);
        response.request(1);
        return call;
    }

    @Override
    public void onNext(BulkRegisterRequest chunk) {
        long first;
        synchronized (this) {
            if (ended) {
                return;
            }
            first = received;
            received += chunk.getRecordsCount();
            if (writing) {
                waiting = chunk;
                waitingFirst = first;
                return;
            }
            writing = true;
        }
        begin(chunk, first);
    }

    /**
     * Starts writing a chunk once every chunk before it is written: refuses it when it is over the limit, else asks
     * for the next chunk and hands this one to the blocking-work executor.
     */
    private void begin(BulkRegisterRequest chunk, long first) {
        synchronized (this) {
            String tooLarge = BatchRegistration.sizeProblem(chunk.getRecordsCount());
            if (tooLarge != null) {
                fail(GrpcErrors.exception(AbstractMessage.RC_PROTOCOL_ERROR, "chunk with records " + first + " and on: " + tooLarge
                        + "; the " + first + " records before it were registered (" + accepted + " accepted, " + refused + " refused)", null));
                return;
            }
            response.request(1);
        }
        submit(chunk, first);
    }

    /** Hands a chunk to the blocking-work executor; the call fails when the executor is saturated. */
    private void submit(BulkRegisterRequest chunk, long first) {
        try {
            blockingWork.execute(context.wrap(() -> write(chunk, first)));
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                fail(GrpcErrors.exception(AbstractMessage.RC_SERVER_TOO_BUSY, "the node is too busy, try again with the records from "
                        + first + " on; the " + first + " before them were registered", null));
            }
        }
    }

    /** Writes one chunk (blocking), then the chunk that arrived meanwhile, or answers when the client has finished. */
    private void write(BulkRegisterRequest chunk, long first) {
        List<BatchRegistration.Outcome> outcomes;
        try {
            outcomes = batches.register(who, IdentifierGrpcService.batchItems(chunk.getRecordsList(), templates));
        } catch (RuntimeException e) {
            log.error("bulk registration failed at record {}", first, e);
            synchronized (this) {
                fail(GrpcErrors.internal());
            }
            return;
        }
        BulkRegisterRequest next;
        long nextFirst;
        synchronized (this) {
            for (int i = 0; i < outcomes.size(); i++) {
                BatchRegistration.Outcome o = outcomes.get(i);
                if (o.isOk()) {
                    accepted++;
                    continue;
                }
                refused++;
                if (refusals.size() < MAX_REFUSALS) {
                    refusals.add(BulkRefusal.newBuilder()
                            .setSequence(first + i)
                            .setHandle(o.handle() == null ? "" : o.handle())
                            .setError(GrpcErrors.error(o.responseCode(), o.message(), o.fieldProblems()))
                            .build());
                }
            }
            if (ended) {
                return;
            }
            next = waiting;
            nextFirst = waitingFirst;
            waiting = null;
            if (next == null) {
                writing = false;
                if (halfClosed) {
                    answer();
                }
                return;
            }
        }
        begin(next, nextFirst);
    }

    @Override
    public void onCompleted() {
        synchronized (this) {
            halfClosed = true;
            if (!writing && !ended) {
                answer();
            }
        }
    }

    /** The client cancelled the call (or the transport failed): nothing more is answered; written chunks stay written. */
    @Override
    public void onError(Throwable t) {
        synchronized (this) {
            ended = true;
        }
    }

    private void answer() {
        ended = true;
        response.onNext(BulkRegisterResponse.newBuilder()
                .setAccepted(accepted)
                .setRefused(refused)
                .addAllRefusals(refusals)
                .build());
        response.onCompleted();
    }

    private void fail(StatusRuntimeException e) {
        if (!ended) {
            ended = true;
            response.onError(e);
        }
    }
}
