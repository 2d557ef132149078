package org.idnode.bench.register;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.idnode.bench.IdBench;
import org.idnode.bench.load.LoadException;
import org.idnode.server.IdentifierNode;
import org.idnode.server.cli.IdnodeCommand;
import org.idnode.server.config.NodeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registration mode against a real node (RocksDB, sockets on 127.0.0.1) with a real API token. */
class RegistrationLoadTest {
    @TempDir
    static Path dir;

    private static IdentifierNode node;
    private static String token;

    @BeforeAll
    static void startNode() {
        String data = dir.resolve("data").toString();
        cli("prefix", "add", "88.999.1", "--enterprise", "Bench Fab", "--admin-secret", "s1", "--data-dir", data);
        token = cli("token", "add", "88.999.1", "--name", "bench", "--data-dir", data);
        node = IdentifierNode.start(NodeConfig.defaults().withOverrides(dir.resolve("data"), 0, 0, 0, "127.0.0.1"));
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private static String cli(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(IdnodeCommand.run(args)).as(String.join(" ", args)).isZero();
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8).trim();
    }

    @Test
    void restBatchesAreDurablyRegisteredAndCounted() {
        RegistrationLoad.Result r = RegistrationLoad.run(new RegistrationLoad.Spec(RegistrationLoad.Transport.HTTP,
                node.httpAddress(), token, "88.999.1", 2500, 1000, 2));
        assertThat(r.accepted()).isEqualTo(2500);
        assertThat(r.refused()).isZero();
        assertThat(r.batchMicros().getTotalCount()).isEqualTo(4);   // 1250 per sender: batches of 1000 and 250
        assertThat(r.toMap()).containsKeys("records_per_s", "batch_p99_us", "errors", "generator_cpu_ms_per_1000");
        assertThat(r.generatorCpuMillisPer1000()).as("the generator used some CPU while sending").isPositive();
    }

    @Test
    void grpcStreamsAreDurablyRegisteredAndCounted() {
        RegistrationLoad.Result r = RegistrationLoad.run(new RegistrationLoad.Spec(RegistrationLoad.Transport.GRPC,
                node.grpcAddress().orElseThrow(), token, "88.999.1", 5000, 700, 2));
        assertThat(r.accepted()).isEqualTo(5000);
        assertThat(r.refused()).isZero();
        assertThat(r.toMap()).containsEntry("protocol", "grpc").containsEntry("batch_p50_us", null);
    }

    @Test
    void theCommandRegistersItsWarmupFirstUncountedAndStopsWhenTheWarmupIsRefused() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String target = "127.0.0.1:" + node.httpAddress().getPort();
        int code = IdBench.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                "register", "--protocol", "http", "--target", target, "--token", token, "--prefix", "88.999.1",
                "--count", "600", "--batch", "200", "--concurrency", "1", "--warmup-count", "400", "--json");
        assertThat(code).as(err.toString()).isZero();
        assertThat(err.toString()).contains("warm-up: 400 records");
        JsonObject json = JsonParser.parseString(out.toString().trim()).getAsJsonObject();
        assertThat(json.get("records").getAsLong()).isEqualTo(600);
        assertThat(json.get("accepted").getAsLong()).isEqualTo(600);

        code = IdBench.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                "register", "--protocol", "http", "--target", target, "--token", token, "--prefix", "88.999.2",
                "--count", "10", "--warmup-count", "10");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("the warm-up was refused 10 records");
    }

    @Test
    void recordsOutsideTheTokensPrefixAreCountedAsRefused() {
        RegistrationLoad.Result r = RegistrationLoad.run(new RegistrationLoad.Spec(RegistrationLoad.Transport.HTTP,
                node.httpAddress(), token, "88.999.2", 10, 10, 1));
        assertThat(r.accepted()).isZero();
        assertThat(r.refused()).isEqualTo(10);
        assertThat(r.firstRefusal()).contains("88.999.2/REG.");
    }

    @Test
    void aRunWhoseEncodedBatchesWouldNotFitTheHeapIsRefusedBeforeSending() {
        long tooMany = Runtime.getRuntime().maxMemory() / 100;   // far more than half the heap at > 200 bytes each
        assertThatThrownBy(() -> RegistrationLoad.run(new RegistrationLoad.Spec(RegistrationLoad.Transport.GRPC,
                node.grpcAddress().orElseThrow(), token, "88.999.1", tooMany, 1000, 2)))
                .isInstanceOf(LoadException.class).hasMessageContaining("of encoded batches").hasMessageContaining("-Xmx");
        assertThat(RegistrationLoad.run(new RegistrationLoad.Spec(RegistrationLoad.Transport.GRPC,
                node.grpcAddress().orElseThrow(), token, "88.999.1", 10, 10, 1)).accepted())
                .as("the next run goes through").isEqualTo(10);
    }

    @Test
    void aForgedTokenFailsTheRun() {
        assertThatThrownBy(() -> RegistrationLoad.run(new RegistrationLoad.Spec(RegistrationLoad.Transport.GRPC,
                node.grpcAddress().orElseThrow(), "idt_88.999.1~forged", "88.999.1", 10, 10, 1)))
                .isInstanceOf(LoadException.class);
        assertThatThrownBy(() -> RegistrationLoad.run(new RegistrationLoad.Spec(RegistrationLoad.Transport.HTTP,
                new InetSocketAddress("127.0.0.1", node.httpAddress().getPort()), "idt_88.999.1~forged", "88.999.1", 10, 10, 1)))
                .isInstanceOf(LoadException.class).hasMessageContaining("403");
    }
}
