package org.idnode.server.federation;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.Map;

import com.google.protobuf.ByteString;
import org.idnode.api.v1.FilingBatch;

/**
 * Signs and verifies {@link FilingBatch}es as {@code federation.proto} defines: the signature covers the batch
 * serialized with {@code signature} empty (so it covers {@code signature_algorithm} too), made with the secondary
 * node's private key (its {@code <data>/keys/privkey.bin}, {@link org.idnode.server.keys.NodeKeys}) and checked with
 * the public key the top level registered for the prefix ({@code idnode secondary add --pubkey}).
 *
 * <p>Algorithms: {@value #SHA256_WITH_RSA} for RSA keys (a node's own key is RSA), {@value #SHA256_WITH_DSA} for DSA
 * keys; nothing else is accepted. Used by both sides: the secondary node's outbox signs, the top level's
 * {@link FilingReceiver} verifies. Stateless and thread-safe.
 */
public final class FilingSignatures {
    /** The algorithm for RSA keys. */
    public static final String SHA256_WITH_RSA = "SHA256withRSA";
    /** The algorithm for DSA keys. */
    public static final String SHA256_WITH_DSA = "SHA256withDSA";

    private static final Map<String, String> ALGORITHM_BY_KEY = Map.of("RSA", SHA256_WITH_RSA, "DSA", SHA256_WITH_DSA);

    private FilingSignatures() {
    }

    /**
     * The batch with {@code signature_algorithm} set for the key and {@code signature} made with it (any signature it
     * had is replaced).
     *
     * @throws IllegalArgumentException for a key that is neither RSA nor DSA
     * @throws IllegalStateException    when the platform cannot sign with the key
     */
    public static FilingBatch sign(FilingBatch batch, PrivateKey key) {
        FilingBatch unsigned = batch.toBuilder().clearSignature().setSignatureAlgorithm(algorithmFor(key)).build();
        try {
            Signature s = Signature.getInstance(unsigned.getSignatureAlgorithm());
            s.initSign(key);
            s.update(unsigned.toByteArray());
            return unsigned.toBuilder().setSignature(ByteString.copyFrom(s.sign())).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a filing batch with the " + key.getAlgorithm() + " key: " + e.getMessage(), e);
        }
    }

    /**
     * Checks the batch's signature with {@code key}.
     *
     * @throws SignatureException saying why when the batch is unsigned, names an algorithm other than the one for the
     *                            key, or its signature does not verify
     */
    public static void verify(FilingBatch batch, PublicKey key) throws SignatureException {
        String expected = ALGORITHM_BY_KEY.get(key.getAlgorithm());
        String named = batch.getSignatureAlgorithm();
        if (batch.getSignature().isEmpty()) {
            throw new SignatureException("the batch is not signed (signature is empty)");
        }
        if (expected == null) {
            throw new SignatureException("the registered public key is " + key.getAlgorithm() + "; only RSA and DSA keys are supported");
        }
        if (!named.equals(expected)) {
            throw new SignatureException("signature algorithm '" + named + "' is not supported for the registered " + key.getAlgorithm()
                    + " key; sign with " + expected);
        }
        boolean valid;
        try {
            Signature s = Signature.getInstance(expected);
            s.initVerify(key);
            s.update(batch.toBuilder().clearSignature().build().toByteArray());
            valid = s.verify(batch.getSignature().toByteArray());
        } catch (GeneralSecurityException e) {
            // A malformed signature (bad DER for DSA, wrong length for RSA) is a signature that does not verify.
            valid = false;
        }
        if (!valid) {
            throw new SignatureException("the batch signature does not verify with the public key registered for "
                    + batch.getSecondaryPrefix());
        }
    }

    /**
     * The algorithm this class uses with {@code key}.
     *
     * @throws IllegalArgumentException for a key that is neither RSA nor DSA
     */
    public static String algorithmFor(Key key) {
        String a = ALGORITHM_BY_KEY.get(key.getAlgorithm());
        if (a == null) {
            throw new IllegalArgumentException("filing batches are signed with RSA or DSA keys, not " + key.getAlgorithm());
        }
        return a;
    }
}
