package org.idnode.server.metrics;

/**
 * The interface a request came in on: the {@code protocol} label of the request metrics and the protocol field of
 * the access log. A native Handle message sent over HTTP counts as {@link #HTTP}.
 */
public enum Protocol {
    UDP("udp"),
    TCP("tcp"),
    HTTP("http"),
    GRPC("grpc");

    private final String label;

    Protocol(String label) {
        this.label = label;
    }

    /** The label value, lower case. */
    public String label() {
        return label;
    }
}
