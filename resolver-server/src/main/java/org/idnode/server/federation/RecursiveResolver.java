package org.idnode.server.federation;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.Util;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleValue;
import org.idnode.server.codec.HandleValueConverter;
import org.idnode.server.config.NodeConfig.Federation;
import org.idnode.server.config.NodeConfig.Federation.Address;
import org.idnode.server.handler.ForeignAnswer;
import org.idnode.server.handler.ForeignResolver;
import org.idnode.server.handler.RecursionFailure;

/**
 * Recursive resolution of handles this node does not serve, through CNRI's {@link HandleResolver} configured with the
 * top-level node as its only global site (root info never fetched): it asks the top level for the prefix handle,
 * follows its prefix referral ({@code RC_PREFIX_REFERRAL}) to the node that serves the prefix, and asks that node for
 * the handle. Public values only; the requests it sends do not ask other nodes to recurse.
 *
 * <p>Bounds: at most {@code federation.recursion.max-referrals} referrals (CNRI counts referrals in the request's
 * recursion count up to its fixed limit of {@value #CNRI_RECURSION_LIMIT}; this resolver starts the count so that the
 * limit is reached after that many) — a referral loop ends as {@link RecursionFailure#LOOP}; an overall deadline of
 * {@code deadline-ms} ({@link RecursionFailure#TIMEOUT}); at most {@code threads} resolutions at once with
 * {@code queue} waiting ({@link RecursionFailure#BUSY} beyond). Concurrent resolutions of one handle share one lookup.
 *
 * <p>Answers are cached (Caffeine, at most {@code cache-max-entries}) for the shortest TTL of their values, capped at
 * {@code max-ttl-seconds}; "not found" for {@code negative-ttl-seconds}; failures not at all.
 *
 * <p>Thread-safe. Lookups run on the resolver's own threads, never on the caller's.
 */
public final class RecursiveResolver implements ForeignResolver, AutoCloseable {
    /** CNRI's HandleResolver gives up when a request's recursion count reaches this (fixed in its code). */
    static final int CNRI_RECURSION_LIMIT = 40;

    private final Address topLevel;
    private final Federation.Recursion settings;
    private final HandleResolver resolver;
    private final ThreadPoolExecutor lookups;
    private final ScheduledExecutorService deadlines;
    private final Cache<String, Cached> cache;
    private final ConcurrentHashMap<String, CompletableFuture<ForeignAnswer>> inFlight = new ConcurrentHashMap<>();

    /** A cached answer and how long it is good for. */
    private record Cached(ForeignAnswer answer, long ttlNanos) {
    }

    /**
     * @param topLevel the top-level node's Handle address
     * @param settings {@code federation.recursion.*}
     */
    public RecursiveResolver(Address topLevel, Federation.Recursion settings) {
        this.topLevel = topLevel;
        this.settings = settings;
        this.resolver = TopLevelSites.resolver(topLevel, settings.deadlineMillis(), new int[] {500, 1000});
        this.resolver.setPreferredProtocols(new int[] {Interface.SP_HDL_UDP, Interface.SP_HDL_TCP});
        this.lookups = new ThreadPoolExecutor(settings.threads(), settings.threads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.queue()), daemon("idnode-recursion"), new ThreadPoolExecutor.AbortPolicy());
        this.lookups.allowCoreThreadTimeOut(true);
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("idnode-recursion-deadline"));
        timer.setRemoveOnCancelPolicy(true);
        this.deadlines = timer;
        this.cache = Caffeine.newBuilder()
                .maximumSize(settings.cacheMaxEntries())
                .expireAfter(new Expiry<String, Cached>() {
                    @Override
                    public long expireAfterCreate(String key, Cached value, long currentTime) {
                        return value.ttlNanos();
                    }

                    @Override
                    public long expireAfterUpdate(String key, Cached value, long currentTime, long currentDuration) {
                        return value.ttlNanos();
                    }

                    @Override
                    public long expireAfterRead(String key, Cached value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    @Override
    public ForeignAnswer cached(HandleName handle) {
        Cached c = cache.getIfPresent(handle.lookupKey());
        return c == null ? null : c.answer();
    }

    /** Answers in the cache (an estimate). */
    public long cachedAnswers() {
        return cache.estimatedSize();
    }

    @Override
    public CompletableFuture<ForeignAnswer> resolve(HandleName handle) {
        ForeignAnswer hit = cached(handle);
        if (hit != null) {
            return CompletableFuture.completedFuture(hit);
        }
        String key = handle.lookupKey();
        CompletableFuture<ForeignAnswer> answer = new CompletableFuture<>();
        CompletableFuture<ForeignAnswer> running = inFlight.putIfAbsent(key, answer);
        if (running != null) {
            return running;
        }
        answer.whenComplete((a, e) -> inFlight.remove(key, answer));
        Future<?> lookup;
        try {
            lookup = lookups.submit(() -> {
                ForeignAnswer a = lookUp(handle);
                remember(key, a);
                answer.complete(a);
            });
        } catch (RejectedExecutionException e) {
            answer.complete(ForeignAnswer.failed(RecursionFailure.BUSY, "too many recursive resolutions in flight on this node ("
                    + settings.threads() + " running, " + settings.queue() + " waiting); try again"));
            return answer;
        }
        deadlines.schedule(() -> {
            if (answer.complete(ForeignAnswer.failed(RecursionFailure.TIMEOUT, "no answer for " + handle + " within "
                    + settings.deadlineMillis() + " ms (federation.recursion.deadline-ms) through the top-level node at " + topLevel))) {
                lookup.cancel(true);
            }
        }, settings.deadlineMillis(), TimeUnit.MILLISECONDS);
        return answer;
    }

    /** Resolves on the calling (lookup) thread: top level, referrals, authoritative node. */
    private ForeignAnswer lookUp(HandleName handle) {
        ResolutionRequest req = new ResolutionRequest(handle.toUtf8(), null, null, null);
        req.recursive = false;
        req.certify = false;
        req.authoritative = false;
        req.ignoreRestrictedValues = true;
        req.recursionCount = (short) Math.max(0, CNRI_RECURSION_LIMIT - 2 - settings.maxReferrals());
        AbstractResponse resp;
        try {
            resp = resolver.processRequest(req);
        } catch (HandleException e) {
            String why = HandleErrors.describe(e);
            if (why.toLowerCase(Locale.ROOT).contains("recursion limit")) {
                return ForeignAnswer.failed(RecursionFailure.LOOP, "resolving " + handle + " took more than " + settings.maxReferrals()
                        + " referrals (federation.recursion.max-referrals) from the top-level node at " + topLevel
                        + "; the delegations of its prefix loop or are too deep: " + why);
            }
            return ForeignAnswer.failed(RecursionFailure.UPSTREAM, "cannot resolve " + handle + " through the top-level node at " + topLevel
                    + ": " + why);
        } catch (RuntimeException e) {
            return ForeignAnswer.failed(RecursionFailure.UPSTREAM, "cannot resolve " + handle + " through the top-level node at " + topLevel
                    + ": " + e);
        }
        switch (resp.responseCode) {
            case AbstractMessage.RC_SUCCESS:
                try {
                    return ForeignAnswer.found(HandleValueConverter.fromWire(((ResolutionResponse) resp).getHandleValues()));
                } catch (HandleException | RuntimeException e) {
                    return ForeignAnswer.failed(RecursionFailure.UPSTREAM, "the node serving " + handle.namedPrefix()
                            + " answered " + handle + " with values this node cannot read: " + e.getMessage());
                }
            case AbstractMessage.RC_VALUES_NOT_FOUND:
                return ForeignAnswer.found(List.of());
            case AbstractMessage.RC_HANDLE_NOT_FOUND:
                return ForeignAnswer.notFound("handle " + handle + " does not exist");
            default:
                String message = resp instanceof ErrorResponse err && err.message != null ? Util.decodeString(err.message) : "";
                return ForeignAnswer.failed(RecursionFailure.UPSTREAM, "the node serving " + handle.namedPrefix() + " answered "
                        + AbstractMessage.getResponseCodeMessage(resp.responseCode) + " (" + resp.responseCode + ") for " + handle
                        + (message.isEmpty() ? "" : ": " + message));
        }
    }


    /** Caches an answer for its values' shortest TTL (capped), a "not found" for the negative TTL, a failure never. */
    private void remember(String key, ForeignAnswer a) {
        long ttlSeconds;
        if (a.failure() != null) {
            return;
        } else if (!a.isFound() || a.values().isEmpty()) {
            ttlSeconds = settings.negativeTtlSeconds();
        } else {
            long now = System.currentTimeMillis() / 1000;
            ttlSeconds = settings.maxTtlSeconds();
            for (HandleValue v : a.values()) {
                long ttl = v.ttlType() == HandleValue.TtlType.ABSOLUTE ? v.ttl() - now : v.ttl();
                ttlSeconds = Math.min(ttlSeconds, ttl);
            }
        }
        if (ttlSeconds > 0) {
            cache.put(key, new Cached(a, TimeUnit.SECONDS.toNanos(ttlSeconds)));
        }
    }

    @Override
    public void close() {
        lookups.shutdownNow();
        deadlines.shutdownNow();
        cache.invalidateAll();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
