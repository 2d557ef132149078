package org.idnode.client.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import org.idnode.api.v1.CreatePrefixRequest;
import org.idnode.api.v1.Prefix;
import org.idnode.api.v1.PrefixState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "prefix", mixinStandardHelpOptions = true,
        description = "Operator: enterprise prefixes (needs an operator token, issued on the node's own prefix).",
        subcommands = {PrefixCommand.ListPrefixes.class, PrefixCommand.Show.class, PrefixCommand.Create.class, PrefixCommand.State.class})
final class PrefixCommand extends Base implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the enterprise prefixes.")
    static final class ListPrefixes extends Base implements Callable<Integer> {
        @Option(names = "--enterprise", paramLabel = "NAME", description = "only this enterprise's prefixes")
        String enterprise = "";

        @Override
        public Integer call() {
            List<Prefix> prefixes = client().operator().prefixes(enterprise);
            if (jsonOutput()) {
                JsonArray array = new JsonArray();
                prefixes.forEach(p -> array.add(json(p)));
                printJson(array);
            } else {
                table(prefixes).print(out());
            }
            return Exit.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one enterprise prefix.")
    static final class Show extends Base implements Callable<Integer> {
        @Parameters(paramLabel = "PREFIX", description = "e.g. 88.999.1")
        String prefix;

        @Override
        public Integer call() {
            print(this, client().operator().prefix(prefix));
            return Exit.OK;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create an enterprise prefix, hosted on the node unless --self-hosted-site is given.")
    static final class Create extends Base implements Callable<Integer> {
        @Parameters(paramLabel = "PREFIX", description = "the new prefix, derived from the node's, e.g. 88.999.7")
        String prefix;
        @Option(names = "--enterprise", required = true, paramLabel = "NAME", description = "the enterprise that owns it")
        String enterprise;
        @Option(names = "--admin-key", paramLabel = "FILE", description = "the admin's RSA public key: PEM or CNRI pubkey.bin")
        Path adminKey;
        @Option(names = "--admin-secret", paramLabel = "SECRET", description = "the admin's secret key (HS_SECKEY)")
        String adminSecret;
        @Option(names = "--state", paramLabel = "STATE", converter = PrefixStates.class,
                description = "initial state (default enabled): applied, under-review, enabled, disabled, pending-delete, rejected")
        PrefixState state;
        @Option(names = "--self-hosted-site", paramLabel = "FILE",
                description = "the enterprise node's site info (CNRI siteinfo.json or siteinfo.bin): the prefix is self-hosted")
        Path selfHostedSite;

        @Override
        public Integer call() throws IOException {
            if (adminKey == null && adminSecret == null) {
                throw usage("give --admin-key, --admin-secret or both");
            }
            CreatePrefixRequest.Builder request = CreatePrefixRequest.newBuilder().setPrefix(prefix).setEnterprise(enterprise);
            if (adminKey != null) {
                request.setAdminPublicKey(ByteString.copyFrom(read(adminKey)));
            }
            if (adminSecret != null) {
                request.setAdminSecret(adminSecret);
            }
            if (state != null) {
                request.setState(state);
            }
            if (selfHostedSite != null) {
                request.setSelfHostedSite(ByteString.copyFrom(read(selfHostedSite)));
            }
            Prefix created = client().operator().createPrefix(request.build());
            if (!jsonOutput()) {
                out().println("created prefix " + created.getPrefix() + " for " + created.getEnterprise());
            }
            print(this, created);
            return Exit.OK;
        }
    }

    @Command(name = "state", mixinStandardHelpOptions = true,
            description = "Move a prefix to another lifecycle state. Allowed: applied -> under-review -> enabled | rejected; "
                    + "enabled <-> disabled; enabled | disabled -> pending-delete -> disabled. Only an enabled prefix accepts registrations.")
    static final class State extends Base implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "PREFIX", description = "e.g. 88.999.1")
        String prefix;
        @Parameters(index = "1", paramLabel = "STATE", converter = PrefixStates.class, description = "the new state")
        PrefixState state;

        @Override
        public Integer call() {
            print(this, client().operator().setPrefixState(prefix, state));
            return Exit.OK;
        }
    }

    private static byte[] read(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new UsageException("cannot read " + file);
        }
        return Files.readAllBytes(file);
    }

    static void print(Base cmd, Prefix p) {
        if (cmd.jsonOutput()) {
            cmd.printJson(json(p));
        } else {
            table(List.of(p)).print(cmd.out());
        }
    }

    static Table table(List<Prefix> prefixes) {
        Table t = new Table("PREFIX", "ENTERPRISE", "STATE", "HOSTED", "ADMINS");
        for (Prefix p : prefixes) {
            t.row(p.getPrefix(), p.getEnterprise(), PrefixStates.text(p.getState()), p.getSelfHosted() ? "self-hosted" : "here",
                    String.join(", ", p.getAdminsList()));
        }
        return t;
    }

    static JsonObject json(Prefix p) {
        JsonObject o = new JsonObject();
        o.addProperty("prefix", p.getPrefix());
        o.addProperty("enterprise", p.getEnterprise());
        o.addProperty("state", PrefixStates.text(p.getState()));
        o.addProperty("selfHosted", p.getSelfHosted());
        JsonArray admins = new JsonArray();
        p.getAdminsList().forEach(admins::add);
        o.add("admins", admins);
        return o;
    }
}
