package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Common;
import net.handle.hdllib.GenericRequest;
import net.handle.hdllib.GetSiteInfoResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.Util;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A UDP answer is never more than {@code limits.udp-amplification-factor} (default 5) times the size of its
 * request: a larger one is replaced by a small {@code RC_ERROR} answer, on which CNRI's resolver goes to the
 * node's TCP interface, so large records still resolve with the unmodified client. Checked on the fast path
 * (cached answers) and the general path (a record read from the store, a signed answer, site info).
 */
class UdpAmplificationTest {
    private static final int FACTOR = 5;
    private static final int BIG_VALUES = 30;

    @TempDir
    static Path dataDir;
    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("{\"handle\":\"88.999.1/SMALL\",\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/s\"}}]}");
        for (String name : List.of("BIG-HOT", "BIG-COLD", "BIG-CNRI", "BIG-SIGNED")) {
            StringBuilder big = new StringBuilder("{\"handle\":\"88.999.1/" + name + "\",\"values\":[");
            for (int i = 1; i <= BIG_VALUES; i++) {
                big.append(i > 1 ? "," : "").append("{\"index\":").append(i)
                        .append(",\"type\":\"PROCESS_STEP\",\"data\":{\"format\":\"string\",\"value\":\"step ").append(i).append(' ')
                        .append("x".repeat(60)).append("\"}}");
            }
            lines.add(big.append("]}").toString());
        }
        node = TestNode.start(dataDir, lines);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void smallAnswerComesOverUdp() throws Exception {
        byte[] request = RawClients.resolutionRequest("88.999.1/SMALL", 11);
        try (DatagramSocket s = RawClients.udp("127.0.0.1")) {
            RawClients.send(s, node.handlePort(), request);
            byte[] answer = RawClients.receive(s);
            assertThat(RawClients.decode(answer).responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
            assertThat(answer.length).isLessThanOrEqualTo(FACTOR * request.length);
        }
    }

    @Test
    void largeAnswerIsReplacedByAPointerToTcpOnBothPaths() throws Exception {
        long before = node.node.limits().udpAnswersTooLargeCount();
        // BIG-COLD is not in the cache: the general path answers. BIG-HOT is asked twice: the second answer comes from the cache.
        for (String handle : List.of("88.999.1/BIG-COLD", "88.999.1/BIG-HOT", "88.999.1/BIG-HOT")) {
            byte[] request = RawClients.resolutionRequest(handle, 12);
            try (DatagramSocket s = RawClients.udp("127.0.0.1")) {
                RawClients.send(s, node.handlePort(), request);
                byte[] answer = RawClients.receive(s);
                assertThat(answer.length).as("answer bytes for %s", handle).isLessThanOrEqualTo(FACTOR * request.length);
                AbstractMessage m = RawClients.decode(answer);
                assertThat(m.responseCode).isEqualTo(AbstractMessage.RC_ERROR);
                assertThat(m.requestId).isEqualTo(12);
                assertThat(RawClients.errorText(m)).isEqualTo("answer too large for UDP; ask over TCP");
                s.setSoTimeout(300);
                assertThatThrownBy(() -> RawClients.receive(s)).as("no further packet").isInstanceOf(SocketTimeoutException.class);
            }
        }
        assertThat(node.node.limits().udpAnswersTooLargeCount() - before).isEqualTo(3);
    }

    @Test
    void cnriResolverGetsLargeRecordsOverTcp() throws Exception {
        HandleResolver r = CnriClients.resolver(node.site(), "88.999.1"); // UDP, TCP, HTTP: CNRI's default order
        HandleValue[] values = r.resolveHandle("88.999.1/BIG-CNRI", null, null);
        assertThat(values).hasSize(BIG_VALUES);
        // Asked again: the answer now comes from the node's cache, still too large for UDP.
        assertThat(r.resolveHandle("88.999.1/BIG-CNRI", null, null)).hasSize(BIG_VALUES);
    }

    @Test
    void signedAnswersAndSiteInfoReachCnriResolverOverTcp() throws Exception {
        HandleResolver r = CnriClients.resolver(node.site(), "88.999.1");
        ResolutionRequest req = new ResolutionRequest(Util.encodeString("88.999.1/BIG-SIGNED"), null, null, null);
        req.certify = true;
        ResolutionResponse resp = (ResolutionResponse) r.processRequest(req);
        assertThat(resp.getHandleValues()).hasSize(BIG_VALUES);
        GenericRequest siteReq = new GenericRequest(Common.BLANK_HANDLE, AbstractMessage.OC_GET_SITE_INFO, null);
        assertThat(r.sendRequestToSite(siteReq, node.site())).isInstanceOf(GetSiteInfoResponse.class);
    }

    @Test
    void udpOnlyResolverIsToldToAskOverTcp() {
        HandleResolver r = CnriClients.resolver(node.site(), "88.999.1", Interface.SP_HDL_UDP);
        assertThatThrownBy(() -> r.resolveHandle("88.999.1/BIG-HOT", null, null))
                .isInstanceOf(HandleException.class)
                .hasMessageContaining("ask over TCP");
    }
}
