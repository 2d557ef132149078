package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.ServiceReferralResponse;
import net.handle.hdllib.SiteInfo;
import org.idnode.api.v1.EnterprisePrefixFiling;
import org.idnode.api.v1.FederationServiceGrpc;
import org.idnode.api.v1.Filing;
import org.idnode.api.v1.FilingBatch;
import org.idnode.api.v1.FilingStatusRequest;
import org.idnode.api.v1.RegistrationCountFiling;
import org.idnode.api.v1.RegistrationFiling;
import org.idnode.api.v1.SiteFiling;
import org.idnode.server.federation.FilingSignatures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The top-level node's {@code FederationService} as a secondary node uses it: a top-level node T in its own JVM knows
 * the secondary nodes {@code 88.999} (S1, whose key pair exists in its data folder; it does not need to run) and
 * {@code 88.998} (S2, running); batches are signed with the secondary node's own {@code privkey.bin} through
 * {@link FilingSignatures}, as the secondary side does. The tests share T; each files under its own prefix or
 * files nothing that is accepted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FilingReceiverTest {
    private static final String REEL = "88.998.1/REEL-0001";
    private static final String REEL_URL = "https://example.com/smt/reel/0001";

    private FederationNodes nodes;
    private FederationNodes.Secondary s1;
    private FederationNodes.Secondary s2;
    private FederationNodes.Node s2Node;
    private FederationNodes.Node t;
    private Path tData;
    private String token;

    @BeforeAll
    void startTheFederation(@TempDir Path tmp) throws Exception {
        nodes = new FederationNodes(tmp);
        s1 = nodes.secondary("88.999", "88.999.1", "88.999.1/LOT-0001", "https://example.com/ccl/lot/0001");
        s2 = nodes.secondary("88.998", "88.998.1", REEL, REEL_URL);
        ChildJvm s2Process = nodes.launch(s2.data(), "--config", s2.config().toString());
        tData = tmp.resolve("top-level");
        token = nodes.topLevelOperator(tData);
        JsonHttp.cli("secondary", "add", "88.999", "--site", "127.0.0.1:2641", "--pubkey", s1.publicKeyFile().toString(),
                "--data-dir", tData.toString());
        ChildJvm tProcess = nodes.launch(tData, "--role", "top-level");
        s2Node = FederationNodes.ready(s2Process, s2.data());
        t = FederationNodes.ready(tProcess, tData);
        assertThat(http().send("POST", "/api/admin/federation/secondaries", FederationNodes.registration(s2, s2Node), JsonHttp.bearer(token))
                .status()).isEqualTo(201);
    }

    @AfterAll
    void stopTheFederation() throws InterruptedException {
        nodes.close();
    }

    @Test
    void appliesSignedBatchesExactlyOnceAndInOrderAcrossARestart() throws Exception {
        List<Filing> first = List.of(
                enterprisePrefix(1, "88.999.1", "UNDER_REVIEW", true),
                enterprisePrefix(2, "88.999.1", "ENABLED", false),
                registration(3, "88.999.1/LOT-0001"),
                registration(4, "88.999.1/LOT-0002"));
        FilingBatch batch = signed("88.999", first, s1.privateKey());
        assertThat(file(batch)).isEqualTo(4);
        assertThat(file(batch)).as("a replay is acknowledged").isEqualTo(4);
        assertThat(file(signed("88.999", List.of(registration(3, "88.999.1/LOT-0001"), registration(4, "88.999.1/LOT-0002"),
                registration(5, "88.999.1/LOT-0003"), count(6, "88.999.2", 1000, 2)), s1.privateKey())))
                .as("an overlapping batch: 3 and 4 are replays, 5 and 6 are new").isEqualTo(6);

        StatusRuntimeException gap = assertThrows(() -> file(signed("88.999", List.of(registration(8, "88.999.1/LOT-0008")), s1.privateKey())));
        assertThat(gap.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(gap.getStatus().getDescription()).contains("expected 7, got 8");
        ErrorInfo info = GrpcClients.errorInfo(gap);
        assertThat(info.getReason()).isEqualTo("FILING_SEQUENCE_GAP");
        assertThat(info.getMetadataMap()).containsEntry("expected_sequence", "7").containsEntry("applied_through", "6");

        assertFiledOnceEach();
        nodes.stop(t);
        t = nodes.startTopLevel(tData);
        assertThat(status("88.999")).as("the ledger survives a restart").isEqualTo(6);
        assertFiledOnceEach();
        assertThat(file(batch)).as("still a replay").isEqualTo(6);
        assertThat(file(signed("88.999", List.of(registration(7, "88.999.1/LOT-0007")), s1.privateKey()))).isEqualTo(7);
        assertThat(filings("88.999", 6, 10)).hasSize(1);
    }

    /** Filings 1 to 6 each once, in order, and what they say about the enterprise prefixes. */
    private void assertFiledOnceEach() throws Exception {
        JsonArray filed = filings("88.999", 0, 100);
        List<Long> sequences = new ArrayList<>();
        filed.forEach(f -> sequences.add(f.getAsJsonObject().get("sequence").getAsLong()));
        assertThat(sequences).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(filed.get(4).getAsJsonObject().get("handle").getAsString()).isEqualTo("88.999.1/LOT-0003");
        assertThat(filings("88.999", 2, 2)).hasSize(2);

        JsonObject show = http().send("GET", "/api/admin/federation/secondaries/88.999", null, JsonHttp.bearer(token)).json();
        assertThat(show.get("appliedThrough").getAsLong()).isEqualTo(6);
        JsonArray enterprises = show.getAsJsonArray("enterprisePrefixes");
        assertThat(enterprises).hasSize(2);
        JsonObject e1 = enterprises.get(0).getAsJsonObject();
        assertThat(e1.get("prefix").getAsString()).isEqualTo("88.999.1");
        assertThat(e1.get("state").getAsString()).isEqualTo("ENABLED");
        assertThat(e1.get("enterprise").getAsString()).isEqualTo("Example PCB Co.");
        assertThat(e1.get("registered").getAsLong()).as("LOT-0001..3, each once").isEqualTo(3);
        JsonObject e2 = enterprises.get(1).getAsJsonObject();
        assertThat(e2.get("countedRegistered").getAsLong()).isEqualTo(1000);
        assertThat(e2.get("countedDeleted").getAsLong()).isEqualTo(2);
    }

    @Test
    void refusesForgedUnknownAndOversizedBatchesWithoutApplyingAnything() throws Exception {
        long before = status("88.999");
        List<Filing> next = List.of(registration(before + 1, "88.999.1/FORGED"));

        StatusRuntimeException forged = assertThrows(() -> file(signed("88.999", next, s2.privateKey())));
        assertThat(forged.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(forged.getStatus().getDescription()).contains("does not verify with the public key registered for 88.999");

        FilingBatch good = signed("88.999", next, s1.privateKey());
        FilingBatch tampered = good.toBuilder().setFilings(0, registration(before + 1, "88.999.1/CHANGED")).build();
        assertThat(assertThrows(() -> file(tampered)).getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(assertThrows(() -> file(good.toBuilder().clearSignature().build())).getStatus().getDescription()).contains("not signed");

        FilingBatch sha1 = sha1Signed(good.toBuilder().clearSignature().setSignatureAlgorithm("SHA1withRSA").build(), s1.privateKey());
        StatusRuntimeException weak = assertThrows(() -> file(sha1));
        assertThat(weak.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(weak.getStatus().getDescription()).contains("'SHA1withRSA' is not supported").contains("SHA256withRSA");

        StatusRuntimeException unknown = assertThrows(() -> file(signed("88.999.5", List.of(registration(1, "88.999.5/X")), s1.privateKey())));
        assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(unknown.getStatus().getDescription()).contains("secondary prefix 88.999.5 is not registered at this top-level node");
        assertThat(GrpcClients.errorInfo(unknown).getReason()).isEqualTo("FILING_UNAUTHENTICATED");

        List<Filing> tooMany = new ArrayList<>();
        for (long s = before + 1; s <= before + 1001; s++) {
            tooMany.add(registration(s, "88.999.1/BULK-" + s));
        }
        StatusRuntimeException big = assertThrows(() -> file(signed("88.999", tooMany, s1.privateKey())));
        assertThat(big.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(big.getStatus().getDescription()).contains("at most 1000 filings; this one has 1001");

        StatusRuntimeException outside = assertThrows(() -> file(signed("88.999", List.of(registration(before + 1, "88.998.1/NOT-MINE")),
                s1.privateKey())));
        assertThat(outside.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(outside.getStatus().getDescription()).contains("filing " + (before + 1)).contains("not under the secondary prefix 88.999");
        StatusRuntimeException noKind = assertThrows(() -> file(signed("88.999", List.of(Filing.newBuilder().setSequence(before + 1).build()),
                s1.privateKey())));
        assertThat(noKind.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);

        assertThat(status("88.999")).as("nothing was applied").isEqualTo(before);
        StatusRuntimeException noStatus = assertThrows(() -> status("88.997"));
        assertThat(noStatus.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void aSiteFilingMovesTheReferralThatCnriFollows() throws Exception {
        HandleResolver viaTopLevel = CnriClients.rootOnlyResolver(t.site());
        assertThat(url(viaTopLevel.resolveHandle(REEL, null, null))).isEqualTo(REEL_URL);

        // S2 moves to new ports: its old address is dead, so only the new referral can lead there.
        int oldPort = s2Node.ports().handle();
        nodes.stop(s2Node);
        s2Node = nodes.start(s2);
        while (s2Node.ports().handle() == oldPort) {
            nodes.stop(s2Node);
            s2Node = nodes.start(s2);
        }
        SiteInfo moved = s2Node.site();

        Filing site = Filing.newBuilder().setSequence(status("88.998") + 1).setTimeMillis(System.currentTimeMillis())
                .setSite(SiteFiling.newBuilder().setSiteInfo(ByteString.copyFrom(Encoder.encodeSiteInfoRecord(moved)))).build();
        assertThat(file(signed("88.998", List.of(site), s2.privateKey()))).isEqualTo(site.getSequence());

        ServiceReferralResponse referral = (ServiceReferralResponse) FederationNodes.ask(t, "0.NA/88.998.1");
        assertThat(handlePort(referral.getHandleValues()[0])).isEqualTo(s2Node.ports().handle());
        HandleValue[] prefixHandle = ((ResolutionResponse) FederationNodes.ask(t, "0.NA/88.998")).getHandleValues();
        assertThat(prefixHandle[0].getTypeAsString()).isEqualTo("HS_SITE");
        assertThat(handlePort(prefixHandle[0])).isEqualTo(s2Node.ports().handle());

        assertThat(url(CnriClients.rootOnlyResolver(t.site()).resolveHandle(REEL, null, null))).isEqualTo(REEL_URL);
        JsonObject show = http().send("GET", "/api/admin/federation/secondaries/88.998", null, JsonHttp.bearer(token)).json();
        assertThat(show.get("siteSummary").getAsString()).contains("tcp:" + s2Node.ports().handle()).contains("grpc:" + s2Node.ports().grpc());
        assertThat(filings("88.998", 0, 10).get(0).getAsJsonObject().get("kind").getAsString()).isEqualTo("site");
        assertThat(FederationNodes.ask(t, "0.NA/88.998.1").responseCode).isEqualTo(AbstractMessage.RC_PREFIX_REFERRAL);
    }

    // ---------------------------------------------------------------------------------------------

    private JsonHttp http() {
        return new JsonHttp(t.ports().http());
    }

    private JsonArray filings(String prefix, long after, int limit) throws Exception {
        JsonHttp.Resp r = http().send("GET", "/api/admin/federation/secondaries/" + prefix + "/filings?after=" + after + "&limit=" + limit, null,
                JsonHttp.bearer(token));
        assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
        return r.json().getAsJsonArray("filings");
    }

    private long file(FilingBatch batch) throws InterruptedException {
        ManagedChannel channel = FederationNodes.channel(t);
        try {
            return FederationServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS).file(batch).getAppliedThrough();
        } finally {
            FederationNodes.close(channel);
        }
    }

    private long status(String prefix) throws InterruptedException {
        ManagedChannel channel = FederationNodes.channel(t);
        try {
            return FederationServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .status(FilingStatusRequest.newBuilder().setSecondaryPrefix(prefix).build()).getAppliedThrough();
        } finally {
            FederationNodes.close(channel);
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    private static StatusRuntimeException assertThrows(Call call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected a gRPC error, got " + e, e);
        }
        throw new AssertionError("expected a gRPC error, the call succeeded");
    }

    private static FilingBatch signed(String prefix, List<Filing> filings, PrivateKey key) {
        return FilingSignatures.sign(FilingBatch.newBuilder().setSecondaryPrefix(prefix).addAllFilings(filings).build(), key);
    }

    /** Signed with SHA1withRSA, an algorithm the top level does not accept. */
    private static FilingBatch sha1Signed(FilingBatch unsigned, PrivateKey key) throws Exception {
        Signature s = Signature.getInstance("SHA1withRSA");
        s.initSign(key);
        s.update(unsigned.toByteArray());
        return unsigned.toBuilder().setSignature(ByteString.copyFrom(s.sign())).build();
    }

    private static Filing enterprisePrefix(long seq, String prefix, String state, boolean created) {
        return Filing.newBuilder().setSequence(seq).setTimeMillis(1_750_000_000_000L + seq)
                .setEnterprisePrefix(EnterprisePrefixFiling.newBuilder().setPrefix(prefix).setState(state).setEnterprise("Example PCB Co.")
                        .setCreated(created)).build();
    }

    private static Filing registration(long seq, String handle) {
        return Filing.newBuilder().setSequence(seq).setTimeMillis(1_750_000_000_000L + seq)
                .setRegistration(RegistrationFiling.newBuilder().setHandle(handle).setTemplate("pcb-lot@1")).build();
    }

    private static Filing count(long seq, String prefix, long registered, long deleted) {
        return Filing.newBuilder().setSequence(seq).setTimeMillis(1_750_000_000_000L + seq)
                .setRegistrationCount(RegistrationCountFiling.newBuilder().setPrefix(prefix).setRegistered(registered).setDeleted(deleted)).build();
    }

    private static String url(HandleValue[] values) {
        for (HandleValue v : values) {
            if (v.getTypeAsString().equals("URL")) {
                return v.getDataAsString();
            }
        }
        return null;
    }

    private static int handlePort(HandleValue site) throws Exception {
        return Encoder.decodeSiteInfoRecord(site.getData(), 0).servers[0].interfaces[0].port;
    }
}
