package org.idnode.server.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import net.handle.apps.simple.SiteInfoConverter;
import net.handle.hdllib.AdminRecord;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.SiteInfo;
import net.handle.hdllib.Util;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;

/**
 * Builds the prefix handle {@code 0.NA/<prefix>} of a hosted enterprise prefix in the layout CNRI's tools
 * expect: {@code HS_ADMIN} at index 100 granting every permission to {@code 300:0.NA/<prefix>} (the
 * {@code HS_PUBKEY} at index 300), {@code HS_ADMIN} at index 101 granting every permission to
 * {@code 301:0.NA/<prefix>} (the {@code HS_SECKEY} at index 301, readable by admins only), the
 * enterprise's name at index 2 and the prefix's lifecycle state at index 3. Stateless and thread-safe.
 */
public final class PrefixRecords {
    /** Index of the HS_ADMIN naming the public-key admin. */
    public static final int ADMIN_INDEX = 100;
    /** Index of the HS_ADMIN naming the secret-key admin. */
    public static final int SECRET_ADMIN_INDEX = 101;
    /** Index of the admin's HS_PUBKEY. */
    public static final int PUBKEY_INDEX = 300;
    /** Index of the admin's HS_SECKEY. */
    public static final int SECKEY_INDEX = 301;
    /** Index and type of the enterprise name. */
    public static final int ENTERPRISE_INDEX = 2;
    public static final String ENTERPRISE_TYPE = "ID_ENTERPRISE";
    /** Index of the enterprise node's HS_SITE on a self-hosted prefix. */
    public static final int SITE_INDEX = 1;
    /** Index and type of the prefix's lifecycle state ({@link PrefixState#text()}). */
    public static final int STATE_INDEX = 3;
    public static final String STATE_TYPE = "ID_PREFIX_STATE";

    private PrefixRecords() {
    }

    /**
     * The prefix handle's record.
     *
     * @param adminKey    the admin's public key, or null
     * @param adminSecret the admin's secret key, or null; at least one of the two is required
     */
    public static HandleRecord hostedPrefix(String prefix, String enterprise, PublicKey adminKey, String adminSecret) {
        return hostedPrefix(prefix, enterprise, adminKey, adminSecret, PrefixState.ENABLED);
    }

    /** The prefix handle's record, in the given lifecycle state. */
    public static HandleRecord hostedPrefix(String prefix, String enterprise, PublicKey adminKey, String adminSecret, PrefixState state) {
        return prefix(prefix, enterprise, adminKey, adminSecret, state, null);
    }

    /**
     * The prefix handle's record. With {@code selfHostedSite} (the enterprise node's {@code HS_SITE}
     * record) the prefix is self-hosted: its prefix handle sends clients to the enterprise's own node;
     * without, it is hosted here and the node answers with its own site.
     */
    public static HandleRecord prefix(String prefix, String enterprise, PublicKey adminKey, String adminSecret, PrefixState state,
                                      byte[] selfHostedSite) {
        if (adminKey == null && (adminSecret == null || adminSecret.isEmpty())) {
            throw new IllegalArgumentException("a prefix needs an admin: give a public key, a secret key, or both");
        }
        HandleName prefixHandle = HandleName.ofPrefix(prefix);
        int now = (int) (System.currentTimeMillis() / 1000);
        List<HandleValue> values = new ArrayList<>();
        values.add(HandleValue.ofString(ENTERPRISE_INDEX, ENTERPRISE_TYPE, enterprise, now));
        values.add(stateValue(state, now));
        if (selfHostedSite != null) {
            values.add(new HandleValue(SITE_INDEX, "HS_SITE", selfHostedSite, HandleValue.TtlType.RELATIVE, HandleValue.DEFAULT_TTL,
                    now, List.of(), Permissions.PUBLIC_READ));
        }
        if (adminKey != null) {
            values.add(admin(ADMIN_INDEX, prefixHandle, PUBKEY_INDEX, now));
            values.add(new HandleValue(PUBKEY_INDEX, "HS_PUBKEY", encode(adminKey), HandleValue.TtlType.RELATIVE,
                    HandleValue.DEFAULT_TTL, now, List.of(), Permissions.PUBLIC_READ));
        }
        if (adminSecret != null && !adminSecret.isEmpty()) {
            values.add(admin(SECRET_ADMIN_INDEX, prefixHandle, SECKEY_INDEX, now));
            values.add(new HandleValue(SECKEY_INDEX, "HS_SECKEY", adminSecret.getBytes(StandardCharsets.UTF_8),
                    HandleValue.TtlType.RELATIVE, HandleValue.DEFAULT_TTL, now, List.of(), Permissions.RESTRICTED));
        }
        return new HandleRecord(prefixHandle, values);
    }

    /** The value recording a prefix's lifecycle state. */
    public static HandleValue stateValue(PrefixState state, int timestamp) {
        return HandleValue.ofString(STATE_INDEX, STATE_TYPE, state.text(), timestamp);
    }

    /**
     * The lifecycle state recorded in a prefix handle's values; a prefix handle without one (made before
     * states existed, or imported) counts as enabled.
     */
    public static PrefixState stateOf(java.util.Collection<HandleValue> values) {
        for (HandleValue v : values) {
            if (v.index() == STATE_INDEX && v.type().equals(STATE_TYPE)) {
                return PrefixState.parse(new String(v.data(), StandardCharsets.UTF_8));
            }
        }
        return PrefixState.ENABLED;
    }

    /**
     * Reads an enterprise node's site info from CNRI's {@code siteinfo.json} or binary {@code siteinfo.bin}
     * and returns it in the {@code HS_SITE} value encoding.
     *
     * @throws IOException when the file holds neither form
     */
    public static byte[] readSiteInfo(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            String text = new String(bytes, StandardCharsets.UTF_8).trim();
            SiteInfo site = text.startsWith("{") ? SiteInfoConverter.convertToSiteInfo(text) : Encoder.decodeSiteInfoRecord(bytes, 0);
            if (site == null || site.servers == null || site.servers.length == 0) {
                throw new IOException("no servers in it");
            }
            return Encoder.encodeSiteInfoRecord(site);
        } catch (Exception e) {
            throw new IOException("cannot read a site info from " + file + " (expected CNRI siteinfo.json or siteinfo.bin): " + e.getMessage(), e);
        }
    }

    /**
     * Reads an RSA or DSA public key from a PEM file ({@code -----BEGIN PUBLIC KEY-----}, X.509) or from a
     * CNRI {@code pubkey.bin} (the {@code HS_PUBKEY} encoding).
     *
     * @throws IOException when the file cannot be read or holds no public key in either form
     */
    public static PublicKey readPublicKey(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.US_ASCII);
        try {
            if (text.contains("-----BEGIN PUBLIC KEY-----")) {
                String b64 = text.substring(text.indexOf("-----BEGIN PUBLIC KEY-----") + 26, text.indexOf("-----END PUBLIC KEY-----"))
                        .replaceAll("\\s", "");
                byte[] der = Base64.getDecoder().decode(b64);
                for (String alg : new String[] {"RSA", "DSA"}) {
                    try {
                        return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
                    } catch (java.security.spec.InvalidKeySpecException e) {
                        // try the next algorithm
                    }
                }
                throw new IOException("PEM file " + file + " holds neither an RSA nor a DSA public key");
            }
            return Util.getPublicKeyFromBytes(bytes, 0);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot read a public key from " + file + " (expected PEM or CNRI pubkey.bin): " + e.getMessage(), e);
        }
    }

    private static HandleValue admin(int index, HandleName prefixHandle, int adminIndex, int now) {
        AdminRecord record = new AdminRecord(Util.encodeString(prefixHandle.toString()), adminIndex,
                true, true, true, true, true, true, true, true, true, true, true, true);
        return new HandleValue(index, "HS_ADMIN", Encoder.encodeAdminRecord(record), HandleValue.TtlType.RELATIVE,
                HandleValue.DEFAULT_TTL, now, List.of(), Permissions.PUBLIC_READ);
    }

    private static byte[] encode(PublicKey key) {
        try {
            return Util.getBytesFromPublicKey(key);
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot encode the admin public key: " + e.getMessage(), e);
        }
    }
}
