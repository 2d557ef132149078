/**
 * Federation in the registry, both sides of it, kept in the store's RocksDB.
 *
 * <p>A secondary node's durable outbox: what it must file with its top-level node, stored in the same RocksDB write
 * as the change that caused it and numbered 1, 2, 3, ... per node without gaps. The registry does not know what a
 * filing means: a {@link org.idnode.registry.federation.ChangeFiler} (supplied by the node) turns a record change into
 * opaque payloads and per-prefix registration counts ({@link org.idnode.registry.federation.PendingFilings});
 * {@link org.idnode.registry.write.HandleWriter} commits them with the change; the
 * {@link org.idnode.registry.federation.Outbox} hands them out in order and forgets them once the top level has
 * acknowledged them. Without a filer nothing is written to the outbox.
 *
 * <p>The top-level node's ledger: the secondary nodes it delegated prefixes to, and the filings they sent (enterprise
 * prefixes, registrations, registration counts, site changes).
 * <ul>
 *   <li>{@link org.idnode.registry.federation.FilingLedger}: the store; applies filings exactly once and in order,
 *       each batch in one atomic write together with the advance of the secondary's applied sequence;</li>
 *   <li>{@link org.idnode.registry.federation.SecondaryNode}, {@link org.idnode.registry.federation.Filed},
 *       {@link org.idnode.registry.federation.FiledFact} and
 *       {@link org.idnode.registry.federation.FiledEnterprisePrefix}: the immutable model.</li>
 * </ul>
 * The filing protocol itself (signatures, the gRPC contract) belongs to the node process (resolver-server).
 */
package org.idnode.registry.federation;
