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

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import net.handle.hdllib.Common;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.Util;
import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.federation.FilingLedger;
import org.idnode.registry.genealogy.GenealogyTracer;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.registry.template.TemplateCatalog;
import org.idnode.registry.template.TemplateValidator;
import org.idnode.registry.write.HandleWriter;
import org.idnode.server.admin.PrefixAdministration;
import org.idnode.server.config.ConfigException;
import org.idnode.server.auth.HttpAuthenticator;
import org.idnode.server.backup.BackupService;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.federation.SecondaryFederation;
import org.idnode.server.federation.TopLevel;
import org.idnode.server.grpc.GrpcApi;
import org.idnode.server.grpc.GrpcServer;
import org.idnode.server.handler.HandleRequestProcessor;
import org.idnode.server.handler.PackedRecords;
import org.idnode.server.http.HttpApi;
import org.idnode.server.keys.NodeKeys;
import org.idnode.server.lifecycle.NodeHealth;
import org.idnode.server.lifecycle.RequestTracker;
import org.idnode.server.limits.ClientLimits;
import org.idnode.server.logging.AccessLog;
import org.idnode.server.logging.PollingAsyncAppender;
import org.idnode.server.metrics.NodeMetrics;
import org.idnode.server.site.NodeSite;
import org.idnode.server.tls.ServerTls;
import org.idnode.server.transport.NettyTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: the RocksDB store in the data folder with its cache, the node key pair, the
 * request processor, the Netty listeners (Handle TCP and UDP, HTTP) and the gRPC listener on the same
 * event loops, wired together; in the top-level role ({@code federation.role}) also the {@link TopLevel} parts on the
 * store's federation ledger.
 *
 * <p>{@link #start} returns once every listener is bound and the node answers (and reports itself ready);
 * {@link #close} stops it gracefully: not ready at once, then (after {@code shutdown.announce-seconds}) no new
 * connections or calls, requests in flight answered (up to {@code shutdown.drain-timeout-seconds}), listeners closed,
 * store flushed and closed. Thread-safe.
 */
public final class IdentifierNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IdentifierNode.class);
    /** Sub-folder of the data folder holding RocksDB's files. */
    public static final String STORE_FOLDER = "store";

    private final RocksDbHandleRecordStore rocks;
    private final CachingHandleRecordStore store;
    private final ThreadPoolExecutor blockingWork;
    private final NettyTransport transport;
    private final GrpcServer grpc;
    private final NodeSite site;
    private final ClientLimits limits;
    private final SecondaryFederation federation;
    private final BackupService backups;
    private final NodeMetrics metrics;
    private final RequestTracker tracker;
    private final NodeHealth health;
    private final NodeConfig.Operations operations;
    private boolean closed;

    private IdentifierNode(NodeConfig config) {
        InetAddress bind = bindAddress(config.bind());
        GrpcServer.check(config.grpc());
        operations = config.operations();
        SslContext httpTls = operations.httpTls()
                ? ServerTls.context("http.tls", operations.httpTlsCertChainFile(), operations.httpTlsPrivateKeyFile(), SslContextBuilder::forServer)
                : null;
        TemplateCatalog templates = loadTemplates(config);
        NodeKeys keys = NodeKeys.loadOrCreate(config.privateKeyFile(), config.dataDir());
        rocks = openStore(config.dataDir(), config.blockCacheMb());
        store = recordCache(rocks, config.recordCache());
        blockingWork = new ThreadPoolExecutor(config.storeThreads(), config.storeThreads(), 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.storeQueue()), named("idnode-store"), new ThreadPoolExecutor.AbortPolicy());
        AtomicReference<NodeSite> published = new AtomicReference<>();
        federation = SecondaryFederation.of(config);
        HandleWriter writer = new HandleWriter(store, new TemplateValidator(templates), federation.filer());
        TopLevel topLevel = config.federation().role() == NodeConfig.Role.TOP_LEVEL
                ? TopLevel.open(new FilingLedger(rocks.federationKeySpace()), config.prefixes())
                : null;
        HandleRequestProcessor processor = new HandleRequestProcessor(store, writer, config.prefixes(), published::get,
                keys.privateKey(), blockingWork, topLevel == null ? null : topLevel.delegations(), federation.recursion());
        GenealogyTracer tracer = new GenealogyTracer(store);
        HttpAuthenticator authenticator = new HttpAuthenticator(store::get);
        PrefixAdministration administration = new PrefixAdministration(store, writer, config.prefixes());
        backups = new BackupService(rocks, config.dataDir().resolve(NodeKeys.FOLDER), config.backup().root());
        metrics = new NodeMetrics();
        metrics.bindStore(rocks, store);
        metrics.counter("idnode_access_log_dropped_lines", "Access log lines dropped because the log could not keep up",
                PollingAsyncAppender::dropped);
        tracker = new RequestTracker(metrics, AccessLog.of(operations.accessLog()));
        health = new NodeHealth(() -> rocks.handlesProperty("rocksdb.background-errors"));
        limits = new ClientLimits(config.limits());
        limits.registerMetrics(metrics);
        transport = new NettyTransport(Runtime.getRuntime().availableProcessors());
        transport.instrument(tracker, health, metrics);
        transport.httpTls(httpTls);
        try {
            transport.bind(bind, config.handlePort(), config.httpPort(), config.idleTimeoutSeconds(), processor,
                    new HttpApi(processor, tracer, authenticator, administration, blockingWork, topLevel, federation, backups), limits);
            grpc = config.grpc().enabled()
                    ? GrpcServer.start(config.grpc(), bind, config.idleTimeoutSeconds(), transport, authenticator,
                            new GrpcApi(processor, tracer, templates, administration, blockingWork, topLevel), tracker, limits)
                    : null;
        } catch (RuntimeException e) {
            transport.close();
            federation.close();
            closeQuietly();
            metrics.close();
            throw e;
        }
        site = NodeSite.of(config.nodeName(), config.advertisedAddress(), config.siteSerial(), keys.publicKeyHandleEncoding(),
                transport.handleAddress().getPort(), transport.httpAddress().getPort(), grpc == null ? 0 : grpc.address().getPort());
        published.set(site);
        try {
            federation.start(rocks.outbox(), keys.privateKey(), site);
            federation.shipper().ifPresent(shipper -> metrics.gauge("idnode_federation_outbox_backlog",
                    "filings in the outbox not yet acknowledged by the top-level node", () -> shipper.backlog().pending()));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        warmUp(processor, config.prefixes().get(0));
        if (grpc != null) {
            grpc.serving();
        }
        health.ready();
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

    /** The record cache in front of the store, bounded as configured, keeping records packed ({@link PackedRecords}). */
    private static CachingHandleRecordStore recordCache(RocksDbHandleRecordStore rocks, NodeConfig.RecordCache settings) {
        return settings.byMemory()
                ? CachingHandleRecordStore.withMemoryBudget(rocks, (long) settings.maxMb() << 20, PackedRecords::pack)
                : new CachingHandleRecordStore(rocks, settings.maxEntries(), PackedRecords::pack);
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

    /** The node's part in the federation (filing, recursion); inactive without a top-level node. */
    public SecondaryFederation federation() {
        return federation;
    }

    /** The site info the node publishes. */
    public NodeSite site() {
        return site;
    }

    /** The node's metrics, for parts wired in later to register theirs ({@link NodeMetrics#gauge}, {@link NodeMetrics#counter}). */
    public NodeMetrics metrics() {
        return metrics;
    }

    /** Whether the node is ready, as {@code /health/ready} reports it. */
    public NodeHealth health() {
        return health;
    }

    /**
     * Stops the node gracefully (what SIGTERM does to {@code idnode serve}); returns when it has stopped, at once if it
     * already has:
     * <ol>
     *   <li>reports not ready ({@code /health/ready} 503, gRPC health {@code NOT_SERVING}) and keeps serving for
     *       {@code shutdown.announce-seconds}, so that load balancers stop sending requests;</li>
     *   <li>stops accepting: the TCP and HTTP listening sockets close, new gRPC calls fail {@code UNAVAILABLE}, and
     *       requests arriving on open connections or over UDP are refused ({@code SERVER_TOO_BUSY}, HTTP 503);</li>
     *   <li>waits for every request already accepted to be answered, up to {@code shutdown.drain-timeout-seconds}
     *       (gRPC calls still running then are cancelled);</li>
     *   <li>closes the connections and event loops, lets store work finish, and flushes and closes the store.</li>
     * </ol>
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long begun = System.nanoTime();
        health.stopping();
        if (grpc != null) {
            grpc.notServing();
        }
        try {
            TimeUnit.SECONDS.sleep(operations.announceSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tracker.beginDrain();
        transport.stopAccepting();
        if (grpc != null) {
            grpc.stopAccepting();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(operations.drainSeconds());
        boolean drained;
        try {
            drained = tracker.awaitIdle(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        }
        long cutOff = tracker.inFlight();
        boolean grpcDrained = grpc == null || grpc.awaitTermination(deadline);
        transport.close();
        federation.close();
        closeQuietly();
        health.stopped();
        metrics.close();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begun);
        if (drained && grpcDrained) {
            log.info("stopped in {} ms; every request accepted was answered", ms);
        } else {
            log.warn("stopped in {} ms; the drain timeout ({} s) cut off {} Handle/HTTP request(s){}", ms, operations.drainSeconds(),
                    cutOff, grpcDrained ? "" : " and the gRPC calls still running");
        }
    }

    private void closeQuietly() {
        backups.close();
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
