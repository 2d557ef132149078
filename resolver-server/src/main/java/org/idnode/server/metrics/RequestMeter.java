package org.idnode.server.metrics;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The meters of one (protocol, operation): the latency histogram, and one request counter per response code, each
 * registered the first time that code is seen and then reused, so that recording a request builds no tags and
 * allocates nothing. Obtained from {@link NodeMetrics#requests}.
 *
 * <p>Thread-safe; meant to be called on event loops.
 */
public final class RequestMeter {
    /** Histogram bucket bounds: 10 µs to 10 s in 1-2.5-5 steps. */
    static final Duration[] BUCKETS = buckets();

    private final MeterRegistry registry;
    private final Protocol protocol;
    private final Operation operation;
    private final Timer latency;
    private final AtomicReferenceArray<Counter> handleCodes = new AtomicReferenceArray<>(ResponseCodes.HANDLE_CODES);
    private final AtomicReferenceArray<Counter> httpCodes;
    private final AtomicReferenceArray<Counter> grpcCodes;

    RequestMeter(MeterRegistry registry, Protocol protocol, Operation operation) {
        this.registry = registry;
        this.protocol = protocol;
        this.operation = operation;
        this.latency = Timer.builder(NodeMetrics.REQUEST_DURATION)
                .description("Time from a request's arrival to its answer being written, by protocol and operation")
                .tag("protocol", protocol.label())
                .tag("operation", operation.label())
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        this.httpCodes = protocol == Protocol.HTTP ? new AtomicReferenceArray<>(ResponseCodes.HTTP_CODES) : null;
        this.grpcCodes = protocol == Protocol.GRPC ? new AtomicReferenceArray<>(ResponseCodes.GRPC_CODES) : null;
    }

    /** Records a Handle request answered with response code {@code rc}, {@code nanos} after it arrived. */
    public void handle(int rc, long nanos) {
        record(handleCodes, rc, ResponseCodes::handle, nanos);
    }

    /** Records a REST request answered with HTTP status {@code status}; only for the HTTP protocol. */
    public void http(int status, long nanos) {
        record(httpCodes, status, ResponseCodes::http, nanos);
    }

    /** Records a gRPC call closed with status code {@code code} ({@code Status.Code.value()}); only for gRPC. */
    public void grpc(int code, long nanos) {
        record(grpcCodes, code, ResponseCodes::grpc, nanos);
    }

    private void record(AtomicReferenceArray<Counter> counters, int code, IntFunction<String> name, long nanos) {
        Counter c = code >= 0 && counters != null && code < counters.length() ? counters.get(code) : null;
        if (c == null) {
            c = counter(counters, code, name);
        }
        c.increment();
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Registers the counter of a code seen for the first time; a race registers the same meter twice, harmlessly. */
    private Counter counter(AtomicReferenceArray<Counter> counters, int code, IntFunction<String> name) {
        Counter c = Counter.builder(NodeMetrics.REQUESTS)
                .description("Requests answered, by protocol, operation and response code (Handle RC name, HTTP status or gRPC status)")
                .tag("protocol", protocol.label())
                .tag("operation", operation.label())
                .tag("code", name.apply(code))
                .register(registry);
        if (counters != null && code >= 0 && code < counters.length()) {
            counters.set(code, c);
        }
        return c;
    }

    private static Duration[] buckets() {
        long[] micros = {10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
                1_000_000, 2_500_000, 5_000_000, 10_000_000};
        Duration[] out = new Duration[micros.length];
        for (int i = 0; i < micros.length; i++) {
            out[i] = Duration.ofNanos(micros[i] * 1000);
        }
        return out;
    }
}
