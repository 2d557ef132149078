package org.idnode.client;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.ResolveRequest;

/**
 * The client's local cache of resolutions: Caffeine with a variable {@link Expiry}. A record expires when its
 * shortest-lived value does (a relative TTL counts from when the answer arrived, an absolute TTL is the Unix time it
 * expires), an identifier that does not exist after the negative TTL. Keys are the identifier (ASCII case-insensitive)
 * and the request's index and type filters. Concurrent misses for one key share one request (Caffeine's async loading);
 * failures other than "not found" are not kept.
 *
 * <p>Thread-safe.
 */
final class ResolveCache {
    /** A cache key: the identifier in ASCII upper case, and the filters sorted. */
    record Key(String handle, List<Integer> indexes, List<String> types) {
        static Key of(ResolveRequest r) {
            return new Key(normalize(r.getHandle()), r.getIndexesList().stream().sorted().toList(),
                    r.getTypesList().stream().sorted().toList());
        }
    }

    /**
     * An answer: a record, or the failure "this identifier does not exist" (kept for the negative TTL), or, with
     * {@code failed} set, any other failure, handed to the callers waiting for the load and then dropped (so that a
     * failed load is an answer rather than an exception Caffeine would log).
     */
    record Entry(HandleRecord record, IdNodeException notFound, IdNodeException failed) {
        Entry(HandleRecord record, IdNodeException notFound) {
            this(record, notFound, null);
        }
    }

    private final AsyncCache<Key, Entry> cache;
    private final long negativeTtlNanos;

    ResolveCache(long maxEntries, Duration negativeTtl) {
        this.negativeTtlNanos = negativeTtl.toNanos();
        this.cache = Caffeine.newBuilder().maximumSize(maxEntries).expireAfter(new Expiry<Key, Entry>() {
            @Override
            public long expireAfterCreate(Key key, Entry entry, long currentTime) {
                return lifetimeNanos(entry);
            }

            @Override
            public long expireAfterUpdate(Key key, Entry entry, long currentTime, long currentDuration) {
                return lifetimeNanos(entry);
            }

            @Override
            public long expireAfterRead(Key key, Entry entry, long currentTime, long currentDuration) {
                return currentDuration;
            }
        }).buildAsync();
    }

    static String normalize(String handle) {
        return handle.toUpperCase(Locale.ROOT);
    }

    private long lifetimeNanos(Entry entry) {
        if (entry.failed() != null) {
            return 0;
        }
        if (entry.notFound() != null) {
            return negativeTtlNanos;
        }
        return recordLifetimeNanos(entry.record(), System.currentTimeMillis() / 1000);
    }

    /** The shortest lifetime of the record's values from {@code nowSeconds}; the negative TTL for a record with none. */
    long recordLifetimeNanos(HandleRecord record, long nowSeconds) {
        if (record.getValuesCount() == 0) {
            return negativeTtlNanos;
        }
        long seconds = Long.MAX_VALUE;
        for (HandleValue v : record.getValuesList()) {
            long s = v.getTtlAbsolute() ? v.getTtl() - nowSeconds : v.getTtl();
            seconds = Math.min(seconds, Math.max(0, s));
        }
        return Duration.ofSeconds(seconds).toNanos();
    }

    /**
     * The cached answer for {@code request}, or the one {@code load} fetches (shared with concurrent callers, kept when it
     * is a record or "not found"); completes with the record or fails with the {@link IdNodeException}.
     */
    CompletableFuture<HandleRecord> get(ResolveRequest request, Supplier<CompletableFuture<HandleRecord>> load) {
        CompletableFuture<Entry> entry = cache.get(Key.of(request), (k, executor) -> load.get().handle((record, failure) -> {
            if (failure == null) {
                return new Entry(record, null);
            }
            IdNodeException e = Errors.from(failure, request.getHandle());
            return e.isNotFound() ? new Entry(null, e) : new Entry(null, null, e);
        }));
        return entry.thenApply(e -> {
            if (e.failed() != null) {
                throw e.failed();
            }
            if (e.notFound() != null) {
                throw new IdNodeException(e.notFound().code(), e.notFound().responseCode(), e.notFound().reason(),
                        e.notFound().handle(), e.notFound().getMessage(), List.of(), null);
            }
            return e.record();
        });
    }

    /** The completed answer held for a request without filters, or null. */
    Entry peek(String handle) {
        CompletableFuture<Entry> f = cache.getIfPresent(new Key(normalize(handle), List.of(), List.of()));
        if (f == null || !f.isDone() || f.isCompletedExceptionally()) {
            return null;
        }
        Entry e = f.join();
        return e.failed() == null ? e : null;
    }

    /** Keeps an answer that arrived some other way (a batch). */
    void put(String handle, Entry entry) {
        cache.put(new Key(normalize(handle), List.of(), List.of()), CompletableFuture.completedFuture(entry));
    }

    /** Forgets every answer about these identifiers (after a write through this client). */
    void invalidate(Collection<String> handles) {
        if (handles.isEmpty() || cache.synchronous().estimatedSize() == 0) {
            return;
        }
        Set<String> keys = new HashSet<>();
        for (String h : handles) {
            keys.add(normalize(h));
        }
        cache.asMap().keySet().removeIf(k -> keys.contains(k.handle()));
    }

    void invalidate(String handle) {
        invalidate(List.of(handle));
    }

    void clear() {
        cache.synchronous().invalidateAll();
    }
}
