package org.idnode.server.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.backup.BackupException;
import org.idnode.server.backup.Backups;
import org.idnode.server.config.NodeConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * A command that works online, through the operator API of the node that holds the data folder (or of the node
 * {@code --node} names), and offline on the folder otherwise. This class owns the options ({@link DataFolder},
 * {@code --node}, {@code --token-file}), the choice between the two modes and how a {@link BackupException} in either
 * ends the command; a subclass states what it does in each mode ({@link #online}, {@link #offline}) and with the
 * result ({@link #finish}).
 *
 * <p>One per command run; not thread-safe.
 *
 * @param <T> what either mode hands to {@link #finish}
 */
abstract class OfflineOrOnlineCommand<T> implements Callable<Integer> {
    /** The variable holding an operator token, when {@code --token-file} is not given. */
    static final String TOKEN_VARIABLE = "IDNODE_TOKEN";

    @CommandLine.Mixin
    DataFolder data;
    @Option(names = "--node", paramLabel = "URL",
            description = "the running node's HTTP address, e.g. http://127.0.0.1:8000; work online through it (default: online "
                    + "at listen.bind and listen.http-port when a node holds the data folder, else offline)")
    URI nodeUrl;
    @Option(names = "--token-file", paramLabel = "FILE",
            description = "file holding an operator token, for online work (default: the " + TOKEN_VARIABLE + " variable)")
    Path tokenFile;

    @Override
    public final Integer call() throws Exception {
        NodeConfig cfg = data.config();
        T result;
        try {
            result = nodeUrl != null || Backups.storeInUse(cfg.dataDir()) ? online(nodeClient(cfg), cfg) : runOffline(cfg);
        } catch (BackupException e) {
            return data.refuse(e);
        }
        return finish(cfg, result);
    }

    /** The command's work through the node's operator API. */
    abstract T online(NodeAdminClient node, NodeConfig cfg) throws InterruptedException;

    /** The command's work offline on the data folder's store, open only for it (so no node may hold it). */
    abstract T offline(RocksDbHandleRecordStore store, NodeConfig cfg);

    /** What the command does with either mode's result, outside the modes' error handling; returns the exit code. */
    abstract int finish(NodeConfig cfg, T result) throws Exception;

    private T runOffline(NodeConfig cfg) {
        try (RocksDbHandleRecordStore store = DataFolder.openExistingStore(cfg)) {
            return offline(store, cfg);
        }
    }

    private NodeAdminClient nodeClient(NodeConfig cfg) {
        String token;
        try {
            token = tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv(TOKEN_VARIABLE);
        } catch (IOException e) {
            throw new BackupException(BackupException.Kind.REFUSED, "--token-file: cannot read " + tokenFile + ": " + e.getMessage());
        }
        if (token == null || token.isEmpty()) {
            throw new BackupException(BackupException.Kind.REFUSED, "a node is running on " + cfg.dataDir() + "; working online needs an "
                    + "operator token (--token-file FILE or the " + TOKEN_VARIABLE + " variable; 'idnode token add <node prefix> --name ops' "
                    + "issues one while the node is stopped)");
        }
        URI base = nodeUrl;
        if (base == null) {
            String host = cfg.advertisedAddress();
            base = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + cfg.httpPort());
        }
        return new NodeAdminClient(base, token);
    }
}
