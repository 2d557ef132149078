package org.idnode.server.fuzz;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one fuzz try on a worker thread and fails it when it does not finish in time, so that a hang is reported as
 * a failing input instead of stopping the build. A thread that hangs is abandoned (daemon), the next try gets a new
 * one.
 *
 * <p>Thread-safe.
 */
public final class PerTry {
    /** How long one try may take: generous, a decoder answers in microseconds. */
    public static final Duration LIMIT = Duration.ofSeconds(5);

    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fuzz-try");
        t.setDaemon(true);
        return t;
    });

    private PerTry() {
    }

    /** What the try did: its result, or the exception it threw (a hang is an {@link AssertionError}). */
    public static <T> Outcome<T> run(Callable<T> attempt) {
        Future<T> f = WORKERS.submit(attempt);
        try {
            return new Outcome<>(f.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS), null);
        } catch (ExecutionException e) {
            return new Outcome<>(null, e.getCause());
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("the try did not finish within " + LIMIT.toSeconds() + " s (a hang)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * The result of a try.
     *
     * @param value  what it returned, null when it threw
     * @param thrown what it threw, null when it returned
     */
    public record Outcome<T>(T value, Throwable thrown) {
        /** The value; rethrows what the try threw when it is not one of {@code allowed} (wrapped so the input is reported). */
        @SafeVarargs
        public final T valueOrAllowed(Class<? extends Throwable>... allowed) {
            if (thrown == null) {
                return value;
            }
            for (Class<? extends Throwable> c : allowed) {
                if (c.isInstance(thrown)) {
                    return null;
                }
            }
            throw new AssertionError("undocumented exception " + thrown, thrown);
        }
    }
}
