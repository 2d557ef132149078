/**
 * The top-level node's ledger of federation: the secondary nodes it delegated prefixes to, and the filings they
 * sent (enterprise prefixes, registrations, registration counts, site changes), kept in the store's RocksDB.
 *
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
