/**
 * Federation between idnode nodes ({@code proto/idnode/v1/federation.proto}, {@code docs/federation.md}).
 *
 * <p>The top-level side: a node run with {@code federation.role: top-level} delegates prefixes to secondary nodes,
 * refers clients to them and receives their filings.
 * <ul>
 *   <li>{@link org.idnode.server.federation.TopLevel}: the role's parts, built on the store's
 *       {@link org.idnode.registry.federation.FilingLedger};</li>
 *   <li>{@link org.idnode.server.federation.Delegations}: the delegated prefix handles and prefix referrals that
 *       {@link org.idnode.server.handler.HandleRequestProcessor} answers with;</li>
 *   <li>{@link org.idnode.server.federation.SecondaryRegistry}: the operator's actions and queries
 *       ({@code idnode secondary}, {@code /api/admin/federation/});</li>
 *   <li>{@link org.idnode.server.federation.FilingReceiver}: checks and applies filing batches (the gRPC
 *       {@code FederationService});</li>
 *   <li>{@link org.idnode.server.federation.FilingSignatures}: signs and verifies batches, for both sides.</li>
 * </ul>
 *
 * <p>The secondary side: a node with {@code federation.top-level} files with its top level and resolves other prefixes
 * through it.
 * <ul>
 *   <li>{@link org.idnode.server.federation.SecondaryFederation}: the role's parts, as the configuration asks for them;</li>
 *   <li>{@link org.idnode.server.federation.FilingRules}: what a change files (the registry's
 *       {@link org.idnode.registry.federation.ChangeFiler}), committed with it into the store's outbox;</li>
 *   <li>{@link org.idnode.server.federation.FilingShipper}: ships the outbox in signed batches, with back-off, replay
 *       and resync, and reports the backlog;</li>
 *   <li>{@link org.idnode.server.federation.RecursiveResolver}: resolves other nodes' identifiers through the top
 *       level's referrals with CNRI's resolver, bounded and cached.</li>
 * </ul>
 */
package org.idnode.server.federation;
