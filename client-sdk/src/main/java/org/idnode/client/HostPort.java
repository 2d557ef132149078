package org.idnode.client;

/** A {@code host:port} (IPv6 as {@code [addr]:port}), checked. */
record HostPort(String host, int port) {
    /** @throws IllegalArgumentException naming {@code setting} when {@code text} is not {@code host:port} */
    static HostPort parse(String text, String setting) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(setting + ": an address must be host:port, not '" + text + "'");
        }
        String t = text.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException(setting + ": '" + text + "' is not host:port");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException(setting + ": write an IPv6 address as [addr]:port, not '" + text + "'");
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(setting + ": the port of '" + text + "' is not a number");
        }
        if (port < 1 || port > 65535 || host.isEmpty()) {
            throw new IllegalArgumentException(setting + ": '" + text + "' needs a host and a port from 1 to 65535");
        }
        return new HostPort(host, port);
    }
}
