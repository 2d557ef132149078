package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import org.idnode.api.v1.BatchResolveRequest;
import org.idnode.api.v1.BatchResolveResponse;
import org.idnode.api.v1.GetTemplateRequest;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.api.v1.ItemDataType;
import org.idnode.api.v1.ListTemplatesRequest;
import org.idnode.api.v1.ResolveRequest;
import org.idnode.api.v1.ResolveResult;
import org.idnode.api.v1.Template;
import org.idnode.api.v1.TemplateItem;
import org.idnode.api.v1.TemplateServiceGrpc;
import org.idnode.api.v1.TraceDirection;
import org.idnode.api.v1.TraceNode;
import org.idnode.api.v1.TraceRequest;
import org.idnode.api.v1.TraceResponse;
import org.idnode.registry.template.TemplateJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC read side of a node (real RocksDB with the shipped sample data and templates, 127.0.0.1, generated stubs):
 * resolution with filters and errors, restricted values by token, batch resolution, genealogy, templates, health and
 * reflection.
 */
class GrpcReadTest {
    static final String LOT = "88.999.2/PCB.87.01.01.A2.250601.000123";
    static final String PCBA = "88.999.4/PCBA.87.02.01.CTRLA2.250616.000401";
    static final String CCL = "88.999.1/CCL.28.01.01.FR4S1141.250601.000123";

    @TempDir
    static Path tmp;
    static IdentifierNode node;
    static ManagedChannel channel;
    static IdentifierServiceGrpc.IdentifierServiceBlockingStub anonymous;
    static String fabToken;
    static String assemblerToken;

    @BeforeAll
    static void start() throws Exception {
        Path data = tmp.resolve("data");
        TestNode.importLines(data, GrpcClients.sampleData());
        fabToken = GrpcClients.issueToken(data, "88.999.2", "erp");
        assemblerToken = GrpcClients.issueToken(data, "88.999.4", "mes");
        // The shipped templates, and an enterprise's own template in two versions.
        Path templates = Files.createDirectories(tmp.resolve("templates"));
        try (Stream<Path> shipped = Files.list(GrpcClients.shippedTemplates())) {
            for (Path f : shipped.filter(f -> f.toString().endsWith(".json")).toList()) {
                Files.copy(f, templates.resolve(f.getFileName()));
            }
        }
        for (String version : List.of("1.2", "1.10")) {
            Files.writeString(templates.resolve("box-" + version + ".json"), "{\"id\": \"88.999.2/TPL.BOX\", \"version\": \"" + version
                    + "\", \"owner\": \"88.999.2\", \"items\": [{\"index\": 2000, \"type\": \"WEIGHT_KG\", \"nameZh\": \"重量\","
                    + " \"nameEn\": \"Weight\", \"dataType\": \"number\", \"min\": 0, \"maxDecimals\": 3}]}");
        }
        node = IdentifierNode.start(GrpcClients.config(tmp, data, templates));
        channel = GrpcClients.channel(node);
        anonymous = GrpcClients.deadline(IdentifierServiceGrpc.newBlockingStub(channel));
    }

    @AfterAll
    static void stop() throws Exception {
        GrpcClients.close(channel);
        if (node != null) {
            node.close();
        }
    }

    static ResolveRequest resolve(String handle) {
        return ResolveRequest.newBuilder().setHandle(handle).build();
    }

    static Map<Integer, String> values(HandleRecord r) {
        Map<Integer, String> out = new TreeMap<>();
        for (HandleValue v : r.getValuesList()) {
            out.put(v.getIndex(), v.getType() + "=" + v.getData().toStringUtf8());
        }
        return out;
    }

    static StatusRuntimeException failure(Runnable call) {
        return catchThrowableOfType(StatusRuntimeException.class, call::run);
    }

    /** The call failed with {@code code}, an ErrorInfo of domain idnode.org with this reason and response code, and a message. */
    static ErrorInfo assertError(StatusRuntimeException e, Status.Code code, String reason, int responseCode) {
        assertThat(e).as("the call should have failed").isNotNull();
        assertThat(e.getStatus().getCode()).as("%s", e).isEqualTo(code);
        assertThat(e.getStatus().getDescription()).as("message").isNotBlank();
        ErrorInfo info = GrpcClients.errorInfo(e);
        assertThat(info.getDomain()).isEqualTo("idnode.org");
        assertThat(info.getReason()).isEqualTo(reason);
        assertThat(info.getMetadataMap()).containsEntry("response_code", Integer.toString(responseCode));
        return info;
    }

    // ---------------------------------------------------------------------------------------------
    // Resolve
    // ---------------------------------------------------------------------------------------------

    @Test
    void resolveAnswersThePublicValuesOfARecord() {
        for (int attempt = 0; attempt < 2; attempt++) { // the first from the store, the second from the cache
            HandleRecord r = anonymous.resolve(resolve(LOT)).getRecord();
            assertThat(r.getHandle()).isEqualTo(LOT);
            Map<Integer, String> values = values(r);
            assertThat(values).containsEntry(1, "URL=https://example.com/pcb/lot/A2-000123")
                    .containsEntry(1000, "TEMPLATE_ID=88.999/TPL.PCB_LOT")
                    .containsEntry(2005, "LAYER_COUNT=4")
                    .containsEntry(2019, "REF.CCL_LOT=" + CCL)
                    .doesNotContainKeys(2021, 2022);
            HandleValue url = r.getValues(0);
            assertThat(url.getPublicRead()).isTrue();
            assertThat(url.getAdminRead()).isTrue();
            assertThat(url.getAdminWrite()).isTrue();
            assertThat(url.getPublicWrite()).isFalse();
            assertThat(url.getTtl()).isEqualTo(86400);
            assertThat(url.getTimestamp()).isPositive();
        }
    }

    @Test
    void anAnswerWrittenFromTheCacheIsTheRecordTheGeneralPathBuilds() {
        // Resolve writes a cached record's answer from its value block; BatchResolve builds the message from values.
        List<ResolveRequest> requests = List.of(resolve(LOT), resolve(PCBA), resolve(LOT.toLowerCase()),
                ResolveRequest.newBuilder().setHandle(LOT).addIndexes(2005).addTypes("REF.").build());
        for (ResolveRequest request : requests) {
            anonymous.resolve(request); // the first may read the store
            HandleRecord cached = anonymous.resolve(request).getRecord();
            HandleRecord built = anonymous.batchResolve(BatchResolveRequest.newBuilder().addRequests(request).build()).getResults(0).getRecord();
            assertThat(cached).as("%s", request).isEqualTo(built);
            assertThat(cached.getHandle()).as("the handle as asked for").isEqualTo(request.getHandle());
        }
    }

    @Test
    void filtersSelectByIndexOrTypeAsTheHandleProtocolDoes() {
        assertThat(values(anonymous.resolve(ResolveRequest.newBuilder().setHandle(LOT).addTypes("URL").build()).getRecord()))
                .containsOnlyKeys(1);
        assertThat(values(anonymous.resolve(ResolveRequest.newBuilder().setHandle(LOT).addIndexes(2005).addIndexes(2016).build()).getRecord()))
                .containsOnlyKeys(2005, 2016);
        assertThat(values(anonymous.resolve(ResolveRequest.newBuilder().setHandle(LOT).addIndexes(2005).addTypes("url").build()).getRecord()))
                .as("index OR type, types ASCII case-insensitive").containsOnlyKeys(1, 2005);
        assertThat(values(anonymous.resolve(ResolveRequest.newBuilder().setHandle(LOT).addTypes("REF.").build()).getRecord()))
                .as("a type ending in '.' matches its sub-types").containsOnlyKeys(2019);
        assertError(failure(() -> anonymous.resolve(ResolveRequest.newBuilder().setHandle(LOT).addTypes("REF").build())),
                Status.Code.NOT_FOUND, "VALUES_NOT_FOUND", 200); // 'REF' is a type of its own
    }

    @Test
    void filtersThatLeaveNothingAreValuesNotFound() {
        StatusRuntimeException e = failure(() -> anonymous.resolve(ResolveRequest.newBuilder().setHandle(LOT).addIndexes(4242).build()));
        ErrorInfo info = assertError(e, Status.Code.NOT_FOUND, "VALUES_NOT_FOUND", 200);
        assertThat(info.getMetadataMap()).containsEntry("handle", LOT);
        // Restricted values do not pass a filter for an anonymous caller either.
        assertError(failure(() -> anonymous.resolve(ResolveRequest.newBuilder().setHandle(LOT).addTypes("UNIT_COST").build())),
                Status.Code.NOT_FOUND, "VALUES_NOT_FOUND", 200);
    }

    @Test
    void anUnknownHandleIsNotFoundWithErrorInfo() {
        for (int attempt = 0; attempt < 2; attempt++) { // the second answer comes from the negative cache
            StatusRuntimeException e = failure(() -> anonymous.resolve(resolve("88.999.2/NO-SUCH-LOT")));
            ErrorInfo info = assertError(e, Status.Code.NOT_FOUND, "HANDLE_NOT_FOUND", 100);
            assertThat(info.getMetadataMap()).containsEntry("handle", "88.999.2/NO-SUCH-LOT");
            assertThat(e.getStatus().getDescription()).contains("88.999.2/NO-SUCH-LOT");
        }
    }

    @Test
    void anInvalidHandleIsInvalidArgument() {
        for (String bad : List.of("88.999.2/", "", "88.999..2/x", "88.999.2/" + "x".repeat(300))) {
            StatusRuntimeException e = failure(() -> anonymous.resolve(resolve(bad)));
            assertError(e, Status.Code.INVALID_ARGUMENT, "INVALID_HANDLE", 102);
        }
    }

    @Test
    void prefixHandlesAreAnsweredAsOverTheHandleProtocol() {
        for (String h : List.of("0.NA/88.999.2", "88.999.2")) {
            Map<Integer, String> values = values(anonymous.resolve(resolve(h)).getRecord());
            assertThat(values.values()).as(h).anyMatch(v -> v.startsWith("HS_SITE="))
                    .anyMatch(v -> v.startsWith("HS_ADMIN="))
                    .as("API token hashes are admin-only").noneMatch(v -> v.startsWith("ID_API_TOKEN="));
        }
        // A configured prefix without a stored record: the node's own site and admin.
        assertThat(values(anonymous.resolve(resolve("0.NA/88.999")).getRecord()).values())
                .anyMatch(v -> v.startsWith("HS_SITE=")).anyMatch(v -> v.startsWith("HS_ADMIN="));
        assertError(failure(() -> anonymous.resolve(resolve("0.NA/88.999.77"))), Status.Code.NOT_FOUND, "HANDLE_NOT_FOUND", 100);
    }

    // ---------------------------------------------------------------------------------------------
    // Restricted values
    // ---------------------------------------------------------------------------------------------

    @Test
    void restrictedValuesGoToTheOwnerOnlyExactlyAsRestGetWithTheSameToken() throws Exception {
        IdentifierServiceGrpc.IdentifierServiceBlockingStub fab = GrpcClients.withToken(IdentifierServiceGrpc.newBlockingStub(channel), fabToken);
        IdentifierServiceGrpc.IdentifierServiceBlockingStub assembler =
                GrpcClients.withToken(IdentifierServiceGrpc.newBlockingStub(channel), assemblerToken);

        Map<Integer, String> owner = values(fab.resolve(resolve(LOT)).getRecord());
        assertThat(owner).containsEntry(2021, "PROCESS_YIELD=96.4").containsEntry(2022, "UNIT_COST=12.80");
        HandleValue yield = fab.resolve(ResolveRequest.newBuilder().setHandle(LOT).addIndexes(2021).build()).getRecord().getValues(0);
        assertThat(yield.getPublicRead()).isFalse();
        assertThat(values(assembler.resolve(resolve(LOT)).getRecord())).doesNotContainKeys(2021, 2022).containsKey(2005);
        assertThat(values(anonymous.resolve(resolve(LOT)).getRecord())).doesNotContainKeys(2021, 2022);

        assertThat(owner.keySet()).isEqualTo(restIndexes(LOT, fabToken));
        assertThat(values(assembler.resolve(resolve(LOT)).getRecord()).keySet()).isEqualTo(restIndexes(LOT, assemblerToken));
        assertThat(values(anonymous.resolve(resolve(LOT)).getRecord()).keySet()).isEqualTo(restIndexes(LOT, null));

        // The owner's own prefix handle shows it the token record; another enterprise's does not.
        assertThat(values(fab.resolve(resolve("0.NA/88.999.2")).getRecord()).values()).anyMatch(v -> v.startsWith("ID_API_TOKEN="));
        assertThat(values(assembler.resolve(resolve("0.NA/88.999.2")).getRecord()).values()).noneMatch(v -> v.startsWith("ID_API_TOKEN="));
    }

    static TreeSet<Integer> restIndexes(String handle, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + "/api/handles/" + handle));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(200);
        TreeSet<Integer> out = new TreeSet<>();
        for (JsonElement v : JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("values")) {
            out.add(v.getAsJsonObject().get("index").getAsInt());
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // BatchResolve
    // ---------------------------------------------------------------------------------------------

    @Test
    void batchResolveAnswersEachItemInOrder() {
        BatchResolveRequest req = BatchResolveRequest.newBuilder()
                .addRequests(resolve(LOT))
                .addRequests(resolve("88.999.2/NO-SUCH-IN-BATCH"))
                .addRequests(resolve("88.999.2/"))
                .addRequests(ResolveRequest.newBuilder().setHandle(CCL).addTypes("URL"))
                .addRequests(ResolveRequest.newBuilder().setHandle(LOT).addIndexes(4242))
                .build();
        for (int attempt = 0; attempt < 2; attempt++) { // then all from the cache
            List<ResolveResult> results = anonymous.batchResolve(req).getResultsList();
            assertThat(results).hasSize(5);
            assertThat(values(results.get(0).getRecord())).containsKey(2005).doesNotContainKey(2021);
            assertThat(results.get(1).getError().getResponseCode()).isEqualTo(100);
            assertThat(results.get(1).getError().getReason()).isEqualTo("HANDLE_NOT_FOUND");
            assertThat(results.get(1).getError().getMessage()).contains("NO-SUCH-IN-BATCH");
            assertThat(results.get(2).getError().getResponseCode()).isEqualTo(102);
            assertThat(results.get(2).getError().getReason()).isEqualTo("INVALID_HANDLE");
            assertThat(results.get(3).getRecord().getHandle()).isEqualTo(CCL);
            assertThat(values(results.get(3).getRecord())).containsOnlyKeys(1);
            assertThat(results.get(4).getError().getReason()).isEqualTo("VALUES_NOT_FOUND");
        }
        // With a token, restricted values the identity may read are in the batch too.
        IdentifierServiceGrpc.IdentifierServiceBlockingStub fab = GrpcClients.withToken(IdentifierServiceGrpc.newBlockingStub(channel), fabToken);
        assertThat(values(fab.batchResolve(req).getResults(0).getRecord())).containsKey(2021);
    }

    @Test
    void batchResolveOfMoreThan2000IsInvalidArgument() {
        BatchResolveRequest.Builder b = BatchResolveRequest.newBuilder();
        for (int i = 0; i < 2001; i++) {
            b.addRequests(resolve("88.999.2/X" + i));
        }
        StatusRuntimeException e = failure(() -> anonymous.batchResolve(b.build()));
        assertError(e, Status.Code.INVALID_ARGUMENT, "PROTOCOL_ERROR", 4);
        assertThat(e.getStatus().getDescription()).contains("2000").contains("2001");
        b.removeRequests(2000);
        BatchResolveResponse full = anonymous.batchResolve(b.build());
        assertThat(full.getResultsList()).hasSize(2000).allMatch(r -> r.getError().getResponseCode() == 100);
    }

    // ---------------------------------------------------------------------------------------------
    // Trace
    // ---------------------------------------------------------------------------------------------

    static List<String> children(TraceNode n) {
        return n.getChildrenList().stream().map(c -> c.getRelation() + " " + c.getHandle()).collect(Collectors.toList());
    }

    static TraceNode child(TraceNode n, String handle) {
        return n.getChildrenList().stream().filter(c -> c.getHandle().equals(handle)).findFirst()
                .orElseThrow(() -> new AssertionError(handle + " is not a child of " + n.getHandle() + ": " + children(n)));
    }

    @Test
    void traceWalksUpFromAUnitAndDownFromALaminateLot() {
        TraceResponse up = anonymous.trace(TraceRequest.newBuilder().setHandle(PCBA).setDirection(TraceDirection.TRACE_DIRECTION_UP).setDepth(3).build());
        assertThat(up.getRoot().getHandle()).isEqualTo(PCBA);
        assertThat(up.getRoot().getFound()).isTrue();
        assertThat(up.getRoot().getRelation()).isEmpty();
        assertThat(children(up.getRoot())).contains("REF.PCB_LOT " + LOT, "REF.REEL 88.999.3/REEL.31.01.01.RC0402F10K.250415.000301").hasSize(6);
        assertThat(children(child(up.getRoot(), LOT))).containsExactly("REF.CCL_LOT " + CCL);
        assertThat(up.getTruncated()).isFalse();

        TraceResponse shallow = anonymous.trace(TraceRequest.newBuilder().setHandle(PCBA).setDepth(1).build());
        assertThat(child(shallow.getRoot(), LOT).getChildrenList()).as("direction defaults to UP").isEmpty();
        assertThat(shallow.getTruncated()).isTrue();

        TraceResponse down = anonymous.trace(TraceRequest.newBuilder().setHandle(CCL).setDirection(TraceDirection.TRACE_DIRECTION_DOWN).setDepth(2).build());
        assertThat(children(down.getRoot())).contains("REF.CCL_LOT " + LOT);
        assertThat(children(child(down.getRoot(), LOT))).contains("REF.PCB_LOT " + PCBA);

        TraceResponse unlimited = anonymous.trace(TraceRequest.newBuilder().setHandle(PCBA).build());
        assertThat(unlimited.getTruncated()).as("depth 0 means the full depth").isFalse();
    }

    @Test
    void traceRefusesUnknownAndInvalidRequests() {
        assertError(failure(() -> anonymous.trace(TraceRequest.newBuilder().setHandle("88.999.4/NO-SUCH-UNIT").build())),
                Status.Code.NOT_FOUND, "HANDLE_NOT_FOUND", 100);
        assertError(failure(() -> anonymous.trace(TraceRequest.newBuilder().setHandle("no-slash").build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_HANDLE", 102);
        StatusRuntimeException deep = failure(() -> anonymous.trace(TraceRequest.newBuilder().setHandle(PCBA).setDepth(17).build()));
        assertError(deep, Status.Code.INVALID_ARGUMENT, "PROTOCOL_ERROR", 4);
        assertThat(deep.getStatus().getDescription()).contains("depth");
        assertError(failure(() -> anonymous.trace(TraceRequest.newBuilder().setHandle(PCBA).setDirectionValue(7).build())),
                Status.Code.INVALID_ARGUMENT, "PROTOCOL_ERROR", 4);
    }

    // ---------------------------------------------------------------------------------------------
    // Templates
    // ---------------------------------------------------------------------------------------------

    @Test
    void templatesAreListedAndFetchedWithTheirJsonDefinition() throws Exception {
        TemplateServiceGrpc.TemplateServiceBlockingStub templates = GrpcClients.deadline(TemplateServiceGrpc.newBlockingStub(channel));
        List<String> all = templates.listTemplates(ListTemplatesRequest.getDefaultInstance()).getTemplatesList().stream()
                .map(t -> t.getId() + "@" + t.getVersion()).toList();
        assertThat(all).contains("88.999/TPL.PCB_LOT@1.0", "88.999/TPL.CCL_LOT@1.0", "88.999.2/TPL.BOX@1.2", "88.999.2/TPL.BOX@1.10").hasSize(7);
        List<String> forFab = templates.listTemplates(ListTemplatesRequest.newBuilder().setPrefix("88.999.2").build()).getTemplatesList().stream()
                .map(Template::getId).toList();
        assertThat(forFab).contains("88.999/TPL.PCB_LOT", "88.999.2/TPL.BOX").hasSize(7);
        List<String> forOthers = templates.listTemplates(ListTemplatesRequest.newBuilder().setPrefix("88.999.3").build()).getTemplatesList().stream()
                .map(Template::getId).toList();
        assertThat(forOthers).contains("88.999/TPL.PCB_LOT").doesNotContain("88.999.2/TPL.BOX").hasSize(5);

        Template lot = templates.getTemplate(GetTemplateRequest.newBuilder().setId("88.999/TPL.PCB_LOT").build());
        assertThat(lot.getVersion()).isEqualTo("1.0");
        assertThat(lot.getOwner()).isEqualTo("node");
        TemplateItem layers = lot.getItemsList().stream().filter(i -> i.getType().equals("LAYER_COUNT")).findFirst().orElseThrow();
        assertThat(layers.getIndex()).isEqualTo(2005);
        assertThat(layers.getDataType()).isEqualTo(ItemDataType.ITEM_DATA_TYPE_NUMBER);
        assertThat(layers.getRequired()).isTrue();
        assertThat(layers.getMin()).isEqualTo("1");
        assertThat(layers.getMax()).isEqualTo("64");
        assertThat(layers.getMaxDecimals()).isZero();
        TemplateItem cost = lot.getItemsList().stream().filter(i -> i.getType().equals("UNIT_COST")).findFirst().orElseThrow();
        assertThat(cost.getPublicRead()).isFalse();
        assertThat(cost.getMax()).isEmpty();
        TemplateItem ccl = lot.getItemsList().stream().filter(i -> i.getType().equals("REF.CCL_LOT")).findFirst().orElseThrow();
        assertThat(ccl.getMaxCount()).isEqualTo(2);
        assertThat(ccl.getTargetTemplate()).isEqualTo("88.999/TPL.CCL_LOT");
        assertThat(ccl.getDataType()).isEqualTo(ItemDataType.ITEM_DATA_TYPE_REFERENCE);
        // The definition is the template file's JSON form: it reads back as the same template as the shipped file.
        org.idnode.registry.template.Template shipped = TemplateJson.parse("pcb-lot.json",
                Files.readString(GrpcClients.shippedTemplates().resolve("pcb-lot.json")));
        assertThat(TemplateJson.parse("definition_json", lot.getDefinitionJson())).isEqualTo(shipped);

        assertThat(templates.getTemplate(GetTemplateRequest.newBuilder().setId("88.999.2/TPL.BOX").build()).getVersion())
                .as("the latest version, 1.10 after 1.2").isEqualTo("1.10");
        assertThat(templates.getTemplate(GetTemplateRequest.newBuilder().setId("88.999.2/tpl.box").setVersion("1.2").build()).getVersion())
                .isEqualTo("1.2");
    }

    @Test
    void unknownTemplatesAreNotFound() {
        TemplateServiceGrpc.TemplateServiceBlockingStub templates = GrpcClients.deadline(TemplateServiceGrpc.newBlockingStub(channel));
        StatusRuntimeException version = failure(() -> templates.getTemplate(GetTemplateRequest.newBuilder().setId("88.999/TPL.PCB_LOT").setVersion("9.9").build()));
        assertError(version, Status.Code.NOT_FOUND, "HANDLE_NOT_FOUND", 100);
        assertThat(version.getStatus().getDescription()).contains("9.9").contains("known versions: 1.0");
        assertError(failure(() -> templates.getTemplate(GetTemplateRequest.newBuilder().setId("88.999/TPL.NOTHING").build())),
                Status.Code.NOT_FOUND, "HANDLE_NOT_FOUND", 100);
        assertError(failure(() -> templates.getTemplate(GetTemplateRequest.newBuilder().setId("not a template id").build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_HANDLE", 102);
        assertError(failure(() -> templates.listTemplates(ListTemplatesRequest.newBuilder().setPrefix("88.999/2").build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_HANDLE", 102);
    }

    // ---------------------------------------------------------------------------------------------
    // Health and reflection
    // ---------------------------------------------------------------------------------------------

    @Test
    void healthSaysServing() {
        HealthGrpc.HealthBlockingStub health = GrpcClients.deadline(HealthGrpc.newBlockingStub(channel));
        for (String service : List.of("", "idnode.v1.IdentifierService", "idnode.v1.TemplateService")) {
            assertThat(health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
                    .as("'%s'", service).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        }
        assertThat(failure(() -> health.check(HealthCheckRequest.newBuilder().setService("idnode.v1.NoSuchService").build()))
                .getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void reflectionListsTheServices() throws Exception {
        List<String> names = new ArrayList<>();
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(new StreamObserver<>() {
            @Override
            public void onNext(ServerReflectionResponse r) {
                for (ServiceResponse s : r.getListServicesResponse().getServiceList()) {
                    names.add(s.getName());
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(null);
            }
        });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        done.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(names).contains("idnode.v1.IdentifierService", "idnode.v1.TemplateService", "grpc.health.v1.Health",
                "grpc.reflection.v1.ServerReflection");
    }
}
