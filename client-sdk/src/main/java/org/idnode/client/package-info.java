/**
 * The Java SDK of idnode: {@link org.idnode.client.IdClient} resolves, traces and registers identifiers on idnode nodes
 * over gRPC, and resolves any Handle-protocol identifier (e.g. {@code 88.x.y/...}) from other nodes through CNRI's
 * resolver.
 *
 * <p>The public types are {@link org.idnode.client.IdClient} (with its builder), {@link org.idnode.client.RetryPolicy},
 * {@link org.idnode.client.BulkRegistration}, {@link org.idnode.client.Operator},
 * {@link org.idnode.client.IdNodeException} and {@link org.idnode.client.Values}; requests and answers are the generated
 * messages of the gRPC contract, package {@code org.idnode.api.v1} ({@code proto/idnode/v1/idnode.proto}). Everything
 * else in this package is internal.
 *
 * <p>All types are thread-safe except {@link org.idnode.client.BulkRegistration} (one thread at a time) and the builder.
 */
package org.idnode.client;
