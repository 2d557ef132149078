package org.idnode.registry.write;

import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import org.idnode.registry.model.HandleName;

/**
 * Exclusive locks on exactly the handles a {@link HandleWriter} call touches. A call waits only for calls that touch
 * one of its handles, so concurrent batches of different identifiers go through the writer side by side and their
 * durable writes can share one synced write-ahead-log write (RocksDB's write group). Locks are taken in one global
 * order (hash, then lookup key), so two calls can never wait for each other.
 *
 * <p>Thread-safe. Not reentrant: a thread holding a handle must not lock it again.
 */
final class HandleLocks {
    private static final Comparator<String> ORDER = Comparator.comparingInt(String::hashCode).thenComparing(Comparator.naturalOrder());

    /** Lookup key → the call holding it. */
    private final ConcurrentHashMap<String, Holder> held = new ConcurrentHashMap<>();

    /** The locks one call holds; {@link #close} releases them all. */
    final class Holder implements AutoCloseable {
        private final CountDownLatch released = new CountDownLatch(1);
        private final String[] keys;

        private Holder(String[] keys) {
            this.keys = keys;
        }

        @Override
        public void close() {
            for (String k : keys) {
                held.remove(k, this);
            }
            released.countDown();
        }

        private void awaitRelease() {
            boolean interrupted = false;
            while (true) {
                try {
                    released.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Locks every handle of {@code handles} (duplicates allowed), waiting for the calls that hold any of them. */
    Holder lock(Collection<HandleName> handles) {
        String[] keys = new String[handles.size()];
        int n = 0;
        for (HandleName h : handles) {
            keys[n++] = h.lookupKey();
        }
        Arrays.sort(keys, ORDER);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (distinct == 0 || !keys[i].equals(keys[distinct - 1])) {
                keys[distinct++] = keys[i];
            }
        }
        Holder me = new Holder(Arrays.copyOf(keys, distinct));
        try {
            for (String key : me.keys) {
                Holder other;
                while ((other = held.putIfAbsent(key, me)) != null) {
                    other.awaitRelease();
                }
            }
        } catch (RuntimeException | Error e) {
            me.close(); // releases only the keys mapped to this call
            throw e;
        }
        return me;
    }
}
