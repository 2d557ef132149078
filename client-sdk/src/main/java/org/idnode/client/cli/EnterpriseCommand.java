package org.idnode.client.cli;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.idnode.api.v1.Enterprise;
import picocli.CommandLine.Command;

@Command(name = "enterprise", mixinStandardHelpOptions = true,
        description = "Operator: the enterprises the node serves (needs an operator token).",
        subcommands = {EnterpriseCommand.ListEnterprises.class})
final class EnterpriseCommand extends Base implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the enterprises and their prefixes.")
    static final class ListEnterprises extends Base implements Callable<Integer> {
        @Override
        public Integer call() {
            List<Enterprise> enterprises = client().operator().enterprises();
            if (jsonOutput()) {
                JsonArray array = new JsonArray();
                for (Enterprise e : enterprises) {
                    JsonObject o = new JsonObject();
                    o.addProperty("name", e.getName());
                    JsonArray prefixes = new JsonArray();
                    e.getPrefixesList().forEach(p -> prefixes.add(PrefixCommand.json(p)));
                    o.add("prefixes", prefixes);
                    array.add(o);
                }
                printJson(array);
                return Exit.OK;
            }
            Table t = new Table("ENTERPRISE", "PREFIXES");
            for (Enterprise e : enterprises) {
                t.row(e.getName(), e.getPrefixesList().stream()
                        .map(p -> p.getPrefix() + " (" + PrefixStates.text(p.getState()) + ")").collect(Collectors.joining(", ")));
            }
            t.print(out());
            return Exit.OK;
        }
    }
}
