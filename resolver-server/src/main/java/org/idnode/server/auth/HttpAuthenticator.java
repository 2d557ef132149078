package org.idnode.server.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import net.handle.hdllib.AbstractMessage;
import org.idnode.registry.model.HandleName;

/**
 * HTTP authentication: {@code Authorization: Basic} as CNRI's REST API takes it (the user name is the
 * URL-encoded identity {@code index:handle}, e.g. {@code 301%3A0.NA%2F88.999.1}, and the password is that
 * identity's secret key, checked against its {@code HS_SECKEY} on this node), and
 * {@code Authorization: Bearer} with an {@link ApiTokens API token}. Thread-safe; reads the store, so it
 * may block.
 */
public final class HttpAuthenticator {
    /** The outcome of reading an {@code Authorization} header. */
    public sealed interface Outcome permits Anonymous, Authenticated, Refused {
    }

    /** No {@code Authorization} header: the caller is anonymous. */
    public record Anonymous() implements Outcome {
    }

    /** The secret matched: the caller is {@code identity}. */
    public record Authenticated(AdminIdentity identity) implements Outcome {
    }

    /** The header is malformed or the secret is wrong; {@code responseCode} is the Handle code to answer with. */
    public record Refused(int responseCode, String reason) implements Outcome {
    }

    private final KeyVerifier verifier;
    private final IdentityKeyLookup keys;

    public HttpAuthenticator(IdentityKeyLookup keys) {
        this.verifier = new KeyVerifier(keys);
        this.keys = keys;
    }

    /** Reads an {@code Authorization} header value (null when absent). */
    public Outcome authenticate(String header) {
        if (header == null || header.isBlank()) {
            return new Anonymous();
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return bearer(header.substring(7).trim());
        }
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return new Refused(AbstractMessage.RC_INVALID_CREDENTIAL, "the Basic and Bearer authorization schemes are supported");
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
        return new Authenticated(new AdminIdentity(who.handle(), result.keyIndex()));
    }

    private Outcome bearer(String token) {
        Optional<HandleName> prefixHandle = ApiTokens.prefixHandleOf(token);
        if (prefixHandle.isEmpty()) {
            return new Refused(AbstractMessage.RC_INVALID_CREDENTIAL, "not an idnode API token");
        }
        return keys.find(prefixHandle.get())
                .flatMap(record -> ApiTokens.verify(token, record))
                .<Outcome>map(Authenticated::new)
                .orElseGet(() -> new Refused(AbstractMessage.RC_AUTHENTICATION_FAILED, "unknown or revoked API token"));
    }
}
