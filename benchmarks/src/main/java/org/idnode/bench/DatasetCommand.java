package org.idnode.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.idnode.bench.dataset.DatasetGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code idbench dataset}: writes a PCB supply-chain data set in the node's import format. */
@Command(name = "dataset", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Write a PCB supply-chain data set in the node's import format (JSON lines).",
            "Prefix handles 0.NA/<prefix>.1..4 first, then laminate lots, PCB lots and panels, reels and PCBA units",
            "with REF.* references between them. Streaming (constant memory); the same seed gives the same file."})
final class DatasetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--count", required = true, paramLabel = "N", description = "Number of records (lines), header records included.")
    long count;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output file (JSON lines), replaced if it exists.")
    Path out;

    @Option(names = "--keys-out", paramLabel = "FILE", description = "Also write every handle, one per line, for `idbench resolve --keys-file`.")
    Path keysOut;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed. Default ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--prefix", defaultValue = "88.999", paramLabel = "PREFIX",
            description = "Node prefix (88.999 or below); enterprises are PREFIX.1 to PREFIX.4. Default ${DEFAULT-VALUE}.")
    String prefix;

    @Option(names = "--shape", defaultValue = "realistic", paramLabel = "realistic|anchor",
            description = "realistic: the mixed supply chain (6-25 values per record); anchor: 6 values per record "
                    + "(~380-byte answers, as in the performance anchors). Default ${DEFAULT-VALUE}.")
    String shape;

    @Override
    public Integer call() throws Exception {
        if (count < 0) {
            throw new ParameterException(spec.commandLine(), "--count must not be negative");
        }
        DatasetGenerator generator;
        try {
            generator = new DatasetGenerator(prefix, seed, DatasetGenerator.Shape.parse(shape));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        long start = System.nanoTime();
        long written = generator.writeFiles(count, out, keysOut);
        double seconds = (System.nanoTime() - start) / 1e9;
        spec.commandLine().getErr().printf(Locale.ROOT, "wrote %,d records (%,.1f MB) to %s%s in %.1f s%n", written,
                Files.size(out) / 1e6, out, keysOut == null ? "" : " and their handles to " + keysOut, seconds);
        spec.commandLine().getErr().flush();
        return 0;
    }
}
