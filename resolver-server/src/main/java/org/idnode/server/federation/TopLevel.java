package org.idnode.server.federation;

import java.util.List;

import org.idnode.registry.federation.FilingLedger;

/**
 * What a node in the top-level role runs on its {@link FilingLedger}: the {@link Delegations} its Handle answers
 * refer to, the operator's {@link SecondaryRegistry}, and the {@link FilingReceiver} behind the gRPC
 * {@code FederationService}. Immutable; its parts are thread-safe.
 */
public record TopLevel(Delegations delegations, SecondaryRegistry secondaries, FilingReceiver filings) {

    /**
     * The top-level role over a ledger.
     *
     * @param nodePrefixes the node's own prefixes ({@code node.prefixes}), which cannot be delegated
     */
    public static TopLevel open(FilingLedger ledger, List<String> nodePrefixes) {
        Delegations delegations = new Delegations(ledger);
        return new TopLevel(delegations, new SecondaryRegistry(ledger, nodePrefixes, delegations),
                new FilingReceiver(ledger, delegations, System::currentTimeMillis));
    }
}
