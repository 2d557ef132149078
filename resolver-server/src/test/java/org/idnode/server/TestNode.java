package org.idnode.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import net.handle.hdllib.SiteInfo;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.importer.RecordImporter;

/**
 * A real node for tests: its own data folder (real RocksDB), ephemeral ports on 127.0.0.1, the
 * default configuration otherwise. Records are loaded with the same importer {@code idnode import} uses.
 */
final class TestNode implements AutoCloseable {
    final Path dataDir;
    final IdentifierNode node;

    private TestNode(Path dataDir, IdentifierNode node) {
        this.dataDir = dataDir;
        this.node = node;
    }

    /** Imports the JSON lines (if any) into {@code dataDir}, then starts a node on it. */
    static TestNode start(Path dataDir, List<String> jsonLines) throws Exception {
        if (!jsonLines.isEmpty()) {
            importLines(dataDir, jsonLines);
        }
        return new TestNode(dataDir, IdentifierNode.start(config(dataDir)));
    }

    /**
     * Imports the JSON lines (if any) into {@code dataDir}, then starts a node on it configured by {@code yaml} (a
     * {@code node.yaml} text, e.g. a {@code limits:} section), with its data folder and ephemeral ports on 127.0.0.1.
     */
    static TestNode start(Path dataDir, List<String> jsonLines, String yaml) throws Exception {
        if (!jsonLines.isEmpty()) {
            importLines(dataDir, jsonLines);
        }
        Path file = Files.createTempFile("node", ".yaml");
        try {
            Files.writeString(file, yaml);
            return new TestNode(dataDir, IdentifierNode.start(NodeConfig.load(file).withOverrides(dataDir, 0, 0, 0, "127.0.0.1")));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** An import line ({@code idnode import}) for {@code handle} with one value: index 1, type URL, {@code url}. */
    static String urlRecord(String handle, String url) {
        return "{\"handle\":\"" + handle + "\",\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\""
                + url + "\"}}]}";
    }

    static NodeConfig config(Path dataDir) {
        return NodeConfig.defaults().withOverrides(dataDir, 0, 0, 0, "127.0.0.1");
    }

    static void importLines(Path dataDir, List<String> jsonLines) throws IOException, RecordImporter.BadLineException {
        Path file = Files.createTempFile("records", ".jsonl");
        Files.write(file, jsonLines);
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(dataDir, 16)) {
            new RecordImporter(file).importInto(store);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    SiteInfo site() {
        return node.site().siteInfo();
    }

    int handlePort() {
        return node.handleAddress().getPort();
    }

    int httpPort() {
        return node.httpAddress().getPort();
    }

    @Override
    public void close() {
        node.close();
    }
}
