package org.idnode.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;

import org.idnode.bench.load.IoMode;
import org.idnode.bench.load.KeyDistribution;
import org.idnode.bench.load.KeySet;
import org.idnode.bench.load.LoadSpec;
import org.idnode.bench.load.Protocol;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The load options shared by {@code resolve} and {@code ceiling}; a picocli mixin. */
final class LoadOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--protocol", required = true, paramLabel = "udp|tcp|http|grpc", converter = ProtocolConverter.class,
            description = "Protocol to drive: udp, tcp (Handle protocol), http (REST GET), grpc (the node's gRPC API).")
    Protocol protocol;

    @Option(names = "--keys-file", paramLabel = "FILE", description = "Identifiers to request, one per line (see `idbench dataset --keys-out`).")
    Path keysFile;

    @Option(names = "--concurrency", defaultValue = "64", paramLabel = "C",
            description = "Requests in flight (connections for tcp/http). Default ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--rate", paramLabel = "R",
            description = "Open loop: a fixed arrival rate per second, latency measured from the intended send time. Default: closed loop.")
    Double rate;

    @Option(names = "--no-catch-up",
            description = "Open loop: once more than 1 s behind schedule (the generator was paused, e.g. by SIGSTOP), skip the "
                    + "missed requests and go on at the rate from then, instead of sending them as fast as possible.")
    boolean noCatchUp;

    @Option(names = "--duration", paramLabel = "D", converter = DurationConverter.class,
            description = "Measured duration, e.g. 10s (default 10s unless --requests is given).")
    Duration duration;

    @Option(names = "--requests", paramLabel = "N", description = "Measured request count instead of a duration.")
    Long requests;

    @Option(names = "--warmup", defaultValue = "steady", paramLabel = "D|steady[:MAX]", converter = WarmupConverter.class,
            description = "Unrecorded warm-up before measuring: a duration, or 'steady' to repeat 2 s windows until the rate stops "
                    + "rising (a fresh JVM's client paths take seconds of compiling, gRPC's most), at most MAX (default 60s). "
                    + "Default ${DEFAULT-VALUE}.")
    Warmup warmup;

    @Option(names = "--keys", defaultValue = "uniform", paramLabel = "uniform|zipf|sequential", converter = DistributionConverter.class,
            description = "Key choice: uniform, zipf, or sequential (key-file order, every key once before any twice; "
                    + "with --threads 1 --requests <keys> it requests each key exactly once). Default ${DEFAULT-VALUE}.")
    KeyDistribution keys;

    @Option(names = "--zipf-exponent", defaultValue = "0.99", paramLabel = "S", description = "Zipf exponent. Default ${DEFAULT-VALUE}.")
    double zipfExponent;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed for key choice. Default ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--threads", defaultValue = "2", paramLabel = "T",
            description = "Generator event-loop threads. Default ${DEFAULT-VALUE} (the node shares the machine; on 2 cores, 2 threads "
                    + "push about a third more than 1 against both the node and the ceiling responder).")
    int threads;

    @Option(names = "--timeout", defaultValue = "1s", paramLabel = "D", converter = DurationConverter.class,
            description = "An unanswered request counts as an error after this long. Default ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--tcp-new-connection", description = "TCP: a new connection per request (as CNRI's client does) instead of keep-alive.")
    boolean tcpNewConnection;

    @Option(names = "--verify", description = "Decode every answer and check it names the requested handle (costs generator CPU).")
    boolean verify;

    @Option(names = "--io", defaultValue = "auto", paramLabel = "auto|epoll|nio", converter = IoConverter.class,
            description = "Netty I/O implementation. Default ${DEFAULT-VALUE}.")
    IoMode io;

    @Option(names = "--bind", paramLabel = "ADDR",
            description = "Local (source) address of the generator's sockets, e.g. 127.0.0.2: two generators bound to different "
                    + "loopback addresses are two clients to the node's per-address limits. Default: the system's choice.")
    String bind;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    LoadSpec toSpec(InetSocketAddress target) {
        LoadSpec.Builder b = LoadSpec.builder(protocol)
                .target(target)
                .concurrency(concurrency)
                .rate(rate)
                .keyDistribution(keys)
                .zipfExponent(zipfExponent)
                .seed(seed)
                .threads(threads)
                .timeout(timeout)
                .tcpNewConnection(tcpNewConnection)
                .verify(verify)
                .io(io)
                .bind(bindAddress())
                .catchUp(!noCatchUp);
        if (warmup.untilSteady()) {
            b.warmupUntilSteady(warmup.length());
        } else {
            b.warmup(warmup.length());
        }
        if (requests != null && duration != null) {
            throw new ParameterException(spec.commandLine(), "give either --duration or --requests, not both");
        }
        if (requests != null) {
            if (requests < 1) {
                throw new ParameterException(spec.commandLine(), "--requests must be at least 1");
            }
            b.requests(requests);
        } else {
            b.duration(duration == null ? Duration.ofSeconds(10) : duration);
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private InetAddress bindAddress() {
        if (bind == null) {
            return null;
        }
        if (!bind.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            throw new ParameterException(spec.commandLine(), "--bind must be an IP address, e.g. 127.0.0.2, got '" + bind + "'");
        }
        try {
            return InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new ParameterException(spec.commandLine(), "--bind must be an IP address, e.g. 127.0.0.2, got '" + bind + "'");
        }
    }

    /** The {@code --warmup} value: a fixed length, or until steady with {@code length} as the limit. */
    record Warmup(Duration length, boolean untilSteady) {
        static final Duration STEADY_LIMIT = Duration.ofSeconds(60);
    }

    /** Parses {@code --warmup}: a duration ({@link DurationConverter}), {@code steady} or {@code steady:MAX}. Stateless. */
    static final class WarmupConverter implements picocli.CommandLine.ITypeConverter<Warmup> {
        @Override
        public Warmup convert(String value) {
            String v = value.trim();
            if (v.equalsIgnoreCase("steady")) {
                return new Warmup(Warmup.STEADY_LIMIT, true);
            }
            if (v.regionMatches(true, 0, "steady:", 0, 7)) {
                return new Warmup(DurationConverter.parse(v.substring(7)), true);
            }
            return new Warmup(DurationConverter.parse(v), false);
        }
    }

    KeySet loadKeys() throws IOException {
        return KeySet.read(keysFile);
    }

    static InetSocketAddress parseTarget(CommandSpec spec, String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new ParameterException(spec.commandLine(), "--target must be HOST:PORT, e.g. 127.0.0.1:2641, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--target port must be a number, got '" + text.substring(colon + 1) + "'");
        }
        if (port < 1 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--target port must be 1-65535, got " + port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new ParameterException(spec.commandLine(), "--target host '" + host + "' cannot be resolved");
        }
    }

    static final class ProtocolConverter implements picocli.CommandLine.ITypeConverter<Protocol> {
        @Override
        public Protocol convert(String value) {
            try {
                return Protocol.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class DistributionConverter implements picocli.CommandLine.ITypeConverter<KeyDistribution> {
        @Override
        public KeyDistribution convert(String value) {
            try {
                return KeyDistribution.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class IoConverter implements picocli.CommandLine.ITypeConverter<IoMode> {
        @Override
        public IoMode convert(String value) {
            try {
                return IoMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
