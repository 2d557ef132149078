package org.idnode.client;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import org.idnode.api.v1.BulkRegisterRequest;
import org.idnode.api.v1.BulkRegisterResponse;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.IdentifierServiceGrpc;

/**
 * One bulk registration: a client stream to one node that takes any number of records, in chunks, with the node's flow
 * control. Records are applied in order with overwrite semantics; {@link #finish()} returns the node's summary, whose
 * refusals name records by their position in the stream from 0 (the order of {@link #add} calls).
 *
 * <pre>{@code
 * try (BulkRegistration bulk = client.bulkRegister()) {
 *     for (HandleRecord r : records) {
 *         bulk.add(r);                      // blocks while the node is not ready for more
 *     }
 *     BulkRegisterResponse summary = bulk.finish();
 * }
 * }</pre>
 *
 * <p>The stream has no deadline. It is not retried: a failure ends it with an {@link IdNodeException} from {@link #add}
 * or {@link #finish()}, and which of the records sent so far were written is then unknown; since records overwrite,
 * sending them again (on a new stream) is safe. Only a stream that provably never reached its node (connection refused)
 * before its first chunk moves on to the client's next endpoint.
 *
 * <p>Not thread-safe: {@link #add} and {@link #finish()} are called from one thread at a time; {@link #close()} may be
 * called from any thread.
 */
public final class BulkRegistration implements AutoCloseable {
    /** Records per chunk by default. */
    public static final int DEFAULT_CHUNK = 500;
    /** The most records the node takes in one chunk. */
    public static final int MAX_CHUNK = 2000;

    private final NodeCalls calls;
    private final int chunkSize;
    private final Consumer<Collection<String>> invalidate;
    private final Object lock = new Object();
    private final BitSet tried = new BitSet();
    private List<HandleRecord> buffer;
    private long sent;
    private int endpoint;
    private boolean chunkSent;
    private boolean finished;
    private volatile ClientCallStreamObserver<BulkRegisterRequest> stream;
    private volatile CompletableFuture<BulkRegisterResponse> summary;

    BulkRegistration(NodeCalls calls, int chunkSize, Consumer<Collection<String>> invalidate) {
        if (chunkSize < 1 || chunkSize > MAX_CHUNK) {
            throw new IllegalArgumentException("chunk size must be 1 to " + MAX_CHUNK + ", not " + chunkSize);
        }
        if (!calls.hasEndpoints()) {
            throw Errors.of(Status.Code.FAILED_PRECONDITION, "no gRPC endpoint is configured (IdClient.Builder.endpoints)", null);
        }
        this.calls = calls;
        this.chunkSize = chunkSize;
        this.invalidate = invalidate;
        this.buffer = new ArrayList<>(chunkSize);
        open(calls.currentIndex());
    }

    private void open(int index) {
        endpoint = index;
        tried.set(index);
        CompletableFuture<BulkRegisterResponse> done = new CompletableFuture<>();
        summary = done;
        calls.clientStream(IdentifierServiceGrpc.getBulkRegisterMethod(), index,
                new ClientResponseObserver<BulkRegisterRequest, BulkRegisterResponse>() {
                    private BulkRegisterResponse response;

                    @Override
                    public void beforeStart(ClientCallStreamObserver<BulkRegisterRequest> requests) {
                        stream = requests;
                        requests.setOnReadyHandler(BulkRegistration.this::wake);
                    }

                    @Override
                    public void onNext(BulkRegisterResponse value) {
                        response = value;
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(Errors.connectionLossAsUnavailable(t));
                        wake();
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(response != null ? response : BulkRegisterResponse.getDefaultInstance());
                        wake();
                    }
                });
    }

    private void wake() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /**
     * Adds a record; every {@code chunkSize} records are sent as one chunk, waiting first (without limit) until the node
     * is ready for more.
     *
     * @throws IdNodeException when the stream failed
     * @throws IllegalStateException after {@link #finish()} or {@link #close()}
     */
    public void add(HandleRecord record) {
        if (finished) {
            throw new IllegalStateException("this bulk registration is finished or closed");
        }
        buffer.add(record);
        sent++;
        if (buffer.size() >= chunkSize) {
            flush();
        }
    }

    /** Records handed to {@link #add} so far. */
    public long sent() {
        return sent;
    }

    /**
     * Sends what is buffered, half-closes the stream and waits (without limit) for the node's summary.
     *
     * @throws IdNodeException when the stream failed
     */
    public BulkRegisterResponse finish() {
        if (finished) {
            throw new IllegalStateException("this bulk registration is finished or closed");
        }
        flush();
        if (!chunkSent) {
            awaitReady();
        }
        finished = true;
        stream.onCompleted();
        try {
            return summary.join();
        } catch (RuntimeException e) {
            throw Errors.from(e, null).rethrownHere();
        }
    }

    private void flush() {
        if (buffer.isEmpty()) {
            return;
        }
        awaitReady();
        List<HandleRecord> chunk = buffer;
        buffer = new ArrayList<>(chunkSize);
        stream.onNext(BulkRegisterRequest.newBuilder().addAllRecords(chunk).build());
        chunkSent = true;
        List<String> handles = new ArrayList<>(chunk.size());
        for (HandleRecord r : chunk) {
            handles.add(r.getHandle());
        }
        invalidate.accept(handles);
    }

    /**
     * Waits until the stream takes more; a stream that failed before its first chunk without reaching its node is opened
     * again on the next endpoint not tried yet.
     */
    private void awaitReady() {
        while (true) {
            synchronized (lock) {
                while (!stream.isReady() && !summary.isDone()) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        close();
                        throw Errors.of(Status.Code.CANCELLED, "interrupted while waiting for the node", e);
                    }
                }
            }
            if (!summary.isDone()) {
                return;
            }
            Throwable failure = failureOf(summary);
            if (failure == null) {
                finished = true;
                throw Errors.of(Status.Code.INTERNAL, "the node ended the bulk stream before it was finished", null);
            }
            if (Status.fromThrowable(failure).getCode() == Status.Code.UNAVAILABLE) {
                calls.failedOver(endpoint);
            }
            int next = calls.currentIndex();
            if (!chunkSent && Errors.neverReachedNode(failure) && !tried.get(next)) {
                open(next);
                continue;
            }
            finished = true;
            throw Errors.from(failure, null).rethrownHere();
        }
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        try {
            f.join();
            return null;
        } catch (RuntimeException e) {
            return Errors.unwrapCompletion(e);
        }
    }

    /** Cancels the stream unless {@link #finish()} completed it; idempotent. */
    @Override
    public void close() {
        ClientCallStreamObserver<BulkRegisterRequest> s = stream;
        if (!summary.isDone() && s != null) {
            s.cancel("bulk registration closed before finish()", null);
        }
        finished = true;
    }
}
