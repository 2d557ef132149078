package org.idnode.server.cli;

import picocli.CommandLine;

/**
 * A command that only groups subcommands ({@code idnode prefix}, {@code idnode secondary}, ...): run on its own, it
 * prints its usage, which lists them.
 */
abstract class CommandGroup implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
