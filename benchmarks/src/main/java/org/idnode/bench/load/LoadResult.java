package org.idnode.bench.load;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The outcome of one run. Latencies are in microseconds from HdrHistogram (3 significant digits) over
 * every measured request that got an answer, whatever its response code; requests that timed out or
 * lost their connection count as errors only. {@code requests} counts every measured request that
 * finished (answered, timed out or failed), {@code throughputPerSecond} is {@code requests} over
 * {@code durationSeconds}, the time from the end of the warm-up to the last measured completion.
 *
 * <p>Error codes: a Handle response code as a decimal string ({@code "100"} = handle not found) for
 * answers that are not {@code RC_SUCCESS}, also for HTTP when the JSON error body carries a
 * {@code responseCode}; otherwise {@code "http_<status>"}, {@code "timeout"}, {@code "connection_closed"},
 * {@code "connect_failed"}, {@code "malformed"} or {@code "mismatch"} (verification failed).
 *
 * <p>Immutable and thread-safe.
 *
 * @param protocol          protocol driven
 * @param target            {@code host:port} driven
 * @param ceiling           true when the target was idbench's trivial responder
 * @param concurrency       requests in flight (closed loop) or the in-flight cap (open loop)
 * @param rate              open-loop rate per second, null in closed loop
 * @param threads           generator event-loop threads used
 * @param keyDistribution   {@code uniform}, {@code zipf} or {@code sequential}
 * @param keyCount          number of distinct keys available
 * @param tcpNewConnection  whether TCP opened a new connection per request
 * @param warmupSeconds     unrecorded lead-in
 * @param durationSeconds   measured time
 * @param requests          measured requests finished
 * @param successes         of which answered with success
 * @param errors            of which not successful
 * @param errorsByCode      error counts by code (see above)
 * @param throughputPerSecond requests per second
 * @param minMicros         fastest answer
 * @param meanMicros        mean answer latency
 * @param p50Micros         median
 * @param p90Micros         90th percentile
 * @param p99Micros         99th percentile
 * @param p999Micros        99.9th percentile
 * @param maxMicros         slowest answer
 * @param lateAnswers       UDP answers that arrived after their request had timed out (ignored)
 * @param udpPackets        UDP packets of answers to measured requests (more than requests when answers are chunked)
 * @param zipfExponent      the Zipf exponent, when keys are Zipf-distributed (else ignored)
 */
public record LoadResult(
        Protocol protocol,
        String target,
        boolean ceiling,
        int concurrency,
        Double rate,
        int threads,
        String keyDistribution,
        int keyCount,
        boolean tcpNewConnection,
        double warmupSeconds,
        double durationSeconds,
        long requests,
        long successes,
        long errors,
        SortedMap<String, Long> errorsByCode,
        double throughputPerSecond,
        long minMicros,
        double meanMicros,
        long p50Micros,
        long p90Micros,
        long p99Micros,
        long p999Micros,
        long maxMicros,
        long lateAnswers,
        long udpPackets,
        double zipfExponent) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public LoadResult {
        errorsByCode = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(errorsByCode));
    }

    /** This result marked as measured against the ceiling responder. */
    public LoadResult asCeiling() {
        return copy(true, warmupSeconds);
    }

    /** This result with the warm-up it followed, when that was more than its own run's lead-in. */
    LoadResult withWarmupSeconds(double seconds) {
        return copy(ceiling, seconds);
    }

    private LoadResult copy(boolean markedCeiling, double warmup) {
        return new LoadResult(protocol, target, markedCeiling, concurrency, rate, threads, keyDistribution, keyCount, tcpNewConnection,
                warmup, durationSeconds, requests, successes, errors, errorsByCode, throughputPerSecond, minMicros,
                meanMicros, p50Micros, p90Micros, p99Micros, p999Micros, maxMicros, lateAnswers, udpPackets, zipfExponent);
    }

    /** The result as an ordered map with the JSON field names ({@code throughput_per_s}, {@code p99_us}, ...). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("protocol", protocol.label());
        m.put("target", target);
        m.put("ceiling", ceiling);
        m.put("mode", rate == null ? "closed" : "open");
        m.put("concurrency", concurrency);
        m.put("rate", rate);
        m.put("threads", threads);
        m.put("keys", keyDistribution);
        if (keyDistribution.equals(KeyDistribution.ZIPF.label())) {
            m.put("zipf_exponent", zipfExponent);
        }
        m.put("key_count", keyCount);
        if (protocol == Protocol.TCP) {
            m.put("tcp_new_connection", tcpNewConnection);
        }
        m.put("warmup_s", round(warmupSeconds, 3));
        m.put("duration_s", round(durationSeconds, 3));
        m.put("requests", requests);
        m.put("successes", successes);
        m.put("errors", errors);
        m.put("errors_by_code", errorsByCode);
        m.put("throughput_per_s", round(throughputPerSecond, 1));
        m.put("min_us", minMicros);
        m.put("mean_us", round(meanMicros, 1));
        m.put("p50_us", p50Micros);
        m.put("p90_us", p90Micros);
        m.put("p99_us", p99Micros);
        m.put("p999_us", p999Micros);
        m.put("max_us", maxMicros);
        if (protocol == Protocol.UDP) {
            m.put("udp_packets", udpPackets);
            m.put("late_answers", lateAnswers);
        }
        return m;
    }

    /** One JSON object on one line. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toMap());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A short human-readable report, several lines, ending with a line break. */
    public String toText() {
        StringBuilder s = new StringBuilder();
        s.append(ceiling ? "ceiling (trivial responder)" : "resolve").append("  ").append(protocol.label());
        if (tcpNewConnection) {
            s.append(" (new connection per request)");
        }
        s.append("  target ").append(target).append('\n');
        s.append("  load        ").append(rate == null
                        ? "closed loop, " + concurrency + " in flight"
                        : String.format(Locale.ROOT, "open loop, %,.0f/s offered, at most %d in flight", rate, concurrency))
                .append(", ").append(threads).append(threads == 1 ? " thread" : " threads")
                .append(", ").append(keyDistribution)
                .append(keyDistribution.equals(KeyDistribution.ZIPF.label()) ? String.format(Locale.ROOT, " (s=%.2f)", zipfExponent) : "")
                .append(" over ").append(String.format(Locale.ROOT, "%,d", keyCount)).append(" keys\n");
        s.append(String.format(Locale.ROOT, "  duration    %.2f s (after %.1f s warm-up)%n", durationSeconds, warmupSeconds));
        s.append(String.format(Locale.ROOT, "  requests    %,d  (errors %,d)%n", requests, errors));
        s.append(String.format(Locale.ROOT, "  throughput  %,.0f /s%n", throughputPerSecond));
        s.append(String.format(Locale.ROOT, "  latency us  p50 %,d  p90 %,d  p99 %,d  p99.9 %,d  max %,d  (mean %,.0f)%n",
                p50Micros, p90Micros, p99Micros, p999Micros, maxMicros, meanMicros));
        if (!errorsByCode.isEmpty()) {
            s.append("  errors by code ");
            errorsByCode.forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
            s.append('\n');
        }
        if (protocol == Protocol.UDP && requests > 0) {
            s.append(String.format(Locale.ROOT, "  udp packets %,d answer packets (%.2f per answer)%n", udpPackets, (double) udpPackets / requests));
        }
        if (protocol == Protocol.UDP && lateAnswers > 0) {
            s.append(String.format(Locale.ROOT, "  late answers %,d (after their request timed out)%n", lateAnswers));
        }
        return s.toString();
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
