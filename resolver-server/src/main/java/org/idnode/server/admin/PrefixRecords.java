package org.idnode.server.admin;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
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
import org.idnode.server.auth.ApiTokens;

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
        HandleName prefixHandle = HandleName.ofPrefix(prefix);
        int now = (int) (System.currentTimeMillis() / 1000);
        List<HandleValue> admins = adminValues(prefixHandle, adminKey, adminSecret, now);
        List<HandleValue> values = new ArrayList<>();
        values.add(HandleValue.ofString(ENTERPRISE_INDEX, ENTERPRISE_TYPE, enterprise, now));
        values.add(stateValue(state, now));
        if (selfHostedSite != null) {
            values.add(new HandleValue(SITE_INDEX, "HS_SITE", selfHostedSite, HandleValue.TtlType.RELATIVE, HandleValue.DEFAULT_TTL,
                    now, List.of(), Permissions.PUBLIC_READ));
        }
        values.addAll(admins);
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
    public static PrefixState stateOf(Collection<HandleValue> values) {
        for (HandleValue v : values) {
            if (v.index() == STATE_INDEX && v.type().equals(STATE_TYPE)) {
                return PrefixState.parse(new String(v.data(), StandardCharsets.UTF_8));
            }
        }
        return PrefixState.ENABLED;
    }

    /**
     * An enterprise node's site info from the bytes of CNRI's {@code siteinfo.json} or binary
     * {@code siteinfo.bin}, in the {@code HS_SITE} value encoding.
     *
     * @throws IllegalArgumentException when the bytes hold neither form, saying why
     */
    public static byte[] parseSiteInfo(byte[] bytes) {
        try {
            String text = new String(bytes, StandardCharsets.UTF_8).trim();
            SiteInfo site = text.startsWith("{") ? SiteInfoConverter.convertToSiteInfo(text) : Encoder.decodeSiteInfoRecord(bytes, 0);
            if (site == null || site.servers == null || site.servers.length == 0) {
                throw new IllegalArgumentException("no servers in it");
            }
            return Encoder.encodeSiteInfoRecord(site);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a site info (expected CNRI siteinfo.json or siteinfo.bin): " + e.getMessage(), e);
        }
    }

    /**
     * An RSA or DSA public key from PEM text ({@code -----BEGIN PUBLIC KEY-----}, X.509) or from the bytes of a
     * CNRI {@code pubkey.bin} (the {@code HS_PUBKEY} encoding).
     *
     * @throws IllegalArgumentException when the bytes hold no public key in either form, saying why
     */
    public static PublicKey parsePublicKey(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.US_ASCII);
        try {
            if (text.contains("-----BEGIN PUBLIC KEY-----") && text.contains("-----END PUBLIC KEY-----")) {
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
                throw new IllegalArgumentException("the PEM text holds neither an RSA nor a DSA public key");
            }
            return Util.getPublicKeyFromBytes(bytes, 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a public key (expected PEM or CNRI pubkey.bin): " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a public key (expected PEM or CNRI pubkey.bin): " + e, e);
        }
    }

    /**
     * The admin values of a prefix handle in CNRI's layout: with a key, {@code HS_ADMIN} at
     * {@value #ADMIN_INDEX} for {@code 300:<prefix handle>} and the {@code HS_PUBKEY} at {@value #PUBKEY_INDEX};
     * with a secret, {@code HS_ADMIN} at {@value #SECRET_ADMIN_INDEX} for {@code 301:<prefix handle>} and the
     * admin-only {@code HS_SECKEY} at {@value #SECKEY_INDEX}. Every HS_ADMIN grants all twelve permissions.
     *
     * @throws IllegalArgumentException when neither a key nor a secret is given
     */
    public static List<HandleValue> adminValues(HandleName prefixHandle, PublicKey adminKey, String adminSecret, int now) {
        if (adminKey == null && (adminSecret == null || adminSecret.isEmpty())) {
            throw new IllegalArgumentException("a prefix needs an admin: give a public key, a secret key, or both");
        }
        List<HandleValue> values = new ArrayList<>();
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
        return values;
    }

    /** The enterprise name recorded on a prefix handle ({@value #ENTERPRISE_TYPE}), or empty when it has none. */
    public static String enterpriseOf(Collection<HandleValue> values) {
        for (HandleValue v : values) {
            if (v.type().equals(ENTERPRISE_TYPE)) {
                return new String(v.data(), StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    /** True when a stored prefix handle carries a site of its own: the prefix is served by the enterprise's node. */
    public static boolean isSelfHosted(Collection<HandleValue> values) {
        return values.stream().anyMatch(v -> isSiteType(v.type()));
    }

    /** True for the value types that say where a prefix is served ({@code HS_SITE}, {@code HS_SITE.6}, {@code HS_SERV}). */
    public static boolean isSiteType(String type) {
        return type.equalsIgnoreCase("HS_SITE") || type.equalsIgnoreCase("HS_SITE.6") || type.equalsIgnoreCase("HS_SERV");
    }

    /**
     * True for the values of a prefix handle that only the node's operator may set: the lifecycle state, the
     * enterprise name and the API tokens ({@link ApiTokens#TOKEN_TYPE}).
     */
    public static boolean isOperatorValue(HandleValue value) {
        String type = value.type();
        return type.equals(STATE_TYPE) || type.equals(ENTERPRISE_TYPE) || type.equals(ApiTokens.TOKEN_TYPE);
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
