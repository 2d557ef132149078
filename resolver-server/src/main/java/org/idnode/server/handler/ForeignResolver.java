package org.idnode.server.handler;

import java.util.concurrent.CompletableFuture;

import org.idnode.registry.model.HandleName;

/**
 * Resolves handles this node does not serve, recursively (through the top-level node and the node it refers to),
 * for the requests that ask for it: Handle-protocol resolutions with the recursion flag, REST and gRPC resolutions.
 *
 * <p>Implementations are thread-safe; {@link #cached} never blocks and {@link #resolve} does not block its caller.
 */
public interface ForeignResolver {

    /** The cached answer for {@code handle}, or null when there is none. Never blocks. */
    ForeignAnswer cached(HandleName handle);

    /**
     * Resolves {@code handle}. The future completes on another thread, within the resolver's deadline, and never
     * exceptionally: failures are {@link ForeignAnswer#failed} answers.
     */
    CompletableFuture<ForeignAnswer> resolve(HandleName handle);
}
