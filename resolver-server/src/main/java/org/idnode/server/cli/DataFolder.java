package org.idnode.server.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.function.Function;

import org.idnode.registry.federation.FilingLedger;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.registry.write.HandleWriter;
import org.idnode.registry.write.RecordValidator;
import org.idnode.server.IdentifierNode;
import org.idnode.server.admin.AdministrationException;
import org.idnode.server.admin.PrefixAdministration;
import org.idnode.server.backup.BackupException;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.federation.SecondaryFederation;
import org.idnode.server.federation.SecondaryRegistry;
import org.idnode.server.federation.TopLevel;
import picocli.CommandLine;

/**
 * What the {@code idnode} commands on a node's data folder share, as a picocli mixin: their options
 * ({@link IdnodeCommand.NodeOptions}), their output, and how a refusal ends them: {@code idnode <command>: <reason>}
 * on standard error and one of {@link IdnodeCommand}'s exit codes. Offline actions open the store, run once and
 * close it ({@link #administer}, {@link #secondaries}); the commands that can also work through a running node
 * build on this in {@link OfflineOrOnlineCommand}.
 *
 * <p>One per command run; not thread-safe.
 */
final class DataFolder {
    /** Block cache of a store opened for one offline command, which reads each block about once. */
    private static final int OFFLINE_BLOCK_CACHE_MB = 8;

    @CommandLine.Mixin
    IdnodeCommand.NodeOptions options;
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec command;

    /** The validated configuration, with the command line's role and data folder applied. */
    NodeConfig config() {
        return options.load();
    }

    PrintWriter out() {
        return command.commandLine().getOut();
    }

    PrintWriter err() {
        return command.commandLine().getErr();
    }

    /** Prints {@code idnode <command>: <reason>} on standard error; returns {@code exitCode} for the command to end with. */
    int refuse(int exitCode, String reason) {
        err().println(command.qualifiedName() + ": " + reason);
        return exitCode;
    }

    /**
     * {@link #refuse} with the exit code for the kind of backup failure: 1 a damaged backup, 2 a refused request, 3 a
     * failure to read, write or reach the node.
     */
    int refuse(BackupException e) {
        return refuse(switch (e.kind()) {
            case BAD_BACKUP -> IdnodeCommand.EXIT_BAD_DATA;
            case REFUSED, BUSY -> IdnodeCommand.EXIT_CONFIG;
            case FAILED -> IdnodeCommand.EXIT_STORE;
        }, e.getMessage());
    }

    /**
     * Runs an operator action offline on the data folder's store (no node may hold it). A refusal ends the command
     * with exit code 2 for bad input, else 1.
     */
    int administer(NodeConfig cfg, Function<PrefixAdministration, Integer> action) {
        return offline(cfg, store -> new PrefixAdministration(store,
                new HandleWriter(store, RecordValidator.NONE, SecondaryFederation.filer(cfg)), cfg.prefixes()), action);
    }

    /**
     * Runs a top-level node operator's action offline on the data folder's federation ledger, reading the
     * configuration as a top-level node's whatever its {@code federation.role} says. Refusals as {@link #administer}.
     */
    int secondaries(Function<SecondaryRegistry, Integer> action) {
        NodeConfig cfg = options.load(NodeConfig.Role.TOP_LEVEL);
        return offline(cfg, store -> TopLevel.open(new FilingLedger(store.federationKeySpace()), cfg.prefixes()).secondaries(), action);
    }

    /**
     * Opens the data folder's existing store for an offline command (no node may hold it), never creating one.
     *
     * @throws BackupException ({@link BackupException.Kind#REFUSED}) when the folder holds no store
     */
    static RocksDbHandleRecordStore openExistingStore(NodeConfig cfg) {
        if (!Files.isDirectory(cfg.dataDir().resolve(IdentifierNode.STORE_FOLDER))) {
            throw new BackupException(BackupException.Kind.REFUSED, cfg.dataDir() + " holds no store; check --data-dir or data-dir");
        }
        return IdentifierNode.openStore(cfg.dataDir(), OFFLINE_BLOCK_CACHE_MB);
    }

    private <T> int offline(NodeConfig cfg, Function<RocksDbHandleRecordStore, T> open, Function<T, Integer> action) {
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(cfg.dataDir(), cfg.blockCacheMb())) {
            return action.apply(open.apply(store));
        } catch (AdministrationException e) {
            return refuse(e.kind() == AdministrationException.Kind.INVALID ? IdnodeCommand.EXIT_CONFIG : IdnodeCommand.EXIT_BAD_DATA,
                    e.getMessage());
        }
    }
}
