package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import org.idnode.api.v1.BatchRegisterRequest;
import org.idnode.api.v1.BatchRegisterResponse;
import org.idnode.api.v1.BatchResolveRequest;
import org.idnode.api.v1.BulkRefusal;
import org.idnode.api.v1.BulkRegisterRequest;
import org.idnode.api.v1.BulkRegisterResponse;
import org.idnode.api.v1.DeleteHandleRequest;
import org.idnode.api.v1.DeleteValuesRequest;
import org.idnode.api.v1.FieldError;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.api.v1.RegisterRequest;
import org.idnode.api.v1.RegisterResponse;
import org.idnode.api.v1.RegisterResult;
import org.idnode.api.v1.ResolveRequest;
import org.idnode.api.v1.ResolveResult;
import org.idnode.api.v1.UpdateValuesRequest;
import org.idnode.server.cli.IdnodeCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC write side of a node (real RocksDB with the shipped sample data and templates, 127.0.0.1, generated stubs):
 * registration, batch and streamed bulk registration, value updates and deletes, and who may write.
 */
class GrpcWriteTest {
    static final String LOT = GrpcReadTest.LOT;
    static final String SECRET7 = "s3cr3t-seven";

    @TempDir
    static Path tmp;
    static IdentifierNode node;
    static ManagedChannel channel;
    static IdentifierServiceGrpc.IdentifierServiceBlockingStub anonymous;
    static IdentifierServiceGrpc.IdentifierServiceBlockingStub fab;
    static IdentifierServiceGrpc.IdentifierServiceBlockingStub assembler;
    static String fabToken;

    @BeforeAll
    static void start() throws Exception {
        Path data = tmp.resolve("data");
        TestNode.importLines(data, GrpcClients.sampleData());
        fabToken = GrpcClients.issueToken(data, "88.999.2", "erp");
        String assemblerToken = GrpcClients.issueToken(data, "88.999.4", "mes");
        assertThat(IdnodeCommand.run("prefix", "add", "88.999.7", "--enterprise", "Example Basic Co.", "--admin-secret", SECRET7,
                "--data-dir", data.toString())).isZero();
        node = IdentifierNode.start(GrpcClients.config(tmp, data, GrpcClients.shippedTemplates()));
        channel = GrpcClients.channel(node);
        anonymous = GrpcClients.deadline(IdentifierServiceGrpc.newBlockingStub(channel));
        fab = GrpcClients.withToken(IdentifierServiceGrpc.newBlockingStub(channel), fabToken);
        assembler = GrpcClients.withToken(IdentifierServiceGrpc.newBlockingStub(channel), assemblerToken);
    }

    @AfterAll
    static void stop() throws Exception {
        GrpcClients.close(channel);
        if (node != null) {
            node.close();
        }
    }

    static HandleValue text(int index, String type, String data) {
        return HandleValue.newBuilder().setIndex(index).setType(type).setData(ByteString.copyFromUtf8(data))
                .setTtl(86400).setPublicRead(true).setAdminRead(true).setAdminWrite(true).build();
    }

    static HandleRecord record(String handle, HandleValue... values) {
        return HandleRecord.newBuilder().setHandle(handle).addAllValues(List.of(values)).build();
    }

    static Map<Integer, String> resolved(IdentifierServiceGrpc.IdentifierServiceBlockingStub stub, String handle) {
        return GrpcReadTest.values(stub.resolve(ResolveRequest.newBuilder().setHandle(handle).build()).getRecord());
    }

    static StatusRuntimeException failure(Runnable call) {
        return GrpcReadTest.failure(call);
    }

    static ErrorInfo assertError(StatusRuntimeException e, Status.Code code, String reason, int responseCode) {
        return GrpcReadTest.assertError(e, code, reason, responseCode);
    }

    static void assertNotStored(String handle) {
        assertError(failure(() -> anonymous.resolve(ResolveRequest.newBuilder().setHandle(handle).build())),
                Status.Code.NOT_FOUND, "HANDLE_NOT_FOUND", 100);
    }

    /** The sample PCB lot's values as its owner reads them, asking for the template's default permissions. */
    static List<HandleValue> lotValuesWithDefaultPermissions() {
        List<HandleValue> out = new ArrayList<>();
        for (HandleValue v : fab.resolve(ResolveRequest.newBuilder().setHandle(LOT).build()).getRecord().getValuesList()) {
            out.add(v.toBuilder().setPublicRead(false).setAdminRead(false).setAdminWrite(false).setDefaultPermissions(true).build());
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Register
    // ---------------------------------------------------------------------------------------------

    @Test
    void registerCreatesRefusesAnExistingHandleAndOverwritesOnRequest() {
        String h = "88.999.2/GRPC-REG-1";
        RegisterResponse created = fab.register(RegisterRequest.newBuilder().setRecord(record(h, text(1, "URL", "https://example.com/one"))).build());
        assertThat(created.getHandle()).isEqualTo(h);
        assertThat(created.getCreated()).isTrue();
        assertThat(resolved(anonymous, h)).containsExactly(Map.entry(1, "URL=https://example.com/one"));

        StatusRuntimeException exists = failure(() -> fab.register(RegisterRequest.newBuilder()
                .setRecord(record(h, text(1, "URL", "https://example.com/two"))).build()));
        ErrorInfo info = assertError(exists, Status.Code.ALREADY_EXISTS, "HANDLE_ALREADY_EXISTS", 101);
        assertThat(info.getMetadataMap()).containsEntry("handle", h);
        assertThat(resolved(anonymous, h)).containsExactly(Map.entry(1, "URL=https://example.com/one"));

        RegisterResponse replaced = fab.register(RegisterRequest.newBuilder().setOverwrite(true)
                .setRecord(record(h, text(1, "URL", "https://example.com/two"), text(2, "DESC", "second"))).build());
        assertThat(replaced.getCreated()).as("an existing record was replaced").isFalse();
        assertThat(resolved(anonymous, h)).containsExactly(Map.entry(1, "URL=https://example.com/two"), Map.entry(2, "DESC=second"));

        RegisterResponse createdWithOverwrite = fab.register(RegisterRequest.newBuilder().setOverwrite(true)
                .setRecord(record("88.999.2/GRPC-REG-1B", text(1, "URL", "https://example.com/b"))).build());
        assertThat(createdWithOverwrite.getCreated()).isTrue();
    }

    @Test
    void aRecordBreakingItsTemplateIsRefusedWithAFieldViolationPerItem() {
        String h = "88.999.2/PCB.GRPC.BAD.1";
        List<HandleValue> values = new ArrayList<>(lotValuesWithDefaultPermissions());
        values.replaceAll(v -> v.getType().equals("LAYER_COUNT") ? v.toBuilder().setData(ByteString.copyFromUtf8("four")).build() : v);
        values.removeIf(v -> v.getType().equals("WORK_ORDER"));
        StatusRuntimeException e = failure(() -> fab.register(RegisterRequest.newBuilder()
                .setRecord(HandleRecord.newBuilder().setHandle(h).addAllValues(values)).build()));
        ErrorInfo info = assertError(e, Status.Code.INVALID_ARGUMENT, "INVALID_VALUE", 202);
        assertThat(info.getMetadataMap()).containsEntry("handle", h);
        BadRequest bad = GrpcClients.badRequest(e);
        assertThat(bad.getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField).containsExactly("LAYER_COUNT", "WORK_ORDER");
        assertThat(bad.getFieldViolations(0).getDescription()).isEqualTo("\"four\" is not a number");
        assertThat(bad.getFieldViolations(1).getDescription()).contains("required").contains("missing");
        assertThat(e.getStatus().getDescription()).contains("2005 LAYER_COUNT").contains("2014 WORK_ORDER");
        assertNotStored(h);
    }

    @Test
    void defaultPermissionsFollowTheTemplateItems() {
        String h = "88.999.2/PCB.GRPC.COPY.1";
        fab.register(RegisterRequest.newBuilder().setRecord(HandleRecord.newBuilder().setHandle(h).addAllValues(lotValuesWithDefaultPermissions())).build());
        Map<Integer, String> forOwner = resolved(fab, h);
        assertThat(forOwner).containsEntry(2021, "PROCESS_YIELD=96.4").containsEntry(2005, "LAYER_COUNT=4");
        Map<Integer, String> forAnyone = resolved(anonymous, h);
        assertThat(forAnyone).as("PROCESS_YIELD and UNIT_COST are restricted items").doesNotContainKeys(2021, 2022)
                .containsEntry(2005, "LAYER_COUNT=4").containsEntry(1, "URL=https://example.com/pcb/lot/A2-000123");
        assertThat(forOwner.keySet()).containsAll(forAnyone.keySet()).hasSize(forAnyone.size() + 2);
    }

    @Test
    void invalidRequestsAreInvalidArgument() {
        assertError(failure(() -> fab.register(RegisterRequest.newBuilder().setRecord(record("no-slash", text(1, "URL", "x"))).build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_HANDLE", 102);
        StatusRuntimeException zero = failure(() -> fab.register(RegisterRequest.newBuilder()
                .setRecord(record("88.999.2/GRPC-BAD-VALUE", text(1, "URL", "x"), text(0, "DESC", "index zero"))).build()));
        assertError(zero, Status.Code.INVALID_ARGUMENT, "INVALID_VALUE", 202);
        assertThat(zero.getStatus().getDescription()).contains("value 2").contains("index");
        assertError(failure(() -> fab.register(RegisterRequest.newBuilder()
                        .setRecord(record("88.999.2/GRPC-BAD-VALUE", text(1, "", "no type"))).build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_VALUE", 202);
        assertError(failure(() -> fab.register(RegisterRequest.newBuilder()
                        .setRecord(record("88.999.2/GRPC-BAD-VALUE", text(1, "URL", "a"), text(1, "URL", "b"))).build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_VALUE", 202);
        assertNotStored("88.999.2/GRPC-BAD-VALUE");
    }

    // ---------------------------------------------------------------------------------------------
    // Who may write
    // ---------------------------------------------------------------------------------------------

    @Test
    void writesWithoutATokenAreUnauthenticated() {
        String h = "88.999.2/GRPC-ANON";
        List<Runnable> calls = List.of(
                () -> anonymous.register(RegisterRequest.newBuilder().setRecord(record(h, text(1, "URL", "x"))).build()),
                () -> anonymous.batchRegister(BatchRegisterRequest.newBuilder().addRecords(record(h, text(1, "URL", "x"))).build()),
                () -> anonymous.updateValues(UpdateValuesRequest.newBuilder().setHandle(LOT).addValues(text(3, "DESC", "x")).build()),
                () -> anonymous.deleteValues(DeleteValuesRequest.newBuilder().setHandle(LOT).addIndexes(1).build()),
                () -> anonymous.deleteHandle(DeleteHandleRequest.newBuilder().setHandle(LOT).build()));
        for (Runnable call : calls) {
            StatusRuntimeException e = failure(call);
            assertError(e, Status.Code.UNAUTHENTICATED, "AUTHENTICATION_NEEDED", 402);
            assertThat(e.getStatus().getDescription()).contains("Bearer");
        }
        StatusRuntimeException bulk = catchBulk(GrpcClients.deadline(IdentifierServiceGrpc.newStub(channel)), List.of(record(h, text(1, "URL", "x"))), 1);
        assertError(bulk, Status.Code.UNAUTHENTICATED, "AUTHENTICATION_NEEDED", 402);
        assertNotStored(h);
        assertThat(resolved(anonymous, LOT)).containsKeys(1, 2005);
    }

    @Test
    void forgedAndMalformedCredentialsAreRefusedBeforeTheCall() {
        String h = "88.999.2/GRPC-FORGED";
        RegisterRequest req = RegisterRequest.newBuilder().setRecord(record(h, text(1, "URL", "x"))).build();
        String forged = fabToken.substring(0, fabToken.indexOf('~') + 1) + "A".repeat(43);
        StatusRuntimeException e = failure(() -> GrpcClients.withToken(IdentifierServiceGrpc.newBlockingStub(channel), forged).register(req));
        assertError(e, Status.Code.UNAUTHENTICATED, "AUTHENTICATION_FAILED", 403);
        assertThat(e.getStatus().getDescription()).contains("token");
        for (String header : List.of("Bearer not-a-token", "Digest abc", "Basic ***")) {
            assertError(failure(() -> GrpcClients.withAuthorization(IdentifierServiceGrpc.newBlockingStub(channel), header).register(req)),
                    Status.Code.UNAUTHENTICATED, "INVALID_CREDENTIAL", 404);
        }
        // An empty authorization is anonymous, as in REST: reads work, writes need credentials.
        IdentifierServiceGrpc.IdentifierServiceBlockingStub blank = GrpcClients.withAuthorization(IdentifierServiceGrpc.newBlockingStub(channel), " ");
        assertThat(resolved(blank, LOT)).containsKey(2005).doesNotContainKey(2021);
        assertError(failure(() -> blank.register(req)), Status.Code.UNAUTHENTICATED, "AUTHENTICATION_NEEDED", 402);
        // A refused credential is refused on reads too, as in REST: it is never taken as anonymous.
        assertError(failure(() -> GrpcClients.withToken(IdentifierServiceGrpc.newBlockingStub(channel), forged)
                .resolve(ResolveRequest.newBuilder().setHandle(LOT).build())), Status.Code.UNAUTHENTICATED, "AUTHENTICATION_FAILED", 403);
        assertNotStored(h);
    }

    @Test
    void anotherEnterprisesTokenMayNotWriteUnderThePrefix() {
        String h = "88.999.2/GRPC-FOREIGN";
        StatusRuntimeException e = failure(() -> assembler.register(RegisterRequest.newBuilder().setRecord(record(h, text(1, "URL", "x"))).build()));
        assertError(e, Status.Code.PERMISSION_DENIED, "INVALID_ADMIN", 400);
        assertThat(e.getStatus().getDescription()).contains("0.NA/88.999.4");
        assertNotStored(h);
        assertError(failure(() -> assembler.updateValues(UpdateValuesRequest.newBuilder().setHandle(LOT).addValues(text(3, "DESC", "hijack")).build())),
                Status.Code.PERMISSION_DENIED, "INVALID_ADMIN", 400);
        assertError(failure(() -> assembler.deleteHandle(DeleteHandleRequest.newBuilder().setHandle(LOT).build())),
                Status.Code.PERMISSION_DENIED, "INVALID_ADMIN", 400);
        assertThat(resolved(anonymous, LOT)).doesNotContainKey(3).containsKey(2005);
    }

    @Test
    void basicCredentialsWorkAsInRest() {
        IdentifierServiceGrpc.IdentifierServiceBlockingStub basic = GrpcClients.withAuthorization(IdentifierServiceGrpc.newBlockingStub(channel),
                RestWriteTest.basic("88.999.7", SECRET7));
        assertThat(basic.register(RegisterRequest.newBuilder().setRecord(record("88.999.7/GRPC-BASIC", text(1, "URL", "https://example.com/b"))).build())
                .getCreated()).isTrue();
        assertError(failure(() -> GrpcClients.withAuthorization(IdentifierServiceGrpc.newBlockingStub(channel), RestWriteTest.basic("88.999.7", "wrong"))
                        .register(RegisterRequest.newBuilder().setRecord(record("88.999.7/GRPC-BASIC-2", text(1, "URL", "x"))).build())),
                Status.Code.UNAUTHENTICATED, "AUTHENTICATION_FAILED", 403);
        assertNotStored("88.999.7/GRPC-BASIC-2");
    }

    // ---------------------------------------------------------------------------------------------
    // BatchRegister
    // ---------------------------------------------------------------------------------------------

    @Test
    void batchRegisterGivesEachRecordItsResult() {
        List<HandleValue> badLot = new ArrayList<>(lotValuesWithDefaultPermissions());
        badLot.replaceAll(v -> v.getType().equals("QUANTITY") ? v.toBuilder().setData(ByteString.copyFromUtf8("-5")).build() : v);
        BatchRegisterRequest req = BatchRegisterRequest.newBuilder()
                .addRecords(record("88.999.2/GRPC-BATCH-OK", text(1, "URL", "https://example.com/ok")))
                .addRecords(HandleRecord.newBuilder().setHandle("88.999.2/PCB.GRPC.BATCH.BAD").addAllValues(badLot))
                .addRecords(record("88.999.2/", text(1, "URL", "x")))
                .addRecords(record("88.999.2/GRPC-BATCH-ZERO", text(0, "URL", "x")))
                .addRecords(record("88.999.4/GRPC-BATCH-FOREIGN", text(1, "URL", "x")))
                .addRecords(HandleRecord.newBuilder().setHandle("88.999.2/PCB.GRPC.BATCH.GOOD").addAllValues(lotValuesWithDefaultPermissions()))
                .build();
        BatchRegisterResponse resp = fab.batchRegister(req);
        assertThat(resp.getAccepted()).isEqualTo(2);
        assertThat(resp.getRefused()).isEqualTo(4);
        List<RegisterResult> r = resp.getResultsList();
        assertThat(r).extracting(RegisterResult::getHandle).containsExactly("88.999.2/GRPC-BATCH-OK", "88.999.2/PCB.GRPC.BATCH.BAD", "88.999.2/",
                "88.999.2/GRPC-BATCH-ZERO", "88.999.4/GRPC-BATCH-FOREIGN", "88.999.2/PCB.GRPC.BATCH.GOOD");
        assertThat(r.get(0).hasError()).isFalse();
        assertThat(r.get(1).getError().getResponseCode()).isEqualTo(202);
        assertThat(r.get(1).getError().getReason()).isEqualTo("INVALID_VALUE");
        assertThat(r.get(1).getError().getFieldErrorsList()).extracting(FieldError::getField).containsExactly("QUANTITY");
        assertThat(r.get(1).getError().getFieldErrors(0).getMessage()).contains("-5").contains("minimum");
        assertThat(r.get(2).getError().getReason()).isEqualTo("INVALID_HANDLE");
        assertThat(r.get(3).getError().getReason()).isEqualTo("INVALID_VALUE");
        assertThat(r.get(3).getError().getMessage()).contains("index");
        assertThat(r.get(4).getError().getReason()).isEqualTo("INVALID_ADMIN");
        assertThat(r.get(5).hasError()).isFalse();

        assertThat(resolved(anonymous, "88.999.2/GRPC-BATCH-OK")).containsEntry(1, "URL=https://example.com/ok");
        assertThat(resolved(anonymous, "88.999.2/PCB.GRPC.BATCH.GOOD")).containsEntry(2005, "LAYER_COUNT=4").doesNotContainKey(2021);
        assertNotStored("88.999.2/PCB.GRPC.BATCH.BAD");
        assertNotStored("88.999.4/GRPC-BATCH-FOREIGN");

        // Replaying the batch gives the same results and the same state.
        BatchRegisterResponse again = fab.batchRegister(req);
        assertThat(again.getResultsList()).isEqualTo(resp.getResultsList());
    }

    @Test
    void batchRegisterOfMoreThan2000RecordsIsInvalidArgument() {
        BatchRegisterRequest.Builder b = BatchRegisterRequest.newBuilder();
        for (int i = 0; i < 2001; i++) {
            b.addRecords(record("88.999.2/GRPC-TOO-MANY-" + i, text(1, "URL", "x")));
        }
        StatusRuntimeException e = failure(() -> fab.batchRegister(b.build()));
        assertError(e, Status.Code.INVALID_ARGUMENT, "PROTOCOL_ERROR", 4);
        assertThat(e.getStatus().getDescription()).contains("2000").contains("2001");
        assertNotStored("88.999.2/GRPC-TOO-MANY-0");
    }

    // ---------------------------------------------------------------------------------------------
    // UpdateValues, DeleteValues, DeleteHandle
    // ---------------------------------------------------------------------------------------------

    @Test
    void valuesAreAddedReplacedAndDeleted() {
        String h = "88.999.2/GRPC-VALUES";
        fab.register(RegisterRequest.newBuilder().setRecord(record(h, text(1, "URL", "https://example.com/v1"), text(2, "DESC", "first"))).build());

        assertThat(fab.updateValues(UpdateValuesRequest.newBuilder().setHandle(h)
                .addValues(text(1, "URL", "https://example.com/v2")).addValues(text(3, "EMAIL", "ops@example.com")).build()).getHandle()).isEqualTo(h);
        assertThat(resolved(anonymous, h)).containsExactly(Map.entry(1, "URL=https://example.com/v2"), Map.entry(2, "DESC=first"),
                Map.entry(3, "EMAIL=ops@example.com"));

        fab.deleteValues(DeleteValuesRequest.newBuilder().setHandle(h).addIndexes(2).build());
        assertThat(resolved(anonymous, h)).containsOnlyKeys(1, 3);

        assertError(failure(() -> fab.deleteValues(DeleteValuesRequest.newBuilder().setHandle(h).addIndexes(99).build())),
                Status.Code.NOT_FOUND, "VALUES_NOT_FOUND", 200);
        assertError(failure(() -> fab.deleteValues(DeleteValuesRequest.newBuilder().setHandle(h).build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_VALUE", 202);
        assertError(failure(() -> fab.updateValues(UpdateValuesRequest.newBuilder().setHandle(h).build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_VALUE", 202);
        assertError(failure(() -> fab.updateValues(UpdateValuesRequest.newBuilder().setHandle("88.999.2/GRPC-NO-SUCH").addValues(text(1, "URL", "x")).build())),
                Status.Code.NOT_FOUND, "HANDLE_NOT_FOUND", 100);
        assertThat(resolved(anonymous, h)).containsOnlyKeys(1, 3);
    }

    @Test
    void updatesOfATemplateRecordAreValidatedAndTakeTheItemDefaults() {
        String h = "88.999.2/PCB.GRPC.UPDATE.1";
        fab.register(RegisterRequest.newBuilder().setRecord(HandleRecord.newBuilder().setHandle(h).addAllValues(lotValuesWithDefaultPermissions())).build());
        HandleValue cost = HandleValue.newBuilder().setIndex(2022).setType("UNIT_COST").setData(ByteString.copyFromUtf8("13.10"))
                .setTtl(86400).setDefaultPermissions(true).build();
        fab.updateValues(UpdateValuesRequest.newBuilder().setHandle(h).addValues(cost).build());
        assertThat(resolved(fab, h)).containsEntry(2022, "UNIT_COST=13.10");
        assertThat(resolved(anonymous, h)).as("the stored record's template makes UNIT_COST restricted").doesNotContainKey(2022);

        StatusRuntimeException e = failure(() -> fab.updateValues(UpdateValuesRequest.newBuilder().setHandle(h)
                .addValues(text(2005, "LAYER_COUNT", "99")).build()));
        assertError(e, Status.Code.INVALID_ARGUMENT, "INVALID_VALUE", 202);
        assertThat(GrpcClients.badRequest(e).getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField).containsExactly("LAYER_COUNT");
        assertThat(resolved(anonymous, h)).containsEntry(2005, "LAYER_COUNT=4");
    }

    @Test
    void deleteHandleRemovesTheRecord() {
        String h = "88.999.2/GRPC-DELETE";
        fab.register(RegisterRequest.newBuilder().setRecord(record(h, text(1, "URL", "https://example.com/d"))).build());
        assertThat(resolved(anonymous, h)).containsKey(1);
        assertThat(fab.deleteHandle(DeleteHandleRequest.newBuilder().setHandle(h).build()).getHandle()).isEqualTo(h);
        assertNotStored(h);
        assertError(failure(() -> fab.deleteHandle(DeleteHandleRequest.newBuilder().setHandle(h).build())),
                Status.Code.NOT_FOUND, "HANDLE_NOT_FOUND", 100);
        assertError(failure(() -> fab.deleteHandle(DeleteHandleRequest.newBuilder().setHandle("88.999.2").build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_HANDLE", 102);
    }

    // ---------------------------------------------------------------------------------------------
    // BulkRegister
    // ---------------------------------------------------------------------------------------------

    /**
     * Streams {@code records} in chunks, sending only while the call is ready (the flow control a bulk client must
     * honour), and returns the node's answer.
     */
    static CompletableFuture<BulkRegisterResponse> bulk(IdentifierServiceGrpc.IdentifierServiceStub stub, List<HandleRecord> records, int chunk) {
        CompletableFuture<BulkRegisterResponse> result = new CompletableFuture<>();
        stub.bulkRegister(new ClientResponseObserver<BulkRegisterRequest, BulkRegisterResponse>() {
            private int next;
            private boolean finished;

            @Override
            public void beforeStart(ClientCallStreamObserver<BulkRegisterRequest> requests) {
                requests.setOnReadyHandler(() -> {
                    while (requests.isReady() && !finished) {
                        if (next == records.size()) {
                            finished = true;
                            requests.onCompleted();
                            return;
                        }
                        int end = Math.min(next + chunk, records.size());
                        requests.onNext(BulkRegisterRequest.newBuilder().addAllRecords(records.subList(next, end)).build());
                        next = end;
                    }
                });
            }

            @Override
            public void onNext(BulkRegisterResponse value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                if (!result.isDone()) {
                    result.completeExceptionally(new AssertionError("the call ended without an answer"));
                }
            }
        });
        return result;
    }

    static StatusRuntimeException catchBulk(IdentifierServiceGrpc.IdentifierServiceStub stub, List<HandleRecord> records, int chunk) {
        try {
            BulkRegisterResponse r = bulk(stub, records, chunk).get(2, TimeUnit.MINUTES);
            throw new AssertionError("the bulk registration should have failed, it answered " + r);
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
            return (StatusRuntimeException) e.getCause();
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void bulkRegisterStreamsAHundredThousandRecordsWithFlowControl() throws Exception {
        int n = 100_000;
        Map<Integer, String> badReason = Map.of(7, "INVALID_HANDLE", 12_345, "INVALID_VALUE", 50_000, "INVALID_VALUE",
                77_777, "INVALID_ADMIN", 99_999, "INVALID_HANDLE");
        List<HandleRecord> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String h = String.format("88.999.2/BULK.%06d", i);
            if (i == 7 || i == 99_999) {
                records.add(record("88.999.2/", text(1, "URL", "no suffix")));
            } else if (i == 12_345) {
                records.add(record(h, text(1, "URL", "x"), text(2, "", "no type")));
            } else if (i == 50_000) {
                records.add(record(h, text(1000, "TEMPLATE_ID", "88.999/TPL.PCB_LOT"), text(1001, "TEMPLATE", "1.0")));
            } else if (i == 77_777) {
                records.add(record(String.format("88.999.4/BULK.%06d", i), text(1, "URL", "foreign")));
            } else {
                records.add(record(h, text(1, "URL", "https://example.com/bulk/" + i)));
            }
        }
        IdentifierServiceGrpc.IdentifierServiceStub stub = GrpcClients.withToken(IdentifierServiceGrpc.newStub(channel), fabToken)
                .withDeadlineAfter(5, TimeUnit.MINUTES);
        BulkRegisterResponse resp = bulk(stub, records, 1000).get(5, TimeUnit.MINUTES);

        assertThat(resp.getRefused()).isEqualTo(badReason.size());
        assertThat(resp.getAccepted()).isEqualTo(n - badReason.size());
        assertThat(resp.getRefusalsList()).extracting(BulkRefusal::getSequence).containsExactly(7L, 12_345L, 50_000L, 77_777L, 99_999L);
        for (BulkRefusal r : resp.getRefusalsList()) {
            assertThat(r.getError().getReason()).as("record %d", r.getSequence()).isEqualTo(badReason.get((int) r.getSequence()));
            assertThat(r.getHandle()).isEqualTo(records.get((int) r.getSequence()).getHandle());
            assertThat(r.getError().getMessage()).isNotBlank();
        }
        BulkRefusal template = resp.getRefusalsList().get(2);
        assertThat(template.getError().getFieldErrorsList()).extracting(FieldError::getField).contains("LAYER_COUNT", "CUSTOMER_PN");

        // Every accepted record resolves, with its own value.
        Set<String> missing = new HashSet<>();
        for (int from = 0; from < n; from += 2000) {
            BatchResolveRequest.Builder b = BatchResolveRequest.newBuilder();
            for (int i = from; i < from + 2000; i++) {
                b.addRequests(ResolveRequest.newBuilder().setHandle(records.get(i).getHandle()));
            }
            List<ResolveResult> results = anonymous.batchResolve(b.build()).getResultsList();
            for (int i = from; i < from + 2000; i++) {
                ResolveResult r = results.get(i - from);
                if (badReason.containsKey(i)) {
                    assertThat(r.hasRecord()).as("refused record %d", i).isFalse();
                } else if (!r.hasRecord() || !r.getRecord().getValues(0).getData().toStringUtf8().equals("https://example.com/bulk/" + i)) {
                    missing.add(records.get(i).getHandle());
                }
            }
        }
        assertThat(missing).as("accepted records that do not resolve").isEmpty();
    }

    @Test
    void aBulkChunkOverTheLimitEndsTheCallAndKeepsWhatCameBefore() {
        List<HandleRecord> records = new ArrayList<>();
        for (int i = 0; i < 10 + 2001; i++) {
            records.add(record(String.format("88.999.2/BULK-LIMIT.%05d", i), text(1, "URL", "https://example.com/limit/" + i)));
        }
        IdentifierServiceGrpc.IdentifierServiceStub stub = GrpcClients.withToken(IdentifierServiceGrpc.newStub(channel), fabToken)
                .withDeadlineAfter(2, TimeUnit.MINUTES);
        // First chunk: 10 records; second: 2001.
        CompletableFuture<BulkRegisterResponse> result = new CompletableFuture<>();
        io.grpc.stub.StreamObserver<BulkRegisterRequest> requests = stub.bulkRegister(new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(BulkRegisterResponse value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        requests.onNext(BulkRegisterRequest.newBuilder().addAllRecords(records.subList(0, 10)).build());
        requests.onNext(BulkRegisterRequest.newBuilder().addAllRecords(records.subList(10, records.size())).build());
        requests.onCompleted();
        StatusRuntimeException e;
        try {
            result.get(2, TimeUnit.MINUTES);
            throw new AssertionError("a chunk of 2001 records must be refused");
        } catch (java.util.concurrent.ExecutionException x) {
            e = (StatusRuntimeException) x.getCause();
        } catch (InterruptedException | java.util.concurrent.TimeoutException x) {
            throw new AssertionError(x);
        }
        assertError(e, Status.Code.INVALID_ARGUMENT, "PROTOCOL_ERROR", 4);
        assertThat(e.getStatus().getDescription()).contains("2001").contains("10 records before it were registered");
        for (int i = 0; i < 10; i++) {
            assertThat(resolved(anonymous, records.get(i).getHandle())).containsEntry(1, "URL=https://example.com/limit/" + i);
        }
        assertNotStored(records.get(10).getHandle());
    }
}
