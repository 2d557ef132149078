package org.idnode.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.idnode.api.v1.BulkRefusal;
import org.idnode.api.v1.BulkRegisterResponse;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.ResolveResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bulk registration streams against a real node process: 100 000 records with flow control, refusals by position. */
class BulkRegistrationTest {
    static final String OWN = "88.999.7";
    static final int COUNT = 100_000;

    @TempDir
    static Path tmp;
    static NodeProcess node;
    static String token;

    @BeforeAll
    static void startNode() throws Exception {
        Path config = NodeProcess.writeConfig(tmp.resolve("conf"));
        Path data = tmp.resolve("data");
        NodeProcess.importSample(config, data);
        NodeProcess.addPrefix(config, data, OWN, "SDK Test Co.");
        token = NodeProcess.addToken(config, data, OWN, "sdk-bulk");
        node = NodeProcess.start(data, config, true);
    }

    @AfterAll
    static void stopNode() throws InterruptedException {
        if (node != null) {
            node.close();
        }
    }

    static IdClient.Builder client() {
        return IdClient.builder().endpoints(node.grpcAddress()).callTimeout(Duration.ofSeconds(60)).token(token);
    }

    static String handle(int i) {
        return String.format("%s/BULK.%06d", OWN, i);
    }

    static HandleRecord record(int i) {
        return Values.record(handle(i),
                Values.text(1, "URL", "https://example.com/bulk/" + i),
                Values.text(2, "DESC", "bulk record " + i),
                Values.reference(3, "REF.PCB_LOT", "88.999.2/PCB.87.01.01.A2.250601.000123"));
    }

    @Test
    void aStreamOf100kRecordsIsWrittenWithItsRefusalsNamedByPosition() {
        // Records the node must refuse: another enterprise's prefix, and a record that breaks its template.
        Map<Integer, HandleRecord> bad = new TreeMap<>();
        bad.put(7, Values.record("88.999.2/BULK-FOREIGN-7", Values.text(1, "URL", "https://example.com/x")));
        bad.put(50_001, IdClientTest.cclLot(OWN + "/BULK-BADTPL-50001", "99"));
        bad.put(COUNT - 1, Values.record("88.999.2/BULK-FOREIGN-LAST", Values.text(1, "URL", "https://example.com/x")));
        BulkRegisterResponse summary;
        try (IdClient writer = client().build(); BulkRegistration bulk = writer.bulkRegister()) {
            for (int i = 0; i < COUNT; i++) {
                bulk.add(bad.containsKey(i) ? bad.get(i) : record(i));
            }
            assertThat(bulk.sent()).isEqualTo(COUNT);
            summary = bulk.finish();
            assertThatThrownBy(() -> bulk.add(record(0))).isInstanceOf(IllegalStateException.class);
        }
        assertThat(summary.getAccepted()).isEqualTo(COUNT - bad.size());
        assertThat(summary.getRefused()).isEqualTo(bad.size());
        assertThat(summary.getRefusalsList()).extracting(BulkRefusal::getSequence).containsExactly(7L, 50_001L, (long) COUNT - 1);
        assertThat(summary.getRefusals(0).getHandle()).isEqualToIgnoringCase("88.999.2/BULK-FOREIGN-7");
        assertThat(summary.getRefusals(0).getError().getResponseCode()).isIn(400, 401);
        assertThat(summary.getRefusals(1).getError().getResponseCode()).isEqualTo(202);
        assertThat(summary.getRefusals(1).getError().getFieldErrorsList()).isNotEmpty();

        // A sample of the written records, read back uncached.
        Random random = new Random(42);
        List<Integer> sample = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            int n = random.nextInt(COUNT);
            if (!bad.containsKey(n)) {
                sample.add(n);
            }
        }
        sample.addAll(List.of(0, 6, 8, 50_000, COUNT - 2));
        try (IdClient reader = IdClient.builder().endpoints(node.grpcAddress()).cacheMaxEntries(0).callTimeout(Duration.ofSeconds(60)).build()) {
            List<ResolveResult> results = reader.resolveBatch(sample.stream().map(BulkRegistrationTest::handle).toList());
            for (int k = 0; k < sample.size(); k++) {
                HandleRecord r = results.get(k).getRecord();
                assertThat(Values.text(Values.find(r, "URL").orElseThrow())).isEqualTo("https://example.com/bulk/" + sample.get(k));
            }
            List<ResolveResult> refused = reader.resolveBatch(List.of("88.999.2/BULK-FOREIGN-7", OWN + "/BULK-BADTPL-50001", handle(7)));
            assertThat(refused).allMatch(r -> r.hasError() && r.getError().getResponseCode() == 100);
        }
    }

    @Test
    void anEmptyStreamFinishesWithAnEmptySummaryAndAClosedOneRefusesMore() {
        try (IdClient writer = client().build()) {
            try (BulkRegistration bulk = writer.bulkRegister(2)) {
                BulkRegisterResponse s = bulk.finish();
                assertThat(s.getAccepted()).isZero();
                assertThat(s.getRefused()).isZero();
            }
            BulkRegistration abandoned = writer.bulkRegister(10);
            abandoned.add(record(COUNT + 1));
            abandoned.close();
            assertThatThrownBy(() -> abandoned.add(record(COUNT + 2))).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> writer.bulkRegister(2001)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aStreamMovesToTheNextEndpointWhenTheFirstRefusesTheConnection() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (IdClient writer = IdClient.builder().endpoints("127.0.0.1:" + closedPort, node.grpcAddress()).token(token).build();
                BulkRegistration bulk = writer.bulkRegister(100)) {
            for (int i = 0; i < 1000; i++) {
                bulk.add(record(200_000 + i));
            }
            BulkRegisterResponse s = bulk.finish();
            assertThat(s.getAccepted()).isEqualTo(1000);
            assertThat(writer.resolve(handle(200_999)).getHandle()).isEqualToIgnoringCase(handle(200_999));
        }
    }
}
