package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Attributes;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import org.idnode.server.cli.IdnodeCommand;
import org.idnode.server.config.NodeConfig;

/**
 * gRPC clients for tests: plaintext channels to a node on 127.0.0.1, tokens in the call metadata, the error details
 * of a failed call, and tokens issued with {@code idnode token add} as an operator does.
 */
final class GrpcClients {
    private GrpcClients() {
    }

    /** The shipped template folder, {@code conf/templates}. */
    static Path shippedTemplates() {
        Path templates = Path.of(System.getProperty("idnode.project.root"), "conf", "templates");
        assertThat(templates).isDirectory();
        return templates;
    }

    /** A node configuration on {@code data} with the templates of {@code templates}, ephemeral ports on 127.0.0.1. */
    static NodeConfig config(Path dir, Path data, Path templates) throws Exception {
        return config(dir, data, templates, "");
    }

    /** {@link #config(Path, Path, Path)} with more {@code node.yaml} text, e.g. a {@code limits:} section. */
    static NodeConfig config(Path dir, Path data, Path templates, String moreYaml) throws Exception {
        Path yaml = dir.resolve("node.yaml");
        Files.writeString(yaml, "templates: {dir: \"" + templates.toAbsolutePath().toString().replace("\\", "/") + "\"}\n" + moreYaml);
        return NodeConfig.load(yaml).withOverrides(data, 0, 0, 0, "127.0.0.1");
    }

    /** The shipped sample data, {@code conf/sample-data/pcb-sample.jsonl}: four enterprises, PCB genealogy. */
    static java.util.List<String> sampleData() throws java.io.IOException {
        return Files.readAllLines(Path.of(System.getProperty("idnode.project.root"), "conf", "sample-data", "pcb-sample.jsonl"),
                StandardCharsets.UTF_8);
    }

    /** A plaintext channel to the node's gRPC port. */
    static ManagedChannel channel(IdentifierNode node) {
        return NettyChannelBuilder.forAddress("127.0.0.1", node.grpcAddress().orElseThrow().getPort())
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
    }

    /**
     * A plaintext channel to 127.0.0.1:{@code port} whose connections come from the loopback address {@code from}
     * (127.0.0.2, ...), so that one test can be several clients as the node's per-address limits see them.
     */
    static ManagedChannel channelFrom(String from, int port) throws UnknownHostException {
        InetSocketAddress local = new InetSocketAddress(InetAddress.getByName(from), 0);
        return NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .localSocketPicker(new NettyChannelBuilder.LocalSocketPicker() {
                    @Override
                    public SocketAddress createSocketAddress(SocketAddress remote, Attributes attrs) {
                        return local;
                    }
                })
                .build();
    }

    static void close(ManagedChannel channel) throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** The stub sending {@code authorization: <value>} with every call, and a deadline against hangs. */
    static <S extends AbstractStub<S>> S withAuthorization(S stub, String value) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), value);
        return deadline(stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m)));
    }

    static <S extends AbstractStub<S>> S withToken(S stub, String token) {
        return withAuthorization(stub, "Bearer " + token);
    }

    static <S extends AbstractStub<S>> S deadline(S stub) {
        return stub.withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    /** The {@code google.rpc.ErrorInfo} of a failed call; fails when there is none. */
    static ErrorInfo errorInfo(StatusRuntimeException e) {
        return detail(e, ErrorInfo.class);
    }

    /** The {@code google.rpc.BadRequest} of a failed call; fails when there is none. */
    static BadRequest badRequest(StatusRuntimeException e) {
        return detail(e, BadRequest.class);
    }

    static boolean hasDetail(StatusRuntimeException e, Class<? extends com.google.protobuf.Message> type) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        return status != null && status.getDetailsList().stream().anyMatch(a -> a.is(type));
    }

    private static <T extends com.google.protobuf.Message> T detail(StatusRuntimeException e, Class<T> type) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        assertThat(status).as("google.rpc.Status in the trailers of %s", e).isNotNull();
        assertThat(status.getCode()).isEqualTo(e.getStatus().getCode().value());
        for (Any a : status.getDetailsList()) {
            if (a.is(type)) {
                try {
                    return a.unpack(type);
                } catch (InvalidProtocolBufferException x) {
                    throw new AssertionError(x);
                }
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in the details of " + e + ": " + status.getDetailsList());
    }

    /** Issues an API token offline ({@code idnode token add PREFIX --name NAME}) and returns it. */
    static String issueToken(Path data, String prefix, String name) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(IdnodeCommand.run("token", "add", prefix, "--name", name, "--data-dir", data.toString())).isZero();
        } finally {
            System.setOut(saved);
        }
        String token = out.toString(StandardCharsets.UTF_8).trim();
        assertThat(token).startsWith("idt_" + prefix + "~");
        return token;
    }
}
