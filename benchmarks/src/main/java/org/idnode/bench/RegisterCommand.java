package org.idnode.bench;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.idnode.bench.load.LoadException;
import org.idnode.bench.register.RegistrationLoad;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code idbench register}: durable batch registration over REST or the gRPC bulk stream. */
@Command(name = "register", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Measure durable batch registration: records of six public values under one enterprise prefix,",
            "sent as REST POST /api/batch calls (http) or gRPC BulkRegister streams (grpc), in batches, by several senders.",
            "Every batch is acknowledged only once written with a synced WAL, so the rate is the durable rate."})
final class RegisterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--protocol", required = true, paramLabel = "http|grpc", description = "REST batch calls or the gRPC bulk stream.")
    String protocol;

    @Option(names = "--target", required = true, paramLabel = "HOST:PORT", description = "The node's HTTP port (http) or gRPC port (grpc).")
    String target;

    @Option(names = "--token", required = true, paramLabel = "TOKEN",
            description = "An API token of the prefix (idnode token add PREFIX --name bench).")
    String token;

    @Option(names = "--prefix", required = true, paramLabel = "PREFIX", description = "The enterprise prefix to register under, e.g. 88.999.1.")
    String prefix;

    @Option(names = "--count", defaultValue = "100000", paramLabel = "N", description = "Records to register. Default ${DEFAULT-VALUE}.")
    long count;

    @Option(names = "--batch", defaultValue = "1000", paramLabel = "B", description = "Records per batch (1-2000). Default ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--concurrency", defaultValue = "2", paramLabel = "C", description = "Concurrent senders. Default ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--warmup-count", defaultValue = "0", paramLabel = "N",
            description = "Records to register first, unmeasured, with the same batches and senders (a fresh JVM's paths and a "
                    + "node's write path take a few hundred thousand records to compile). Default ${DEFAULT-VALUE}.")
    long warmupCount;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        RegistrationLoad.Transport transport;
        try {
            transport = RegistrationLoad.Transport.valueOf(protocol.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--protocol must be http or grpc, got '" + protocol + "'");
        }
        if (warmupCount < 0) {
            throw new ParameterException(spec.commandLine(), "--warmup-count must not be negative");
        }
        RegistrationLoad.Spec load = spec(transport, count);
        if (warmupCount > 0) {
            RegistrationLoad.Result warm = RegistrationLoad.run(spec(transport, warmupCount));
            if (warm.refused() > 0) {
                throw new LoadException("the warm-up was refused " + warm.refused() + " records: " + warm.firstRefusal());
            }
            spec.commandLine().getErr().printf(Locale.ROOT, "warm-up: %d records in %.1f s (%,.0f/s), not counted%n",
                    warm.accepted(), warm.seconds(), warm.recordsPerSecond());
        }
        RegistrationLoad.Result result = RegistrationLoad.run(load);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? result.toJson() + System.lineSeparator() : result.toText());
        out.flush();
        return 0;
    }

    private RegistrationLoad.Spec spec(RegistrationLoad.Transport transport, long records) {
        try {
            return new RegistrationLoad.Spec(transport, LoadOptions.parseTarget(spec, target), token, prefix, records, batch, concurrency);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
