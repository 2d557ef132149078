package org.idnode.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code idbench jmh ...}: hands every remaining argument to JMH's own command line
 * ({@code org.openjdk.jmh.Main}), e.g. {@code idbench jmh -l} or {@code idbench jmh Codec -f 1}.
 * {@link IdBench#execute} dispatches it before picocli parses anything, so JMH options such as
 * {@code -h} reach JMH; this class is what {@code idbench --help} lists.
 */
@Command(name = "jmh", description = "Run the JMH micro-benchmarks: every following argument goes to JMH (try `idbench jmh -h`).")
final class JmhCommand implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        return run(args.toArray(new String[0]));
    }

    static int run(String[] jmhArgs) throws Exception {
        org.openjdk.jmh.Main.main(jmhArgs);
        return 0;
    }
}
