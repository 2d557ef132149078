package org.idnode.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import net.handle.hdllib.Common;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.Util;
import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.genealogy.GenealogyTracer;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.registry.template.TemplateCatalog;
import org.idnode.registry.template.TemplateValidator;
import org.idnode.registry.write.HandleWriter;
import org.idnode.server.admin.PrefixAdministration;
import org.idnode.server.config.ConfigException;
import org.idnode.server.auth.HttpAuthenticator;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.grpc.GrpcApi;
import org.idnode.server.grpc.GrpcServer;
import org.idnode.server.handler.HandleRequestProcessor;
import org.idnode.server.http.HttpApi;
import org.idnode.server.keys.NodeKeys;
import org.idnode.server.limits.ClientLimits;
import org.idnode.server.site.NodeSite;
import org.idnode.server.transport.NettyTransport;

/**
 * A running node: the RocksDB store in the data folder with its cache, the node key pair, the
 * request processor, the Netty listeners (Handle TCP and UDP, HTTP) and the gRPC listener on the same
 * event loops, wired together.
 *
 * <p>{@link #start} returns once every listener is bound and the node answers; {@link #close} stops
 * accepting, lets in-flight store work finish, and closes the store (flushing it). Thread-safe.
 */
public final class IdentifierNode implements AutoCloseable {
    /** Sub-folder of the data folder holding RocksDB's files. */
    public static final String STORE_FOLDER = "store";

    private final RocksDbHandleRecordStore rocks;
    private final CachingHandleRecordStore store;
    private final ThreadPoolExecutor blockingWork;
    private final NettyTransport transport;
    private final GrpcServer grpc;
    private final NodeSite site;
    private final ClientLimits limits;

    private IdentifierNode(NodeConfig config) {
        InetAddress bind = bindAddress(config.bind());
        GrpcServer.check(config.grpc());
        TemplateCatalog templates = loadTemplates(config);
        NodeKeys keys = NodeKeys.loadOrCreate(config.privateKeyFile(), config.dataDir());
        rocks = openStore(config.dataDir(), config.blockCacheMb());
        store = new CachingHandleRecordStore(rocks, config.cacheMaxEntries());
        blockingWork = new ThreadPoolExecutor(config.storeThreads(), config.storeThreads(), 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.storeQueue()), named("idnode-store"), new ThreadPoolExecutor.AbortPolicy());
        AtomicReference<NodeSite> published = new AtomicReference<>();
        HandleWriter writer = new HandleWriter(store, new TemplateValidator(templates));
        HandleRequestProcessor processor = new HandleRequestProcessor(store, writer, config.prefixes(), published::get,
                keys.privateKey(), blockingWork);
        GenealogyTracer tracer = new GenealogyTracer(store);
        HttpAuthenticator authenticator = new HttpAuthenticator(store::get);
        PrefixAdministration administration = new PrefixAdministration(store, writer, config.prefixes());
        limits = new ClientLimits(config.limits());
        transport = new NettyTransport(Runtime.getRuntime().availableProcessors());
        try {
            transport.bind(bind, config.handlePort(), config.httpPort(), config.idleTimeoutSeconds(), processor,
                    new HttpApi(processor, tracer, authenticator, administration, blockingWork), limits);
            grpc = config.grpc().enabled()
                    ? GrpcServer.start(config.grpc(), bind, config.idleTimeoutSeconds(), transport, authenticator,
                            new GrpcApi(processor, tracer, templates, administration, blockingWork), limits)
                    : null;
        } catch (RuntimeException e) {
            transport.close();
            closeQuietly();
            throw e;
        }
        site = NodeSite.of(config.nodeName(), config.advertisedAddress(), config.siteSerial(), keys.publicKeyHandleEncoding(),
                transport.handleAddress().getPort(), transport.httpAddress().getPort());
        published.set(site);
        warmUp(processor, config.prefixes().get(0));
        if (grpc != null) {
            grpc.serving();
        }
    }

    /**
     * Answers one request for the node's own prefix handle through the whole processing path (cache
     * miss, RocksDB read, encoding) before the node reports ready, so the first client does not pay for
     * class loading and a cold read path.
     */
    private static void warmUp(HandleRequestProcessor processor, String prefix) {
        ResolutionRequest req = new ResolutionRequest(Util.encodeString("0.NA/" + prefix), null, null, null);
        req.majorProtocolVersion = Common.MAJOR_VERSION;
        req.minorProtocolVersion = Common.MINOR_VERSION;
        CountDownLatch answered = new CountDownLatch(1);
        processor.process(req, resp -> {
            try {
                HandleMessageCodec.encodeUdpPackets(resp);
            } catch (HandleException e) {
                // Warm-up only; a real request would report this.
            }
            answered.countDown();
        });
        try {
            answered.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Opens the data folder and binds every listener.
     *
     * @throws ConfigException                     for a bad key file, address or gRPC TLS file
     * @throws org.idnode.registry.store.StoreException when the store cannot be opened
     * @throws java.io.UncheckedIOException        when a port cannot be bound
     */
    public static IdentifierNode start(NodeConfig config) {
        return new IdentifierNode(config);
    }

    /**
     * The template catalog the configuration names: {@code templates.dir} (which must exist), else
     * {@code conf/templates} when present, else no templates.
     *
     * @throws ConfigException naming {@code templates.dir} and the bad file and field
     */
    public static TemplateCatalog loadTemplates(NodeConfig config) {
        Path dir = config.templatesDir();
        if (dir == null) {
            dir = NodeConfig.DEFAULT_TEMPLATES_DIR;
            if (!Files.isDirectory(dir)) {
                return TemplateCatalog.EMPTY;
            }
        } else if (!Files.isDirectory(dir)) {
            throw new ConfigException("templates.dir: folder " + dir + " does not exist");
        }
        try {
            return TemplateCatalog.load(dir);
        } catch (IOException e) {
            throw new ConfigException("templates.dir: " + e.getMessage(), e);
        }
    }

    /** Opens the RocksDB store of a data folder, for offline tools such as import. */
    public static RocksDbHandleRecordStore openStore(Path dataDir, int blockCacheMb) {
        return RocksDbHandleRecordStore.open(dataDir.resolve(STORE_FOLDER), (long) blockCacheMb << 20);
    }

    public InetSocketAddress handleAddress() {
        return transport.handleAddress();
    }

    public InetSocketAddress httpAddress() {
        return transport.httpAddress();
    }

    /** The bound gRPC address; empty when gRPC is turned off ({@code grpc.enabled: false}). */
    public Optional<InetSocketAddress> grpcAddress() {
        return grpc == null ? Optional.empty() : Optional.of(grpc.address());
    }

    /** The limits against abusive clients, with their counters (refused requests and connections). */
    public ClientLimits limits() {
        return limits;
    }

    /** The site info the node publishes. */
    public NodeSite site() {
        return site;
    }

    /**
     * Stops the node: the gRPC listener first (it stops accepting, reports NOT_SERVING and lets calls in flight
     * finish), then the Handle and HTTP listeners and the event loops they share, then the store work in flight, and
     * last the store.
     */
    @Override
    public void close() {
        if (grpc != null) {
            grpc.close();
        }
        transport.close();
        closeQuietly();
    }

    private void closeQuietly() {
        blockingWork.shutdown();
        try {
            blockingWork.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }

    private static InetAddress bindAddress(String bind) {
        try {
            return InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new ConfigException("listen.bind: cannot resolve '" + bind + "'");
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
