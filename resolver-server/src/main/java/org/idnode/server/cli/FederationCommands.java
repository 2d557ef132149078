package org.idnode.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

import org.idnode.registry.federation.Filed;
import org.idnode.registry.federation.FiledEnterprisePrefix;
import org.idnode.registry.federation.SecondaryNode;
import org.idnode.server.federation.SecondaryRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The top-level node operator's commands, offline on the data folder (stop the node first), on
 * {@link SecondaryRegistry}: {@code idnode secondary add|list|show|remove} and {@code idnode filings}. They read the
 * configuration as a top-level node's whatever its {@code federation.role} says (they only make sense there). Exit
 * codes as {@link IdnodeCommand}: 2 for bad input (a bad prefix, site or key file), 1 for a refusal (unknown or
 * duplicate prefix).
 */
final class FederationCommands {
    private FederationCommands() {
    }

    @Command(name = "secondary", mixinStandardHelpOptions = true,
            description = "A top-level node's secondary nodes: the prefixes it delegated, where it refers them, whose filings it accepts.",
            subcommands = {SecondaryAdd.class, SecondaryList.class, SecondaryShow.class, SecondaryRemove.class})
    static final class Secondary extends CommandGroup {
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Register the secondary node of a prefix: 0.NA/<prefix> gets HS_SITE and HS_SITE.PREFIX (Handle TCP and UDP at "
                    + "HOST:PORT, with the node's key) so that 0.NA/<prefix>.x is referred there, and the node's filings signed with the "
                    + "key are accepted. Its site filings replace the site later.")
    static final class SecondaryAdd implements Callable<Integer> {
        @CommandLine.Mixin
        DataFolder data;
        @Parameters(paramLabel = "PREFIX", description = "the secondary prefix, e.g. 88.999")
        String prefix;
        @Option(names = "--site", required = true, paramLabel = "HOST:PORT", description = "the secondary node's Handle address (TCP and UDP)")
        String site;
        @Option(names = "--pubkey", required = true, paramLabel = "FILE",
                description = "the secondary node's public key: its <data>/keys/pubkey.bin (CNRI format) or PEM")
        Path pubkey;

        @Override
        public Integer call() {
            byte[] key;
            try {
                key = Files.readAllBytes(pubkey);
            } catch (IOException e) {
                return data.refuse(IdnodeCommand.EXIT_CONFIG, "--pubkey: cannot read " + pubkey + ": " + e.getMessage());
            }
            return data.secondaries(registry -> {
                SecondaryNode node = registry.add(prefix, site, key);
                data.out().println("registered secondary node " + node.prefix() + " at " + SecondaryRegistry.describeSite(node)
                        + "; 0.NA/" + node.prefix() + ".* is referred there");
                return 0;
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the secondary nodes: one tab-separated line each, prefix, highest filing applied, site, when the site was set.")
    static final class SecondaryList implements Callable<Integer> {
        @CommandLine.Mixin
        DataFolder data;

        @Override
        public Integer call() {
            return data.secondaries(registry -> {
                PrintWriter out = data.out();
                out.println("PREFIX\tAPPLIED\tSITE\tSITE SET");
                for (SecondaryNode n : registry.list()) {
                    out.println(n.prefix() + "\t" + n.appliedThrough() + "\t" + SecondaryRegistry.describeSite(n) + "\t"
                            + Instant.ofEpochMilli(n.siteChangedMillis()));
                }
                return 0;
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show one secondary node and what it filed about each of its enterprise prefixes: state, enterprise, "
                    + "identifiers filed one by one (registered, deleted) and in counts.")
    static final class SecondaryShow implements Callable<Integer> {
        @CommandLine.Mixin
        DataFolder data;
        @Parameters(paramLabel = "PREFIX", description = "the secondary prefix, e.g. 88.999")
        String prefix;

        @Override
        public Integer call() {
            return data.secondaries(registry -> {
                SecondaryNode n = registry.get(prefix);
                PrintWriter out = data.out();
                out.println("prefix\t" + n.prefix());
                out.println("site\t" + SecondaryRegistry.describeSite(n));
                out.println("applied through\t" + n.appliedThrough());
                out.println("added\t" + Instant.ofEpochMilli(n.addedMillis()));
                out.println("site set\t" + Instant.ofEpochMilli(n.siteChangedMillis()));
                out.println();
                out.println("ENTERPRISE PREFIX\tSTATE\tENTERPRISE\tREGISTERED\tDELETED\tCOUNTED REGISTERED\tCOUNTED DELETED");
                for (FiledEnterprisePrefix e : registry.enterprisePrefixes(prefix)) {
                    out.println(String.join("\t", e.prefix(), e.state(), e.enterprise(), Long.toString(e.registered()), Long.toString(e.deleted()),
                            Long.toString(e.countedRegistered()), Long.toString(e.countedDeleted())));
                }
                return 0;
            });
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove the secondary node of a prefix with everything it filed: 0.NA/<prefix> is no longer answered and its "
                    + "filings are refused. Registered again, it files from sequence 1.")
    static final class SecondaryRemove implements Callable<Integer> {
        @CommandLine.Mixin
        DataFolder data;
        @Parameters(paramLabel = "PREFIX", description = "the secondary prefix, e.g. 88.999")
        String prefix;

        @Override
        public Integer call() {
            return data.secondaries(registry -> {
                registry.remove(prefix);
                data.out().println("removed secondary node " + prefix);
                return 0;
            });
        }
    }

    @Command(name = "filings", mixinStandardHelpOptions = true,
            description = "List what a secondary node filed, in sequence order: one tab-separated line each, sequence, time at the "
                    + "secondary node, kind, what it says.")
    static final class Filings implements Callable<Integer> {
        @CommandLine.Mixin
        DataFolder data;
        @Parameters(paramLabel = "PREFIX", description = "the secondary prefix, e.g. 88.999")
        String prefix;
        @Option(names = "--after", paramLabel = "N", defaultValue = "0", description = "only filings with a sequence above N (default 0)")
        long after;
        @Option(names = "--limit", paramLabel = "M", defaultValue = "100",
                description = "at most M filings (default 100, at most " + SecondaryRegistry.MAX_PAGE + ")")
        int limit;

        @Override
        public Integer call() {
            return data.secondaries(registry -> {
                List<Filed> page = registry.filings(prefix, after, limit);
                PrintWriter out = data.out();
                out.println("SEQUENCE\tTIME\tKIND\tFILED");
                for (Filed f : page) {
                    out.println(f.sequence() + "\t" + Instant.ofEpochMilli(f.timeMillis()) + "\t" + f.fact().kind() + "\t" + f.fact().describe());
                }
                if (page.size() == limit) {
                    data.err().println("more filings may follow: idnode filings " + prefix + " --after "
                            + page.get(page.size() - 1).sequence());
                }
                return 0;
            });
        }
    }
}
