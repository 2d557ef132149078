package org.idnode.client;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How an {@link IdClient} retries idempotent calls: at most {@link #maxAttempts()} attempts in all, with exponential
 * back-off from {@link #initialBackoff()} doubling up to {@link #maxBackoff()}, each delay randomised ("equal jitter":
 * between half and all of it), and never beyond the call's deadline. {@link #withAttemptTimeout(Duration)} gives each
 * attempt its own deadline, so that a node that accepts the call but does not answer is left for the next one while the
 * call's deadline still allows.
 *
 * <p>What is retried: idempotent calls failing with {@code UNAVAILABLE}, {@code RESOURCE_EXHAUSTED} or an attempt's own
 * deadline. Whatever the policy, an {@code UNAVAILABLE} (or an attempt's deadline) moves the client's current endpoint
 * to the next one, and any call, idempotent or not, that provably never reached a node (connection refused) goes on at
 * once to an endpoint it has not tried yet, without counting as an attempt.
 *
 * <p>Immutable and thread-safe.
 */
public final class RetryPolicy {
    /** One attempt, no retry (an unreachable node still moves the client to its next endpoint for later calls). */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ofMillis(100), Duration.ofMillis(100), null);
    /** The default: 4 attempts, 100 ms up to 2 s apart. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(2), null);

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration attemptTimeout;

    private RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration attemptTimeout) {
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.attemptTimeout = attemptTimeout;
    }

    /**
     * A policy of at most {@code maxAttempts} attempts (the first included), back-off from {@code initialBackoff} doubling
     * up to {@code maxBackoff}.
     *
     * @throws IllegalArgumentException when {@code maxAttempts < 1}, a back-off is not positive, or
     *                                  {@code initialBackoff > maxBackoff}
     */
    public static RetryPolicy of(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("retry: maxAttempts must be at least 1, not " + maxAttempts);
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.isNegative() || maxBackoff.isZero()) {
            throw new IllegalArgumentException("retry: back-offs must be positive, not " + initialBackoff + " / " + maxBackoff);
        }
        if (initialBackoff.compareTo(maxBackoff) > 0) {
            throw new IllegalArgumentException("retry: initialBackoff " + initialBackoff + " exceeds maxBackoff " + maxBackoff);
        }
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, null);
    }

    /**
     * This policy with a deadline for each attempt (still bounded by the call's deadline): an attempt that exceeds it
     * counts as a retryable failure of its node. Default: none, an attempt may use the whole call deadline.
     *
     * @throws IllegalArgumentException when {@code timeout} is not positive
     */
    public RetryPolicy withAttemptTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("retry: attempt timeout must be positive, not " + timeout);
        }
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, timeout);
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    /** The deadline of one attempt; null when an attempt may use the whole call deadline. */
    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    /** The randomised delay before retry number {@code retry} (1 for the first retry), in nanoseconds. */
    long backoffNanos(int retry) {
        long base = initialBackoff.toNanos();
        long max = maxBackoff.toNanos();
        for (int i = 1; i < retry && base < max; i++) {
            base = base * 2;
        }
        base = Math.min(base, max);
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }

    @Override
    public String toString() {
        return "RetryPolicy{maxAttempts=" + maxAttempts + ", backoff=" + initialBackoff + ".." + maxBackoff
                + (attemptTimeout == null ? "" : ", attemptTimeout=" + attemptTimeout) + "}";
    }
}
