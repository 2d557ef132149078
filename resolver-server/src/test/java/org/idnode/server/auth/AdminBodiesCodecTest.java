package org.idnode.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.ChallengeAnswerRequest;
import net.handle.hdllib.Common;
import net.handle.hdllib.DeleteHandleRequest;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.GenericRequest;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.SessionSetupRequest;
import net.handle.hdllib.Util;
import net.handle.hdllib.VerifyAuthRequest;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.codec.MalformedMessageException;
import org.junit.jupiter.api.Test;

/**
 * The bodies of the session and challenge operations are decoded with CNRI's {@code Encoder} only
 * after every length field has been checked against the body: a message of a few dozen bytes must
 * never make the decoder allocate by a count it announces.
 */
class AdminBodiesCodecTest {
    private static final int HEADER = 24;

    private static MessageEnvelope envelopeFor(AbstractRequest req, byte[] msg) {
        return AuthFixture.envelope(req, msg.length, false);
    }

    private static AbstractRequest decode(AbstractRequest req, byte[] msg) throws MalformedMessageException {
        return HandleMessageCodec.decodeRequest(envelopeFor(req, msg), msg);
    }

    private static byte[] patched(byte[] msg, int offset, int value) {
        byte[] copy = msg.clone();
        ByteBuffer.wrap(copy, offset, 4).putInt(value);
        return copy;
    }

    private static void assertRefused(AbstractRequest req, byte[] msg, String fieldWords) {
        assertThatThrownBy(() -> decode(req, msg))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                    assertThat(e.responseCode()).isEqualTo(AbstractMessage.RC_PROTOCOL_ERROR);
                    assertThat(e.canAnswer()).isTrue();
                })
                .hasMessageContaining(fieldWords);
    }

    private static SessionSetupRequest sessionSetup() {
        SessionSetupRequest req = new SessionSetupRequest();
        req.keyExchangeMode = Common.KEY_EXCHANGE_DH;
        req.identityHandle = Util.encodeString("0.NA/88.999.1");
        req.identityIndex = 300;
        req.publicKey = new byte[40];
        req.timeout = 86400;
        return AuthFixture.at(req, 11, 1);
    }

    @Test
    void wellFormedBodiesDecodeIntoCnriRequestClasses() throws Exception {
        SessionSetupRequest setup = sessionSetup();
        AbstractRequest s = decode(setup, setup.getEncodedMessage());
        assertThat(s).isInstanceOf(SessionSetupRequest.class);
        assertThat(((SessionSetupRequest) s).identityIndex).isEqualTo(300);
        assertThat(((SessionSetupRequest) s).publicKey).hasSize(40);

        ChallengeAnswerRequest answer = AuthFixture.at(new ChallengeAnswerRequest(Common.SECRET_KEY_TYPE, Util.encodeString("0.NA/88.999.1"), 301,
                new byte[] {2, 1, 2, 3}, null), 11, 2);
        assertThat(decode(answer, answer.getEncodedMessage())).isInstanceOf(ChallengeAnswerRequest.class);

        VerifyAuthRequest verify = AuthFixture.at(new VerifyAuthRequest(Util.encodeString("0.NA/88.999.1"), new byte[16], new byte[32],
                Common.HASH_CODE_SHA256, new byte[] {2, 9}, 301, null), 11, 3);
        AbstractRequest v = decode(verify, verify.getEncodedMessage());
        assertThat(v).isInstanceOf(VerifyAuthRequest.class);
        assertThat(((VerifyAuthRequest) v).handleIndex).isEqualTo(301);

        GenericRequest bye = AuthFixture.at(new GenericRequest(Common.BLANK_HANDLE, AbstractMessage.OC_SESSION_TERMINATE, null), 11, 4);
        assertThat(decode(bye, bye.getEncodedMessage())).isInstanceOf(GenericRequest.class).extracting(r -> r.opCode)
                .isEqualTo(AbstractMessage.OC_SESSION_TERMINATE);
    }

    @Test
    void sessionSetupLengthBombsAreRefused() {
        SessionSetupRequest setup = sessionSetup();
        byte[] msg = assertDoesNotThrow(setup);
        int identityAt = HEADER + 2 + 4;
        int publicKeyAt = identityAt + 4 + setup.identityHandle.length + 4;
        assertRefused(setup, patched(msg, identityAt, Integer.MAX_VALUE), "identity handle length");
        assertRefused(setup, patched(msg, identityAt, 0x7ffffff0), "identity handle length");
        assertRefused(setup, patched(msg, publicKeyAt, Integer.MAX_VALUE), "public key length");
        assertRefused(setup, patched(msg, publicKeyAt, -1), "public key length");
        // A body cut short before its public key.
        byte[] cut = patched(msg, 20, publicKeyAt - HEADER);
        assertRefused(setup, cut, "ends before its public key");
    }

    @Test
    void challengeAnswerLengthBombsAreRefused() {
        ChallengeAnswerRequest answer = AuthFixture.at(new ChallengeAnswerRequest(Common.PUBLIC_KEY_TYPE, Util.encodeString("0.NA/88.999.1"), 300,
                new byte[64], null), 11, 2);
        byte[] msg = assertDoesNotThrow(answer);
        int signedAt = HEADER + 4 + Common.PUBLIC_KEY_TYPE.length + 4 + "0.NA/88.999.1".length() + 4;
        assertRefused(answer, patched(msg, HEADER, Integer.MAX_VALUE), "authentication type length");
        assertRefused(answer, patched(msg, signedAt, 0x7fff0000), "signed response length");
    }

    @Test
    void verifyChallengeLengthBombsAreRefused() {
        VerifyAuthRequest verify = AuthFixture.at(new VerifyAuthRequest(Util.encodeString("0.NA/88.999.1"), new byte[16], new byte[32],
                Common.HASH_CODE_SHA256, new byte[] {2, 9}, 301, null), 11, 3);
        byte[] msg = assertDoesNotThrow(verify);
        int nonceAt = HEADER + 4 + "0.NA/88.999.1".length() + 4;
        int digestTypeAt = nonceAt + 4 + 16;
        assertRefused(verify, patched(msg, nonceAt, Integer.MAX_VALUE), "nonce length");
        byte[] badType = msg.clone();
        badType[digestTypeAt] = 9;
        assertRefused(verify, badType, "digest type 9");
        byte[] oldFormat = msg.clone();
        oldFormat[digestTypeAt] = Common.HASH_CODE_MD5_OLD_FORMAT;   // now the next bytes are read as a length
        ByteBuffer.wrap(oldFormat, digestTypeAt, 4).putInt(0x00ffffff);
        assertRefused(verify, oldFormat, "request digest length");
        int signedAt = digestTypeAt + 1 + 32;
        assertRefused(verify, patched(msg, signedAt, Integer.MAX_VALUE), "signed response length");
    }

    @Test
    void sessionTerminateLengthBombIsRefused() {
        GenericRequest bye = AuthFixture.at(new GenericRequest(Util.encodeString("x"), AbstractMessage.OC_SESSION_TERMINATE, null), 11, 4);
        assertRefused(bye, patched(assertDoesNotThrow(bye), HEADER, Integer.MAX_VALUE), "handle length");
    }

    @Test
    void headerOnlyRequestsKeepTheirCredentialForMacChecks() throws Exception {
        DeleteHandleRequest del = AuthFixture.at(new DeleteHandleRequest(Util.encodeString("88.999.1/X"), null), 11, 5);
        del.sessionId = 77;
        del.sessionCounter = 3;
        del.signMessage(new byte[32]);
        AbstractRequest decoded = decode(del, del.getEncodedMessage());
        assertThat(decoded.opCode).isEqualTo(AbstractMessage.OC_DELETE_HANDLE);
        assertThat(decoded.signature).isEqualTo(del.signature);
        assertThat(decoded.verifyMessage(new byte[32])).isTrue();
        assertThat(decoded.sessionCounter).isEqualTo(3);
        assertThat(Encoder.readOpCode(decoded.messageBody, 0)).isEqualTo(AbstractMessage.OC_DELETE_HANDLE);
    }

    private static byte[] assertDoesNotThrow(AbstractRequest req) {
        try {
            byte[] msg = req.getEncodedMessage();
            decode(req, msg);
            return msg;
        } catch (Exception e) {
            throw new AssertionError("the unpatched message must decode", e);
        }
    }
}
