package org.idnode.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.AuthenticationInfo;
import net.handle.hdllib.ChallengeAnswerRequest;
import net.handle.hdllib.ChallengeResponse;
import net.handle.hdllib.Common;
import net.handle.hdllib.CreateHandleRequest;
import net.handle.hdllib.CreateHandleResponse;
import net.handle.hdllib.DeleteHandleRequest;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.GenericRequest;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.PublicKeyAuthenticationInfo;
import net.handle.hdllib.SecretKeyAuthenticationInfo;
import net.handle.hdllib.Util;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Challenge/response outside sessions (what {@code resolver.setSessionTracker(null)} and HDLDelete do),
 * driven by CNRI's client-side classes: {@code CreateHandleRequest} with CNRI's
 * {@code PublicKeyAuthenticationInfo} / {@code SecretKeyAuthenticationInfo}, CNRI's
 * {@code authenticate(challenge, request)} producing the answer, every message through bytes.
 */
class ChallengeManagerTest {
    private static final byte[] ADMIN = Util.encodeString(AuthFixture.PREFIX_HANDLE);

    @TempDir
    static Path dir;
    static AuthFixture fx;

    SessionManager sessions;
    ChallengeManager challenges;
    int nextRequestId = 1000;

    @BeforeAll
    static void open() throws Exception {
        fx = AuthFixture.create(dir);
    }

    @AfterAll
    static void close() {
        fx.close();
    }

    @BeforeEach
    void managers() {
        sessions = new SessionManager(SessionLimits.defaults(), fx.clock);
        challenges = new ChallengeManager(sessions, fx.lookup(), ChallengeManager.Settings.defaults(), fx.clock);
    }

    /** What one challenge round produced: the server's verdict and the answer the client sent. */
    record Round(AuthResult result, ChallengeAnswerRequest clientAnswer, AbstractRequest clientRequest) {
    }

    private CreateHandleRequest create(String handle, AuthenticationInfo auth, int minor) {
        HandleValue url = new HandleValue(1, "URL", "https://example.com/pcb/0002");
        return AuthFixture.at(new CreateHandleRequest(Util.encodeString(handle), new HandleValue[] {url}, auth), minor, nextRequestId++);
    }

    /** The client's half of HandleResolver's challenge loop, over the wire, against the managers. */
    private Round round(AbstractRequest clientReq, AuthenticationInfo auth) throws Exception {
        AbstractRequest serverReq = AuthFixture.toServer(clientReq);
        AuthResult first = challenges.authenticate(serverReq);
        assertThat(first).isInstanceOf(AuthResult.Reply.class);
        AbstractResponse challengeOut = ((AuthResult.Reply) first).response();
        assertThat(challengeOut.responseCode).isEqualTo(AbstractMessage.RC_AUTHENTICATION_NEEDED);
        assertThat(challengeOut.sessionId).as("a challenge outside a session gets a fresh id").isNotZero();

        ChallengeResponse challenge = (ChallengeResponse) fx.toClient(challengeOut, sessions, null);
        assertThat(challenge.requestId).isEqualTo(clientReq.requestId);
        byte[] signed = auth.authenticate(challenge, clientReq);   // checks the digest against the request it sent
        ChallengeAnswerRequest answer = answerTo(challenge, clientReq, auth, signed);
        AuthResult result = challenges.answer((ChallengeAnswerRequest) AuthFixture.toServer(answer));
        return new Round(result, answer, clientReq);
    }

    /** As HandleResolver.sendRequestToServerByProtocol builds the answer. */
    private ChallengeAnswerRequest answerTo(ChallengeResponse challenge, AbstractRequest clientReq, AuthenticationInfo auth, byte[] signed) {
        ChallengeAnswerRequest answer = new ChallengeAnswerRequest(auth.getAuthType(), auth.getUserIdHandle(), auth.getUserIdIndex(), signed, auth);
        answer.takeValuesFrom(clientReq);
        answer.originalRequest = clientReq;
        answer.majorProtocolVersion = challenge.majorProtocolVersion;
        answer.minorProtocolVersion = challenge.minorProtocolVersion;
        answer.setSupportedProtocolVersion();
        answer.sessionId = challenge.sessionId;
        answer.requestId = nextRequestId++;
        return answer;
    }

    private static int rcOf(AuthResult r) {
        assertThat(r).isInstanceOf(AuthResult.Reply.class);
        return ((AuthResult.Reply) r).response().responseCode;
    }

    @Test
    void publicKeyAnswerAuthenticatesAndHandsBackTheOriginalRequest() throws Exception {
        PublicKeyAuthenticationInfo pk = new PublicKeyAuthenticationInfo(ADMIN, 300, fx.adminKey());
        CreateHandleRequest req = create("88.999.1/PCB-0002", pk, 11);
        req.returnRequestDigest = true;
        Round round = round(req, pk);

        assertThat(round.result()).isInstanceOf(AuthResult.Authenticated.class);
        AuthResult.Authenticated ok = (AuthResult.Authenticated) round.result();
        assertThat(ok.identity()).isEqualTo(new AdminIdentity(AuthFixture.PREFIX_HANDLE, 300));
        // The very request that was challenged (decoded header-only by the codec until writes are decoded).
        assertThat(ok.request().opCode).isEqualTo(AbstractMessage.OC_CREATE_HANDLE);
        assertThat(ok.request().requestId).isEqualTo(req.requestId);
        assertThat(ok.request().messageBody).isEqualTo(req.getEncodedMessageBody());

        // The caller runs the original request and answers the client that waits on the answer's requestId.
        CreateHandleResponse response = new CreateHandleResponse(ok.request(), req.handle);
        ok.bind(response);
        AbstractMessage atClient = fx.toClient(response, sessions, null);
        assertThat(atClient.requestId).isEqualTo(round.clientAnswer().requestId);
        assertThat(atClient.opCode).isEqualTo(AbstractMessage.OC_CREATE_HANDLE);
        assertThat(atClient.responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
        // CNRI's client checks the request digest against the request it sent last: the answer.
        assertThat(atClient.requestDigest).isEqualTo(Util.doDigest(atClient.rdHashType, round.clientAnswer().getEncodedMessageBody()));
    }

    @Test
    void dsaPublicKeyVerifies() throws Exception {
        PublicKeyAuthenticationInfo pk = new PublicKeyAuthenticationInfo(ADMIN, 303, fx.adminDsa.getPrivate());
        Round round = round(create("88.999.1/PCB-DSA", pk, 11), pk);
        assertThat(round.result()).isInstanceOf(AuthResult.Authenticated.class);
        assertThat(((AuthResult.Authenticated) round.result()).identity().index()).isEqualTo(303);
    }

    @Test
    void publicKeyAtProtocol25UsesSha1AndVerifies() throws Exception {
        PublicKeyAuthenticationInfo pk = new PublicKeyAuthenticationInfo(ADMIN, 300, fx.adminKey());
        Round round = round(create("88.999.1/PCB-OLD", pk, 5), pk);
        assertThat(Util.decodeString(Encoder.readByteArray(round.clientAnswer().signedResponse, 0))).isEqualTo("SHA1");
        assertThat(round.result()).isInstanceOf(AuthResult.Authenticated.class);
    }

    @Test
    void indexZeroTriesEveryPublicKeyAndReportsTheOneThatVerified() throws Exception {
        PublicKeyAuthenticationInfo pk = new PublicKeyAuthenticationInfo(ADMIN, 0, fx.adminKey());
        Round round = round(create("88.999.1/PCB-0003", pk, 11), pk);
        assertThat(round.result()).isInstanceOf(AuthResult.Authenticated.class);
        assertThat(((AuthResult.Authenticated) round.result()).identity()).isEqualTo(new AdminIdentity(AuthFixture.PREFIX_HANDLE, 300));
    }

    @Test
    void wrongPrivateKeyIsAuthenticationFailed() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        PublicKeyAuthenticationInfo wrong = new PublicKeyAuthenticationInfo(ADMIN, 300, gen.generateKeyPair().getPrivate());
        Round round = round(create("88.999.1/PCB-0004", wrong, 11), wrong);
        assertThat(rcOf(round.result())).isEqualTo(AbstractMessage.RC_AUTHENTICATION_FAILED);
        AbstractMessage atClient = fx.toClient(((AuthResult.Reply) round.result()).response(), sessions, null);
        assertThat(atClient.requestId).as("errors go to the answer's requestId too").isEqualTo(round.clientAnswer().requestId);
        assertThat(atClient).isInstanceOf(ErrorResponse.class);
    }

    @Test
    void identityThisNodeDoesNotHoldIsAuthenticationFailed() throws Exception {
        PublicKeyAuthenticationInfo pk = new PublicKeyAuthenticationInfo(Util.encodeString("0.NA/88.999.77"), 300, fx.adminKey());
        assertThat(rcOf(round(create("88.999.1/PCB-0005", pk, 11), pk).result())).isEqualTo(AbstractMessage.RC_AUTHENTICATION_FAILED);
    }

    @Test
    void replayedAnswerIsAuthenTimeout() throws Exception {
        PublicKeyAuthenticationInfo pk = new PublicKeyAuthenticationInfo(ADMIN, 300, fx.adminKey());
        Round round = round(create("88.999.1/PCB-0006", pk, 11), pk);
        assertThat(round.result()).isInstanceOf(AuthResult.Authenticated.class);

        AuthResult replay = challenges.answer((ChallengeAnswerRequest) AuthFixture.toServer(round.clientAnswer()));
        assertThat(rcOf(replay)).isEqualTo(AbstractMessage.RC_AUTHEN_TIMEOUT);
    }

    @Test
    void aFailedAnswerUsesUpTheChallenge() throws Exception {
        SecretKeyAuthenticationInfo wrong = new SecretKeyAuthenticationInfo(ADMIN, 301, "guess".getBytes(StandardCharsets.UTF_8));
        Round round = round(create("88.999.1/PCB-0007", wrong, 11), wrong);
        assertThat(rcOf(round.result())).isEqualTo(AbstractMessage.RC_AUTHENTICATION_FAILED);
        assertThat(rcOf(challenges.answer((ChallengeAnswerRequest) AuthFixture.toServer(round.clientAnswer()))))
                .isEqualTo(AbstractMessage.RC_AUTHEN_TIMEOUT);
    }

    @Test
    void expiredChallengeIsAuthenTimeout() throws Exception {
        PublicKeyAuthenticationInfo pk = new PublicKeyAuthenticationInfo(ADMIN, 300, fx.adminKey());
        CreateHandleRequest req = create("88.999.1/PCB-0008", pk, 11);
        ChallengeResponse challenge = (ChallengeResponse) fx.toClient(
                ((AuthResult.Reply) challenges.authenticate(AuthFixture.toServer(req))).response(), sessions, null);
        ChallengeAnswerRequest answer = answerTo(challenge, req, pk, pk.authenticate(challenge, req));
        assertThat(challenges.isPending(challenge.sessionId)).isTrue();

        fx.clock.advance(Duration.ofSeconds(61));
        assertThat(challenges.isPending(challenge.sessionId)).isFalse();
        assertThat(rcOf(challenges.answer((ChallengeAnswerRequest) AuthFixture.toServer(answer)))).isEqualTo(AbstractMessage.RC_AUTHEN_TIMEOUT);
    }

    @Test
    void answerToAChallengeNeverIssuedIsAuthenTimeout() throws Exception {
        ChallengeAnswerRequest answer = new ChallengeAnswerRequest(Common.PUBLIC_KEY_TYPE, ADMIN, 300, new byte[8], null);
        AuthFixture.at(answer, 11, 77);
        answer.sessionId = 123456;
        assertThat(rcOf(challenges.answer((ChallengeAnswerRequest) AuthFixture.toServer(answer)))).isEqualTo(AbstractMessage.RC_AUTHEN_TIMEOUT);
    }

    @Test
    void pbkdf2SecretKeyAtProtocol211Verifies() throws Exception {
        SecretKeyAuthenticationInfo sk = new SecretKeyAuthenticationInfo(ADMIN, 301, AuthFixture.SECRET.getBytes(StandardCharsets.UTF_8));
        Round round = round(create("88.999.1/PCB-0009", sk, 11), sk);
        assertThat(round.clientAnswer().signedResponse[0]).isEqualTo(Common.HASH_CODE_PBKDF2_HMAC_SHA1);
        assertThat(round.result()).isInstanceOf(AuthResult.Authenticated.class);
        assertThat(((AuthResult.Authenticated) round.result()).identity()).isEqualTo(new AdminIdentity(AuthFixture.PREFIX_HANDLE, 301));
    }

    @Test
    void sha1SecretKeyAtProtocol25Verifies() throws Exception {
        SecretKeyAuthenticationInfo sk = new SecretKeyAuthenticationInfo(ADMIN, 301, AuthFixture.SECRET.getBytes(StandardCharsets.UTF_8));
        Round round = round(create("88.999.1/PCB-0010", sk, 5), sk);
        assertThat(round.clientAnswer().signedResponse[0]).isEqualTo(Common.HASH_CODE_SHA1);
        assertThat(round.result()).isInstanceOf(AuthResult.Authenticated.class);
    }

    @Test
    void hashedSecretVerifiesAgainstTheStoredHexSha1() throws Exception {
        SecretKeyAuthenticationInfo sk = new SecretKeyAuthenticationInfo(ADMIN, 302, AuthFixture.HASHED_SECRET.getBytes(StandardCharsets.UTF_8), true);
        Round round = round(create("88.999.1/PCB-0011", sk, 11), sk);
        assertThat(round.result()).isInstanceOf(AuthResult.Authenticated.class);
    }

    @Test
    void wrongSecretIsAuthenticationFailed() throws Exception {
        SecretKeyAuthenticationInfo sk = new SecretKeyAuthenticationInfo(ADMIN, 301, "s3cr3T".getBytes(StandardCharsets.UTF_8));
        assertThat(rcOf(round(create("88.999.1/PCB-0012", sk, 11), sk).result())).isEqualTo(AbstractMessage.RC_AUTHENTICATION_FAILED);
    }

    @Test
    void unreadableAnswerIsAuthenError() throws Exception {
        PublicKeyAuthenticationInfo pk = new PublicKeyAuthenticationInfo(ADMIN, 300, fx.adminKey());
        CreateHandleRequest req = create("88.999.1/PCB-0013", pk, 11);
        ChallengeResponse challenge = (ChallengeResponse) fx.toClient(
                ((AuthResult.Reply) challenges.authenticate(AuthFixture.toServer(req))).response(), sessions, null);
        ChallengeAnswerRequest garbage = answerTo(challenge, req, pk, new byte[] {0x7f, 1, 2, 3, 4, 5});
        assertThat(rcOf(challenges.answer((ChallengeAnswerRequest) AuthFixture.toServer(garbage)))).isEqualTo(AbstractMessage.RC_AUTHEN_ERROR);
    }

    @Test
    void absurdPbkdf2IterationCountIsRefusedWithoutRunningIt() throws Exception {
        SecretKeyAuthenticationInfo sk = new SecretKeyAuthenticationInfo(ADMIN, 301, AuthFixture.SECRET.getBytes(StandardCharsets.UTF_8));
        CreateHandleRequest req = create("88.999.1/PCB-0014", sk, 11);
        ChallengeResponse challenge = (ChallengeResponse) fx.toClient(
                ((AuthResult.Reply) challenges.authenticate(AuthFixture.toServer(req))).response(), sessions, null);
        byte[] signed = sk.authenticate(challenge, req);
        // [alg 34][S salt][I iterations][I keyBits][S hmac]: set the iteration count to 2^31-1.
        int saltLength = Encoder.readInt(signed, 1);
        Encoder.writeInt(signed, 1 + 4 + saltLength, Integer.MAX_VALUE);
        long start = System.nanoTime();
        AuthResult result = challenges.answer((ChallengeAnswerRequest) AuthFixture.toServer(answerTo(challenge, req, sk, signed)));
        assertThat(rcOf(result)).isEqualTo(AbstractMessage.RC_AUTHEN_ERROR);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void unknownAuthenticationTypeIsInvalidCredential() throws Exception {
        PublicKeyAuthenticationInfo pk = new PublicKeyAuthenticationInfo(ADMIN, 300, fx.adminKey());
        CreateHandleRequest req = create("88.999.1/PCB-0015", pk, 11);
        ChallengeResponse challenge = (ChallengeResponse) fx.toClient(
                ((AuthResult.Reply) challenges.authenticate(AuthFixture.toServer(req))).response(), sessions, null);
        ChallengeAnswerRequest answer = answerTo(challenge, req, pk, pk.authenticate(challenge, req));
        answer.authType = Util.encodeString("HS_TOKEN");
        assertThat(rcOf(challenges.answer((ChallengeAnswerRequest) AuthFixture.toServer(answer)))).isEqualTo(AbstractMessage.RC_INVALID_CREDENTIAL);
    }

    @Test
    void certifiedChallengeIsSignedWithTheNodeKey() throws Exception {
        PublicKeyAuthenticationInfo pk = new PublicKeyAuthenticationInfo(ADMIN, 300, fx.adminKey());
        DeleteHandleRequest req = AuthFixture.at(new DeleteHandleRequest(Util.encodeString("88.999.1/PCB-0001"), pk), 11, nextRequestId++);
        req.certify = true;
        AbstractMessage challenge = fx.toClient(((AuthResult.Reply) challenges.authenticate(AuthFixture.toServer(req))).response(), sessions, null);
        assertThat(challenge.signature).isNotEmpty();
        assertThat(fx.clientAcceptsSignature(challenge, null)).isTrue();
    }

    @Test
    void unknownSessionIdIsSessionTimeoutButPendingChallengeIdsPass() throws Exception {
        GenericRequest stale = AuthFixture.at(new GenericRequest(Util.encodeString("88.999.1/X"), AbstractMessage.OC_DELETE_HANDLE, null), 11, 5);
        stale.sessionId = 424242;
        assertThat(challenges.checkSessionId(stale)).get().extracting(r -> r.responseCode).isEqualTo(AbstractMessage.RC_SESSION_TIMEOUT);

        PublicKeyAuthenticationInfo pk = new PublicKeyAuthenticationInfo(ADMIN, 300, fx.adminKey());
        AbstractResponse challenge = ((AuthResult.Reply) challenges.authenticate(AuthFixture.toServer(create("88.999.1/PCB-0016", pk, 11)))).response();
        stale.sessionId = challenge.sessionId;
        assertThat(challenges.checkSessionId(stale)).isEmpty();
        stale.sessionId = 0;
        assertThat(challenges.checkSessionId(stale)).isEmpty();
    }

    @Test
    void tooManyPendingChallengesIsServerTooBusy() throws Exception {
        challenges = new ChallengeManager(sessions, fx.lookup(), new ChallengeManager.Settings(Duration.ofSeconds(60), 2, 1 << 20), fx.clock);
        PublicKeyAuthenticationInfo pk = new PublicKeyAuthenticationInfo(ADMIN, 300, fx.adminKey());
        for (int i = 0; i < 2; i++) {
            assertThat(rcOf(challenges.authenticate(AuthFixture.toServer(create("88.999.1/BUSY-" + i, pk, 11)))))
                    .isEqualTo(AbstractMessage.RC_AUTHENTICATION_NEEDED);
        }
        assertThat(rcOf(challenges.authenticate(AuthFixture.toServer(create("88.999.1/BUSY-2", pk, 11)))))
                .isEqualTo(AbstractMessage.RC_SERVER_TOO_BUSY);
        // Expired challenges make room again.
        fx.clock.advance(Duration.ofSeconds(61));
        assertThat(rcOf(challenges.authenticate(AuthFixture.toServer(create("88.999.1/BUSY-3", pk, 11)))))
                .isEqualTo(AbstractMessage.RC_AUTHENTICATION_NEEDED);
        assertThat(challenges.pendingCount()).isEqualTo(1);
    }
}
