package org.idnode.bench;

import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.idnode.bench.ceiling.CeilingResponder;
import org.idnode.bench.load.IoMode;
import org.idnode.bench.load.Protocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code idbench responder}: the trivial ceiling responder on its own; prints {@code listening <port>}. */
@Command(name = "responder", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run the trivial ceiling responder until stopped (Ctrl-C).",
            "Prints 'listening <port>' once bound."})
final class ResponderCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--protocol", required = true, paramLabel = "udp|tcp|http", converter = LoadOptions.ProtocolConverter.class,
            description = "Protocol to answer.")
    Protocol protocol;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS", description = "Address to bind. Default ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--port", defaultValue = "0", paramLabel = "PORT", description = "Port; 0 picks a free one. Default ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--threads", paramLabel = "T", description = "Event-loop threads. Default: the number of processors.")
    Integer threads;

    @Option(names = "--io", defaultValue = "auto", paramLabel = "auto|epoll|nio", converter = LoadOptions.IoConverter.class,
            description = "Netty I/O implementation. Default ${DEFAULT-VALUE}.")
    IoMode io;

    @Option(names = "--exit-on-stdin-eof", description = "Exit when standard input closes (used when idbench ceiling starts the responder).")
    boolean exitOnStdinEof;

    @Override
    public Integer call() throws Exception {
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        CeilingResponder responder = CeilingResponder.start(protocol, InetAddress.getByName(bind), port, t, io);
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            responder.close();
            stop.countDown();
        }, "idbench-responder-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter out = spec.commandLine().getOut();
        out.println("listening " + responder.address().getPort());
        out.flush();
        if (exitOnStdinEof) {
            InputStream in = System.in;
            byte[] buf = new byte[256];
            while (in.read(buf) >= 0) {
                // Discard; only the end of input matters.
            }
            Runtime.getRuntime().removeShutdownHook(hook);
            responder.close();
            return 0;
        }
        stop.await();
        return 0;
    }
}
