package org.idnode.server.auth;

import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import net.handle.hdllib.Common;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.Util;
import org.idnode.registry.model.HandleValue;

/**
 * Checks a challenge answer ({@code signedResponse} over {@code nonce || requestDigest}) against the
 * HS_PUBKEY or HS_SECKEY values this node holds for an identity. Shared by {@link ChallengeManager}
 * (OC 200) and {@link VerifyChallengeHandler} (OC 201).
 *
 * <p>HS_PUBKEY: {@code signedResponse} = {@code S hashAlgId} ("SHA-256" at protocol 2.7+, "SHA1"
 * before) + {@code S signature}; RSA and DSA keys; MD5 refused. HS_SECKEY: 1 byte algorithm + MAC
 * (34 PBKDF2-HMAC-SHA1, 2 SHA-1, 3 SHA-256, 18 HMAC-SHA1, 19 HMAC-SHA256), or a bare MD5 digest
 * before protocol 2.1; the stored secret is used as stored (raw, or the lower-case hex SHA-1 a client
 * hashing its secret sends). The PBKDF2 parameters come from the client, so they are bounded
 * before CNRI's {@code Util.doMac} runs them. Index 0 tries every key of the type, lowest index first.
 *
 * <p>Thread-safe; blocking (a store read, an RSA verification or a PBKDF2 run).
 */
final class KeyVerifier {
    static final String PUBKEY_TYPE = "HS_PUBKEY";
    static final String SECKEY_TYPE = "HS_SECKEY";
    static final int MAX_PBKDF2_ITERATIONS = 200_000;
    static final int MAX_PBKDF2_SALT = 64;
    static final int MAX_PBKDF2_KEY_BITS = 512;

    enum Status { VERIFIED, FAILED, MALFORMED }

    /** The outcome; {@code keyIndex} is the index of the value that verified. */
    record Result(Status status, int keyIndex, String reason) {
        static Result verified(int index) {
            return new Result(Status.VERIFIED, index, null);
        }

        static Result failed(String reason) {
            return new Result(Status.FAILED, 0, reason);
        }

        static Result malformed(String reason) {
            return new Result(Status.MALFORMED, 0, reason);
        }
    }

    private final IdentityKeyLookup keys;

    KeyVerifier(IdentityKeyLookup keys) {
        this.keys = keys;
    }

    Result verifyPublicKey(AdminIdentity who, byte[] nonce, byte[] digest, byte[] signedResponse) {
        byte[] hashAlg;
        byte[] sig;
        try {
            hashAlg = readBytes(signedResponse, 0);
            sig = readBytes(signedResponse, Encoder.INT_SIZE + hashAlg.length);
        } catch (IllegalArgumentException e) {
            return Result.malformed("unreadable HS_PUBKEY answer: " + e.getMessage());
        }
        if (!isAllowedSignatureHash(hashAlg)) {
            return Result.malformed("unsupported signature hash algorithm '" + Util.decodeString(hashAlg) + "'");
        }
        List<HandleValue> candidates = keyValues(who, PUBKEY_TYPE);
        if (candidates.isEmpty()) {
            return Result.failed("this node holds no HS_PUBKEY for " + who);
        }
        for (HandleValue v : candidates) {
            try {
                PublicKey key = Util.getPublicKeyFromBytes(v.data(), 0);
                Signature verifier = Signature.getInstance(Util.getSigIdFromHashAlgId(hashAlg, key.getAlgorithm()));
                verifier.initVerify(key);
                verifier.update(nonce);
                verifier.update(digest);
                if (verifier.verify(sig)) {
                    return Result.verified(v.index());
                }
            } catch (Exception e) {
                // An unreadable stored key or a signature of the wrong shape for this key: try the next.
            }
        }
        return Result.failed("the signature does not verify with the HS_PUBKEY of " + who);
    }

    Result verifySecretKey(AdminIdentity who, byte[] nonce, byte[] digest, byte[] signedResponse, boolean beforeVersion21) {
        byte alg;
        byte[] mac;
        if (signedResponse == null || signedResponse.length == 0) {
            return Result.malformed("empty HS_SECKEY answer");
        }
        if (beforeVersion21) {
            alg = Common.HASH_CODE_MD5;
            mac = signedResponse;
        } else {
            alg = signedResponse[0];
            mac = java.util.Arrays.copyOfRange(signedResponse, 1, signedResponse.length);
            String bad = checkSecretAlgorithm(alg, mac);
            if (bad != null) {
                return Result.malformed(bad);
            }
        }
        List<HandleValue> candidates = keyValues(who, SECKEY_TYPE);
        if (candidates.isEmpty()) {
            return Result.failed("this node holds no HS_SECKEY for " + who);
        }
        byte[] signed = Util.concat(nonce, digest);
        for (HandleValue v : candidates) {
            try {
                byte[] expected = Util.doMac(alg, signed, v.data(), mac);
                if (expected != null && expected.length > 0 && MessageDigest.isEqual(expected, mac)) {
                    return Result.verified(v.index());
                }
            } catch (HandleException | RuntimeException e) {
                // e.g. an empty stored secret, which no HMAC accepts: try the next.
            }
        }
        return Result.failed("the answer does not match the HS_SECKEY of " + who);
    }

    /**
     * Checks a secret key given in clear (HTTP Basic): equal to the stored {@code HS_SECKEY}, or to the
     * lower-case hex SHA-1 stored by clients that hash their secret. Compared in constant time.
     */
    Result verifySecret(AdminIdentity who, byte[] secret) {
        List<HandleValue> candidates = keyValues(who, SECKEY_TYPE);
        if (candidates.isEmpty()) {
            return Result.failed("this node holds no HS_SECKEY for " + who);
        }
        byte[] hashed;
        try {
            hashed = java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(secret))
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available", e);
        }
        for (HandleValue v : candidates) {
            byte[] stored = v.data();
            if (MessageDigest.isEqual(stored, secret) || MessageDigest.isEqual(stored, hashed)) {
                return Result.verified(v.index());
            }
        }
        return Result.failed("the secret key does not match the HS_SECKEY of " + who);
    }

    /** The values of {@code type} at {@code who.index()} (every one of them for index 0), by index. */
    private List<HandleValue> keyValues(AdminIdentity who, String type) {
        List<HandleValue> out = new ArrayList<>();
        for (HandleValue v : keys.valuesOf(who)) {
            if (v.type().equalsIgnoreCase(type) && (who.index() == 0 || v.index() == who.index())) {
                out.add(v);
            }
        }
        out.sort(Comparator.comparingInt(HandleValue::index));
        return out;
    }

    private static boolean isAllowedSignatureHash(byte[] hashAlg) {
        return Util.equals(hashAlg, Common.HASH_ALG_SHA256) || Util.equals(hashAlg, Common.HASH_ALG_SHA256_ALTERNATE)
                || Util.equals(hashAlg, Common.HASH_ALG_SHA1) || Util.equals(hashAlg, Common.HASH_ALG_SHA1_ALTERNATE);
    }

    /** Null when the secret-key algorithm and its MAC are acceptable, else why not. */
    private static String checkSecretAlgorithm(byte alg, byte[] mac) {
        switch (alg) {
            case Common.HASH_CODE_SHA1, Common.HASH_CODE_SHA256, Common.HASH_CODE_HMAC_SHA1, Common.HASH_CODE_HMAC_SHA256:
                return mac.length == 0 ? "empty HS_SECKEY answer" : null;
            case Common.HASH_CODE_PBKDF2_HMAC_SHA1:
                return checkPbkdf2Parameters(mac);
            default:
                return "unsupported HS_SECKEY answer algorithm " + alg;
        }
    }

    /** {@code S salt, I iterations, I keyLengthBits, S hmac}, bounded before anyone runs PBKDF2 on it. */
    private static String checkPbkdf2Parameters(byte[] mac) {
        try {
            byte[] salt = readBytes(mac, 0);
            int p = Encoder.INT_SIZE + salt.length;
            int iterations = readInt(mac, p);
            int keyBits = readInt(mac, p + Encoder.INT_SIZE);
            byte[] hmac = readBytes(mac, p + 2 * Encoder.INT_SIZE);
            if (p + 3 * Encoder.INT_SIZE + hmac.length != mac.length) {
                return "trailing bytes after the PBKDF2 answer";
            }
            if (salt.length == 0 || salt.length > MAX_PBKDF2_SALT) {
                return "PBKDF2 salt of " + salt.length + " bytes";
            }
            if (iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
                return "PBKDF2 iteration count " + iterations + " outside 1.." + MAX_PBKDF2_ITERATIONS;
            }
            if (keyBits < 8 || keyBits > MAX_PBKDF2_KEY_BITS || keyBits % 8 != 0) {
                return "PBKDF2 key length of " + keyBits + " bits";
            }
            if (hmac.length == 0) {
                return "empty PBKDF2 answer";
            }
            return null;
        } catch (IllegalArgumentException e) {
            return "unreadable PBKDF2 answer: " + e.getMessage();
        }
    }

    /** {@code S} at {@code offset}, length-checked against the buffer. */
    static byte[] readBytes(byte[] buf, int offset) {
        int len = readInt(buf, offset);
        if (len < 0 || len > buf.length - offset - Encoder.INT_SIZE) {
            throw new IllegalArgumentException("length field " + Integer.toUnsignedString(len) + " exceeds the data");
        }
        return java.util.Arrays.copyOfRange(buf, offset + Encoder.INT_SIZE, offset + Encoder.INT_SIZE + len);
    }

    static int readInt(byte[] buf, int offset) {
        if (buf == null || offset < 0 || buf.length - offset < Encoder.INT_SIZE) {
            throw new IllegalArgumentException("truncated");
        }
        return Encoder.readInt(buf, offset);
    }
}
