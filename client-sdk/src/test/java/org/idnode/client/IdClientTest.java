package org.idnode.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.grpc.Status;
import org.idnode.api.v1.BatchRegisterResponse;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.RegisterResponse;
import org.idnode.api.v1.ResolveRequest;
import org.idnode.api.v1.ResolveResult;
import org.idnode.api.v1.Template;
import org.idnode.api.v1.TemplateItem;
import org.idnode.api.v1.TraceDirection;
import org.idnode.api.v1.TraceNode;
import org.idnode.api.v1.TraceResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK against one real node process (gRPC on): resolution, batch, trace, restricted values with and without a token,
 * registration and its failures, templates, and the local cache (TTL expiry, negative answers, write-through).
 */
class IdClientTest {
    static final String PCB = "88.999.2/PCB.87.01.01.A2.250601.000123";
    static final String CCL = "88.999.1/CCL.28.01.01.FR4S1141.250601.000123";
    static final String PCBA = "88.999.4/PCBA.87.02.01.CTRLA2.250616.000401";
    static final String LARGE_PANEL = "88.999.2/PNL.87.01.01.A2.250601.000201";
    /** The enterprise prefix the tests write under. */
    static final String OWN = "88.999.7";

    @TempDir
    static Path tmp;
    static NodeProcess node;
    /** Acts as the PCB fab (88.999.2), owner of the PCB lots' restricted values. */
    static String fabToken;
    /** Acts as the admin of 88.999.7. */
    static String writerToken;

    @BeforeAll
    static void startNode() throws Exception {
        Path config = NodeProcess.writeConfig(tmp.resolve("conf"));
        Path data = tmp.resolve("data");
        NodeProcess.importSample(config, data);
        NodeProcess.addPrefix(config, data, OWN, "SDK Test Co.");
        fabToken = NodeProcess.addToken(config, data, "88.999.2", "sdk-reader");
        writerToken = NodeProcess.addToken(config, data, OWN, "sdk-writer");
        node = NodeProcess.start(data, config, true);
    }

    @AfterAll
    static void stopNode() throws InterruptedException {
        if (node != null) {
            node.close();
        }
    }

    static IdClient.Builder client() {
        return IdClient.builder().endpoints(node.grpcAddress()).callTimeout(Duration.ofSeconds(20));
    }

    static List<String> types(HandleRecord r) {
        return r.getValuesList().stream().map(HandleValue::getType).toList();
    }

    static String text(HandleRecord r, String type) {
        return Values.text(Values.find(r, type).orElseThrow(() -> new AssertionError("no " + type + " in " + types(r))));
    }

    // -----------------------------------------------------------------------------------------------------------------
    // Resolution
    // -----------------------------------------------------------------------------------------------------------------

    @Test
    void resolvesARecordWithoutItsRestrictedValues() {
        try (IdClient anonymous = client().build()) {
            HandleRecord pcb = anonymous.resolve(PCB);
            assertThat(pcb.getHandle()).isEqualToIgnoringCase(PCB);
            assertThat(text(pcb, "URL")).isEqualTo("https://example.com/pcb/lot/A2-000123");
            assertThat(text(pcb, "LAYER_COUNT")).isEqualTo("4");
            assertThat(text(pcb, "REF.CCL_LOT")).isEqualTo(CCL);
            assertThat(types(pcb)).doesNotContain("PROCESS_YIELD", "UNIT_COST").hasSize(24);
            assertThat(pcb.getValuesList()).allMatch(HandleValue::getPublicRead);
        }
    }

    @Test
    void aTokenOfTheOwnerReadsRestrictedValuesAndAnotherEnterprisesTokenDoesNot() {
        try (IdClient owner = client().token(fabToken).build(); IdClient stranger = client().token(writerToken).build()) {
            HandleRecord pcb = owner.resolve(PCB);
            assertThat(text(pcb, "PROCESS_YIELD")).isEqualTo("96.4");
            assertThat(text(pcb, "UNIT_COST")).isEqualTo("12.80");
            assertThat(Values.find(pcb, "UNIT_COST").orElseThrow().getPublicRead()).isFalse();
            assertThat(types(stranger.resolve(PCB))).contains("URL").doesNotContain("PROCESS_YIELD", "UNIT_COST");
            assertThat(owner.resolveBatch(List.of(PCB)).get(0).getRecord().getValuesList())
                    .extracting(HandleValue::getType).contains("PROCESS_YIELD");
        }
    }

    @Test
    void anUnknownIdentifierFailsWithHandleNotFound() {
        try (IdClient c = client().build()) {
            assertThatThrownBy(() -> c.resolve("88.999.2/NO-SUCH-LOT"))
                    .isInstanceOfSatisfying(IdNodeException.class, e -> {
                        assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
                        assertThat(e.reason()).isEqualTo("HANDLE_NOT_FOUND");
                        assertThat(e.responseCode()).isEqualTo(100);
                        assertThat(e.handle()).isEqualToIgnoringCase("88.999.2/NO-SUCH-LOT");
                        assertThat(e.isNotFound()).isTrue();
                    });
        }
    }

    @Test
    void filtersSelectIndexesAndTypesWithTheirSubTypes() {
        try (IdClient c = client().build()) {
            HandleRecord urlOnly = c.resolve(ResolveRequest.newBuilder().setHandle(PCB).addTypes("URL").build());
            assertThat(types(urlOnly)).containsExactly("URL");
            // As in the Handle protocol, a type ending in "." selects its family.
            HandleRecord refs = c.resolve(ResolveRequest.newBuilder().setHandle(PCBA).addTypes("REF.").build());
            assertThat(types(refs)).containsExactlyInAnyOrder("REF.PCB_LOT", "REF.REEL", "REF.REEL", "REF.REEL", "REF.REEL", "REF.REEL");
            HandleRecord two = c.resolve(ResolveRequest.newBuilder().setHandle(PCBA).addIndexes(1).addIndexes(2010).build());
            assertThat(two.getValuesList()).extracting(HandleValue::getIndex).containsExactlyInAnyOrder(1, 2010);
            // The unfiltered record is cached apart from the filtered ones.
            assertThat(c.resolve(PCBA).getValuesCount()).isEqualTo(20);
            assertThatThrownBy(() -> c.resolve(ResolveRequest.newBuilder().setHandle(PCBA).addTypes("NO_SUCH_TYPE").build()))
                    .isInstanceOfSatisfying(IdNodeException.class, e -> {
                        assertThat(e.reason()).isEqualTo("VALUES_NOT_FOUND");
                        assertThat(e.responseCode()).isEqualTo(200);
                        assertThat(e.isNotFound()).as("the identifier exists").isFalse();
                    });
        }
    }

    @Test
    void asynchronousResolutionsCompleteWithRecordsOrIdNodeException() throws Exception {
        try (IdClient c = client().build()) {
            List<CompletableFuture<HandleRecord>> futures = new ArrayList<>();
            for (String h : List.of(PCB, CCL, PCBA, LARGE_PANEL)) {
                futures.add(c.resolveAsync(h));
            }
            CompletableFuture<HandleRecord> missing = c.resolveAsync("88.999.1/NO-SUCH-LOT");
            for (CompletableFuture<HandleRecord> f : futures) {
                assertThat(f.get(30, TimeUnit.SECONDS).getValuesCount()).isPositive();
            }
            assertThat(futures.get(3).get().getValuesCount()).isEqualTo(21);
            assertThatThrownBy(() -> missing.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(IdNodeException.class, e -> assertThat(e.reason()).isEqualTo("HANDLE_NOT_FOUND"));
        }
    }

    @Test
    void aBatchAnswersEveryHandleInOrderAcrossSeveralCalls() throws Exception {
        List<String> handles = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            handles.add(i % 5 == 0 ? PCB : i % 5 == 1 ? CCL : i % 5 == 2 ? PCBA : i % 5 == 3 ? "88.999.1/MISSING-" + i : LARGE_PANEL);
        }
        try (IdClient uncached = client().cacheMaxEntries(0).build(); IdClient cached = client().build()) {
            for (IdClient c : List.of(uncached, cached)) {
                List<ResolveResult> results = c.resolveBatchAsync(handles).get(60, TimeUnit.SECONDS);
                assertThat(results).hasSize(handles.size());
                for (int i = 0; i < handles.size(); i++) {
                    ResolveResult r = results.get(i);
                    if (handles.get(i).contains("MISSING")) {
                        assertThat(r.hasError()).as("result %d", i).isTrue();
                        assertThat(r.getError().getResponseCode()).isEqualTo(100);
                        assertThat(r.getError().getReason()).isEqualTo("HANDLE_NOT_FOUND");
                    } else {
                        assertThat(r.getRecord().getHandle()).as("result %d", i).isEqualToIgnoringCase(handles.get(i));
                    }
                }
            }
            // The second client's cache now holds the answers, the negative ones too.
            assertThatThrownBy(() -> cached.resolve("88.999.1/MISSING-3")).isInstanceOf(IdNodeException.class);
            assertThat(cached.resolveBatch(List.of(CCL)).get(0).getRecord().getHandle()).isEqualToIgnoringCase(CCL);
        }
    }

    @Test
    void traceWalksTheGenealogyUpAndDown() {
        try (IdClient c = client().build()) {
            TraceResponse up = c.trace(PCBA, TraceDirection.TRACE_DIRECTION_UP, 2);
            assertThat(up.getRoot().getHandle()).isEqualToIgnoringCase(PCBA);
            TraceNode pcb = child(up.getRoot(), PCB);
            assertThat(pcb.getRelation()).isEqualTo("REF.PCB_LOT");
            assertThat(pcb.getFound()).isTrue();
            assertThat(child(pcb, CCL).getRelation()).isEqualTo("REF.CCL_LOT");
            assertThat(up.getRoot().getChildrenList()).filteredOn(n -> n.getRelation().equals("REF.REEL")).hasSize(5);

            TraceResponse down = c.trace(CCL, TraceDirection.TRACE_DIRECTION_DOWN, 1);
            assertThat(down.getRoot().getChildrenList()).extracting(n -> n.getHandle().toUpperCase())
                    .contains(PCB.toUpperCase(), LARGE_PANEL.toUpperCase(), "88.999.2/PCB.87.01.01.A2.250608.000131".toUpperCase());
        }
    }

    static TraceNode child(TraceNode parent, String handle) {
        return parent.getChildrenList().stream().filter(n -> n.getHandle().equalsIgnoreCase(handle)).findFirst()
                .orElseThrow(() -> new AssertionError(handle + " is not a child of " + parent.getHandle()));
    }

    // -----------------------------------------------------------------------------------------------------------------
    // Registration
    // -----------------------------------------------------------------------------------------------------------------

    @Test
    void registerUpdateAndDeleteWithAToken() throws Exception {
        String h = OWN + "/SDK-REG-1";
        try (IdClient writer = client().token(writerToken).build(); IdClient reader = client().cacheMaxEntries(0).build()) {
            HandleRecord record = Values.record(h, Values.text(1, "URL", "https://example.com/reg/1"),
                    Values.restrictedText(2, "UNIT_COST", "1.25"));
            RegisterResponse created = writer.register(record, false);
            assertThat(created.getCreated()).isTrue();
            assertThat(types(reader.resolve(h))).containsExactly("URL");
            assertThat(types(writer.resolve(h))).containsExactlyInAnyOrder("URL", "UNIT_COST");

            assertThatThrownBy(() -> writer.register(record, false)).isInstanceOfSatisfying(IdNodeException.class, e -> {
                assertThat(e.code()).isEqualTo(Status.Code.ALREADY_EXISTS);
                assertThat(e.reason()).isEqualTo("HANDLE_ALREADY_EXISTS");
                assertThat(e.responseCode()).isEqualTo(101);
            });
            RegisterResponse replaced = writer.registerAsync(Values.record(h, Values.text(1, "URL", "https://example.com/reg/1b")), true)
                    .get(30, TimeUnit.SECONDS);
            assertThat(replaced.getCreated()).isFalse();
            assertThat(text(reader.resolve(h), "URL")).isEqualTo("https://example.com/reg/1b");
            assertThat(types(reader.resolve(h))).containsExactly("URL");

            writer.updateValues(h, List.of(Values.text(3, "EMAIL", "ops@example.com"), Values.text(1, "URL", "https://example.com/reg/1c")));
            HandleRecord updated = reader.resolve(h);
            assertThat(text(updated, "URL")).isEqualTo("https://example.com/reg/1c");
            assertThat(text(updated, "EMAIL")).isEqualTo("ops@example.com");

            writer.deleteValues(h, List.of(3));
            assertThat(types(reader.resolve(h))).containsExactly("URL");

            writer.deleteHandle(h);
            assertThatThrownBy(() -> reader.resolve(h)).isInstanceOfSatisfying(IdNodeException.class, e -> assertThat(e.isNotFound()).isTrue());
            assertThatThrownBy(() -> writer.deleteHandle(h)).isInstanceOfSatisfying(IdNodeException.class,
                    e -> assertThat(e.reason()).isEqualTo("HANDLE_NOT_FOUND"));
        }
    }

    @Test
    void writesWithoutATokenOrOutsideTheTokensPrefixAreRefused() {
        HandleRecord mine = Values.record(OWN + "/SDK-NOAUTH-1", Values.text(1, "URL", "https://example.com/x"));
        try (IdClient anonymous = client().build(); IdClient writer = client().token(writerToken).build();
                IdClient forged = client().token(writerToken + "x").build()) {
            assertThatThrownBy(() -> anonymous.register(mine, true)).isInstanceOfSatisfying(IdNodeException.class,
                    e -> assertThat(e.code()).isIn(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED));
            assertThatThrownBy(() -> forged.register(mine, true)).isInstanceOfSatisfying(IdNodeException.class,
                    e -> assertThat(e.code()).isIn(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED));
            HandleRecord foreign = Values.record("88.999.2/SDK-FOREIGN-1", Values.text(1, "URL", "https://example.com/x"));
            assertThatThrownBy(() -> writer.register(foreign, true)).isInstanceOfSatisfying(IdNodeException.class, e -> {
                assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED);
                assertThat(e.responseCode()).isIn(400, 401);
            });
            assertThatThrownBy(() -> anonymous.resolve(OWN + "/SDK-NOAUTH-1")).isInstanceOf(IdNodeException.class);
        }
    }

    /** A CCL lot for the node-wide template 88.999/TPL.CCL_LOT 1.0, with this core thickness. */
    static HandleRecord cclLot(String handle, String thickness) {
        return Values.record(handle,
                Values.text(1, "URL", "https://example.com/ccl/" + handle),
                Values.text(1000, "TEMPLATE_ID", "88.999/TPL.CCL_LOT"),
                Values.text(1001, "TEMPLATE", "1.0"),
                Values.text(2000, "MANUFACTURER", "SDK Test Co."),
                Values.text(2002, "GRADE", "FR-4 standard Tg"),
                Values.text(2004, "CORE_THICKNESS_MM", thickness),
                Values.text(2013, "LOT_CODE", "L-SDK-1"),
                Values.text(2014, "PRODUCTION_DATE", "2025-06-01"),
                Values.text(2016, "QUANTITY", "100"));
    }

    @Test
    void aRecordThatBreaksItsTemplateIsRefusedWithFieldErrors() {
        try (IdClient writer = client().token(writerToken).build()) {
            assertThat(writer.register(cclLot(OWN + "/CCL-OK-1", "1.50"), true).getHandle()).isEqualToIgnoringCase(OWN + "/CCL-OK-1");
            assertThatThrownBy(() -> writer.register(cclLot(OWN + "/CCL-BAD-1", "99"), true))
                    .isInstanceOfSatisfying(IdNodeException.class, e -> {
                        assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.reason()).isEqualTo("INVALID_VALUE");
                        assertThat(e.fieldErrors()).isNotEmpty();
                        assertThat(e.fieldErrors().get(0).getField()).contains("CORE_THICKNESS_MM");
                    });
        }
    }

    @Test
    void aBatchRegistrationAcceptsAndRefusesRecordByRecord() {
        List<HandleRecord> records = List.of(
                Values.record(OWN + "/BATCH-1", Values.text(1, "URL", "https://example.com/b/1")),
                cclLot(OWN + "/BATCH-2", "99"),
                Values.record(OWN + "/BATCH-3", Values.text(1, "URL", "https://example.com/b/3")));
        try (IdClient writer = client().token(writerToken).build()) {
            BatchRegisterResponse r = writer.registerBatch(records);
            assertThat(r.getAccepted()).isEqualTo(2);
            assertThat(r.getRefused()).isEqualTo(1);
            assertThat(r.getResultsList()).extracting(x -> x.getHandle().toUpperCase())
                    .containsExactly(OWN + "/BATCH-1", OWN + "/BATCH-2", OWN + "/BATCH-3");
            assertThat(r.getResults(0).hasError()).isFalse();
            assertThat(r.getResults(1).getError().getResponseCode()).isEqualTo(202);
            assertThat(r.getResults(1).getError().getFieldErrorsList()).isNotEmpty();
            assertThat(text(writer.resolve(OWN + "/BATCH-3"), "URL")).isEqualTo("https://example.com/b/3");
            // Retrying the same batch (overwrite semantics) gives the same outcome.
            assertThat(writer.registerBatch(records).getAccepted()).isEqualTo(2);
            List<HandleRecord> tooMany = new ArrayList<>();
            for (int i = 0; i < 2001; i++) {
                tooMany.add(records.get(0));
            }
            assertThatThrownBy(() -> writer.registerBatch(tooMany)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2000");
        }
    }

    @Test
    void templatesAreListedAndRead() {
        try (IdClient c = client().build()) {
            assertThat(c.templates("")).extracting(Template::getId).contains("88.999/TPL.CCL_LOT", "88.999/TPL.PCB_LOT",
                    "88.999/TPL.PCB_PANEL", "88.999/TPL.COMPONENT_REEL", "88.999/TPL.PCBA_UNIT");
            Template pcbLot = c.template("88.999/TPL.PCB_LOT", "");
            assertThat(pcbLot.getVersion()).isEqualTo("1.0");
            assertThat(pcbLot.getItemsList()).extracting(TemplateItem::getType).contains("LAYER_COUNT", "REF.CCL_LOT");
            assertThatThrownBy(() -> c.template("88.999/TPL.NO_SUCH", "")).isInstanceOfSatisfying(IdNodeException.class,
                    e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
        }
    }

    // -----------------------------------------------------------------------------------------------------------------
    // The local cache
    // -----------------------------------------------------------------------------------------------------------------

    /** Polls (every 200 ms, up to 60 s) until {@code check} holds. */
    static void eventually(String what, Supplier<Boolean> check) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!check.get()) {
            assertThat(System.nanoTime()).as("still not: %s", what).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @Test
    void aCachedRecordIsServedUntilItsShortestTtlRunsOut() throws Exception {
        try (IdClient cached = client().build(); IdClient writer = client().token(writerToken).build()) {
            boolean sawStale = false;
            // A round proves "served from the cache" only if it ends within the 3 s TTL; a slow machine gets another.
            for (int round = 0; round < 5 && !sawStale; round++) {
                String h = OWN + "/TTL-" + round;
                HandleValue shortLived = Values.text(1, "URL", "https://example.com/old").toBuilder().setTtl(3).build();
                writer.register(Values.record(h, shortLived, Values.text(2, "DESC", "long-lived")), true);
                long start = System.nanoTime();
                assertThat(text(cached.resolve(h), "URL")).isEqualTo("https://example.com/old");
                writer.updateValues(h, List.of(shortLived.toBuilder().setData(com.google.protobuf.ByteString.copyFromUtf8("https://example.com/new")).build()));
                String seen = text(cached.resolve(h), "URL");
                if (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3)) {
                    assertThat(seen).as("served from the cache within the TTL").isEqualTo("https://example.com/old");
                    sawStale = true;
                }
                eventually("the new value after the TTL", () -> text(cached.resolve(h), "URL").equals("https://example.com/new"));
            }
            assertThat(sawStale).as("one round completed within the TTL").isTrue();
        }
    }

    @Test
    void aNotFoundAnswerIsCachedForTheNegativeTtl() throws Exception {
        try (IdClient cached = client().negativeTtl(Duration.ofSeconds(3)).build(); IdClient writer = client().token(writerToken).build()) {
            boolean sawCachedMiss = false;
            for (int round = 0; round < 5 && !sawCachedMiss; round++) {
                String h = OWN + "/NEG-" + round;
                long start = System.nanoTime();
                assertThatThrownBy(() -> cached.resolve(h)).isInstanceOfSatisfying(IdNodeException.class, e -> assertThat(e.isNotFound()).isTrue());
                writer.register(Values.record(h, Values.text(1, "URL", "https://example.com/neg")), true);
                boolean stillMissing;
                try {
                    cached.resolve(h);
                    stillMissing = false;
                } catch (IdNodeException e) {
                    assertThat(e.isNotFound()).isTrue();
                    stillMissing = true;
                }
                if (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3)) {
                    assertThat(stillMissing).as("'not found' served from the cache within the negative TTL").isTrue();
                    sawCachedMiss = true;
                }
                eventually("found after the negative TTL", () -> {
                    try {
                        return text(cached.resolve(h), "URL").equals("https://example.com/neg");
                    } catch (IdNodeException e) {
                        return false;
                    }
                });
            }
            assertThat(sawCachedMiss).as("one round completed within the negative TTL").isTrue();
        }
    }

    @Test
    void writesThroughTheClientRefreshItsCacheAndOthersWritesWaitForTheTtl() {
        String h = OWN + "/CACHE-WRITE-1";
        try (IdClient mine = client().token(writerToken).build(); IdClient other = client().token(writerToken).build()) {
            mine.register(Values.record(h, Values.text(1, "URL", "https://example.com/v1")), true);
            assertThat(text(mine.resolve(h), "URL")).isEqualTo("https://example.com/v1");
            mine.updateValues(h, List.of(Values.text(1, "URL", "https://example.com/v2")));
            assertThat(text(mine.resolve(h), "URL")).as("own write: cache refreshed").isEqualTo("https://example.com/v2");
            other.updateValues(h, List.of(Values.text(1, "URL", "https://example.com/v3")));
            assertThat(text(mine.resolve(h), "URL")).as("another client's write: cached for a day").isEqualTo("https://example.com/v2");
            mine.clearCache();
            assertThat(text(mine.resolve(h), "URL")).isEqualTo("https://example.com/v3");
            mine.deleteHandle(h);
            assertThatThrownBy(() -> mine.resolve(h)).isInstanceOf(IdNodeException.class);
        }
    }
}
