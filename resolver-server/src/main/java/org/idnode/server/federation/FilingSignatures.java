package org.idnode.server.federation;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

import com.google.protobuf.ByteString;
import org.idnode.api.v1.FilingBatch;

/**
 * Signs and verifies {@link FilingBatch}es as federation.proto says: the signature covers the batch serialized with
 * {@code signature} empty, made with the secondary node's key; {@code signature_algorithm} names the algorithm
 * ({@value #ALGORITHM} for the node's RSA key).
 *
 * <p>Stateless and thread-safe.
 */
public final class FilingSignatures {
    /** The algorithm secondary nodes sign with. */
    public static final String ALGORITHM = "SHA256withRSA";

    private FilingSignatures() {
    }

    /** The batch with its signature and algorithm set. */
    public static FilingBatch sign(FilingBatch unsigned, PrivateKey key) {
        FilingBatch toSign = unsigned.toBuilder().clearSignature().setSignatureAlgorithm(ALGORITHM).build();
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(toSign.toByteArray());
            return toSign.toBuilder().setSignature(ByteString.copyFrom(s.sign())).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a filing batch with the node key: " + e.getMessage(), e);
        }
    }

    /** True when the batch carries a valid signature by {@code key} in an algorithm this node accepts. */
    public static boolean verify(FilingBatch signed, PublicKey key) {
        if (!ALGORITHM.equals(signed.getSignatureAlgorithm()) || signed.getSignature().isEmpty()) {
            return false;
        }
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(signed.toBuilder().clearSignature().build().toByteArray());
            return s.verify(signed.getSignature().toByteArray());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
