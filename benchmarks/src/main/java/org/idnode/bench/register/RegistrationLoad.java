package org.idnode.bench.register;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
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
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
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
 * Identifiers are {@code <prefix>/REG.<run>.<n>}: a run never collides with an earlier one. Every batch is
 * encoded (JSON body or protobuf message bytes) before the clock starts and held in memory, about half a kilobyte
 * per record: the measured run spends the generator's CPU on sending and reading answers only.
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

    /**
     * Measurements of one run; batch latencies only for HTTP (a stream has no per-batch answer). {@code generatorCpuSeconds}
     * is the CPU time this whole process used while the clock ran (every thread, the JIT and GC included): what the
     * generator took from a machine it shares with the node.
     */
    public record Result(Spec spec, long accepted, long refused, double seconds, Histogram batchMicros, String firstRefusal,
                         double generatorCpuSeconds) {
        public double recordsPerSecond() {
            return seconds == 0 ? 0 : (accepted + refused) / seconds;
        }

        /** The generator's CPU time per 1000 records sent, in milliseconds. */
        public double generatorCpuMillisPer1000() {
            long records = accepted + refused;
            return records == 0 ? 0 : generatorCpuSeconds * 1e6 / records;
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
            m.put("generator_cpu_ms_per_1000", generatorCpuMillisPer1000());
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
            b.append(String.format(Locale.ROOT, "  generator CPU  %.1f ms per 1000 records%n", generatorCpuMillisPer1000()));
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
        checkMemory();
        Histogram latencies = new Histogram(1, TimeUnit.MINUTES.toMicros(10), 3);
        List<Thread> senders = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        ManagedChannel channel = spec.transport() == Transport.GRPC
                ? NettyChannelBuilder.forAddress(spec.target()).usePlaintext().build() : null;
        HttpClient http = spec.transport() == Transport.HTTP
                ? HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build() : null;
        // Every sender encodes all its batches before the clock starts: the measured run spends the generator's CPU
        // on sending only, not on building records, so it takes as little as it can of what the node could use.
        CyclicBarrier start = new CyclicBarrier(spec.concurrency() + 1);
        for (int s = 0; s < spec.concurrency(); s++) {
            long from = spec.count() * s / spec.concurrency();
            long to = spec.count() * (s + 1) / spec.concurrency();
            Thread t = new Thread(() -> {
                try {
                    List<byte[]> batches = encodeBatches(from, to);
                    start.await();
                    if (http != null) {
                        sendHttp(http, batches, latencies);
                    } else {
                        sendStream(channel, batches);
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                    start.reset(); // the others stop waiting: the run is reported as failed with this cause first
                }
            }, "idbench-register-" + s);
            t.start();
            senders.add(t);
        }
        long begin;
        long cpuBegin;
        try {
            try {
                start.await();
            } catch (BrokenBarrierException e) {
                // A sender failed before sending; the failure is reported below.
            }
            begin = System.nanoTime();
            cpuBegin = processCpuNanos();
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
        double seconds = (System.nanoTime() - begin) / 1e9;
        double cpuSeconds = (processCpuNanos() - cpuBegin) / 1e9;
        if (!failures.isEmpty()) {
            Throwable f = failures.get(0);
            throw new LoadException("registration over " + spec.transport() + " failed: " + f.getMessage(), f);
        }
        return new Result(spec, accepted.get(), refused.get(), seconds, http != null ? latencies : null, firstRefusal, cpuSeconds);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Refuses a run whose encoded batches would not fit comfortably in this JVM's heap. */
    private void checkMemory() {
        StringBuilder one = new StringBuilder();
        appendJson(one, 0);
        long perRecord = spec.transport() == Transport.HTTP ? one.length() + 1 : record(0).getSerializedSize() + 4;
        long needed = perRecord * spec.count();
        long max = Runtime.getRuntime().maxMemory();
        if (needed > max / 2) {
            throw new LoadException(String.format(Locale.ROOT, "%,d records are about %,d MB of encoded batches, more than half "
                    + "of idbench's heap (%,d MB): register fewer records per run or give idbench more heap (java -Xmx...)",
                    spec.count(), needed >> 20, max >> 20));
        }
    }

    /** The batches of records {@code from} (inclusive) to {@code to}, each as the bytes one call or stream message carries. */
    private List<byte[]> encodeBatches(long from, long to) {
        List<byte[]> batches = new ArrayList<>();
        for (long first = from; first < to; first += spec.batch()) {
            long last = Math.min(to, first + spec.batch());
            if (spec.transport() == Transport.HTTP) {
                StringBuilder body = new StringBuilder(512 * (int) (last - first)).append("{\"records\":[");
                for (long n = first; n < last; n++) {
                    if (n > first) {
                        body.append(',');
                    }
                    appendJson(body, n);
                }
                batches.add(body.append("]}").toString().getBytes(StandardCharsets.UTF_8));
            } else {
                BulkRegisterRequest.Builder chunk = BulkRegisterRequest.newBuilder();
                for (long n = first; n < last; n++) {
                    chunk.addRecords(record(n));
                }
                batches.add(chunk.build().toByteArray());
            }
        }
        return batches;
    }

    private String handle(long n) {
        return handlePrefix + zeroPadded(n, 9);
    }

    /** {@code n} in decimal with leading zeros to {@code width} digits (String.format costs the generator dearly). */
    private static String zeroPadded(long n, int width) {
        String digits = Long.toString(n);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }

    private void sendHttp(HttpClient http, List<byte[]> batches, Histogram latencies) throws IOException, InterruptedException {
        URI uri = URI.create("http://" + spec.target().getAddress().getHostAddress() + ":" + spec.target().getPort() + "/api/batch");
        for (byte[] body : batches) {
            HttpRequest req = HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + spec.token())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            long t0 = System.nanoTime();
            HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            long micros = (System.nanoTime() - t0) / 1000;
            if (resp.statusCode() != 200) {
                throw new LoadException("POST /api/batch answered " + resp.statusCode() + ": "
                        + new String(resp.body(), StandardCharsets.UTF_8));
            }
            countAnswer(resp.body());
            synchronized (latencies) {
                latencies.recordValue(Math.max(1, micros));
            }
        }
    }

    /**
     * Counts a batch answer, {@code {"accepted": A, "refused": R, "results": [...]}}, reading the per-record results
     * only when some were refused (a streaming read: the thousand results of an accepted batch are skipped, not built).
     */
    private void countAnswer(byte[] body) throws IOException {
        long refusedHere = 0;
        try (JsonParser p = JSON.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new LoadException("POST /api/batch answered no JSON object: " + new String(body, StandardCharsets.UTF_8));
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "accepted" -> accepted.addAndGet(p.getLongValue());
                    case "refused" -> {
                        refusedHere = p.getLongValue();
                        refused.addAndGet(refusedHere);
                    }
                    case "results" -> {
                        if (refusedHere > 0 && firstRefusal == null) {
                            for (JsonNode r : (JsonNode) p.readValueAsTree()) {
                                if (r.path("responseCode").asInt() != 1) {
                                    firstRefusal = r.toString();
                                    break;
                                }
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
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

    /**
     * {@code BulkRegister} with requests sent as the bytes {@link #encodeBatches} made (the node reads ordinary
     * {@link BulkRegisterRequest} messages).
     */
    private static final MethodDescriptor<byte[], BulkRegisterResponse> BULK_REGISTER_ENCODED =
            IdentifierServiceGrpc.getBulkRegisterMethod().toBuilder(new EncodedRequests(),
                    ProtoUtils.marshaller(BulkRegisterResponse.getDefaultInstance())).build();

    private void sendStream(ManagedChannel channel, List<byte[]> batches) throws InterruptedException {
        Metadata auth = new Metadata();
        auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + spec.token());
        Channel authorized = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(auth));
        CompletableFuture<BulkRegisterResponse> done = new CompletableFuture<>();
        CountDownLatch finished = new CountDownLatch(1);
        StreamSender sender = new StreamSender(batches, done, finished);
        ClientCalls.asyncClientStreamingCall(authorized.newCall(BULK_REGISTER_ENCODED, CallOptions.DEFAULT), sender);
        finished.await();
        BulkRegisterResponse summary = done.join();
        accepted.addAndGet(summary.getAccepted());
        refused.addAndGet(summary.getRefused());
        if (summary.getRefusalsCount() > 0 && firstRefusal == null) {
            firstRefusal = summary.getRefusals(0).toString().replace('\n', ' ');
        }
    }

    /** Request bytes sent as they are (gRPC copies them once into its frame, as it does a message it serialises). */
    private static final class EncodedRequests implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            throw new UnsupportedOperationException("idbench never reads its own requests");
        }
    }

    /** Sends chunks while the stream is ready (gRPC flow control), on gRPC's callback thread. */
    private static final class StreamSender implements ClientResponseObserver<byte[], BulkRegisterResponse> {
        private final List<byte[]> batches;
        private final CompletableFuture<BulkRegisterResponse> done;
        private final CountDownLatch finished;
        private int next;
        private boolean halfClosed;
        private ClientCallStreamObserver<byte[]> requests;

        StreamSender(List<byte[]> batches, CompletableFuture<BulkRegisterResponse> done, CountDownLatch finished) {
            this.batches = batches;
            this.done = done;
            this.finished = finished;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<byte[]> requestStream) {
            requests = requestStream;
            requestStream.setOnReadyHandler(this::pump);
        }

        private synchronized void pump() {
            while (requests.isReady() && next < batches.size()) {
                requests.onNext(batches.get(next++));
            }
            if (next >= batches.size() && !halfClosed) {
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
