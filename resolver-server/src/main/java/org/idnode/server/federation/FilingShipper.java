package org.idnode.server.federation;

import java.security.PrivateKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.idnode.api.v1.Filing;
import org.idnode.api.v1.FilingAck;
import org.idnode.api.v1.FilingBatch;
import org.idnode.api.v1.FilingStatusRequest;
import org.idnode.registry.federation.Outbox;
import org.idnode.registry.federation.OutboxEntry;
import org.idnode.registry.federation.PendingFilings;
import org.idnode.server.config.NodeConfig.Federation;
import org.idnode.server.config.NodeConfig.Federation.FilingPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships the outbox to the top-level node: the pending entries in order, in signed batches of at most
 * {@value #MAX_BATCH}, each entry's sequence number as the filing's sequence. An entry leaves the outbox only once the
 * top level has acknowledged it ({@code applied_through}); a batch is resent whole after a failure, which the top level
 * acknowledges again without applying twice. While the top level cannot be reached or refuses, the shipper waits with
 * exponential back-off and jitter between {@code federation.filing.backoff-min-ms} and {@code backoff-max-ms}. When
 * the top level refuses a batch as out of order ({@code FAILED_PRECONDITION}: it expects another sequence), the
 * shipper logs it, asks the top level which sequence it has applied ({@code Status}), forgets what it has, and goes on
 * from there. With filing policy {@code count} it also turns the registration counters into count filings every
 * {@code count-interval-seconds}.
 *
 * <p>One daemon thread does all of it. {@link #backlog()} may be called from any thread.
 */
public final class FilingShipper implements AutoCloseable {
    /** Most filings in one batch (federation.proto). */
    public static final int MAX_BATCH = 1000;
    private static final Logger log = LoggerFactory.getLogger(FilingShipper.class);
    /** How long the thread sleeps when there is nothing to ship and no count to file. */
    private static final long IDLE_MILLIS = TimeUnit.SECONDS.toMillis(30);

    private final Outbox outbox;
    private final String secondaryPrefix;
    private final PrivateKey key;
    private final FilingEndpoint endpoint;
    private final Federation.Filing settings;
    private final Object wakeUp = new Object();
    private final Thread thread;
    private boolean signalled;
    private volatile boolean closed;

    private int failures;
    /** Out-of-order refusals since the last acknowledged batch. */
    private int refusals;
    private long nextCountFlush;
    private volatile long appliedThrough = -1;
    private volatile String lastError;
    private volatile Instant lastErrorTime;
    private volatile Instant lastAcknowledged;
    private volatile Instant nextAttempt;

    /**
     * The state of filing: the outbox's backlog and how shipping goes.
     *
     * @param pending               entries not yet acknowledged
     * @param oldestPendingSequence the oldest of them, 0 when none
     * @param oldestPendingTime     when it was committed, null when none
     * @param lastSequence          the newest sequence number given out (0 before the first)
     * @param appliedThrough        what the top level last said it has applied, -1 before it said anything
     * @param lastAcknowledged      when the top level last acknowledged a batch, null before
     * @param lastError             why the last attempt failed, null after a success
     * @param lastErrorTime         when it failed
     * @param nextAttempt           when the shipper tries again after a failure, null when it is not waiting on one
     * @param filingAddress         the top level's gRPC address, null until known
     * @param pendingCounts         registration counts not yet filed (filing policy {@code count})
     */
    public record Backlog(long pending, long oldestPendingSequence, Instant oldestPendingTime, long lastSequence, long appliedThrough,
                          Instant lastAcknowledged, String lastError, Instant lastErrorTime, Instant nextAttempt, String filingAddress,
                          Map<String, PendingFilings.Counts> pendingCounts) {
    }

    FilingShipper(Outbox outbox, String secondaryPrefix, PrivateKey key, FilingEndpoint endpoint, Federation.Filing settings) {
        this.outbox = outbox;
        this.secondaryPrefix = secondaryPrefix;
        this.key = key;
        this.endpoint = endpoint;
        this.settings = settings;
        this.nextCountFlush = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(settings.countIntervalSeconds());
        this.thread = new Thread(this::run, "idnode-filing");
        this.thread.setDaemon(true);
        outbox.onAppend(this::wake);
    }

    /** Starts shipping. */
    void start() {
        thread.start();
    }

    /** The backlog and the state of shipping, as the operator endpoint and metrics show it. */
    public Backlog backlog() {
        Outbox.Backlog b = outbox.backlog();
        FilingEndpoint e = endpoint;
        return new Backlog(b.pending(), b.oldestSequence(), b.isEmpty() ? null : Instant.ofEpochMilli(b.oldestCreatedMillis()),
                b.lastSequence(), appliedThrough, lastAcknowledged, lastError, lastErrorTime, nextAttempt,
                e.address() == null ? null : e.address().toString(), outbox.counts());
    }

    /** Ends the next wait early: there is something new to ship. */
    void wake() {
        synchronized (wakeUp) {
            signalled = true;
            wakeUp.notifyAll();
        }
    }

    private void run() {
        while (!closed) {
            long waitMillis;
            try {
                flushCountsWhenDue();
                waitMillis = shipOnce();
            } catch (RuntimeException e) {
                if (closed) {
                    return; // the node is stopping and closed the store
                }
                log.error("filing with the top-level node failed unexpectedly", e);
                waitMillis = failed("unexpected failure: " + e);
            }
            if (waitMillis > 0) {
                pause(waitMillis, waitMillis == IDLE_MILLIS || nextAttempt == null);
            }
        }
    }

    private void flushCountsWhenDue() {
        if (settings.policy() != FilingPolicy.COUNT || System.currentTimeMillis() < nextCountFlush) {
            return;
        }
        int filed = outbox.flushCounts(FilingRules::countFiling);
        if (filed > 0) {
            log.debug("filed registration counts of {} prefixes", filed);
        }
        nextCountFlush = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(settings.countIntervalSeconds());
    }

    /** Sends one batch; returns how long to wait before the next step (0: go on at once). */
    private long shipOnce() {
        List<OutboxEntry> entries = outbox.pending(MAX_BATCH);
        if (entries.isEmpty()) {
            return idleMillis();
        }
        FilingBatch batch = FilingSignatures.sign(batchOf(entries), key);
        long first = entries.get(0).sequence();
        long last = entries.get(entries.size() - 1).sequence();
        FilingAck ack;
        try {
            ack = endpoint.stub().withDeadlineAfter(settings.callTimeoutSeconds(), TimeUnit.SECONDS).file(batch);
        } catch (FilingEndpoint.FilingException e) {
            return failed(e.getMessage());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
                log.warn("the top-level node refused filings {}-{} of {} as out of order ({}); asking it which filings it has applied",
                        first, last, secondaryPrefix, e.getStatus().getDescription());
                return resync("refused filings " + first + "-" + last + " as out of order: " + e.getStatus().getDescription());
            }
            endpoint.reset();
            return failed("filing " + first + "-" + last + " at " + endpoint.address() + ": " + describe(e));
        }
        if (ack.getAppliedThrough() < first) {
            return failed("the top-level node acknowledged filings only through " + ack.getAppliedThrough() + " after being sent "
                    + first + "-" + last);
        }
        acknowledged(ack.getAppliedThrough());
        return 0;
    }

    /** After an out-of-order refusal: learn what the top level has applied and go on after it. */
    private long resync(String refusal) {
        FilingAck status;
        try {
            status = endpoint.stub().withDeadlineAfter(settings.callTimeoutSeconds(), TimeUnit.SECONDS)
                    .status(FilingStatusRequest.newBuilder().setSecondaryPrefix(secondaryPrefix).build());
        } catch (FilingEndpoint.FilingException e) {
            return failed(refusal + "; then: " + e.getMessage());
        } catch (StatusRuntimeException e) {
            endpoint.reset();
            return failed(refusal + "; then asking for its status: " + describe(e));
        }
        long applied = status.getAppliedThrough();
        Outbox.Backlog b = outbox.backlog();
        if (!b.isEmpty() && applied + 1 < b.oldestSequence()) {
            String message = "the top-level node has applied filings of " + secondaryPrefix + " only through " + applied
                    + ", but this node's outbox starts at " + b.oldestSequence() + ": filings " + (applied + 1) + "-"
                    + (b.oldestSequence() - 1) + " were acknowledged by the top level earlier and are no longer here. "
                    + "The top level's ledger must be repaired; filing stays stopped until then";
            log.error(message);
            appliedThrough = applied;
            return failed(message);
        }
        log.info("the top-level node has applied filings of {} through {}; going on from {}", secondaryPrefix, applied, applied + 1);
        outbox.acknowledge(applied);
        appliedThrough = applied;
        // Resend at once after the first refusal; a refusal again without a batch acknowledged in between backs off.
        return ++refusals > 1 ? failed(refusal) : 0;
    }

    private void acknowledged(long applied) {
        outbox.acknowledge(applied);
        appliedThrough = applied;
        lastAcknowledged = Instant.now();
        lastError = null;
        lastErrorTime = null;
        nextAttempt = null;
        failures = 0;
        refusals = 0;
    }

    /** Records a failure and returns the back-off: exponential from the minimum, capped, with jitter. */
    private long failed(String message) {
        failures++;
        long base = settings.backoffMinMillis() * (1L << Math.min(failures - 1, 30));
        long cap = Math.min(settings.backoffMaxMillis(), base);
        long wait = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
        if (!message.equals(lastError)) {
            log.warn("cannot file with the top-level node: {}; retrying in {} ms", message, wait);
        }
        lastError = message;
        lastErrorTime = Instant.now();
        nextAttempt = Instant.now().plusMillis(wait);
        return wait;
    }

    private long idleMillis() {
        if (settings.policy() != FilingPolicy.COUNT) {
            return IDLE_MILLIS;
        }
        return Math.max(1, Math.min(IDLE_MILLIS, nextCountFlush - System.currentTimeMillis()));
    }

    private FilingBatch batchOf(List<OutboxEntry> entries) {
        FilingBatch.Builder b = FilingBatch.newBuilder().setSecondaryPrefix(secondaryPrefix);
        for (OutboxEntry e : entries) {
            try {
                b.addFilings(Filing.parseFrom(e.payload()).toBuilder().setSequence(e.sequence()));
            } catch (InvalidProtocolBufferException ex) {
                throw new IllegalStateException("outbox entry " + e.sequence() + " is not a filing: " + ex.getMessage(), ex);
            }
        }
        return b.build();
    }

    private static String describe(StatusRuntimeException e) {
        String d = e.getStatus().getDescription();
        return e.getStatus().getCode() + (d == null ? "" : " (" + d + ")");
    }

    /** Waits {@code millis}, or less when {@code wakeable} and something new is appended. */
    private void pause(long millis, boolean wakeable) {
        long until = System.currentTimeMillis() + millis;
        synchronized (wakeUp) {
            if (wakeable && signalled) {
                signalled = false;
                return;
            }
            while (!closed) {
                long left = until - System.currentTimeMillis();
                if (left <= 0 || (wakeable && signalled)) {
                    break;
                }
                try {
                    wakeUp.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            signalled = false;
        }
    }

    /**
     * Stops shipping (what is pending stays in the outbox for the next start): interrupts a call in flight and waits
     * briefly for the thread; a batch sent but not acknowledged is sent again after the next start.
     */
    @Override
    public void close() {
        closed = true;
        synchronized (wakeUp) {
            wakeUp.notifyAll();
        }
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        endpoint.close();
    }
}
