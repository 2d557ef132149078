package org.idnode.client.cli;

import java.util.concurrent.Callable;

import com.google.gson.JsonObject;
import org.idnode.api.v1.IssueTokenResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Operator: API tokens of an enterprise prefix (needs an operator token).",
        subcommands = {TokenCommand.Issue.class, TokenCommand.Revoke.class})
final class TokenCommand extends Base implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = "Issue a token acting as an admin identity of the prefix. It is printed once (stdout); only its hash is kept.")
    static final class Issue extends Base implements Callable<Integer> {
        @Parameters(paramLabel = "PREFIX", description = "e.g. 88.999.1")
        String prefix;
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "what the token is for, e.g. erp; unique per prefix")
        String name;
        @Option(names = "--identity", paramLabel = "INDEX:HANDLE", description = "the admin identity (default: the prefix's first HS_ADMIN)")
        String identity = "";

        @Override
        public Integer call() {
            IssueTokenResponse r = client().operator().issueToken(prefix, name, identity);
            if (jsonOutput()) {
                JsonObject o = new JsonObject();
                o.addProperty("prefix", prefix);
                o.addProperty("name", name);
                o.addProperty("token", r.getToken());
                o.addProperty("identity", r.getIdentity());
                printJson(o);
            } else {
                out().println(r.getToken());
                err().println("token '" + name + "' acts as " + r.getIdentity() + "; store it now, it is not shown again");
            }
            return Exit.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a prefix's token by name.")
    static final class Revoke extends Base implements Callable<Integer> {
        @Parameters(paramLabel = "PREFIX", description = "e.g. 88.999.1")
        String prefix;
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "the token's name")
        String name;

        @Override
        public Integer call() {
            client().operator().revokeToken(prefix, name);
            if (jsonOutput()) {
                JsonObject o = new JsonObject();
                o.addProperty("prefix", prefix);
                o.addProperty("name", name);
                o.addProperty("revoked", true);
                printJson(o);
            } else {
                out().println("revoked token '" + name + "' of " + prefix);
            }
            return Exit.OK;
        }
    }
}
