package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonArray;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.ServiceReferralResponse;
import net.handle.hdllib.SiteInfo;
import net.handle.hdllib.Util;
import org.idnode.api.v1.FederationServiceGrpc;
import org.idnode.api.v1.FilingStatusRequest;
import org.idnode.server.site.NodeSite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A top-level node T and two secondary nodes S1 ({@code 88.999}) and S2 ({@code 88.998}), each {@code idnode serve} in
 * its own JVM on 127.0.0.1. T learns S1 offline ({@code idnode secondary add} before it starts) and S2 through its
 * operator API; then CNRI's {@code HandleResolver}, configured with only T as the site of {@code 0.NA/0.NA}, and
 * CNRI's {@code HDLTrace} in a JVM of its own, resolve identifiers held by S1 and S2 by following T's prefix referrals.
 */
class FederationReferralTest {
    private static final String LOT = "88.999.1/LOT-0001";
    private static final String LOT_URL = "https://example.com/ccl/lot/0001";
    private static final String REEL = "88.998.1/REEL-0001";
    private static final String REEL_URL = "https://example.com/smt/reel/0001";

    @TempDir
    Path tmp;

    private FederationNodes nodes;

    @AfterEach
    void stop() throws InterruptedException {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void cnriFollowsTheTopLevelsReferralsToBothSecondaryNodes() throws Exception {
        nodes = new FederationNodes(tmp);
        FederationNodes.Secondary s1 = nodes.secondary("88.999", "88.999.1", LOT, LOT_URL);
        FederationNodes.Secondary s2 = nodes.secondary("88.998", "88.998.1", REEL, REEL_URL);
        ChildJvm s1Process = nodes.launch(s1.data(), "--config", s1.config().toString());
        ChildJvm s2Process = nodes.launch(s2.data(), "--config", s2.config().toString());
        FederationNodes.Node n1 = FederationNodes.ready(s1Process, s1.data());
        FederationNodes.Node n2 = FederationNodes.ready(s2Process, s2.data());

        Path tData = tmp.resolve("top-level");
        String token = nodes.topLevelOperator(tData);
        String added = JsonHttp.cli("secondary", "add", "88.999", "--site", n1.handleAddress(), "--pubkey", s1.publicKeyFile().toString(),
                "--data-dir", tData.toString());
        assertThat(added).contains("registered secondary node 88.999 at 127.0.0.1 tcp:" + n1.ports().handle());
        FederationNodes.Node t = nodes.startTopLevel(tData);

        JsonHttp http = new JsonHttp(t.ports().http());
        String body = FederationNodes.registration(s2, n2);
        assertThat(http.send("POST", "/api/admin/federation/secondaries", body, null).status())
                .as("operators only").isEqualTo(401);
        JsonHttp.Resp created = http.send("POST", "/api/admin/federation/secondaries", body, JsonHttp.bearer(token));
        assertThat(created.status()).as(created.json().toString()).isEqualTo(201);
        assertThat(http.send("POST", "/api/admin/federation/secondaries", body, JsonHttp.bearer(token)).status())
                .as("a duplicate").isEqualTo(409);
        JsonArray listed = http.send("GET", "/api/admin/federation/secondaries", null, JsonHttp.bearer(token)).json().getAsJsonArray("secondaries");
        assertThat(listed).hasSize(2);
        assertThat(listed.get(0).getAsJsonObject().get("prefix").getAsString()).isEqualTo("88.998");
        assertThat(listed.get(1).getAsJsonObject().get("siteSummary").getAsString())
                .isEqualTo("127.0.0.1 tcp:" + n1.ports().handle() + " udp:" + n1.ports().handle());

        // Only a top-level node serves the FederationService.
        io.grpc.ManagedChannel toS1 = FederationNodes.channel(n1);
        try {
            assertThatThrownBy(() -> FederationServiceGrpc.newBlockingStub(toS1).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .status(FilingStatusRequest.newBuilder().setSecondaryPrefix("88.999").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
        } finally {
            FederationNodes.close(toS1);
        }

        // Every node publishes its gRPC port in its site info.
        assertThat(NodeSite.grpcPort(t.site()).orElseThrow()).isEqualTo(t.ports().grpc());
        assertThat(NodeSite.grpcPort(n1.site()).orElseThrow()).isEqualTo(n1.ports().grpc());

        // CNRI's resolver knows T only, as the root: it follows T's referral for 0.NA/88.999.1 (and 0.NA/88.998.1) to
        // the secondary node, which answers with the enterprise prefix's HS_SITE, and resolves there.
        SiteInfo root = t.site();
        for (int protocol : new int[] {Interface.SP_HDL_UDP, Interface.SP_HDL_TCP}) {
            HandleResolver resolver = CnriClients.rootOnlyResolver(root);
            resolver.setPreferredProtocols(new int[] {protocol});
            assertThat(urls(resolver.resolveHandle(LOT, null, null))).containsExactly(LOT_URL);
            assertThat(urls(resolver.resolveHandle(REEL, null, null))).containsExactly(REEL_URL);
            assertThatThrownBy(() -> resolver.resolveHandle("88.999.1/NO-SUCH-LOT", null, null))
                    .isInstanceOfSatisfying(HandleException.class, e -> assertThat(e.getCode()).isEqualTo(HandleException.HANDLE_DOES_NOT_EXIST));
        }

        // What T answers, request by request.
        AbstractResponse referral = FederationNodes.ask(t, "0.NA/88.999.1");
        assertThat(referral.responseCode).isEqualTo(AbstractMessage.RC_PREFIX_REFERRAL);
        ServiceReferralResponse r = (ServiceReferralResponse) referral;
        assertThat(Util.decodeString(r.handle)).isEqualTo("0.NA/88.999");
        assertThat(r.getHandleValues()).extracting(HandleValue::getTypeAsString).containsExactly("HS_SITE.PREFIX");
        assertThat(port(r.getHandleValues()[0])).isEqualTo(n1.ports().handle());
        assertThat(FederationNodes.ask(t, "0.NA/88.998.1.7").responseCode).as("any depth").isEqualTo(AbstractMessage.RC_PREFIX_REFERRAL);

        AbstractResponse delegated = FederationNodes.ask(t, "0.NA/88.998");
        assertThat(delegated.responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
        HandleValue[] values = ((ResolutionResponse) delegated).getHandleValues();
        assertThat(values).extracting(HandleValue::getTypeAsString).containsExactly("HS_SITE", "HS_SITE.PREFIX", "HS_ADMIN", "HS_PUBKEY");
        assertThat(port(values[0])).isEqualTo(n2.ports().handle());
        assertThat(values[3].getData()).isEqualTo(Files.readAllBytes(s2.publicKeyFile()));

        assertThat(FederationNodes.ask(t, "0.NA/88.997").responseCode).as("a prefix the root does not know")
                .isEqualTo(AbstractMessage.RC_HANDLE_NOT_FOUND);
        assertThat(FederationNodes.ask(t, LOT).responseCode).as("T is not authoritative for identifiers")
                .isEqualTo(AbstractMessage.RC_SERVER_NOT_RESP);
        AbstractResponse rootInfo = FederationNodes.ask(t, "0.NA/0.NA");
        assertThat(rootInfo.responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(Arrays.stream(((ResolutionResponse) rootInfo).getHandleValues()).filter(v -> v.getTypeAsString().equals("HS_SITE"))
                .map(FederationReferralTest::port)).containsExactly(t.ports().handle());
        AbstractResponse fromS1 = FederationNodes.ask(n1, "0.NA/88.999.1");
        assertThat(Arrays.stream(((ResolutionResponse) fromS1).getHandleValues()).filter(v -> v.getTypeAsString().equals("HS_SITE"))
                .map(FederationReferralTest::port)).as("S1 completes the chain with its own site").containsExactly(n1.ports().handle());

        // The REST API of T says the same as its Handle interface.
        JsonHttp.Resp rest = http.send("GET", "/api/handles/0.NA/88.999.1", null, null);
        assertThat(rest.status()).isEqualTo(300);
        assertThat(rest.rc()).isEqualTo(AbstractMessage.RC_PREFIX_REFERRAL);

        // CNRI's hdl-qresolve (HDLTrace) in its own JVM, given only T as the root in its configuration folder.
        Path toolDir = CnriClients.toolConfigDir(tmp.resolve("hdltool"), root);
        assertThat(Files.readString(toolDir.resolve("local_info.json"))).contains("0.NA/0.NA").doesNotContain("88.99");
        hdlTraceShowsTheChain(toolDir, t, n1, LOT, LOT_URL);
        hdlTraceShowsTheChain(toolDir, t, n2, REEL, REEL_URL);
    }

    /**
     * HDLTrace prints every request it sends and every answer on stderr: the enterprise prefix handle to T, T's
     * referral, the same request to the secondary node with its HS_SITE answer, then the identifier to the secondary node.
     */
    private void hdlTraceShowsTheChain(Path toolDir, FederationNodes.Node t, FederationNodes.Node secondary, String handle, String url)
            throws Exception {
        ChildJvm trace = ChildJvm.launch(Files.createTempDirectory(tmp, "cwd"), "net.handle.apps.simple.HDLTrace",
                List.of("-Dnet.handle.configDir=" + toolDir), handle);
        assertThat(trace.waitExit()).as("exit code; stderr:%n%s", trace.stderr()).isZero();
        assertThat(trace.stdout()).contains("Got Response").contains(handle).contains("\"" + url + "\"");
        String prefixHandle = "0.NA/" + handle.substring(0, handle.indexOf('/'));
        String secondaryPrefixHandle = prefixHandle.substring(0, prefixHandle.lastIndexOf('.'));
        List<String> lines = Arrays.stream(trace.stderr().split("\n")).map(String::trim).toList();
        assertThat(lines).as("HDLTrace's trace:%n%s", trace.stderr()).containsSubsequence(
                line(lines, "sending", " " + prefixHandle + " ", "to 127.0.0.1:" + t.ports().handle()),
                line(lines, "received", "rc=303", secondaryPrefixHandle),
                line(lines, "sending", " " + prefixHandle + " ", "to 127.0.0.1:" + secondary.ports().handle()),
                line(lines, "received", "rc=1;", prefixHandle),
                line(lines, "sending", " " + handle + " ", "to 127.0.0.1:" + secondary.ports().handle()),
                line(lines, "received", "rc=1;", handle));
    }

    /** The first line holding every one of {@code parts}, or a line that cannot match when there is none. */
    private static String line(List<String> lines, String... parts) {
        return lines.stream().filter(l -> Arrays.stream(parts).allMatch(l::contains)).findFirst()
                .orElse("<no line with " + Arrays.toString(parts) + ">");
    }

    private static List<String> urls(HandleValue[] values) {
        return Arrays.stream(values).filter(v -> v.getTypeAsString().equals("URL")).map(HandleValue::getDataAsString).toList();
    }

    /** The Handle port of the first server of an HS_SITE (or HS_SITE.PREFIX) value. */
    private static int port(HandleValue site) {
        try {
            SiteInfo s = Encoder.decodeSiteInfoRecord(site.getData(), 0);
            return s.servers[0].interfaces[0].port;
        } catch (HandleException e) {
            throw new AssertionError(e);
        }
    }
}
