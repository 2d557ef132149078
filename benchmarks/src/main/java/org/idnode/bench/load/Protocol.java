package org.idnode.bench.load;

import java.util.Locale;

/**
 * The wire protocols idbench can drive.
 */
public enum Protocol {
    /** Handle protocol over UDP: one datagram per request, answers possibly in several 492-byte chunks. */
    UDP,
    /** Handle protocol over TCP: 20-byte envelope + message, one request in flight per connection. */
    TCP,
    /** CNRI's JSON REST API, {@code GET /api/handles/{handle}}, over keep-alive HTTP/1.1. */
    HTTP,
    /** The node's gRPC API, unary {@code IdentifierService/Resolve}, over HTTP/2 (plaintext). */
    GRPC;

    /** The lower-case name used on the command line and in JSON output. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code udp}, {@code tcp}, {@code http} or {@code grpc}, in any case. */
    public static Protocol parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown protocol '" + text + "'; expected udp, tcp, http or grpc");
        }
    }
}
