package org.idnode.server.config;

/**
 * The node's configuration is unusable. The message names the offending key (as a dotted path,
 * e.g. {@code listen.handle-port}) and the form that was expected; when the value came from an environment
 * variable ({@link EnvironmentOverrides}) it names the variable too.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String problem;

    public ConfigException(String message) {
        super(message);
        this.key = null;
        this.problem = message;
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
        this.key = null;
        this.problem = message;
    }

    private ConfigException(String key, String where, String problem) {
        super(where + ": " + problem);
        this.key = key;
        this.problem = problem;
    }

    /** A bad value of one key: the message is {@code key: problem}. */
    static ConfigException forKey(String key, String problem) {
        return new ConfigException(key, key, problem);
    }

    /**
     * The same problem, for a value set by an environment variable: the message is
     * {@code key (environment variable NAME): problem}.
     */
    ConfigException fromVariable(String variable) {
        return new ConfigException(key, key + " (environment variable " + variable + ")", problem);
    }

    /** The dotted key the problem is about, or null when it is not about one key's value. */
    public String key() {
        return key;
    }
}
