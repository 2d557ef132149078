package org.idnode.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import org.idnode.bench.load.IntervalLog;
import org.idnode.bench.load.KeySet;
import org.idnode.bench.load.LoadGenerator;
import org.idnode.bench.load.LoadResult;
import org.idnode.bench.load.LoadSpec;
import org.idnode.bench.load.Protocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code idbench resolve}: drives a node and prints throughput and latency. */
@Command(name = "resolve", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Resolve identifiers from a key file against a node and report throughput and latency (HdrHistogram).")
final class ResolveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--target", required = true, paramLabel = "HOST:PORT",
            description = "The node: its Handle port for udp/tcp, its HTTP port for http, its gRPC port for grpc.")
    String target;

    @Mixin
    LoadOptions load;

    @Option(names = "--histogram-log", paramLabel = "FILE",
            description = "Also write the measured latencies as an HdrHistogram interval log, one histogram per --histogram-interval "
                    + "(by completion), stamped with wall-clock times: cut it into phases with `idbench phases`.")
    Path histogramLog;

    @Option(names = "--histogram-interval", defaultValue = "100ms", paramLabel = "D", converter = DurationConverter.class,
            description = "Length of one interval of --histogram-log. Default ${DEFAULT-VALUE}.")
    Duration histogramInterval;

    @Override
    public Integer call() throws Exception {
        if (load.keysFile == null) {
            throw new ParameterException(spec.commandLine(), "--keys-file is required");
        }
        LoadSpec loadSpec = load.toSpec(LoadOptions.parseTarget(spec, target));
        KeySet keys = load.loadKeys();
        LoadResult result;
        try (IntervalLog intervals = histogramLog == null ? null : intervalLog()) {
            result = LoadGenerator.run(loadSpec, keys, intervals);
        }
        print(spec, result, load.json);
        return 0;
    }

    private IntervalLog intervalLog() {
        try {
            return IntervalLog.create(histogramLog, histogramInterval);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--histogram-interval: " + e.getMessage());
        }
    }

    static void print(CommandSpec spec, LoadResult result, boolean json) {
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? result.toJson() + System.lineSeparator() : result.toText());
        out.flush();
    }
}
