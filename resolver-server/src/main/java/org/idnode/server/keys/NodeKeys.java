package org.idnode.server.keys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;

import net.handle.hdllib.Common;
import net.handle.hdllib.Util;
import org.idnode.server.config.ConfigException;

/**
 * The node's RSA key pair: it signs certified answers, and its public key is published in the
 * node's site info. Stored in CNRI's formats, so CNRI's tools can read them: {@code privkey.bin}
 * ({@code Util.encrypt(Util.getBytesFromPrivateKey(k), null, ENCRYPT_NONE)}) and {@code pubkey.bin}
 * ({@code Util.getBytesFromPublicKey}).
 *
 * <p>Immutable and thread-safe.
 */
public final class NodeKeys {
    /** Sub-folder of the data folder holding the key pair when {@code keys.private-key-file} is not set. */
    public static final String FOLDER = "keys";
    /** Size of the RSA key created at first start. */
    public static final int RSA_BITS = 2048;

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private NodeKeys(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /**
     * Loads the configured private key, or when none is configured the one in {@code <dataDir>/keys},
     * creating a new RSA pair there at first start.
     *
     * @throws ConfigException when a configured key file is missing or unreadable
     */
    public static NodeKeys loadOrCreate(Path configuredPrivateKey, Path dataDir) {
        if (configuredPrivateKey != null) {
            return load(configuredPrivateKey, "keys.private-key-file");
        }
        Path dir = dataDir.resolve(FOLDER);
        Path priv = dir.resolve("privkey.bin");
        if (Files.exists(priv)) {
            return load(priv, "the data folder's key " + priv);
        }
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(RSA_BITS);
            KeyPair pair = gen.generateKeyPair();
            Files.createDirectories(dir);
            writeAtomically(priv, Util.encrypt(Util.getBytesFromPrivateKey(pair.getPrivate()), null, Common.ENCRYPT_NONE), true);
            writeAtomically(dir.resolve("pubkey.bin"), Util.getBytesFromPublicKey(pair.getPublic()), false);
            return new NodeKeys(pair.getPrivate(), pair.getPublic());
        } catch (Exception e) {
            throw new ConfigException("cannot create the node key pair in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static NodeKeys load(Path file, String what) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            PrivateKey key = Util.getPrivateKeyFromBytes(Util.decrypt(bytes, null), 0);
            return new NodeKeys(key, publicKeyOf(key));
        } catch (NoSuchFileException e) {
            throw new ConfigException(what + ": file " + file + " does not exist");
        } catch (Exception e) {
            throw new ConfigException(what + ": cannot read an unencrypted CNRI private key from " + file + ": " + e.getMessage(), e);
        }
    }

    private static PublicKey publicKeyOf(PrivateKey key) throws GeneralSecurityException {
        if (key instanceof RSAPrivateCrtKey rsa) {
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
        }
        throw new GeneralSecurityException("only RSA node keys are supported, got " + key.getAlgorithm());
    }

    private static void writeAtomically(Path target, byte[] bytes, boolean secret) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        if (secret) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system; the folder's own permissions apply.
            }
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** The public key in the Handle {@code HS_PUBKEY} encoding. */
    public byte[] publicKeyHandleEncoding() {
        try {
            return Util.getBytesFromPublicKey(publicKey);
        } catch (Exception e) {
            throw new IllegalStateException("cannot encode the node's public key", e);
        }
    }
}
