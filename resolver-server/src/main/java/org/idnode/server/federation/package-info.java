/**
 * Federation between idnode nodes, the top-level side: a node run with {@code federation.role: top-level} delegates
 * prefixes to secondary nodes, refers clients to them and receives their filings ({@code proto/idnode/v1/federation.proto},
 * {@code docs/federation.md}).
 *
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
 */
package org.idnode.server.federation;
