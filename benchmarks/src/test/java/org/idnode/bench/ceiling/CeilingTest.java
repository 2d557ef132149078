package org.idnode.bench.ceiling;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.ResolutionResponse;
import org.idnode.bench.load.KeySet;
import org.idnode.bench.load.LoadResult;
import org.idnode.bench.load.LoadSpec;
import org.idnode.bench.load.Protocol;
import org.junit.jupiter.api.Test;

class CeilingTest {
    private static final KeySet KEYS = keys();

    private static KeySet keys() {
        List<String> handles = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            handles.add("88.999.4/PCBA.CEILING." + i);
        }
        return KeySet.of(handles);
    }

    private static LoadSpec spec(Protocol p) {
        // A generous timeout: these runs check that every request is answered, however slow the machine is.
        return LoadSpec.builder(p).warmup(Duration.ZERO).concurrency(16).requests(2000).timeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void theCannedAnswerIsA378ByteResolutionResponseWithSixValues() throws Exception {
        CannedResponse canned = CannedResponse.create();
        assertThat(canned.handleMessage).hasSize(378);
        MessageEnvelope env = new MessageEnvelope();
        Encoder.decodeEnvelope(canned.handleMessage, env);
        byte[] message = java.util.Arrays.copyOfRange(canned.handleMessage, 20, canned.handleMessage.length);
        ResolutionResponse r = (ResolutionResponse) Encoder.decodeMessage(message, 0, env);
        assertThat(r.responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(r.getHandleValues()).hasSize(6);
        String http = new String(canned.httpResponse, StandardCharsets.UTF_8);
        assertThat(http).startsWith("HTTP/1.1 200 OK\r\n").contains("\"responseCode\":1", CannedResponse.HANDLE);
    }

    @Test
    void everyProtocolRunsCleanAgainstTheInProcessResponder() {
        for (Protocol p : new Protocol[] {Protocol.UDP, Protocol.TCP, Protocol.HTTP, Protocol.GRPC}) {
            LoadResult r = CeilingRun.run(spec(p), KEYS, CeilingRun.Placement.IN_PROCESS, 2);
            assertThat(r.ceiling()).isTrue();
            assertThat(r.errorsByCode()).as(p.label()).isEmpty();
            assertThat(r.requests()).as(p.label()).isEqualTo(2000);
            assertThat(r.successes()).as(p.label()).isEqualTo(2000);
        }
        LoadResult perConnection = CeilingRun.run(LoadSpec.builder(Protocol.TCP).warmup(Duration.ZERO).concurrency(8)
                .requests(500).tcpNewConnection(true).build(), KEYS, CeilingRun.Placement.IN_PROCESS, 1);
        assertThat(perConnection.errors()).isZero();
        assertThat(perConnection.requests()).isEqualTo(500);
    }

    @Test
    void theResponderAlsoRunsAsAChildProcess() {
        LoadResult r = CeilingRun.run(spec(Protocol.UDP), KEYS, CeilingRun.Placement.CHILD_PROCESS, 1);
        assertThat(r.ceiling()).isTrue();
        assertThat(r.errors()).isZero();
        assertThat(r.requests()).isEqualTo(2000);
        assertThat(r.toMap()).containsEntry("ceiling", true);
    }
}
