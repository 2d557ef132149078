package org.idnode.client.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.idnode.client.IdClient;
import picocli.CommandLine;

/**
 * Where and how to connect: each setting from its option, else its environment variable, else the config file, else
 * its default.
 */
record Settings(List<String> nodes, String token, Path tlsCa, boolean tls, Duration timeout, Path configFile) {
    static final String DEFAULT_NODE = "127.0.0.1:9000";
    private static final Set<String> KEYS = Set.of("node", "token", "tls-ca", "tls", "timeout");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[^\\s:\\[\\]/]+):(\\d{1,5})");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    static Settings resolve(IdctlCommand options, Map<String, String> env) {
        Path file = configFile(env);
        String explicit = env.get("IDCTL_CONFIG");
        Properties config = load(file, explicit != null && !explicit.isBlank());
        List<String> nodes = options.nodes != null && !options.nodes.isEmpty() ? options.nodes
                : splitNodes(first(env.get("IDCTL_NODE"), config.getProperty("node"), DEFAULT_NODE));
        List<String> checked = new ArrayList<>();
        for (String n : nodes) {
            checked.add(checkNode(n.trim()));
        }
        String token = first(options.token, env.get("IDCTL_TOKEN"), config.getProperty("token"));
        String ca = options.tlsCa != null ? options.tlsCa.toString() : first(env.get("IDCTL_TLS_CA"), config.getProperty("tls-ca"));
        Path tlsCa = ca == null ? null : Path.of(ca);
        if (tlsCa != null && !Files.isReadable(tlsCa)) {
            throw new UsageException("cannot read the TLS CA certificates " + tlsCa);
        }
        boolean tls = options.tls || Boolean.parseBoolean(config.getProperty("tls", "false"));
        String timeoutText = first(env.get("IDCTL_TIMEOUT"), config.getProperty("timeout"));
        Duration timeout = options.timeout != null ? options.timeout : timeoutText == null ? null : parseDuration(timeoutText, "timeout");
        return new Settings(List.copyOf(checked), token == null || token.isBlank() ? null : token.trim(), tlsCa, tls, timeout,
                Files.exists(file) ? file : null);
    }

    IdClient connect() {
        // One command, one short process: nothing to gain from a resolution cache.
        IdClient.Builder b = IdClient.builder().endpoints(nodes.toArray(String[]::new)).cacheMaxEntries(0);
        if (token != null) {
            b.token(token);
        }
        if (tlsCa != null) {
            b.tls(tlsCa);
        } else if (tls) {
            b.tls();
        }
        if (timeout != null) {
            b.callTimeout(timeout);
        }
        return b.build();
    }

    private static Path configFile(Map<String, String> env) {
        String explicit = env.get("IDCTL_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        return Path.of(System.getProperty("user.home"), ".config", "idctl", "config.properties");
    }

    private static Properties load(Path file, boolean mustExist) {
        Properties p = new Properties();
        if (!Files.exists(file)) {
            if (mustExist) {
                throw new UsageException("IDCTL_CONFIG names " + file + ", which does not exist");
            }
            return p;
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("cannot read the config file " + file + ": " + e.getMessage());
        }
        for (String key : p.stringPropertyNames()) {
            if (!KEYS.contains(key)) {
                throw new UsageException(file + ": unknown key '" + key + "' (known: node, token, tls-ca, tls, timeout)");
            }
        }
        return p;
    }

    private static String first(String... candidates) {
        for (String c : candidates) {
            if (c != null && !c.isBlank()) {
                return c;
            }
        }
        return null;
    }

    private static List<String> splitNodes(String text) {
        List<String> out = new ArrayList<>();
        for (String s : text.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    private static String checkNode(String node) {
        Matcher m = HOST_PORT.matcher(node);
        if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
            throw new UsageException("node address '" + node + "' is not HOST:PORT (e.g. 127.0.0.1:9000)");
        }
        return node;
    }

    static Duration parseDuration(String text, String what) {
        Matcher m = SHORT_DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms":
                    return Duration.ofMillis(n);
                case "s":
                    return Duration.ofSeconds(n);
                case "m":
                    return Duration.ofMinutes(n);
                default:
                    return Duration.ofHours(n);
            }
        }
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new UsageException(what + " '" + text + "' is not a duration such as 10s, 500ms, 2m or PT30S");
        }
    }

    /** Reads {@code --timeout} values. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parseDuration(value, "--timeout");
            } catch (UsageException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
