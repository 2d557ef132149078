package org.idnode.server;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.idnode.server.cli.IdnodeCommand;

/**
 * One run of the {@code idnode} command in-process, with its exit code and what it printed on standard output and
 * standard error (the streams are swapped for the run; not for tests that run in parallel).
 */
record CliRun(int code, String out, String err) {
    static CliRun of(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = IdnodeCommand.run(args);
            return new CliRun(code, out.toString(StandardCharsets.UTF_8).trim(), err.toString(StandardCharsets.UTF_8).trim());
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    @Override
    public String toString() {
        return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
    }
}
