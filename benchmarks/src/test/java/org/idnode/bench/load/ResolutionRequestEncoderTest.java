package org.idnode.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.ResolutionRequest;
import org.junit.jupiter.api.Test;

class ResolutionRequestEncoderTest {
    private static final int EXPIRATION = ResolutionRequestEncoder.ENVELOPE_SIZE + 16;

    @Test
    void writesWhatTheHandleLibraryEncodes() throws Exception {
        ResolutionRequestEncoder encoder = new ResolutionRequestEncoder();
        String[] handles = {"88.999.2/PCB.87.01.01.A2.250601.000123", "0.NA/88.999.1", "88.999/x", "88.999.4/批次-ä"};
        int requestId = 0x7654321;
        for (String h : handles) {
            byte[] handle = h.getBytes(StandardCharsets.UTF_8);
            byte[] expected = ResolutionRequestEncoder.encodeWithLibrary(handle, requestId);
            ByteBuf buf = Unpooled.buffer();
            encoder.write(buf, requestId, handle, 0, handle.length);
            byte[] actual = ByteBufUtil.getBytes(buf);
            assertThat(actual).hasSize(ResolutionRequestEncoder.size(handle.length));
            // The header's expiration is "now + 12 h" when each was encoded; everything else must match.
            System.arraycopy(expected, EXPIRATION, actual, EXPIRATION, 4);
            assertThat(actual).as(h).isEqualTo(expected);

            MessageEnvelope env = new MessageEnvelope();
            Encoder.decodeEnvelope(actual, env);
            assertThat(env.requestId).isEqualTo(requestId);
            byte[] message = java.util.Arrays.copyOfRange(actual, ResolutionRequestEncoder.ENVELOPE_SIZE, actual.length);
            ResolutionRequest decoded = (ResolutionRequest) Encoder.decodeMessage(message, 0, env);
            assertThat(new String(decoded.handle, StandardCharsets.UTF_8)).isEqualTo(h);
            assertThat(decoded.ignoreRestrictedValues).isTrue();
        }
    }
}
