/**
 * The durable outbox of federation: what a secondary node must file with its top-level node, stored in the same
 * RocksDB write as the change that caused it and numbered 1, 2, 3, ... per node without gaps.
 *
 * <p>The registry does not know what a filing means: a {@link org.idnode.registry.federation.ChangeFiler} (supplied
 * by the node) turns a record change into opaque payloads and per-prefix registration counts
 * ({@link org.idnode.registry.federation.PendingFilings}); {@link org.idnode.registry.write.HandleWriter} commits them
 * with the change; the {@link org.idnode.registry.federation.Outbox} hands them out in order and forgets them once the
 * top level has acknowledged them. Without a filer nothing is written to the outbox.
 */
package org.idnode.registry.federation;
