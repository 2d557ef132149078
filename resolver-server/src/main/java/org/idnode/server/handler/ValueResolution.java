package org.idnode.server.handler;

import java.util.Optional;
import java.util.function.Function;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;

/**
 * One record-model resolution of a {@link ValueQuery} in progress ({@link HandleRequestProcessor#resolution}): its
 * handle parsed and placed once (served here, to resolve recursively, or answered already), and the record cache
 * consulted at most once, however many of the processor's steps it goes through.
 *
 * <p>Not thread-safe: one resolution belongs to one call, which hands it from step to step.
 */
public final class ValueResolution {
    final ValueQuery query;
    /** The handle, when it is valid and served here or ({@link #foreign}) to be resolved recursively. */
    final HandleName name;
    /** The answer already settled (a refusal, or a delegation's values); null otherwise. */
    final ValueAnswer answered;
    final boolean foreign;
    private boolean cacheRead;
    private Optional<HandleRecord> cached;

    ValueResolution(ValueQuery query, HandleName name, ValueAnswer answered, boolean foreign) {
        this.query = query;
        this.name = name;
        this.answered = answered;
        this.foreign = foreign;
    }

    /** True for a handle served here that is not a prefix handle. */
    boolean servedRecord() {
        return answered == null && !foreign && !name.isPrefixHandle();
    }

    /**
     * What the record cache holds for the handle served here ({@code cache} called the first time only): the record,
     * empty for a handle cached as absent, null when it is not cached.
     */
    Optional<HandleRecord> cached(Function<HandleName, Optional<HandleRecord>> cache) {
        if (!cacheRead) {
            cached = cache.apply(name);
            cacheRead = true;
        }
        return cached;
    }
}
