package org.idnode.bench.load;

import java.util.Arrays;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.ResolutionResponse;

/**
 * Verification of Handle answers (with {@link LoadSpec#verify()}): decodes the message with the
 * Handle.net library and checks that a successful answer is a resolution response for the handle that
 * was asked for. Stateless.
 */
final class AnswerCheck {
    private AnswerCheck() {
    }

    /**
     * @param envelope the answer's 20-byte envelope (the first one, for chunked UDP answers)
     * @param message  the whole message after the envelope
     * @return null when the answer is a success for {@code handle}; an error code otherwise
     */
    static String check(byte[] envelope, byte[] message, byte[] handle) {
        try {
            MessageEnvelope env = new MessageEnvelope();
            Encoder.decodeEnvelope(envelope, env);
            env.truncated = false;
            AbstractMessage msg = Encoder.decodeMessage(message, 0, env);
            if (msg == null) {
                return "malformed";
            }
            if (msg.responseCode != AbstractMessage.RC_SUCCESS) {
                return Recorder.handleCode(msg.responseCode);
            }
            if (!(msg instanceof ResolutionResponse r) || !Arrays.equals(r.handle, handle)) {
                return "mismatch";
            }
            r.getHandleValues();
            return null;
        } catch (Exception e) {
            return "malformed";
        }
    }
}
