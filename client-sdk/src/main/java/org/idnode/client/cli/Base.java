package org.idnode.client.cli;

import java.io.PrintWriter;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import org.idnode.client.IdClient;
import picocli.CommandLine;

/** What every subcommand shares: the root's options and client, its output streams, JSON printing. */
abstract class Base {
    private static final Gson JSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    IdctlCommand root() {
        return (IdctlCommand) spec.root().userObject();
    }

    IdClient client() {
        return root().client();
    }

    boolean jsonOutput() {
        return root().json;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    void printJson(JsonElement json) {
        out().println(JSON.toJson(json));
    }

    /** A usage error about this command's arguments: the message and a pointer to the help, exit 2. */
    CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Checks an identifier given on the command line. */
    String handle(String text) {
        try {
            return Handles.check(text);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }
}
