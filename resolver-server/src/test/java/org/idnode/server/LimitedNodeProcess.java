package org.idnode.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.SiteInfo;

/**
 * {@code idnode serve} in its own JVM with a given {@code node.yaml} (typically a {@code limits:} section) on a data
 * folder holding {@code records}, on ephemeral ports of 127.0.0.1; for the tests where the node must not share the
 * test's JVM (its threads, heap or file descriptors) with the clients that attack it.
 */
final class LimitedNodeProcess implements AutoCloseable {
    final ChildJvm child;
    final ChildJvm.NodePorts ports;
    final SiteInfo site;

    private LimitedNodeProcess(ChildJvm child, ChildJvm.NodePorts ports, SiteInfo site) {
        this.child = child;
        this.ports = ports;
        this.site = site;
    }

    static LimitedNodeProcess start(Path dir, String yaml, List<String> records) throws Exception {
        Path data = dir.resolve("data");
        TestNode.importLines(data, records);
        Path config = Files.writeString(dir.resolve("node.yaml"), yaml);
        ChildJvm c = ChildJvm.launch(Files.createDirectories(dir.resolve("cwd")), "org.idnode.server.cli.IdnodeCommand", List.of(),
                "serve", "--config", config.toString(), "--data-dir", data.toString(), "--handle-port", "0", "--http-port", "0",
                "--grpc-port", "0", "--bind", "127.0.0.1");
        try {
            ChildJvm.NodePorts ports = ChildJvm.NodePorts.of(c.awaitReady());
            return new LimitedNodeProcess(c, ports, CnriClients.fetchSiteInfo(ports.handle()));
        } catch (Exception | AssertionError e) {
            c.kill();
            throw e;
        }
    }

    /** CNRI's resolver for handles under {@code prefix}, over the given protocols. */
    HandleResolver resolver(String prefix, int... protocols) {
        return CnriClients.resolver(site, prefix, protocols);
    }

    @Override
    public void close() throws InterruptedException {
        child.kill();
    }
}
