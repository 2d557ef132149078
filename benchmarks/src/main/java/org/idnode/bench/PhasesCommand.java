package org.idnode.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.idnode.bench.load.PhaseSplit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code idbench phases}: pools the latencies of an interval log by labelled phases of wall-clock time. */
@Command(name = "phases", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Cut the interval log of `idbench resolve --histogram-log` into labelled phases of wall-clock time and "
                + "report each label's pooled latency percentiles (e.g. every phase with a flooder running against every phase without).")
final class PhasesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--histogram-log", required = true, paramLabel = "FILE", description = "The interval log.")
    Path histogramLog;

    @Option(names = "--phases", required = true, paramLabel = "FILE",
            description = "One phase per line: LABEL START_MS END_MS (milliseconds since the epoch); '#' starts a comment line.")
    Path phasesFile;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        PhaseSplit.Result result;
        try {
            result = PhaseSplit.split(histogramLog, PhaseSplit.readPhases(phasesFile));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? result.toJson() + System.lineSeparator() : result.toText());
        out.flush();
        return 0;
    }
}
