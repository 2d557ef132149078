package org.idnode.server.config;

/**
 * The node's configuration is unusable. The message names the offending key (as a dotted path,
 * e.g. {@code listen.handle-port}) and the form that was expected.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
