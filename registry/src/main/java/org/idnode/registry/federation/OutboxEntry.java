package org.idnode.registry.federation;

/**
 * One pending filing of the outbox.
 *
 * @param sequence      its number: 1, 2, 3, ... per node, never reused
 * @param createdMillis when it was committed (Unix milliseconds)
 * @param payload       what the filer stored (opaque to the registry); do not modify
 */
public record OutboxEntry(long sequence, long createdMillis, byte[] payload) {
}
