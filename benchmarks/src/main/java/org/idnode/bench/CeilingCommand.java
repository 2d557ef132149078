package org.idnode.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.idnode.bench.ceiling.CeilingRun;
import org.idnode.bench.load.KeySet;
import org.idnode.bench.load.LoadResult;
import org.idnode.bench.load.Protocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code idbench ceiling}: the same harness against a trivial responder, the harness's own ceiling. */
@Command(name = "ceiling", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run the same load against a trivial responder: the harness's own ceiling on this machine.",
            "The responder (a child JVM on 127.0.0.1 unless --in-process) answers every request with a fixed,",
            "pre-encoded success: a 378-byte Handle resolution response with six values, or its REST JSON."})
final class CeilingCommand implements Callable<Integer> {
    /** Keys used when no key file is given: the responder ignores what is asked. */
    static final int SYNTHETIC_KEYS = 100_000;

    @Spec
    CommandSpec spec;

    @Mixin
    LoadOptions load;

    @Option(names = "--responder-threads", paramLabel = "T",
            description = "Responder event-loop threads. Default: the number of processors (as the node).")
    Integer responderThreads;

    @Option(names = "--in-process", description = "Run the responder inside this JVM instead of a child process.")
    boolean inProcess;

    @Override
    public Integer call() throws Exception {
        KeySet keys = load.keysFile != null ? load.loadKeys() : syntheticKeys();
        int threads = responderThreads != null ? responderThreads : Runtime.getRuntime().availableProcessors();
        LoadResult result = CeilingRun.run(load.toSpec(null), keys,
                inProcess ? CeilingRun.Placement.IN_PROCESS : CeilingRun.Placement.CHILD_PROCESS, threads);
        ResolveCommand.print(spec, result, load.json);
        return 0;
    }

    static KeySet syntheticKeys() {
        List<String> handles = new ArrayList<>(SYNTHETIC_KEYS);
        for (int i = 1; i <= SYNTHETIC_KEYS; i++) {
            handles.add(String.format(java.util.Locale.ROOT, "88.999.4/PCBA.CEILING.250101.%07d", i));
        }
        return KeySet.of(handles);
    }
}
