package org.idnode.server.metrics;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The meters of one (protocol, operation): the latency histogram, and one request counter per response code, each
 * registered the first time that code is seen and then reused, so that recording a request builds no tags and
 * allocates nothing. Obtained from {@link NodeMetrics#requests}.
 *
 * <p>Thread-safe; meant to be called on event loops.
 */
public final class RequestMeter {
    private final MeterRegistry registry;
    private final Protocol protocol;
    private final Operation operation;
    private final LatencyHistograms.Series latency;
    private final AtomicReferenceArray<Counter> handleCodes = new AtomicReferenceArray<>(ResponseCodes.HANDLE_CODES);
    private final AtomicReferenceArray<Counter> httpCodes;
    private final AtomicReferenceArray<Counter> grpcCodes;

    RequestMeter(MeterRegistry registry, LatencyHistograms histograms, Protocol protocol, Operation operation) {
        this.registry = registry;
        this.protocol = protocol;
        this.operation = operation;
        this.latency = histograms.series(protocol, operation);
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

    /**
     * Counts a request refused before it was processed (by the rate limit) under {@code code}: a Handle response code
     * for UDP and TCP, an HTTP status for HTTP, a gRPC status code for gRPC. It is not timed: a flood of refusals
     * answered at once would pull the latency percentiles of the requests really served toward zero.
     */
    public void refused(int code) {
        switch (protocol) {
            case HTTP -> count(httpCodes, code, ResponseCodes::http);
            case GRPC -> count(grpcCodes, code, ResponseCodes::grpc);
            default -> count(handleCodes, code, ResponseCodes::handle);
        }
    }

    private void record(AtomicReferenceArray<Counter> counters, int code, IntFunction<String> name, long nanos) {
        count(counters, code, name);
        latency.record(nanos);
    }

    private void count(AtomicReferenceArray<Counter> counters, int code, IntFunction<String> name) {
        Counter c = code >= 0 && counters != null && code < counters.length() ? counters.get(code) : null;
        if (c == null) {
            c = counter(counters, code, name);
        }
        c.increment();
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
}
