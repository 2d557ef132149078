package org.idnode.server.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.store.RocksDbHandleRecordStore;

/**
 * The node's metrics, served as Prometheus text on {@code GET /metrics}: requests by protocol, operation and
 * response code with their latency histograms ({@link #requests}), the record cache and RocksDB ({@link #bindStore}),
 * the JVM and the process. Every metric name starts with {@code idnode_} except the JVM and process ones
 * ({@code jvm_*}, {@code process_*}, {@code system_*}); docs/operations.md lists them.
 *
 * <p><b>The hook for other parts of the node.</b> A part that keeps a number of its own exposes it as a plain getter,
 * and whoever wires the node registers it here:
 * <pre>{@code
 * metrics.gauge("idnode_outbox_backlog", "Changes waiting to be filed with the top-level node", outbox::backlog);
 * metrics.counter("idnode_rate_limited_requests", "Requests refused by a rate limit", Map.of("protocol", "udp"), limiter::refusedUdp);
 * }</pre>
 * {@link #gauge} is for a value that goes up and down (read at every scrape), {@link #counter} for a running total
 * that only grows ({@code _total} is appended to its name). The getters are called on the scraping thread, so they
 * must be thread-safe and must not block.
 *
 * <p>Thread-safe. Recording ({@link RequestMeter}) is allocation-free after a code's first occurrence.
 */
public final class NodeMetrics implements AutoCloseable {
    /** The content type of {@link #scrape()}: Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String REQUESTS = "idnode.requests";
    static final String REQUEST_DURATION = "idnode.request.duration";
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReferenceArray<RequestMeter> meters = new AtomicReferenceArray<>(Protocol.values().length * Operation.count());
    private final List<AutoCloseable> binders = new ArrayList<>();
    /** The hook's getters: Micrometer holds the objects behind function counters weakly. */
    private final List<Object> hooked = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A registry with the JVM and process metrics bound. */
    public NodeMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        binders.add(gc);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** The meters of one protocol and operation; callers on hot paths may keep the result. */
    public RequestMeter requests(Protocol protocol, Operation operation) {
        int i = protocol.ordinal() * Operation.count() + operation.ordinal();
        RequestMeter m = meters.get(i);
        if (m == null) {
            m = new RequestMeter(registry, protocol, operation);
            if (!meters.compareAndSet(i, null, m)) {
                m = meters.get(i);
            }
        }
        return m;
    }

    /**
     * Registers the record cache and RocksDB statistics: cache lookups (hits, misses), hit ratio, entries and
     * evictions; estimated identifiers, live SST bytes, block cache usage, memtable bytes, pending compaction bytes,
     * background errors, WAL syncs, bytes written and read, write stall time. Call once.
     */
    public void bindStore(RocksDbHandleRecordStore rocks, CachingHandleRecordStore cache) {
        StoreMetrics.bind(registry, rocks, cache);
    }

    /**
     * Registers a value that goes up and down, read from {@code value} at every scrape (e.g. the outbox backlog).
     *
     * @param name Prometheus name, {@code [a-z][a-z0-9_]*}, conventionally starting with {@code idnode_}
     * @param help one line saying what it measures
     * @throws IllegalArgumentException for a bad name
     */
    public void gauge(String name, String help, DoubleSupplier value) {
        gauge(name, help, Map.of(), value);
    }

    /** {@link #gauge(String, String, DoubleSupplier)} with labels (e.g. {@code Map.of("protocol", "udp")}). */
    public void gauge(String name, String help, Map<String, String> labels, DoubleSupplier value) {
        Gauge.builder(checkName(name), value, DoubleSupplier::getAsDouble).description(help).tags(tags(labels)).strongReference(true)
                .register(registry);
    }

    /**
     * Registers a running total that only grows, read from {@code total} at every scrape (e.g. requests refused by
     * rate limits); exported as {@code <name>_total}.
     *
     * @param name Prometheus name without the {@code _total} suffix, {@code [a-z][a-z0-9_]*}
     * @throws IllegalArgumentException for a bad name or one ending in {@code _total}
     */
    public void counter(String name, String help, LongSupplier total) {
        counter(name, help, Map.of(), total);
    }

    /** {@link #counter(String, String, LongSupplier)} with labels (e.g. {@code Map.of("protocol", "udp")}). */
    public void counter(String name, String help, Map<String, String> labels, LongSupplier total) {
        if (name.endsWith("_total")) {
            throw new IllegalArgumentException("counter name " + name + ": leave out the _total suffix, it is appended");
        }
        hooked.add(total);
        FunctionCounter.builder(checkName(name), total, t -> (double) t.getAsLong()).description(help).tags(tags(labels)).register(registry);
    }

    /** Every metric in the Prometheus text format ({@link #CONTENT_TYPE}). May read RocksDB properties; not for event loops. */
    public String scrape() {
        return registry.scrape();
    }

    private static String checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name '" + name + "': expected [a-z][a-z0-9_]*, e.g. idnode_outbox_backlog");
        }
        return name;
    }

    private static Tags tags(Map<String, String> labels) {
        Tags tags = Tags.empty();
        for (Map.Entry<String, String> e : labels.entrySet()) {
            tags = tags.and(checkName(e.getKey()), e.getValue());
        }
        return tags;
    }

    /** Unbinds the JVM listeners and closes the registry. */
    @Override
    public void close() {
        for (AutoCloseable b : binders) {
            try {
                b.close();
            } catch (Exception e) {
                // Unbinding a JMX listener; nothing to recover.
            }
        }
        registry.close();
    }
}
