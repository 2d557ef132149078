package org.idnode.server.grpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.netty.handler.ssl.SslContext;
import org.idnode.server.auth.HttpAuthenticator;
import org.idnode.server.config.ConfigException;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.lifecycle.RequestTracker;
import org.idnode.server.limits.ClientLimits;
import org.idnode.server.limits.GrpcAdmission;
import org.idnode.server.tls.ServerTls;
import org.idnode.server.transport.NettyTransport;

/**
 * The node's gRPC listener: grpc-netty on the node's own Netty event loops and channel type
 * ({@link NettyTransport}), with {@code directExecutor()} so that calls answered from the cache never leave the
 * event loop (work that may block goes to the node's blocking-work executor). It serves the node's services
 * ({@link #services}: {@code idnode.v1.IdentifierService}, {@code TemplateService} and {@code AdminService}, and in the
 * top-level role {@code FederationService}), the standard health service
 * ({@code grpc.health.v1.Health}, {@code SERVING} once {@link #serving()} is called) and server reflection (v1),
 * every call passing through the {@link GrpcAuthenticator}. TLS when the configuration names PEM files.
 *
 * <p>{@link #start}, {@link #serving} and {@link #close} are called once each, from one thread.
 */
public final class GrpcServer implements AutoCloseable {
    /** Largest request metadata (headers), as the HTTP listener's header limit. */
    private static final int MAX_METADATA_BYTES = 16 << 10;
    /** How long a keep-alive ping may wait for its answer before the connection is closed. */
    private static final int KEEPALIVE_TIMEOUT_SECONDS = 20;
    /** HTTP/2 "rapid reset" (CVE-2023-44487): at most this many stream resets a client may send per window. */
    private static final int MAX_RST_FRAMES = 200;
    private static final int RST_WINDOW_SECONDS = 10;
    /** How long {@link #close} waits for calls in flight before cancelling them. */
    public static final int DRAIN_SECONDS = 5;

    private final Server server;
    private final HealthStatusManager health;
    private final List<String> serviceNames;

    private GrpcServer(Server server, HealthStatusManager health, List<String> serviceNames) {
        this.server = server;
        this.health = health;
        this.serviceNames = serviceNames;
    }

    /** The node's own services. */
    private static List<ServerServiceDefinition> services(GrpcApi api) {
        List<ServerServiceDefinition> services = new ArrayList<>(List.of(
                new IdentifierGrpcService(api).definition(),
                new TemplateGrpcService(api.templates()).bindService(),
                new AdminGrpcService(api.administration(), api.blockingWork()).bindService()));
        if (api.topLevel() != null) {
            services.add(new FederationGrpcService(api.topLevel().filings(), api.blockingWork()).bindService());
        }
        return services;
    }

    /**
     * Binds the listener on {@code bind}:{@code settings.port()} and starts serving; health says {@code NOT_SERVING}
     * until {@link #serving()}.
     *
     * @param idleTimeoutSeconds a connection without calls for this long is closed (gracefully, with GOAWAY)
     * @param tracker            where every call is reported when it closes (metrics, access log); calls refused by the
     *                           rate limit are only counted ({@link RequestTracker#grpcRateLimited})
     * @param limits             the rate limit per client address ({@link GrpcAdmission}), the connection caps
     *                           ({@code limits.connections.*}, applied as connections are accepted) and the caps on
     *                           message size, calls per connection and keep-alive pings
     * @throws ConfigException      when the TLS files cannot be used, naming the key
     * @throws UncheckedIOException naming the port when it cannot be bound
     */
    public static GrpcServer start(NodeConfig.Grpc settings, InetAddress bind, int idleTimeoutSeconds, NettyTransport transport,
                                   HttpAuthenticator authenticator, GrpcApi api, RequestTracker tracker, ClientLimits limits) {
        NodeConfig.Limits caps = limits.settings();
        HealthStatusManager health = new HealthStatusManager();
        GrpcAccounting accounting = new GrpcAccounting(tracker);
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(bind, settings.port()))
                .bossEventLoopGroup(transport.bossGroup())
                .workerEventLoopGroup(transport.workerGroup())
                .channelFactory(limits.connections(ClientLimits.Protocol.GRPC).serverChannels(transport.serverChannelType()))
                .directExecutor()
                .maxInboundMessageSize(caps.maxGrpcMessageBytes())
                .maxInboundMetadataSize(MAX_METADATA_BYTES)
                .maxConcurrentCallsPerConnection(caps.grpcMaxCallsPerConnection())
                .maxConnectionIdle(idleTimeoutSeconds, TimeUnit.SECONDS)
                .keepAliveTime(caps.grpcKeepAliveSeconds(), TimeUnit.SECONDS)
                .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .permitKeepAliveTime(caps.grpcKeepAliveSeconds(), TimeUnit.SECONDS)
                .maxRstFramesPerWindow(MAX_RST_FRAMES, RST_WINDOW_SECONDS)
                .intercept(grpcAuthenticator(authenticator, api))
                .intercept(accounting)
                // Interceptors added last run first: the rate limit before accounting and authentication.
                .intercept(new GrpcAdmission(limits, accounting::rateLimited))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance());
        if (settings.tls()) {
            builder.sslContext(sslContext(settings.tlsCertChainFile(), settings.tlsPrivateKeyFile()));
        }
        List<String> names = new ArrayList<>();
        for (ServerServiceDefinition definition : services(api)) {
            builder.addService(definition);
            names.add(definition.getServiceDescriptor().getName());
            health.setStatus(definition.getServiceDescriptor().getName(), ServingStatus.NOT_SERVING);
        }
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
        Server server = builder.build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind gRPC port " + bind.getHostAddress() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
        return new GrpcServer(server, health, List.copyOf(names));
    }

    /** The call authenticator; it forgets the credentials it verified whenever an API token is revoked. */
    private static GrpcAuthenticator grpcAuthenticator(HttpAuthenticator authenticator, GrpcApi api) {
        GrpcAuthenticator grpcAuthenticator = new GrpcAuthenticator(authenticator, api.blockingWork());
        api.administration().onTokenRevoked(grpcAuthenticator::forgetVerified);
        return grpcAuthenticator;
    }

    /**
     * Checks what {@link #start} will need from the files of the configuration (the TLS certificate chain and key),
     * so that a node can refuse them before it opens its store.
     *
     * @throws ConfigException naming the key of the unusable file
     */
    public static void check(NodeConfig.Grpc settings) {
        if (settings.enabled() && settings.tls()) {
            sslContext(settings.tlsCertChainFile(), settings.tlsPrivateKeyFile());
        }
    }

    private static SslContext sslContext(Path certChain, Path privateKey) {
        return ServerTls.context("grpc.tls", certChain, privateKey, GrpcSslContexts::forServer);
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getListenSockets().get(0);
    }

    /** Reports every service {@code SERVING} (the node is ready). */
    public void serving() {
        for (String name : serviceNames) {
            health.setStatus(name, ServingStatus.SERVING);
        }
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    }

    /** Reports every service {@code NOT_SERVING} from now on (the node is stopping); calls are still served. */
    public void notServing() {
        health.enterTerminalState();
    }

    /** Stops accepting calls: new ones fail {@code UNAVAILABLE}; calls in flight go on. */
    public void stopAccepting() {
        server.shutdown();
    }

    /**
     * Waits until every call in flight has finished, or the deadline ({@link System#nanoTime()}) passes and the rest are
     * cancelled. The shared event loops stay up.
     *
     * @return true when every call finished by itself
     */
    public boolean awaitTermination(long deadlineNanos) {
        try {
            if (server.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return true;
            }
            server.shutdownNow();
            server.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * Stops accepting calls, reports {@code NOT_SERVING}, and waits up to {@value #DRAIN_SECONDS} seconds for calls in
     * flight to finish before cancelling the rest. The shared event loops stay up.
     */
    @Override
    public void close() {
        notServing();
        stopAccepting();
        awaitTermination(System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS));
    }
}
