package org.idnode.bench.register;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import org.HdrHistogram.Histogram;
import org.idnode.api.v1.BulkRegisterRequest;
import org.idnode.api.v1.BulkRegisterResponse;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.bench.load.LoadException;

/**
 * Durable batch registration against a node: {@code count} records of the anchor shape (six public
 * values, like the resolution benchmarks' answers) under one enterprise prefix, sent by
 * {@code concurrency} senders in batches of {@code batch} records, either as REST {@code POST /api/batch}
 * calls (each answered once the batch is durably written; its latency is recorded) or as gRPC
 * {@code BulkRegister} client streams with flow control (chunks of {@code batch} records; the node
 * requests the next chunk once the previous one is durable, so the stream's pace is the durable rate).
 * Identifiers are {@code <prefix>/REG.<run>.<n>}: a run never collides with an earlier one.
 *
 * <p>Threading: {@link #run} blocks the caller until every sender is done.
 */
public final class RegistrationLoad {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Transports the registration mode drives. */
    public enum Transport {
        HTTP, GRPC
    }

    /** What to run. */
    public record Spec(Transport transport, InetSocketAddress target, String token, String prefix, long count, int batch,
                       int concurrency) {
        public Spec {
            if (count < 1 || batch < 1 || batch > 2000 || concurrency < 1) {
                throw new IllegalArgumentException("count must be positive, batch from 1 to 2000, concurrency positive");
            }
        }
    }

    /** Measurements of one run; batch latencies only for HTTP (a stream has no per-batch answer). */
    public record Result(Spec spec, long accepted, long refused, double seconds, Histogram batchMicros, String firstRefusal) {
        public double recordsPerSecond() {
            return seconds == 0 ? 0 : (accepted + refused) / seconds;
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mode", "register");
            m.put("protocol", spec.transport().name().toLowerCase(Locale.ROOT));
            m.put("target", spec.target().getAddress().getHostAddress() + ":" + spec.target().getPort());
            m.put("records", spec.count());
            m.put("batch", spec.batch());
            m.put("concurrency", spec.concurrency());
            m.put("accepted", accepted);
            m.put("errors", refused);
            m.put("duration_s", seconds);
            m.put("records_per_s", recordsPerSecond());
            boolean latencies = batchMicros != null && batchMicros.getTotalCount() > 0;
            m.put("batch_p50_us", latencies ? batchMicros.getValueAtPercentile(50) : null);
            m.put("batch_p99_us", latencies ? batchMicros.getValueAtPercentile(99) : null);
            m.put("batch_p999_us", latencies ? batchMicros.getValueAtPercentile(99.9) : null);
            m.put("first_refusal", firstRefusal);
            return m;
        }

        public String toJson() {
            try {
                return JSON.writeValueAsString(toMap());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        public String toText() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "register over %s: %d records in batches of %d, %d senders%n",
                    spec.transport().name().toLowerCase(Locale.ROOT), spec.count(), spec.batch(), spec.concurrency()));
            b.append(String.format(Locale.ROOT, "  durable rate   %,.0f records/s (%.2f s)%n", recordsPerSecond(), seconds));
            b.append(String.format(Locale.ROOT, "  accepted %d, refused %d%n", accepted, refused));
            if (batchMicros != null && batchMicros.getTotalCount() > 0) {
                b.append(String.format(Locale.ROOT, "  batch latency  p50 %d us, p99 %d us, p99.9 %d us%n",
                        batchMicros.getValueAtPercentile(50), batchMicros.getValueAtPercentile(99), batchMicros.getValueAtPercentile(99.9)));
            }
            if (firstRefusal != null) {
                b.append("  first refusal: ").append(firstRefusal).append(System.lineSeparator());
            }
            return b.toString();
        }
    }

    private final Spec spec;
    private final String run = Long.toString(System.currentTimeMillis(), 36).toUpperCase(Locale.ROOT);
    /** {@code <prefix>/REG.<run>.}: every handle of the run starts with it. */
    private final String handlePrefix;
    private final String lotPrefix;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile String firstRefusal;

    private RegistrationLoad(Spec spec) {
        this.spec = spec;
        this.handlePrefix = spec.prefix() + "/REG." + run + ".";
        this.lotPrefix = spec.prefix() + "/PCB.LOT.";
    }

    /**
     * Runs the registration load.
     *
     * @throws LoadException when the node cannot be reached or refuses the calls as a whole
     */
    public static Result run(Spec spec) {
        return new RegistrationLoad(spec).execute();
    }

    private Result execute() {
        Histogram latencies = new Histogram(1, TimeUnit.MINUTES.toMicros(10), 3);
        List<Thread> senders = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        ManagedChannel channel = spec.transport() == Transport.GRPC
                ? NettyChannelBuilder.forAddress(spec.target()).usePlaintext().build() : null;
        HttpClient http = spec.transport() == Transport.HTTP
                ? HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build() : null;
        long start = System.nanoTime();
        for (int s = 0; s < spec.concurrency(); s++) {
            long from = spec.count() * s / spec.concurrency();
            long to = spec.count() * (s + 1) / spec.concurrency();
            Thread t = new Thread(() -> {
                try {
                    if (http != null) {
                        sendHttp(http, from, to, latencies);
                    } else {
                        sendStream(channel, from, to);
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }, "idbench-register-" + s);
            t.start();
            senders.add(t);
        }
        try {
            for (Thread t : senders) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoadException("interrupted", e);
        } finally {
            if (channel != null) {
                channel.shutdownNow();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) {
            Throwable f = failures.get(0);
            throw new LoadException("registration over " + spec.transport() + " failed: " + f.getMessage(), f);
        }
        return new Result(spec, accepted.get(), refused.get(), seconds, http != null ? latencies : null, firstRefusal);
    }

    private String handle(long n) {
        return handlePrefix + zeroPadded(n, 9);
    }

    /** {@code n} in decimal with leading zeros to {@code width} digits (String.format costs the generator dearly). */
    private static String zeroPadded(long n, int width) {
        String digits = Long.toString(n);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }

    private void sendHttp(HttpClient http, long from, long to, Histogram latencies) throws IOException, InterruptedException {
        URI uri = URI.create("http://" + spec.target().getAddress().getHostAddress() + ":" + spec.target().getPort() + "/api/batch");
        for (long first = from; first < to; first += spec.batch()) {
            long last = Math.min(to, first + spec.batch());
            StringBuilder body = new StringBuilder(512 * (int) (last - first)).append("{\"records\":[");
            for (long n = first; n < last; n++) {
                if (n > first) {
                    body.append(',');
                }
                appendJson(body, n);
            }
            body.append("]}");
            HttpRequest req = HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + spec.token())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                    .build();
            long t0 = System.nanoTime();
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            long micros = (System.nanoTime() - t0) / 1000;
            if (resp.statusCode() != 200) {
                throw new LoadException("POST /api/batch answered " + resp.statusCode() + ": " + resp.body());
            }
            JsonNode json = JSON.readTree(resp.body());
            accepted.addAndGet(json.path("accepted").asLong());
            long refusedHere = json.path("refused").asLong();
            if (refusedHere > 0) {
                refused.addAndGet(refusedHere);
                for (JsonNode r : json.path("results")) {
                    if (r.path("responseCode").asInt() != 1 && firstRefusal == null) {
                        firstRefusal = r.toString();
                        break;
                    }
                }
            }
            synchronized (latencies) {
                latencies.recordValue(Math.max(1, micros));
            }
        }
    }

    private void appendJson(StringBuilder b, long n) {
        String h = handle(n);
        b.append("{\"handle\":\"").append(h).append("\",\"values\":[");
        String[] values = values(n);
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"index\":").append(i + 1).append(",\"type\":\"").append(TYPES[i])
                    .append("\",\"data\":{\"format\":\"string\",\"value\":\"").append(values[i]).append("\"}}");
        }
        b.append("]}");
    }

    private HandleRecord record(long n) {
        String h = handle(n);
        HandleRecord.Builder r = HandleRecord.newBuilder().setHandle(h);
        String[] values = values(n);
        for (int i = 0; i < values.length; i++) {
            r.addValues(HandleValue.newBuilder().setIndex(i + 1).setType(TYPES[i])
                    .setData(ByteString.copyFromUtf8(values[i])).setTtl(86400).setDefaultPermissions(true));
        }
        return r.build();
    }

    /** The types of the six values, in index order. */
    private static final String[] TYPES = {"URL", "SERIAL", "WORK_ORDER", "DATE", "REF.PCB_LOT", "FCT_RESULT"};

    /** Six public values (types {@link #TYPES}), about 380 bytes answered: the anchor record shape. */
    private String[] values(long n) {
        String serial = "SN" + zeroPadded(n, 10);
        return new String[] {"https://example.com/u/" + serial, serial, "WO-" + (n / 1000), "2026-11-21", lotPrefix + (n / 500), "PASS"};
    }

    private void sendStream(ManagedChannel channel, long from, long to) throws InterruptedException {
        Metadata auth = new Metadata();
        auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + spec.token());
        IdentifierServiceGrpc.IdentifierServiceStub stub = IdentifierServiceGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
        CompletableFuture<BulkRegisterResponse> done = new CompletableFuture<>();
        CountDownLatch finished = new CountDownLatch(1);
        StreamSender sender = new StreamSender(from, to, done, finished);
        stub.bulkRegister(sender);
        finished.await();
        BulkRegisterResponse summary = done.join();
        accepted.addAndGet(summary.getAccepted());
        refused.addAndGet(summary.getRefused());
        if (summary.getRefusalsCount() > 0 && firstRefusal == null) {
            firstRefusal = summary.getRefusals(0).toString().replace('\n', ' ');
        }
    }

    /** Sends chunks while the stream is ready (gRPC flow control), on gRPC's callback thread. */
    private final class StreamSender implements ClientResponseObserver<BulkRegisterRequest, BulkRegisterResponse> {
        private final long to;
        private final CompletableFuture<BulkRegisterResponse> done;
        private final CountDownLatch finished;
        private long next;
        private boolean halfClosed;
        private ClientCallStreamObserver<BulkRegisterRequest> requests;

        StreamSender(long from, long to, CompletableFuture<BulkRegisterResponse> done, CountDownLatch finished) {
            this.next = from;
            this.to = to;
            this.done = done;
            this.finished = finished;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<BulkRegisterRequest> requestStream) {
            requests = requestStream;
            requestStream.setOnReadyHandler(this::pump);
        }

        private synchronized void pump() {
            while (requests.isReady() && next < to) {
                long last = Math.min(to, next + spec.batch());
                BulkRegisterRequest.Builder chunk = BulkRegisterRequest.newBuilder();
                for (long n = next; n < last; n++) {
                    chunk.addRecords(record(n));
                }
                requests.onNext(chunk.build());
                next = last;
            }
            if (next >= to && !halfClosed) {
                halfClosed = true;
                requests.onCompleted();
            }
        }

        @Override
        public void onNext(BulkRegisterResponse value) {
            done.complete(value);
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
            finished.countDown();
        }

        @Override
        public void onCompleted() {
            if (!done.isDone()) {
                done.completeExceptionally(new LoadException("the stream ended without a summary"));
            }
            finished.countDown();
        }
    }
}
