package org.idnode.server.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Common;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.Util;
import org.idnode.registry.model.HandleName;

/**
 * HTTP authentication for the REST API, the three schemes CNRI's REST API and this node accept:
 * <ul>
 *   <li>{@code Authorization: Basic}: the user name is the URL-encoded identity {@code index:handle}, e.g.
 *       {@code 301%3A0.NA%2F88.999.1}, and the password is that identity's secret key, checked against its
 *       {@code HS_SECKEY} on this node;</li>
 *   <li>{@code Authorization: Bearer} with an {@link ApiTokens API token};</li>
 *   <li>{@code Authorization: Handle} (CNRI's scheme): the client opens a session ({@link HttpSessions}, whose
 *       server nonce it learns from {@code POST /api/sessions} or from the {@code WWW-Authenticate: Handle}
 *       header of a 401), then proves an identity by signing {@code nonce || cnonce} with its private key
 *       ({@code type="HS_PUBKEY"}) or MACing it with its secret key ({@code type="HS_SECKEY"}), checked by the
 *       same {@link KeyVerifier} as the Handle protocol's challenge answers. The session then acts as that
 *       identity: later requests name only {@code sessionId}. A header that names a session and carries a
 *       proof authenticates the session and the request it comes with.</li>
 * </ul>
 * Thread-safe; reads the store and verifies signatures, so it may block.
 */
public final class HttpAuthenticator {
    /** The outcome of reading an {@code Authorization} header. */
    public sealed interface Outcome permits Anonymous, Authenticated, Refused {
    }

    /** No credentials (no header, or a {@code Handle} header naming a session that is not authenticated). */
    public record Anonymous() implements Outcome {
    }

    /**
     * The caller proved to be {@code identity}.
     *
     * @param session the {@code Handle} session it came in (now authenticated as {@code identity}), or null
     */
    public record Authenticated(AdminIdentity identity, HttpSessions.Session session) implements Outcome {
    }

    /**
     * The header is malformed or its proof is wrong; {@code responseCode} is the Handle code to answer with.
     *
     * @param retryIn for the {@code Handle} scheme, the session whose nonce the client may sign to try again
     *                (answer 401 and offer it in {@code WWW-Authenticate}); null for the other schemes, or when
     *                no session could be opened
     */
    public record Refused(int responseCode, String reason, HttpSessions.Session retryIn) implements Outcome {
        public Refused(int responseCode, String reason) {
            this(responseCode, reason, null);
        }
    }

    private final KeyVerifier verifier;
    private final IdentityKeyLookup keys;
    private final HttpSessions sessions;

    /** With {@link SessionLimits#defaults() default} session limits. */
    public HttpAuthenticator(IdentityKeyLookup keys) {
        this(keys, new HttpSessions(SessionLimits.defaults(), java.time.Clock.systemUTC()));
    }

    public HttpAuthenticator(IdentityKeyLookup keys, HttpSessions sessions) {
        this.verifier = new KeyVerifier(keys);
        this.keys = keys;
        this.sessions = sessions;
    }

    /** The sessions of the {@code Handle} scheme. */
    public HttpSessions sessions() {
        return sessions;
    }

    /**
     * The {@code sessionId} a {@code Handle} header names, if it is one and names one (whether or not that
     * session is live); empty for the other schemes and for headers that cannot be read.
     */
    public static Optional<String> sessionIdIn(String header) {
        if (header == null || !HandleAuthorization.isHandleScheme(header)) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(HandleAuthorization.parse(header).sessionId());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Reads an {@code Authorization} header value (null when absent). */
    public Outcome authenticate(String header) {
        if (header == null || header.isBlank()) {
            return new Anonymous();
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return bearer(header.substring(7).trim());
        }
        if (HandleAuthorization.isHandleScheme(header)) {
            return handleScheme(header);
        }
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return new Refused(AbstractMessage.RC_INVALID_CREDENTIAL, "the Basic, Bearer and Handle authorization schemes are supported");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Refused(AbstractMessage.RC_INVALID_CREDENTIAL, "the Basic credentials are not valid base64");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return new Refused(AbstractMessage.RC_INVALID_CREDENTIAL, "the Basic credentials need a user name and a password");
        }
        String user;
        try {
            user = URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Refused(AbstractMessage.RC_INVALID_CREDENTIAL, "the user name is not URL-encoded correctly");
        }
        int sep = user.indexOf(':');
        int index;
        try {
            index = sep > 0 ? Integer.parseInt(user.substring(0, sep)) : -1;
        } catch (NumberFormatException e) {
            index = -1;
        }
        if (index < 0) {
            return new Refused(AbstractMessage.RC_INVALID_CREDENTIAL, "the user name must be index:handle, e.g. 301:0.NA/88.999.1");
        }
        AdminIdentity who = new AdminIdentity(user.substring(sep + 1), index);
        KeyVerifier.Result result = verifier.verifySecret(who, decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8));
        if (result.status() != KeyVerifier.Status.VERIFIED) {
            return new Refused(AbstractMessage.RC_AUTHENTICATION_FAILED, result.reason());
        }
        return new Authenticated(new AdminIdentity(who.handle(), result.keyIndex()), null);
    }

    private Outcome bearer(String token) {
        Optional<HandleName> prefixHandle = ApiTokens.prefixHandleOf(token);
        if (prefixHandle.isEmpty()) {
            return new Refused(AbstractMessage.RC_INVALID_CREDENTIAL, "not an idnode API token");
        }
        return keys.find(prefixHandle.get())
                .flatMap(record -> ApiTokens.verify(token, record))
                .<Outcome>map(identity -> new Authenticated(identity, null))
                .orElseGet(() -> new Refused(AbstractMessage.RC_AUTHENTICATION_FAILED, "unknown or revoked API token"));
    }

    /**
     * {@code POST /api/sessions}: opens a session. With Basic or Bearer credentials that verify, the new
     * session is authenticated as their identity; with credentials that do not, nothing is opened and the
     * refusal is returned.
     *
     * @return the outcome ({@link Authenticated} or {@link Anonymous} carry the new session in
     *         {@link #opened}); empty when every session slot is taken
     */
    public Optional<Opened> open(String header) {
        Outcome outcome = header == null || header.isBlank() ? new Anonymous() : authenticate(header);
        if (outcome instanceof Refused) {
            return Optional.of(new Opened(null, outcome));
        }
        Optional<HttpSessions.Session> session = sessions.open();
        if (session.isPresent() && outcome instanceof Authenticated a) {
            session.get().authenticate(a.identity(), header);
        }
        return session.map(s -> new Opened(s, outcome));
    }

    /** What {@link #open} did: the session it opened (null when the credentials were refused) and why. */
    public record Opened(HttpSessions.Session session, Outcome outcome) {
    }

    private Outcome handleScheme(String header) {
        HandleAuthorization auth;
        try {
            auth = HandleAuthorization.parse(header);
        } catch (IllegalArgumentException e) {
            return refused(AbstractMessage.RC_INVALID_CREDENTIAL, e.getMessage(), null);
        }
        if (auth.version() != null && !auth.version().equals("0")) {
            return refused(AbstractMessage.RC_INVALID_CREDENTIAL, "unknown version '" + auth.version()
                    + "' of the Handle authorization scheme; this node speaks version 0", null);
        }
        HttpSessions.Session session = null;
        if (auth.sessionId() != null) {
            Optional<HttpSessions.Session> found = sessions.find(auth.sessionId());
            if (found.isEmpty()) {
                return refused(AbstractMessage.RC_AUTHENTICATION_NEEDED, "session " + auth.sessionId()
                        + " is unknown or has expired; open a new one with POST /api/sessions", null);
            }
            session = found.get();
        }
        if (!auth.isAuthenticating()) {
            return session == null || session.identity() == null ? new Anonymous() : new Authenticated(session.identity(), session);
        }
        if (session == null) {
            return refused(AbstractMessage.RC_AUTHENTICATION_NEEDED,
                    "a Handle authorization proves an identity by signing the nonce of a session: name it with sessionId", null);
        }
        String missing = auth.missingFields();
        if (missing != null) {
            return refused(AbstractMessage.RC_INVALID_CREDENTIAL, "the Handle authorization lacks " + missing, session);
        }
        if (session.provedBy(header)) {
            return new Authenticated(session.identity(), session);
        }
        AdminIdentity claimed;
        KeyVerifier.Result result;
        try {
            claimed = identity(auth.id());
            byte[] cnonce = HandleAuthorization.base64("cnonce", auth.cnonce());
            byte[] signature = HandleAuthorization.base64("signature", auth.signature());
            if (KeyVerifier.PUBKEY_TYPE.equals(auth.type())) {
                result = verifier.verifyPublicKey(claimed, session.rawNonce(), cnonce, publicKeyAnswer(auth.alg(), signature));
            } else if (KeyVerifier.SECKEY_TYPE.equals(auth.type())) {
                result = verifier.verifySecretKey(claimed, session.rawNonce(), cnonce, secretKeyAnswer(auth, signature), false);
            } else {
                return refused(AbstractMessage.RC_INVALID_CREDENTIAL, "type must be HS_PUBKEY or HS_SECKEY, got '" + auth.type() + "'", session);
            }
        } catch (IllegalArgumentException e) {
            return refused(AbstractMessage.RC_INVALID_CREDENTIAL, e.getMessage(), session);
        }
        if (result.status() != KeyVerifier.Status.VERIFIED) {
            int rc = result.status() == KeyVerifier.Status.MALFORMED ? AbstractMessage.RC_AUTHEN_ERROR : AbstractMessage.RC_AUTHENTICATION_FAILED;
            return refused(rc, result.reason(), session);
        }
        AdminIdentity verified = new AdminIdentity(claimed.handle(), result.keyIndex());
        session.authenticate(verified, header);
        return new Authenticated(verified, session);
    }

    /** A refusal of the {@code Handle} scheme, offering {@code session} (or a new one) to try again in. */
    private Refused refused(int responseCode, String reason, HttpSessions.Session session) {
        return new Refused(responseCode, reason, session != null ? session : sessions.open().orElse(null));
    }

    /** {@code index:handle}, or a bare handle (index 0: any key of the type). */
    private static AdminIdentity identity(String id) {
        int colon = id.indexOf(':');
        if (colon > 0 && id.substring(0, colon).chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return new AdminIdentity(id.substring(colon + 1), Integer.parseInt(id.substring(0, colon)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("id index out of range: " + id);
            }
        }
        return new AdminIdentity(id, 0);
    }

    /** An HS_PUBKEY challenge answer ({@code S hashAlg, S signature}) from the header's alg and signature. */
    private static byte[] publicKeyAnswer(String alg, byte[] signature) {
        byte[] hashAlg;
        switch (normalised(alg)) {
            case "SHA256", "SHA2":
                hashAlg = Common.HASH_ALG_SHA256;
                break;
            case "SHA1", "SHA":
                hashAlg = Common.HASH_ALG_SHA1;
                break;
            default:
                throw new IllegalArgumentException("alg '" + alg + "' is not supported for HS_PUBKEY; use SHA256 (or SHA1)");
        }
        byte[] out = new byte[2 * Encoder.INT_SIZE + hashAlg.length + signature.length];
        int offset = Encoder.writeByteArray(out, 0, hashAlg);
        Encoder.writeByteArray(out, offset, signature);
        return out;
    }

    /** An HS_SECKEY challenge answer (1 byte algorithm + MAC) from the header's alg, signature and PBKDF2 fields. */
    private static byte[] secretKeyAnswer(HandleAuthorization auth, byte[] signature) {
        byte code;
        byte[] mac = signature;
        switch (normalised(auth.alg())) {
            case "SHA256", "SHA2":
                code = Common.HASH_CODE_SHA256;
                break;
            case "SHA1", "SHA":
                code = Common.HASH_CODE_SHA1;
                break;
            case "HMACSHA256":
                code = Common.HASH_CODE_HMAC_SHA256;
                break;
            case "HMACSHA1":
                code = Common.HASH_CODE_HMAC_SHA1;
                break;
            case "PBKDF2HMACSHA1":
                code = Common.HASH_CODE_PBKDF2_HMAC_SHA1;
                if (auth.salt() != null && auth.iterations() != null && auth.length() != null) {
                    try {
                        mac = Util.constructPbkdf2Encoding(HandleAuthorization.base64("salt", auth.salt()),
                                Integer.parseInt(auth.iterations().trim()), Integer.parseInt(auth.length().trim()), signature);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("iterations and length must be integers");
                    }
                }
                break;
            default:
                throw new IllegalArgumentException("alg '" + auth.alg() + "' is not supported for HS_SECKEY; use PBKDF2-HMAC-SHA1, HMAC-SHA256, HMAC-SHA1, SHA256 or SHA1");
        }
        byte[] out = new byte[mac.length + 1];
        out[0] = code;
        System.arraycopy(mac, 0, out, 1, mac.length);
        return out;
    }

    /** Upper case without punctuation: {@code SHA-256}, {@code sha256} and {@code SHA_256} are all {@code SHA256}. */
    private static String normalised(String alg) {
        StringBuilder b = new StringBuilder();
        for (char c : alg.toCharArray()) {
            if (Character.isLetterOrDigit(c)) {
                b.append(Character.toUpperCase(c));
            }
        }
        return b.toString();
    }
}
