package org.idnode.server.handler;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.HandleException;

/**
 * Signs certified answers with the node's private key (HS_SIGNED credential): SHA256withRSA for
 * protocol 2.7 and later, SHA1withRSA before, as CNRI's client expects. {@link Signature} objects are
 * not thread-safe, so each thread keeps its own pair.
 */
final class ResponseSigner {
    private final PrivateKey key;
    private final ThreadLocal<Signature> sha256;
    private final ThreadLocal<Signature> sha1;

    ResponseSigner(PrivateKey key) {
        this.key = key;
        this.sha256 = ThreadLocal.withInitial(() -> newSignature("SHA256withRSA"));
        this.sha1 = ThreadLocal.withInitial(() -> newSignature("SHA1withRSA"));
    }

    /** Signs the response in place; its requestId and sessionId must already be final. */
    void sign(AbstractResponse response) throws HandleException {
        Signature sig = AbstractMessage.hasEqualOrGreaterVersion(response.majorProtocolVersion, response.minorProtocolVersion, 2, 7)
                ? sha256.get() : sha1.get();
        try {
            sig.initSign(key);
            response.signMessage(sig);
        } catch (GeneralSecurityException e) {
            throw new HandleException(HandleException.SECURITY_ALERT, "cannot sign the answer: " + e.getMessage());
        }
    }

    private static Signature newSignature(String algorithm) {
        try {
            return Signature.getInstance(algorithm);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is not available in this JVM", e);
        }
    }
}
