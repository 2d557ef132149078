package org.idnode.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.AuthenticationInfo;
import net.handle.hdllib.ChallengeResponse;
import net.handle.hdllib.Common;
import net.handle.hdllib.PublicKeyAuthenticationInfo;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.SecretKeyAuthenticationInfo;
import net.handle.hdllib.Util;
import net.handle.hdllib.VerifyAuthRequest;
import net.handle.hdllib.VerifyAuthResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code OC_VERIFY_CHALLENGE} as CNRI's {@code HSAdapterFactory.newInstance(handle, index, secret)}
 * sends it ({@code Resolver.checkAuthentication}: a self-made challenge that suggests protocol 2.3, so
 * the secret is answered with SHA-1, in a certified request), through bytes both ways.
 */
class VerifyChallengeHandlerTest {
    private static final byte[] ADMIN = Util.encodeString(AuthFixture.PREFIX_HANDLE);

    @TempDir
    static Path dir;
    static AuthFixture fx;

    @BeforeAll
    static void open() throws Exception {
        fx = AuthFixture.create(dir);
    }

    @AfterAll
    static void close() {
        fx.close();
    }

    /** What Resolver.checkAuthentication sends for {@code auth}, decoded by the node. */
    private static VerifyAuthRequest verifyRequest(AuthenticationInfo auth, boolean oldStyleChallenge) throws Exception {
        AbstractRequest dummy = AuthFixture.at(new ResolutionRequest(auth.getUserIdHandle(), null, null, null), 11, 1);
        ChallengeResponse challenge = new ChallengeResponse(dummy, oldStyleChallenge);
        byte[] signed = auth.authenticate(challenge, dummy);
        VerifyAuthRequest req = new VerifyAuthRequest(auth.getUserIdHandle(), challenge.nonce, challenge.requestDigest, challenge.rdHashType,
                signed, auth.getUserIdIndex(), auth);
        req.certify = true;
        return (VerifyAuthRequest) AuthFixture.toServer(AuthFixture.at(req, 11, 2));
    }

    private static boolean valid(AbstractResponse rsp) throws Exception {
        VerifyAuthResponse atClient = (VerifyAuthResponse) fx.toClient(rsp, null, null);
        assertThat(fx.clientAcceptsSignature(atClient, null)).isTrue();
        return atClient.isValid;
    }

    @Test
    void secretKeyAsHsAdapterSendsItIsValid() throws Exception {
        VerifyChallengeHandler handler = new VerifyChallengeHandler(fx.lookup());
        VerifyAuthRequest req = verifyRequest(new SecretKeyAuthenticationInfo(ADMIN, 301, AuthFixture.SECRET.getBytes(StandardCharsets.UTF_8)), true);
        assertThat(req.signedResponse[0]).isEqualTo(Common.HASH_CODE_SHA1);
        assertThat(valid(handler.verify(req))).isTrue();
    }

    @Test
    void pbkdf2SecretAndIndexZeroAreValid() throws Exception {
        VerifyChallengeHandler handler = new VerifyChallengeHandler(fx.lookup());
        VerifyAuthRequest req = verifyRequest(new SecretKeyAuthenticationInfo(ADMIN, 0, AuthFixture.SECRET.getBytes(StandardCharsets.UTF_8)), false);
        assertThat(req.signedResponse[0]).isEqualTo(Common.HASH_CODE_PBKDF2_HMAC_SHA1);
        assertThat(valid(handler.verify(req))).isTrue();
    }

    @Test
    void wrongSecretOrUnknownHandleIsNotValid() throws Exception {
        VerifyChallengeHandler handler = new VerifyChallengeHandler(fx.lookup());
        assertThat(valid(handler.verify(verifyRequest(new SecretKeyAuthenticationInfo(ADMIN, 301, "nope".getBytes(StandardCharsets.UTF_8)), true)))).isFalse();
        assertThat(valid(handler.verify(verifyRequest(new SecretKeyAuthenticationInfo(Util.encodeString("0.NA/88.999.404"), 301,
                AuthFixture.SECRET.getBytes(StandardCharsets.UTF_8)), true)))).isFalse();
        // The secret of index 301 does not open index 302.
        assertThat(valid(handler.verify(verifyRequest(new SecretKeyAuthenticationInfo(ADMIN, 302, AuthFixture.SECRET.getBytes(StandardCharsets.UTF_8)), true)))).isFalse();
    }

    @Test
    void publicKeyAnswersAreCheckedToo() throws Exception {
        VerifyChallengeHandler handler = new VerifyChallengeHandler(fx.lookup());
        assertThat(valid(handler.verify(verifyRequest(new PublicKeyAuthenticationInfo(ADMIN, 300, fx.adminKey()), false)))).isTrue();
        assertThat(valid(handler.verify(verifyRequest(new PublicKeyAuthenticationInfo(ADMIN, 300, fx.adminDsa.getPrivate()), false)))).isFalse();
    }
}
