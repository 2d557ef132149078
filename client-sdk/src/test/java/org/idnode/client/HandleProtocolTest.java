package org.idnode.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.grpc.Status;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.ResolveRequest;
import org.idnode.api.v1.ResolveResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK resolving over the Handle protocol, through CNRI's resolver, from a node that speaks only the Handle protocol
 * (gRPC switched off), alone and next to a gRPC node in one client.
 */
class HandleProtocolTest {
    /** Only on the Handle-only node. */
    static final String ONLY_ON_B = "88.999.3/HANDLE-ONLY-1";
    /** Only on the gRPC node. */
    static final String ONLY_ON_A = "88.999.2/GRPC-ONLY-1";
    static final String ENTERPRISE_3 = "88.999.3/ENTERPRISE";
    static final String REEL = "88.999.3/REEL.31.01.01.RC0402F10K.250415.000301";
    static final String PCBA = "88.999.4/PCBA.87.02.01.CTRLA2.250616.000401";

    @TempDir
    static Path tmp;
    static NodeProcess grpcNode;
    static NodeProcess handleOnlyNode;

    @BeforeAll
    static void startNodes() throws Exception {
        Path config = NodeProcess.writeConfig(tmp.resolve("conf"));
        Path a = tmp.resolve("a");
        NodeProcess.importSample(config, a);
        NodeProcess.importLines(config, a, List.of(line(ONLY_ON_A, "https://example.com/only-a")));
        Path b = tmp.resolve("b");
        NodeProcess.importSample(config, b);
        NodeProcess.importLines(config, b, List.of(line(ONLY_ON_B, "https://example.com/only-b")));
        grpcNode = NodeProcess.start(a, config, true);
        handleOnlyNode = NodeProcess.start(b, config, false);
    }

    @AfterAll
    static void stopNodes() throws InterruptedException {
        if (grpcNode != null) {
            grpcNode.close();
        }
        if (handleOnlyNode != null) {
            handleOnlyNode.close();
        }
    }

    static String line(String handle, String url) {
        return "{\"handle\":\"" + handle + "\",\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\""
                + url + "\"},\"ttl\":3600,\"permissions\":\"1110\"}]}";
    }

    static IdClient handleOnlyClient(String... prefixes) {
        IdClient.Builder b = IdClient.builder().cacheMaxEntries(0);
        for (String p : prefixes) {
            b.handleSite(p, handleOnlyNode.handleAddress());
        }
        return b.build();
    }

    @Test
    void resolvesEveryKindOfValueFromANodeWithoutGrpc() {
        try (IdClient client = handleOnlyClient("88.999.3")) {
            HandleRecord r = client.resolve(ENTERPRISE_3);
            assertThat(r.getHandle()).isEqualTo(ENTERPRISE_3);
            assertThat(Values.text(Values.find(r, "URL").orElseThrow())).isEqualTo("https://example.com/dist/");
            assertThat(Values.text(Values.find(r, "DESC").orElseThrow())).startsWith("示例元器件分销有限公司");
            HandleValue cert = Values.find(r, "CERT_SHA256").orElseThrow();
            assertThat(HexFormat.of().withUpperCase().formatHex(cert.getData().toByteArray()))
                    .isEqualTo("93A65D1660B012B28EB842BE5933B6694AE0D73D996B1785F64DF906A25C8223");
            assertThat(Values.find(r, "LABEL_LAYOUT").orElseThrow().getData().toByteArray())
                    .isEqualTo(java.util.Base64.getDecoder().decode("UkVFTC1MQUJFTCB2MTtETSAxNHgxNDtmaWVsZHM9UkVFTF9JRCxNUE4sUVRZLERBVEVfQ09ERQ=="));
            HandleValue url = Values.find(r, "URL").orElseThrow();
            assertThat(url.getIndex()).isEqualTo(1);
            assertThat(url.getTtl()).isEqualTo(86400);
            assertThat(url.getTtlAbsolute()).isFalse();
            assertThat(url.getPublicRead()).isTrue();
            assertThat(url.getTimestamp()).isPositive();

            assertThat(Values.text(Values.find(client.resolve(ONLY_ON_B), "URL").orElseThrow())).isEqualTo("https://example.com/only-b");
        }
    }

    @Test
    void restrictedValuesStayHiddenAndFiltersApply() {
        try (IdClient client = handleOnlyClient("88.999.3", "88.999.4")) {
            HandleRecord reel = client.resolve(REEL);
            assertThat(reel.getValuesList()).extracting(HandleValue::getType).contains("URL", "MPN").doesNotContain("UNIT_COST");
            assertThat(reel.getValuesList()).allMatch(HandleValue::getPublicRead);

            HandleRecord urlOnly = client.resolve(ResolveRequest.newBuilder().setHandle(REEL).addTypes("URL").build());
            assertThat(urlOnly.getValuesList()).extracting(HandleValue::getType).containsExactly("URL");
            HandleRecord index2 = client.resolve(ResolveRequest.newBuilder().setHandle(REEL).addIndexes(2).build());
            assertThat(index2.getValuesList()).extracting(HandleValue::getIndex).containsExactly(2);
            HandleRecord family = client.resolve(ResolveRequest.newBuilder().setHandle(PCBA).addTypes("REF.").build());
            assertThat(family.getValuesList()).extracting(HandleValue::getType).contains("REF.PCB_LOT", "REF.REEL").hasSize(6);
            assertThatThrownBy(() -> client.resolve(ResolveRequest.newBuilder().setHandle(REEL).addTypes("NO_SUCH_TYPE").build()))
                    .isInstanceOfSatisfying(IdNodeException.class, e -> {
                        assertThat(e.reason()).isEqualTo("VALUES_NOT_FOUND");
                        assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
                    });
        }
    }

    @Test
    void anUnknownIdentifierIsHandleNotFound() throws Exception {
        try (IdClient client = handleOnlyClient("88.999.3")) {
            assertThatThrownBy(() -> client.resolve("88.999.3/NO-SUCH-ID"))
                    .isInstanceOfSatisfying(IdNodeException.class, e -> {
                        assertThat(e.reason()).isEqualTo("HANDLE_NOT_FOUND");
                        assertThat(e.responseCode()).isEqualTo(100);
                        assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
                        assertThat(e.handle()).isEqualTo("88.999.3/NO-SUCH-ID");
                    });
            HandleRecord async = client.resolveAsync(ENTERPRISE_3).get(30, TimeUnit.SECONDS);
            assertThat(async.getValuesCount()).isEqualTo(5);
        }
    }

    @Test
    void aDerivedPrefixIsFoundThroughItsPrefixHandleAtTheSite() {
        // Configured for 88.999: 88.999.1/... is looked up as 0.NA/88.999.1 at the site, whose HS_SITE is followed.
        try (IdClient client = handleOnlyClient("88.999")) {
            HandleRecord r = client.resolve("88.999.1/ENTERPRISE");
            assertThat(Values.text(Values.find(r, "URL").orElseThrow())).isEqualTo("https://example.com/ccl/");
        }
    }

    @Test
    void oneClientReadsTheGrpcNodeAndTheHandleOnlyNode() {
        try (IdClient client = IdClient.builder().endpoints(grpcNode.grpcAddress())
                .handleSite("88.999.3", handleOnlyNode.handleAddress()).build()) {
            assertThat(Values.text(Values.find(client.resolve(ONLY_ON_B), "URL").orElseThrow())).isEqualTo("https://example.com/only-b");
            assertThat(Values.text(Values.find(client.resolve(ONLY_ON_A), "URL").orElseThrow())).isEqualTo("https://example.com/only-a");

            List<ResolveResult> batch = client.resolveBatch(List.of(ONLY_ON_A, ONLY_ON_B, "88.999.3/NO-SUCH-ID", "88.999.2/NO-SUCH-ID"));
            assertThat(batch).hasSize(4);
            assertThat(batch.get(0).getRecord().getHandle()).isEqualTo(ONLY_ON_A);
            assertThat(batch.get(1).getRecord().getHandle()).isEqualTo(ONLY_ON_B);
            assertThat(batch.get(2).getError().getResponseCode()).isEqualTo(100);
            assertThat(batch.get(2).getError().getReason()).isEqualTo("HANDLE_NOT_FOUND");
            assertThat(batch.get(3).getError().getResponseCode()).isEqualTo(100);
        }
    }

    @Test
    void anUnreachableSiteIsUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (IdClient client = IdClient.builder().handleSite("88.999.3", "127.0.0.1:" + closedPort).build()) {
            assertThatThrownBy(() -> client.resolve(ENTERPRISE_3))
                    .isInstanceOfSatisfying(IdNodeException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
        }
    }
}
