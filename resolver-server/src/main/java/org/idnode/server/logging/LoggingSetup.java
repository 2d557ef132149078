package org.idnode.server.logging;

import java.nio.file.Files;
import java.nio.file.Path;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import org.idnode.server.config.ConfigException;
import org.idnode.server.config.NodeConfig;
import org.slf4j.LoggerFactory;

/**
 * Applies the logback configuration of a serving node (what {@code idnode serve} does before it starts the node):
 * the file {@code -Dlogback.configurationFile} names, else {@code logging.config}, else {@code conf/logback.xml}
 * when it exists; with none of them the configuration bundled in the jar (standard error only) stays. The file sees
 * the properties {@value #LOG_DIR} ({@code logging.dir}) and {@value #ACCESS_FILE} ({@code logging.access-file}).
 *
 * <p>Called from one thread, before the node starts and when it has stopped.
 */
public final class LoggingSetup {
    /** The logback property holding {@code logging.dir}. */
    public static final String LOG_DIR = "idnode.log.dir";
    /** The logback property holding {@code logging.access-file}. */
    public static final String ACCESS_FILE = "idnode.access.file";
    /** The configuration used when neither the system property nor {@code logging.config} names one and it exists. */
    public static final Path DEFAULT_CONFIG = Path.of("conf", "logback.xml");

    private LoggingSetup() {
    }

    /**
     * Configures logback for the node; returns the file applied, or null when the bundled configuration stays.
     *
     * @throws ConfigException naming {@code logging.config} when the file is not a valid logback configuration or
     *                         logback reports errors applying it (e.g. a log folder it cannot create)
     */
    public static Path configure(NodeConfig.Operations operations) {
        Path file = chosen(operations);
        if (file == null) {
            return null;
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        context.putProperty(LOG_DIR, operations.logDir().toString());
        context.putProperty(ACCESS_FILE, operations.accessLogFile().toString());
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        long since = System.currentTimeMillis();
        try {
            joran.doConfigure(file.toFile());
        } catch (JoranException e) {
            throw new ConfigException("logging.config: " + file + " is not a valid logback configuration: " + e.getMessage());
        }
        for (Status s : context.getStatusManager().getCopyOfStatusList()) {
            if (s.getLevel() == Status.ERROR && s.getTimestamp() >= since) {
                throw new ConfigException("logging.config: " + file + ": " + s.getMessage()
                        + (s.getThrowable() == null ? "" : ": " + s.getThrowable().getMessage()));
            }
        }
        return file;
    }

    private static Path chosen(NodeConfig.Operations operations) {
        String property = System.getProperty("logback.configurationFile");
        if (property != null && !property.isBlank() && Files.isRegularFile(Path.of(property))) {
            return Path.of(property);
        }
        if (operations.loggingConfig() != null) {
            return operations.loggingConfig();
        }
        return Files.isRegularFile(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null;
    }

    /** Writes out what asynchronous appenders still hold and closes the log files; called last, at shutdown. */
    public static void stop() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    }
}
