package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code idnode serve} as a container runs it, configured by {@code IDNODE_*} environment variables: they take effect,
 * command-line options win over them, and a bad value stops the node with exit code 2 and a message that names the
 * variable, the key and the expected form.
 */
class EnvironmentConfigProcessTest {
    @TempDir
    Path tmp;

    private ChildJvm child;

    @AfterEach
    void stop() throws InterruptedException {
        if (child != null) {
            child.kill();
        }
    }

    @Test
    void variablesConfigureTheNodeAndOptionsWin() throws Exception {
        int httpPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            httpPort = s.getLocalPort();
        }
        child = ChildJvm.launch(tmp, Map.of("IDNODE_LISTEN_HTTP_PORT", Integer.toString(httpPort), "IDNODE_DATA_DIR", tmp.resolve("env-data").toString(),
                        "IDNODE_GRPC_ENABLED", "false", "IDNODE_LISTEN_HANDLE_PORT", "2641"),
                "org.idnode.server.cli.IdnodeCommand", List.of(), "serve", "--handle-port", "0", "--bind", "127.0.0.1");
        ChildJvm.NodePorts ports = ChildJvm.NodePorts.of(child.awaitReady());
        assertThat(ports.http()).as("from IDNODE_LISTEN_HTTP_PORT").isEqualTo(httpPort);
        assertThat(ports.grpc()).as("IDNODE_GRPC_ENABLED=false").isEqualTo(-1);
        assertThat(ports.handle()).as("--handle-port 0 wins over the variable").isPositive().isNotEqualTo(2641);
        assertThat(tmp.resolve("env-data").resolve("store")).as("IDNODE_DATA_DIR").isDirectory();
        child.terminate(Duration.ofSeconds(30));
    }

    @Test
    void aBadValueStopsTheNodeNamingTheVariable() throws Exception {
        child = ChildJvm.launch(tmp, Map.of("IDNODE_STORE_THREADS", "many"), "org.idnode.server.cli.IdnodeCommand", List.of(),
                "serve", "--data-dir", tmp.resolve("data").toString(), "--handle-port", "0", "--http-port", "0", "--grpc-port", "0");
        assertThat(child.waitExit()).isEqualTo(2);
        assertThat(child.stderr()).contains("idnode: store.threads (environment variable IDNODE_STORE_THREADS): expected an integer from 1 to 256, got 'many'");
        assertThat(tmp.resolve("data")).as("nothing started").doesNotExist();
    }
}
