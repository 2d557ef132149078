package org.idnode.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.api.v1.RegisterRequest;
import org.idnode.api.v1.ResolveRequest;

/**
 * The load process of {@link GracefulShutdownTest}: reads and writes against a node over REST and gRPC, from several
 * threads, until the node is gone, and writes one line per request to a file: {@code kind handle outcome detail},
 * outcome being {@code OK} (answered), {@code REFUSED} (HTTP 503, gRPC {@code UNAVAILABLE}), {@code UNREACHABLE} (no
 * HTTP answer at all: connection refused or closed) or {@code BAD} (any other answer). Writes register a new handle
 * each ({@code overwrite=false}), so that a request the node executed twice would show as {@code BAD}. Prints
 * {@code ready} once every kind has had an answer.
 *
 * <p>Arguments: HTTP port, gRPC port, API token for 88.999.2, a handle to read, the output file.
 */
public final class ShutdownLoad {
    private static final int THREADS_PER_KIND = 2;
    /** A worker stops after this many answers in a row that are not OK (the node has stopped). */
    private static final int STOP_AFTER_FAILURES = 5;
    private static final Duration MAX_RUN = Duration.ofSeconds(120);

    private final String base;
    private final String token;
    private final String readHandle;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    private final ManagedChannel channel;
    private final ConcurrentLinkedQueue<String> results = new ConcurrentLinkedQueue<>();

    private ShutdownLoad(int httpPort, int grpcPort, String token, String readHandle) {
        this.base = "http://127.0.0.1:" + httpPort;
        this.token = token;
        this.readHandle = readHandle;
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    }

    public static void main(String[] args) throws Exception {
        ShutdownLoad load = new ShutdownLoad(Integer.parseInt(args[0]), Integer.parseInt(args[1]), args[2], args[3]);
        load.run(Path.of(args[4]));
        System.exit(0);
    }

    private interface Request {
        /** Sends request number {@code n}; returns {@code handle outcome detail}. */
        String send(int n);
    }

    private void run(Path out) throws Exception {
        List<String> kinds = List.of("rest-put", "rest-get", "grpc-register", "grpc-resolve");
        CountDownLatch firstAnswers = new CountDownLatch(kinds.size() * THREADS_PER_KIND);
        List<Thread> workers = new ArrayList<>();
        for (String kind : kinds) {
            for (int t = 0; t < THREADS_PER_KIND; t++) {
                Request request = request(kind, t);
                Thread w = new Thread(() -> work(kind, request, firstAnswers), kind + "-" + t);
                workers.add(w);
                w.start();
            }
        }
        if (firstAnswers.await(60, TimeUnit.SECONDS)) {
            System.out.println("ready");
            System.out.flush();
        }
        for (Thread w : workers) {
            w.join(MAX_RUN.toMillis() + 30_000);
        }
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        Files.write(out, new ArrayList<>(results), StandardCharsets.UTF_8);
    }

    private void work(String kind, Request request, CountDownLatch firstAnswers) {
        long deadline = System.nanoTime() + MAX_RUN.toNanos();
        int failuresInARow = 0;
        boolean counted = false;
        for (int n = 0; failuresInARow < STOP_AFTER_FAILURES && System.nanoTime() < deadline; n++) {
            String result = request.send(n);
            results.add(kind + " " + result);
            if (result.contains(" OK ")) {
                failuresInARow = 0;
                if (!counted) {
                    counted = true;
                    firstAnswers.countDown();
                }
            } else {
                failuresInARow++;
                sleep(100);
            }
        }
    }

    private Request request(String kind, int thread) {
        switch (kind) {
            case "rest-put":
                return n -> {
                    String handle = "88.999.2/SD-REST-" + thread + "-" + n;
                    String body = "{\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/" + n + "\"}}]}";
                    return rest(handle, HttpRequest.newBuilder(URI.create(base + "/api/handles/" + handle + "?overwrite=false"))
                            .header("Authorization", "Bearer " + token).PUT(HttpRequest.BodyPublishers.ofString(body)), 201);
                };
            case "rest-get":
                return n -> rest(readHandle, HttpRequest.newBuilder(URI.create(base + "/api/handles/" + readHandle)).GET(), 200);
            case "grpc-register":
                Metadata auth = new Metadata();
                auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
                IdentifierServiceGrpc.IdentifierServiceBlockingStub writer = IdentifierServiceGrpc.newBlockingStub(channel)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
                return n -> {
                    String handle = "88.999.2/SD-GRPC-" + thread + "-" + n;
                    return grpc(handle, () -> writer.withDeadlineAfter(30, TimeUnit.SECONDS).register(RegisterRequest.newBuilder()
                            .setRecord(HandleRecord.newBuilder().setHandle(handle).addValues(HandleValue.newBuilder().setIndex(1).setType("URL")
                                    .setData(ByteString.copyFromUtf8("https://example.com/" + n)).setPublicRead(true).setAdminRead(true)
                                    .setAdminWrite(true))).build()));
                };
            default:
                IdentifierServiceGrpc.IdentifierServiceBlockingStub reader = IdentifierServiceGrpc.newBlockingStub(channel);
                return n -> grpc(readHandle, () -> reader.withDeadlineAfter(30, TimeUnit.SECONDS)
                        .resolve(ResolveRequest.newBuilder().setHandle(readHandle).build()));
        }
    }

    private String rest(String handle, HttpRequest.Builder request, int okStatus) {
        try {
            HttpResponse<String> resp = http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() == okStatus) {
                return handle + " OK " + resp.statusCode();
            }
            return handle + (resp.statusCode() == 503 ? " REFUSED " : " BAD ") + resp.statusCode() + " " + oneLine(resp.body());
        } catch (IOException e) {
            return handle + " UNREACHABLE " + oneLine(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return handle + " BAD interrupted";
        }
    }

    private static String grpc(String handle, Runnable call) {
        try {
            call.run();
            return handle + " OK -";
        } catch (StatusRuntimeException e) {
            return handle + (e.getStatus().getCode() == Status.Code.UNAVAILABLE ? " REFUSED " : " BAD ") + oneLine(e.getStatus().toString());
        }
    }

    private static String oneLine(String s) {
        return s == null ? "-" : s.replaceAll("\\s+", " ");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
