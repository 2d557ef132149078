package org.idnode.registry.federation;

/**
 * One filing as the ledger keeps it.
 *
 * @param sequence       its number in the secondary node's sequence (1, 2, 3, ...)
 * @param timeMillis     when the change happened at the secondary node
 * @param receivedMillis when the top level applied it
 * @param fact           what it says
 */
public record Filed(long sequence, long timeMillis, long receivedMillis, FiledFact fact) {
    public Filed {
        if (sequence < 1 || fact == null) {
            throw new IllegalArgumentException("a filing needs a sequence >= 1 and a fact");
        }
    }
}
