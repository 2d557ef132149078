package org.idnode.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.registry.model.Permissions;

/**
 * API tokens for REST (and, later, gRPC) clients such as an enterprise's ERP or MES: a bearer token
 * {@code idt_<prefix>~<random>} acts as one admin identity of its enterprise prefix. Only the token's
 * SHA-256 is kept, in an admin-only {@value #TOKEN_TYPE} value of the prefix handle {@code 0.NA/<prefix>}
 * (indexes {@value #FIRST_INDEX}–{@value #LAST_INDEX}), with the token's name and the identity it acts as,
 * so tokens are audited and revoked like any other value. Stateless and thread-safe.
 */
public final class ApiTokens {
    /** Value type of a token record. */
    public static final String TOKEN_TYPE = "ID_API_TOKEN";
    public static final int FIRST_INDEX = 400;
    public static final int LAST_INDEX = 499;
    private static final String SCHEME_PREFIX = "idt_";
    /** Between prefix and secret: not in the base64url alphabet of the secret. */
    private static final char SEPARATOR = '~';
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiTokens() {
    }

    /** A new token and the value that records it on the prefix handle. The token is shown once and never stored. */
    public record Issued(String token, HandleValue value) {
    }

    /**
     * Issues a token for {@code prefix} acting as {@code identity}.
     *
     * @param existing the prefix handle's current values (to pick a free index and refuse a duplicate name)
     * @throws IllegalArgumentException when the name is taken or every token index is in use
     */
    public static Issued issue(String prefix, String name, AdminIdentity identity, List<HandleValue> existing) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a token needs a name");
        }
        for (HandleValue v : existing) {
            if (isToken(v) && name.equals(parse(v).get("name").getAsString())) {
                throw new IllegalArgumentException("prefix " + prefix + " already has a token named " + name);
            }
        }
        int index = FIRST_INDEX;
        while (index <= LAST_INDEX) {
            int candidate = index;
            if (existing.stream().noneMatch(v -> v.index() == candidate)) {
                break;
            }
            index++;
        }
        if (index > LAST_INDEX) {
            throw new IllegalArgumentException("prefix " + prefix + " has no free token index (" + FIRST_INDEX + "-" + LAST_INDEX + ")");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = SCHEME_PREFIX + prefix + SEPARATOR + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        JsonObject data = new JsonObject();
        data.addProperty("name", name);
        data.addProperty("identity", identity.index() + ":" + identity.handle());
        data.addProperty("sha256", sha256(token));
        data.addProperty("created", Instant.now().toString());
        HandleValue value = new HandleValue(index, TOKEN_TYPE, data.toString().getBytes(StandardCharsets.UTF_8), HandleValue.TtlType.RELATIVE,
                HandleValue.DEFAULT_TTL, (int) (System.currentTimeMillis() / 1000), List.of(), Permissions.RESTRICTED);
        return new Issued(token, value);
    }

    /** The prefix handle a token's record lives on, or empty when the text is not one of our tokens. */
    public static Optional<HandleName> prefixHandleOf(String token) {
        if (token == null || !token.startsWith(SCHEME_PREFIX)) {
            return Optional.empty();
        }
        int end = token.lastIndexOf(SEPARATOR);
        if (end <= SCHEME_PREFIX.length()) {
            return Optional.empty();
        }
        try {
            String prefix = token.substring(SCHEME_PREFIX.length(), end);
            HandleName.checkPrefix(prefix);
            return Optional.of(HandleName.ofPrefix(prefix));
        } catch (InvalidHandleException e) {
            return Optional.empty();
        }
    }

    /** The identity a token acts as, when {@code prefixHandle} (its record) holds it. */
    public static Optional<AdminIdentity> verify(String token, HandleRecord prefixHandle) {
        byte[] presented = sha256(token).getBytes(StandardCharsets.US_ASCII);
        for (HandleValue v : prefixHandle.values()) {
            if (!isToken(v)) {
                continue;
            }
            JsonObject data = parse(v);
            if (MessageDigest.isEqual(presented, data.get("sha256").getAsString().getBytes(StandardCharsets.US_ASCII))) {
                String identity = data.get("identity").getAsString();
                int colon = identity.indexOf(':');
                return Optional.of(new AdminIdentity(identity.substring(colon + 1), Integer.parseInt(identity.substring(0, colon))));
            }
        }
        return Optional.empty();
    }

    /** The index of the token named {@code name} among a prefix handle's values, if any. */
    public static Optional<Integer> indexOf(String name, List<HandleValue> values) {
        return values.stream().filter(v -> isToken(v) && name.equals(parse(v).get("name").getAsString()))
                .map(HandleValue::index).findFirst();
    }

    private static boolean isToken(HandleValue v) {
        return v.type().equals(TOKEN_TYPE);
    }

    private static JsonObject parse(HandleValue v) {
        return JsonParser.parseString(new String(v.data(), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
