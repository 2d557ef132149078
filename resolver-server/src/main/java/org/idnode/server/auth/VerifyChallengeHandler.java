package org.idnode.server.auth;

import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.VerifyAuthRequest;
import net.handle.hdllib.VerifyAuthResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code OC_VERIFY_CHALLENGE} (201): another party (CNRI's {@code HSAdapterFactory} with a
 * secret key, or a server whose admin lives here) asks whether {@code signedResponse} is a valid
 * answer to {@code nonce || origRequestDigest} for the key at {@code index:handle}. The key is read
 * from this node's store: {@code HS_SECKEY} values as CNRI's server does, and {@code HS_PUBKEY}
 * values as well (an extension: CNRI checks secret keys only). Index 0 tries every key of the handle.
 * The answer is {@code VerifyAuthResponse(req, valid)}; an unknown handle, an unreadable answer and a
 * wrong one are all simply "not valid".
 *
 * <p>The request is certified by CNRI's clients, so the caller signs the response like any other.
 * The caller should first check that the handle's prefix is served here
 * ({@code RC_SERVER_NOT_RESP} otherwise), as for a resolution.
 *
 * <p>Threading: thread-safe; blocking (a store read, a signature check or a PBKDF2 run): call it on
 * a blocking-work thread.
 */
public final class VerifyChallengeHandler {
    private static final Logger log = LoggerFactory.getLogger(VerifyChallengeHandler.class);

    private final KeyVerifier verifier;

    public VerifyChallengeHandler(IdentityKeyLookup keys) {
        this.verifier = new KeyVerifier(keys);
    }

    /** The {@link VerifyAuthResponse} for {@code req}. */
    public AbstractResponse verify(VerifyAuthRequest req) throws HandleException {
        AdminIdentity who = AdminIdentity.of(req.handle, req.handleIndex);
        byte[] nonce = req.nonce == null ? new byte[0] : req.nonce;
        byte[] digest = req.origRequestDigest == null ? new byte[0] : req.origRequestDigest;
        boolean beforeVersion21 = !req.hasEqualOrGreaterVersion(2, 1);
        KeyVerifier.Result secret = verifier.verifySecretKey(who, nonce, digest, req.signedResponse, beforeVersion21);
        boolean valid = secret.status() == KeyVerifier.Status.VERIFIED;
        if (!valid) {
            KeyVerifier.Result pub = verifier.verifyPublicKey(who, nonce, digest, req.signedResponse);
            valid = pub.status() == KeyVerifier.Status.VERIFIED;
            if (!valid) {
                log.debug("verify-challenge for {} refused: {}; {}", who, secret.reason(), pub.reason());
            }
        }
        return new VerifyAuthResponse(req, valid);
    }
}
