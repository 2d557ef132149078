package org.idnode.server.codec;

import net.handle.hdllib.MessageEnvelope;

/**
 * One framed Handle message: its decoded envelope and the {@code messageLength} bytes that followed it
 * (header, body and credential), not yet decoded.
 */
public record HandleFrame(MessageEnvelope envelope, byte[] message) {
}
