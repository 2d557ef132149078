package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonObject;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.SiteInfo;
import net.handle.hdllib.Util;
import org.idnode.server.keys.NodeKeys;

/**
 * A federation on 127.0.0.1 for tests: a top-level node and secondary nodes, each {@code idnode serve} in its own JVM
 * ({@link ChildJvm}) on ephemeral ports, their data folders prepared offline with the {@code idnode} commands run
 * in-process. A secondary node's key pair is created in its data folder before it starts, as its first start would
 * ({@link NodeKeys}), so that the top level can be given its {@code pubkey.bin} and tests can sign as it does.
 *
 * <p>{@link #close()} stops every process it started. One thread.
 */
final class FederationNodes implements AutoCloseable {
    /** Secret of the top-level node's operator ({@code 301:0.NA/0.NA}). */
    static final String OPERATOR_SECRET = "top-level-ops";

    private final Path root;
    private final List<ChildJvm> children = new CopyOnWriteArrayList<>();

    FederationNodes(Path root) {
        this.root = root;
    }

    /** A node process and what it listens on. */
    record Node(ChildJvm process, Path data, ChildJvm.NodePorts ports) {
        /** Its site info, asked for over Handle TCP. */
        SiteInfo site() throws HandleException {
            return CnriClients.fetchSiteInfo(ports.handle());
        }

        String handleAddress() {
            return "127.0.0.1:" + ports.handle();
        }
    }

    /** A secondary node's data folder, prepared but not served. */
    record Secondary(String prefix, Path data, Path config) {
        Path publicKeyFile() {
            return data.resolve("keys").resolve("pubkey.bin");
        }

        /** Its private key, read from its data folder as the node reads it. */
        PrivateKey privateKey() {
            return NodeKeys.loadOrCreate(null, data).privateKey();
        }
    }

    /**
     * Prepares a secondary node serving {@code prefix}: its key pair, the enterprise prefix {@code enterprisePrefix}
     * (hosted, enabled) and one identifier {@code handle} with a URL value.
     */
    Secondary secondary(String prefix, String enterprisePrefix, String handle, String url) throws Exception {
        Path dir = Files.createDirectories(root.resolve("secondary-" + prefix));
        Path data = dir.resolve("data");
        Path config = dir.resolve("node.yaml");
        Files.writeString(config, "node:\n  name: \"secondary node " + prefix + "\"\n  prefixes: [\"" + prefix + "\"]\n");
        NodeKeys.loadOrCreate(null, data);
        JsonHttp.cli("prefix", "add", enterprisePrefix, "--enterprise", "Example Co. of " + enterprisePrefix, "--admin-secret", "s3cret",
                "--config", config.toString(), "--data-dir", data.toString());
        TestNode.importLines(data, List.of("{\"handle\":\"" + handle + "\",\"values\":[{\"index\":1,\"type\":\"URL\","
                + "\"data\":{\"format\":\"string\",\"value\":\"" + url + "\"}}]}"));
        return new Secondary(prefix, data, config);
    }

    /**
     * Prepares the top-level node's data folder: an operator with secret {@link #OPERATOR_SECRET}; returns an operator
     * API token.
     */
    String topLevelOperator(Path data) {
        JsonHttp.cli("operator", "add", "--role", "top-level", "--admin-secret", OPERATOR_SECRET, "--data-dir", data.toString());
        String token = JsonHttp.cli("token", "add", "0.NA", "--name", "ops", "--role", "top-level", "--data-dir", data.toString());
        assertThat(token).startsWith("idt_0.NA~");
        return token;
    }

    /**
     * The body of {@code POST /api/admin/federation/secondaries} registering {@code s}, running as {@code node}: its
     * Handle address and its {@code pubkey.bin} in base64.
     */
    static String registration(Secondary s, Node node) throws IOException {
        JsonObject body = new JsonObject();
        body.addProperty("prefix", s.prefix());
        body.addProperty("site", node.handleAddress());
        body.addProperty("publicKey", Base64.getEncoder().encodeToString(Files.readAllBytes(s.publicKeyFile())));
        return body.toString();
    }

    /** Launches {@code idnode serve} on {@code data} with ephemeral ports and {@code extra} options; await it with {@link #ready}. */
    ChildJvm launch(Path data, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("serve", "--data-dir", data.toString(), "--handle-port", "0", "--http-port", "0",
                "--grpc-port", "0", "--bind", "127.0.0.1"));
        args.addAll(Arrays.asList(extra));
        ChildJvm c = ChildJvm.launch(Files.createTempDirectory(root, "cwd"), "org.idnode.server.cli.IdnodeCommand", List.of(),
                args.toArray(String[]::new));
        children.add(c);
        return c;
    }

    /** Waits for a launched node's {@code ready} and reads its ports. */
    static Node ready(ChildJvm process, Path data) throws InterruptedException {
        return new Node(process, data, ChildJvm.NodePorts.of(process.awaitReady()));
    }

    /** Launches a secondary node and waits until it is ready. */
    Node start(Secondary s) throws Exception {
        return ready(launch(s.data(), "--config", s.config().toString()), s.data());
    }

    /** Launches the top-level node ({@code --role top-level}) and waits until it is ready. */
    Node startTopLevel(Path data) throws Exception {
        return ready(launch(data, "--role", "top-level"), data);
    }

    /** Stops a node with SIGTERM, as an operator does, and waits for it. */
    void stop(Node node) throws InterruptedException {
        node.process().terminate(ChildJvm.EXIT_TIMEOUT);
        children.remove(node.process());
    }

    /** A plaintext gRPC channel to a node. */
    static ManagedChannel channel(Node node) {
        return NettyChannelBuilder.forAddress("127.0.0.1", node.ports().grpc()).usePlaintext().build();
    }

    static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    /** One resolution sent straight to a node over Handle TCP (no referral followed). */
    static AbstractResponse ask(Node node, String handle) throws HandleException {
        ResolutionRequest req = new ResolutionRequest(Util.encodeString(handle), null, null, null);
        req.majorProtocolVersion = 2;
        req.minorProtocolVersion = 11;
        AbstractResponse resp = CnriClients.rawResolver().sendHdlTcpRequest(req, InetAddress.getLoopbackAddress(), node.ports().handle());
        assertThat(resp.responseCode).as("an answer, not a transport failure").isNotEqualTo(AbstractMessage.RC_RESERVED);
        return resp;
    }

    @Override
    public void close() throws InterruptedException {
        for (ChildJvm c : children) {
            c.kill();
        }
        children.clear();
    }
}
