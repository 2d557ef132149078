package org.idnode.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;

import javax.crypto.interfaces.DHPrivateKey;
import javax.crypto.interfaces.DHPublicKey;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.AuthenticationInfo;
import net.handle.hdllib.ChallengeAnswerRequest;
import net.handle.hdllib.ChallengeResponse;
import net.handle.hdllib.ClientSideSessionInfo;
import net.handle.hdllib.Common;
import net.handle.hdllib.CreateHandleRequest;
import net.handle.hdllib.DeleteHandleRequest;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.GenericRequest;
import net.handle.hdllib.CreateHandleResponse;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.PublicKeyAuthenticationInfo;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.SecretKeyAuthenticationInfo;
import net.handle.hdllib.ServerInfo;
import net.handle.hdllib.SessionSetupInfo;
import net.handle.hdllib.SessionSetupRequest;
import net.handle.hdllib.SessionSetupResponse;
import net.handle.hdllib.Util;
import net.handle.security.HdlSecurityProvider;
import org.idnode.server.codec.MalformedMessageException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Diffie-Hellman sessions as CNRI's {@code HandleResolver} runs them (its session setup request, its
 * key derivation, its {@code ClientSideSessionInfo} MACs and encryption, its challenge answer inside a
 * session), every message through bytes, against {@link SessionManager} and {@link ChallengeManager}.
 */
class SessionManagerTest {
    private static final byte[] ADMIN = Util.encodeString(AuthFixture.PREFIX_HANDLE);

    @TempDir
    static Path dir;
    static AuthFixture fx;

    SessionManager sessions;
    ChallengeManager challenges;
    int nextRequestId = 5000;

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

    private PublicKeyAuthenticationInfo admin300() {
        return new PublicKeyAuthenticationInfo(ADMIN, 300, fx.adminKey());
    }

    /** HandleResolver.createSessionSetupRequest, for {@code identity} (null: anonymous). */
    private SessionSetupRequest setupRequest(AuthenticationInfo identity, SessionSetupInfo options) throws Exception {
        options.initDHKeys();
        SessionSetupRequest req = new SessionSetupRequest();
        req.keyExchangeMode = options.keyExchangeMode;
        if (identity != null) {
            req.identityHandle = identity.getUserIdHandle();
            req.identityIndex = identity.getUserIdIndex();
        }
        req.publicKey = options.publicExchangeKey;
        req.certify = true;
        req.encrypt = false;
        req.returnRequestDigest = true;
        req.timeout = options.timeout;
        return AuthFixture.at(req, 11, nextRequestId++);
    }

    /** The whole setup as HandleResolver.setupSessionWithServer does it; returns the client's session. */
    private ClientSideSessionInfo setUp(AuthenticationInfo identity, SessionSetupInfo options) throws Exception {
        AbstractResponse out = sessions.setUp((SessionSetupRequest) AuthFixture.toServer(setupRequest(identity, options)));
        assertThat(out).isInstanceOf(SessionSetupResponse.class);
        SessionSetupResponse rsp = (SessionSetupResponse) fx.toClient(out, sessions, null);
        assertThat(rsp.signatureIsMac()).as("setup answers are signed with the node key, not the new session key").isFalse();
        assertThat(fx.clientAcceptsSignature(rsp, null)).isTrue();
        assertThat(rsp.keyExchangeMode).isEqualTo(Common.KEY_EXCHANGE_DH);
        int alg = Encoder.readInt(rsp.data, 0);
        DHPublicKey serverKey = (DHPublicKey) Util.getPublicKeyFromBytes(rsp.data, Encoder.INT_SIZE);
        byte[] key = Util.substring(HdlSecurityProvider.getInstance().getKeyFromDH(serverKey, (DHPrivateKey) options.privateExchangeKey, alg), Encoder.INT_SIZE);
        ClientSideSessionInfo cs = new ClientSideSessionInfo(rsp.sessionId, key, identity == null ? null : identity.getUserIdHandle(),
                identity == null ? -1 : identity.getUserIdIndex(), alg, new ServerInfo(), rsp.majorProtocolVersion, rsp.minorProtocolVersion);
        cs.takeValuesFromOption(options);
        return cs;
    }

    private ClientSideSessionInfo setUp(AuthenticationInfo identity) throws Exception {
        return setUp(identity, new SessionSetupInfo());
    }

    /** What HandleResolver does to a request it sends in a session: ids, versions, certify, HS_MAC. */
    private <T extends AbstractRequest> T inSession(T req, ClientSideSessionInfo cs) throws Exception {
        req.sessionInfo = cs;
        req.requestId = nextRequestId++;
        req.sessionId = cs.sessionId;
        req.certify = true;
        req.majorProtocolVersion = cs.getMajorProtocolVersion();
        req.minorProtocolVersion = cs.getMinorProtocolVersion();
        req.setSupportedProtocolVersion();
        req.signMessageForSession();
        return req;
    }

    /** Challenge, client answer, verdict: the loop of HandleResolver for a request sent in session {@code cs}. */
    private AuthResult challengeInSession(AbstractRequest clientReq, ClientSideSessionInfo cs, AuthenticationInfo auth) throws Exception {
        AuthResult first = challenges.authenticate(AuthFixture.toServer(clientReq));
        assertThat(first).isInstanceOf(AuthResult.Reply.class);
        AbstractResponse out = ((AuthResult.Reply) first).response();
        assertThat(out.responseCode).isEqualTo(AbstractMessage.RC_AUTHENTICATION_NEEDED);
        assertThat(out.sessionId).as("a challenge in a session carries the session's id").isEqualTo(cs.sessionId);
        ChallengeResponse challenge = (ChallengeResponse) fx.toClient(out, sessions, cs);
        assertThat(challenge.signatureIsMac()).as("certified answers in a session carry the session MAC").isTrue();
        assertThat(fx.clientAcceptsSignature(challenge, cs)).isTrue();

        ChallengeAnswerRequest answer = new ChallengeAnswerRequest(auth.getAuthType(), auth.getUserIdHandle(), auth.getUserIdIndex(),
                auth.authenticate(challenge, clientReq), auth);
        answer.takeValuesFrom(clientReq);
        answer.majorProtocolVersion = challenge.majorProtocolVersion;
        answer.minorProtocolVersion = challenge.minorProtocolVersion;
        answer.setSupportedProtocolVersion();
        answer.sessionId = challenge.sessionId;
        answer.sessionInfo = cs;
        answer.requestId = nextRequestId++;
        return challenges.answer((ChallengeAnswerRequest) AuthFixture.toServer(answer));
    }

    private static int rcOf(AuthResult r) {
        assertThat(r).isInstanceOf(AuthResult.Reply.class);
        return ((AuthResult.Reply) r).response().responseCode;
    }

    private DeleteHandleRequest delete(String handle) {
        return new DeleteHandleRequest(Util.encodeString(handle), admin300());
    }

    @Test
    void diffieHellmanSetupGivesBothSidesTheSameKey() throws Exception {
        ClientSideSessionInfo cs = setUp(admin300());
        assertThat(cs.sessionId).isNotZero();
        assertThat(sessions.isLive(cs.sessionId)).isTrue();
        assertThat(sessions.live(cs.sessionId).key()).isEqualTo(cs.getSessionKey()).hasSizeGreaterThanOrEqualTo(16);
        assertThat(sessions.authenticatedIdentity(cs.sessionId)).isEmpty();
    }

    @Test
    void challengeInASessionAuthenticatesItAndLaterRequestsPassOnTheirMac() throws Exception {
        PublicKeyAuthenticationInfo pk = admin300();
        ClientSideSessionInfo cs = setUp(pk);
        HandleValue url = new HandleValue(1, "URL", "https://example.com/pcb/0100");
        CreateHandleRequest create = inSession(new CreateHandleRequest(Util.encodeString("88.999.1/PCB-0100"), new HandleValue[] {url}, pk), cs);

        AuthResult result = challengeInSession(create, cs, pk);
        assertThat(result).isInstanceOf(AuthResult.Authenticated.class);
        AuthResult.Authenticated ok = (AuthResult.Authenticated) result;
        assertThat(ok.identity()).isEqualTo(new AdminIdentity(AuthFixture.PREFIX_HANDLE, 300));
        assertThat(ok.request().opCode).isEqualTo(AbstractMessage.OC_CREATE_HANDLE);
        assertThat(sessions.authenticatedIdentity(cs.sessionId)).contains(new AdminIdentity(AuthFixture.PREFIX_HANDLE, 300));

        // The answer to the original request, MAC-signed in the session, verifies on the client.
        CreateHandleResponse done = new CreateHandleResponse(ok.request(), create.handle);
        ok.bind(done);
        AbstractMessage atClient = fx.toClient(done, sessions, cs);
        assertThat(atClient.signatureIsMac()).isTrue();
        assertThat(fx.clientAcceptsSignature(atClient, cs)).isTrue();

        // The next admin request in the session needs no challenge.
        DeleteHandleRequest del = inSession(delete("88.999.1/PCB-0100"), cs);
        AuthResult next = challenges.authenticate(AuthFixture.toServer(del));
        assertThat(next).isInstanceOf(AuthResult.Authenticated.class);
        assertThat(((AuthResult.Authenticated) next).answer()).isNull();
        assertThat(((AuthResult.Authenticated) next).identity().index()).isEqualTo(300);

        // A replay of the same bytes is refused; so is the original create, already counted.
        assertThat(rcOf(challenges.authenticate(AuthFixture.toServer(del)))).isEqualTo(AbstractMessage.RC_SESSION_MESSAGE_REJECTED);
        assertThat(rcOf(challenges.authenticate(AuthFixture.toServer(create)))).isEqualTo(AbstractMessage.RC_SESSION_MESSAGE_REJECTED);

        // A forged MAC, or none, is refused.
        DeleteHandleRequest forged = inSession(delete("88.999.1/PCB-0101"), cs);
        forged.signature[forged.signature.length - 1] ^= 1;
        assertThat(rcOf(challenges.authenticate(AuthFixture.toServer(forged)))).isEqualTo(AbstractMessage.RC_INVALID_SESSION_KEY);
        DeleteHandleRequest unsigned = inSession(delete("88.999.1/PCB-0102"), cs);
        unsigned.signature = null;
        unsigned.clearBuffers();
        assertThat(rcOf(challenges.authenticate(AuthFixture.toServer(unsigned)))).isEqualTo(AbstractMessage.RC_INVALID_CREDENTIAL);
    }

    @Test
    void secretKeyChallengeInASessionWorksToo() throws Exception {
        SecretKeyAuthenticationInfo sk = new SecretKeyAuthenticationInfo(ADMIN, 301, AuthFixture.SECRET.getBytes(StandardCharsets.UTF_8));
        ClientSideSessionInfo cs = setUp(sk);
        AuthResult result = challengeInSession(inSession(new DeleteHandleRequest(Util.encodeString("88.999.1/X"), sk), cs), cs, sk);
        assertThat(result).isInstanceOf(AuthResult.Authenticated.class);
        assertThat(sessions.authenticatedIdentity(cs.sessionId)).contains(new AdminIdentity(AuthFixture.PREFIX_HANDLE, 301));
    }

    @Test
    void anotherIdentityRunsItsRequestButDoesNotAuthenticateTheSession() throws Exception {
        ClientSideSessionInfo cs = setUp(admin300());
        SecretKeyAuthenticationInfo other = new SecretKeyAuthenticationInfo(ADMIN, 301, AuthFixture.SECRET.getBytes(StandardCharsets.UTF_8));
        AuthResult result = challengeInSession(inSession(new DeleteHandleRequest(Util.encodeString("88.999.1/X"), other), cs), cs, other);
        assertThat(result).isInstanceOf(AuthResult.Authenticated.class);
        assertThat(((AuthResult.Authenticated) result).identity().index()).isEqualTo(301);
        assertThat(sessions.authenticatedIdentity(cs.sessionId)).isEmpty();
    }

    @Test
    void anonymousSessionNeverBecomesAuthenticated() throws Exception {
        ClientSideSessionInfo cs = setUp(null);
        PublicKeyAuthenticationInfo pk = admin300();
        AuthResult result = challengeInSession(inSession(delete("88.999.1/X"), cs), cs, pk);
        assertThat(result).isInstanceOf(AuthResult.Authenticated.class);
        assertThat(sessions.authenticatedIdentity(cs.sessionId)).isEmpty();
    }

    @Test
    void requestWithABadMacInASessionIsNotChallenged() throws Exception {
        // Otherwise anyone knowing the session id could replace the owner's pending challenge.
        PublicKeyAuthenticationInfo pk = admin300();
        ClientSideSessionInfo cs = setUp(pk);
        DeleteHandleRequest del = inSession(delete("88.999.1/X"), cs);
        del.signature[del.signature.length - 1] ^= 1;
        assertThat(rcOf(challenges.authenticate(AuthFixture.toServer(del)))).isEqualTo(AbstractMessage.RC_INVALID_SESSION_KEY);
        DeleteHandleRequest unsigned = inSession(delete("88.999.1/Y"), cs);
        unsigned.signature = null;
        unsigned.clearBuffers();
        assertThat(rcOf(challenges.authenticate(AuthFixture.toServer(unsigned)))).isEqualTo(AbstractMessage.RC_INVALID_CREDENTIAL);
        assertThat(challenges.pendingCount()).isZero();
        assertThat(sessions.authenticatedIdentity(cs.sessionId)).isEmpty();
    }

    @Test
    void retransmittedRequestGetsTheSameChallenge() throws Exception {
        ClientSideSessionInfo cs = setUp(admin300());
        DeleteHandleRequest del = inSession(delete("88.999.1/X"), cs);
        ChallengeResponse first = (ChallengeResponse) ((AuthResult.Reply) challenges.authenticate(AuthFixture.toServer(del))).response();
        ChallengeResponse again = (ChallengeResponse) ((AuthResult.Reply) challenges.authenticate(AuthFixture.toServer(del))).response();
        assertThat(again.nonce).isEqualTo(first.nonce);
        assertThat(again).isNotSameAs(first);
    }

    @Test
    void encryptedRequestsAreDecryptedWithTheSessionKey() throws Exception {
        ClientSideSessionInfo cs = setUp(admin300());
        ResolutionRequest read = new ResolutionRequest(Util.encodeString(AuthFixture.BOARD), null, null, null);
        read.ignoreRestrictedValues = false;
        inSession(read, cs);
        AbstractRequest atServer = AuthFixture.toServer(read, cs, sessions);
        assertThat(atServer).isInstanceOf(ResolutionRequest.class);
        assertThat(Util.decodeString(atServer.handle)).isEqualTo(AuthFixture.BOARD);
        assertThat(atServer.ignoreRestrictedValues).isFalse();

        // CNRI's client encrypts a create that carries non-public values; the body arrives intact.
        HandleValue secret = new HandleValue(2, "UNIT_COST", "0.42");
        secret.setAnyoneCanRead(false);
        CreateHandleRequest create = new CreateHandleRequest(Util.encodeString("88.999.1/PCB-0200"), new HandleValue[] {secret}, admin300());
        inSession(create, cs);
        assertThat(create.shouldEncrypt()).isTrue();
        AbstractRequest createAtServer = AuthFixture.toServer(create, cs, sessions);
        assertThat(createAtServer.messageBody).isEqualTo(create.getEncodedMessageBody());
        assertThat(createAtServer.signature).isEqualTo(create.signature);
    }

    @Test
    void undecryptableOrSessionlessEncryptedMessagesAreAnswerableErrors() throws Exception {
        ClientSideSessionInfo cs = setUp(admin300());
        MessageEnvelope env = new MessageEnvelope();
        env.protocolMajorVersion = 2;
        env.protocolMinorVersion = 11;
        env.sessionId = cs.sessionId;
        env.requestId = 9;
        env.encrypted = true;
        assertThatThrownBy(() -> sessions.decrypt(env, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                    assertThat(e.responseCode()).isEqualTo(AbstractMessage.RC_SESSION_FAILED);
                    assertThat(e.canAnswer()).isTrue();
                    assertThat(e.toErrorResponse().requestId).isEqualTo(9);
                });
        env.sessionId = 31337;
        assertThatThrownBy(() -> sessions.decrypt(env, new byte[32]))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> assertThat(e.responseCode()).isEqualTo(AbstractMessage.RC_SESSION_TIMEOUT));
    }

    @Test
    void restrictedValuesGoBackEncryptedAndMacSigned() throws Exception {
        ClientSideSessionInfo cs = setUp(admin300());
        ResolutionRequest read = new ResolutionRequest(Util.encodeString(AuthFixture.BOARD), null, null, null);
        read.ignoreRestrictedValues = false;
        AbstractRequest atServer = AuthFixture.toServer(inSession(read, cs));
        HandleValue cost = new HandleValue(7, "UNIT_COST", "0.42");
        cost.setAnyoneCanRead(false);
        ResolutionResponse rsp = new ResolutionResponse(atServer, atServer.handle, new HandleValue[] {cost});

        assertThat(sessions.signWithSessionKey(rsp)).isTrue();
        SessionManager.WireMessage wire = sessions.encode(rsp);
        assertThat(wire.encrypted()).isTrue();
        assertThat(new String(wire.message(), StandardCharsets.ISO_8859_1)).doesNotContain("UNIT_COST");

        ResolutionResponse atClient = (ResolutionResponse) fx.toClient(new ResolutionResponse(atServer, atServer.handle, new HandleValue[] {cost}), sessions, cs);
        assertThat(atClient.getHandleValues()).extracting(HandleValue::getDataAsString).containsExactly("0.42");
        assertThat(fx.clientAcceptsSignature(atClient, cs)).isTrue();
    }

    @Test
    void terminateEndsTheSessionOnlyWithAValidMac() throws Exception {
        ClientSideSessionInfo cs = setUp(admin300());
        GenericRequest forged = inSession(new GenericRequest(Common.BLANK_HANDLE, AbstractMessage.OC_SESSION_TERMINATE, null), cs);
        forged.signature[forged.signature.length - 1] ^= 1;
        assertThat(sessions.terminate(AuthFixture.toServer(forged)).responseCode).isEqualTo(AbstractMessage.RC_INVALID_SESSION_KEY);
        assertThat(sessions.isLive(cs.sessionId)).isTrue();

        GenericRequest bye = inSession(new GenericRequest(Common.BLANK_HANDLE, AbstractMessage.OC_SESSION_TERMINATE, null), cs);
        AbstractRequest atServer = AuthFixture.toServer(bye);
        assertThat(atServer).isInstanceOf(GenericRequest.class);
        assertThat(sessions.terminate(atServer).responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(sessions.isLive(cs.sessionId)).isFalse();

        AbstractRequest late = AuthFixture.toServer(inSession(delete("88.999.1/X"), cs));
        assertThat(challenges.checkSessionId(late)).get().extracting(r -> r.responseCode).isEqualTo(AbstractMessage.RC_SESSION_TIMEOUT);
        assertThat(sessions.terminate(late).responseCode).isEqualTo(AbstractMessage.RC_SESSION_TIMEOUT);
    }

    @Test
    void idleSessionsEnd() throws Exception {
        ClientSideSessionInfo cs = setUp(admin300());
        fx.clock.advance(Duration.ofMinutes(29));
        assertThat(sessions.isLive(cs.sessionId)).isTrue();
        fx.clock.advance(Duration.ofMinutes(31));
        assertThat(sessions.isLive(cs.sessionId)).isFalse();
    }

    @Test
    void busySessionsEndAfterTheMaximumSessionTime() throws Exception {
        ClientSideSessionInfo cs = setUp(admin300());
        for (int i = 0; i < 72; i++) {
            fx.clock.advance(Duration.ofMinutes(20));
            assertThat(sessions.isLive(cs.sessionId)).as("after %d minutes", (i + 1) * 20).isTrue();
        }
        fx.clock.advance(Duration.ofMinutes(20));
        assertThat(sessions.isLive(cs.sessionId)).isFalse();
    }

    @Test
    void aClientAskingForAShorterTimeoutGetsIt() throws Exception {
        SessionSetupInfo options = new SessionSetupInfo();
        options.timeout = 60;
        ClientSideSessionInfo cs = setUp(admin300(), options);
        fx.clock.advance(Duration.ofSeconds(61));
        assertThat(sessions.isLive(cs.sessionId)).isFalse();
    }

    @Test
    void otherKeyExchangeModesAndOldClientsAreRefusedClearly() throws Exception {
        SessionSetupRequest cipherClient = setupRequest(admin300(), new SessionSetupInfo());
        cipherClient.keyExchangeMode = Common.KEY_EXCHANGE_CIPHER_CLIENT;
        cipherClient.publicKey = Util.getBytesFromPublicKey(fx.adminRsa.getPublic());
        AbstractResponse refused = sessions.setUp((SessionSetupRequest) AuthFixture.toServer(cipherClient));
        assertThat(refused.responseCode).isEqualTo(AbstractMessage.RC_SESSION_FAILED);
        assertThat(Util.decodeString(((ErrorResponse) refused).message)).contains("cipher-client").contains("Diffie-Hellman");

        SessionSetupRequest cipherServer = setupRequest(admin300(), new SessionSetupInfo());
        cipherServer.keyExchangeMode = Common.KEY_EXCHANGE_CIPHER_SERVER;
        assertThat(sessions.setUp((SessionSetupRequest) AuthFixture.toServer(cipherServer)).responseCode).isEqualTo(AbstractMessage.RC_SESSION_FAILED);

        SessionSetupRequest old = AuthFixture.at(setupRequest(admin300(), new SessionSetupInfo()), 4, nextRequestId++);
        assertThat(sessions.setUp((SessionSetupRequest) AuthFixture.toServer(old)).responseCode).isEqualTo(AbstractMessage.RC_SESSION_FAILED);
        assertThat(sessions.sessionCount()).isZero();
    }

    @Test
    void weakOrBogusDiffieHellmanKeysAreRefused() throws Exception {
        KeyPair small = HdlSecurityProvider.getInstance().generateDHKeyPair(512);
        SessionSetupRequest weak = setupRequest(admin300(), new SessionSetupInfo());
        weak.publicKey = Util.getBytesFromPublicKey(small.getPublic());
        assertThat(sessions.setUp((SessionSetupRequest) AuthFixture.toServer(weak)).responseCode).isEqualTo(AbstractMessage.RC_INVALID_SESSIONSETUP_REQUEST);

        SessionSetupRequest notDh = setupRequest(admin300(), new SessionSetupInfo());
        notDh.publicKey = Util.getBytesFromPublicKey(fx.adminRsa.getPublic());
        assertThat(sessions.setUp((SessionSetupRequest) AuthFixture.toServer(notDh)).responseCode).isEqualTo(AbstractMessage.RC_INVALID_SESSIONSETUP_REQUEST);

        SessionSetupRequest garbage = setupRequest(admin300(), new SessionSetupInfo());
        garbage.publicKey = new byte[] {0, 0, 0, 3, 'x', 'y', 'z'};
        assertThat(sessions.setUp((SessionSetupRequest) AuthFixture.toServer(garbage)).responseCode).isEqualTo(AbstractMessage.RC_INVALID_SESSIONSETUP_REQUEST);
    }

    @Test
    void sessionCountIsBounded() throws Exception {
        sessions = new SessionManager(new SessionLimits(Duration.ofMinutes(30), Duration.ofHours(24), 2), fx.clock);
        setUp(admin300());
        setUp(admin300());
        AbstractResponse third = sessions.setUp((SessionSetupRequest) AuthFixture.toServer(setupRequest(admin300(), new SessionSetupInfo())));
        assertThat(third.responseCode).isEqualTo(AbstractMessage.RC_SERVER_TOO_BUSY);
        fx.clock.advance(Duration.ofMinutes(31));
        assertThat(setUp(admin300()).sessionId).isNotZero();
        assertThat(sessions.sessionCount()).isEqualTo(1);
    }

    @Test
    void renegotiationWithAStaleSessionIdGetsAFreshSession() throws Exception {
        ClientSideSessionInfo cs = setUp(admin300());
        SessionSetupRequest again = setupRequest(admin300(), new SessionSetupInfo());
        again.sessionId = 987654;
        assertThat(challenges.checkSessionId(AuthFixture.toServer(again))).isEmpty();
        AbstractResponse rsp = sessions.setUp((SessionSetupRequest) AuthFixture.toServer(again));
        assertThat(rsp.responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(rsp.sessionId).isNotIn(0, 987654, cs.sessionId);
    }
}
