package org.idnode.server.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The fields of an {@code Authorization: Handle ...} header, the HTTP authentication scheme of CNRI's REST
 * API: comma-separated {@code name=value} pairs, each value a token or a quoted string, e.g.
 * {@code Handle version="0", sessionId="...", id="300:0.NA/88.999.1", type="HS_PUBKEY", cnonce="...",
 * alg="SHA256", signature="..."} (plus {@code salt}, {@code iterations}, {@code length} for a PBKDF2 secret-key
 * answer). Field names are case-insensitive; {@code id} may be percent-encoded; unknown fields are ignored.
 * Immutable.
 */
final class HandleAuthorization {
    private static final int MAX_FIELDS = 32;

    private final Map<String, String> fields;

    private HandleAuthorization(Map<String, String> fields) {
        this.fields = fields;
    }

    /** True when {@code header} uses the {@code Handle} scheme (whether or not it is well formed). */
    static boolean isHandleScheme(String header) {
        String h = header.stripLeading();
        return h.regionMatches(true, 0, "Handle", 0, 6) && (h.length() == 6 || Character.isWhitespace(h.charAt(6)));
    }

    /**
     * Parses a {@code Handle} header.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static HandleAuthorization parse(String header) {
        String rest = header.stripLeading().substring(6);
        Map<String, String> out = new HashMap<>();
        int i = 0;
        int n = rest.length();
        while (true) {
            i = skipSpaces(rest, i);
            if (i >= n) {
                break;
            }
            int nameStart = i;
            while (i < n && isTokenChar(rest.charAt(i))) {
                i++;
            }
            if (i == nameStart) {
                throw new IllegalArgumentException("expected a field name at position " + nameStart + " of the Handle authorization");
            }
            String name = rest.substring(nameStart, i).toLowerCase(Locale.ROOT);
            i = skipSpaces(rest, i);
            if (i >= n || rest.charAt(i) != '=') {
                throw new IllegalArgumentException("field '" + name + "' of the Handle authorization has no '=value'");
            }
            i = skipSpaces(rest, i + 1);
            StringBuilder value = new StringBuilder();
            if (i < n && rest.charAt(i) == '"') {
                i++;
                while (i < n && rest.charAt(i) != '"') {
                    char c = rest.charAt(i);
                    if (c == '\\' && i + 1 < n) {
                        i++;
                        c = rest.charAt(i);
                    }
                    value.append(c);
                    i++;
                }
                if (i >= n) {
                    throw new IllegalArgumentException("field '" + name + "' of the Handle authorization has an unterminated quoted value");
                }
                i++;
            } else {
                int valueStart = i;
                while (i < n && isTokenChar(rest.charAt(i))) {
                    i++;
                }
                if (i == valueStart) {
                    throw new IllegalArgumentException("field '" + name + "' of the Handle authorization has an empty value");
                }
                value.append(rest, valueStart, i);
            }
            if (out.putIfAbsent(name, value.toString()) != null) {
                throw new IllegalArgumentException("field '" + name + "' appears twice in the Handle authorization");
            }
            if (out.size() > MAX_FIELDS) {
                throw new IllegalArgumentException("the Handle authorization has more than " + MAX_FIELDS + " fields");
            }
            i = skipSpaces(rest, i);
            if (i < n) {
                if (rest.charAt(i) != ',') {
                    throw new IllegalArgumentException("expected ',' after field '" + name + "' of the Handle authorization");
                }
                i++;
            }
        }
        return new HandleAuthorization(out);
    }

    String version() {
        return fields.get("version");
    }

    String sessionId() {
        return fields.get("sessionid");
    }

    String cnonce() {
        return fields.get("cnonce");
    }

    String type() {
        return fields.get("type");
    }

    String alg() {
        return fields.get("alg");
    }

    String signature() {
        return fields.get("signature");
    }

    String salt() {
        return fields.get("salt");
    }

    String iterations() {
        return fields.get("iterations");
    }

    String length() {
        return fields.get("length");
    }

    /** The identity {@code index:handle}, percent-decoded when it is percent-encoded; null when absent. */
    String id() {
        String id = fields.get("id");
        if (id == null || id.indexOf('%') < 0) {
            return id;
        }
        // Percent-decoding only: a '+' in a handle stays a '+'.
        return URLDecoder.decode(id.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** True when the header tries to authenticate an identity (not only name a session). */
    boolean isAuthenticating() {
        return fields.containsKey("id") || fields.containsKey("type") || fields.containsKey("alg") || fields.containsKey("signature");
    }

    /** The fields an authenticating header lacks, or null when it has them all. */
    String missingFields() {
        StringBuilder missing = new StringBuilder();
        for (String f : new String[] {"id", "type", "cnonce", "alg", "signature"}) {
            if (!fields.containsKey(f)) {
                missing.append(missing.length() == 0 ? "" : ", ").append(f);
            }
        }
        return missing.length() == 0 ? null : missing.toString();
    }

    /**
     * Base64 (standard or URL-safe alphabet, padding optional).
     *
     * @throws IllegalArgumentException naming the field
     */
    static byte[] base64(String field, String value) {
        String v = value.trim();
        try {
            return v.indexOf('-') >= 0 || v.indexOf('_') >= 0 ? Base64.getUrlDecoder().decode(v) : Base64.getDecoder().decode(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " is not valid base64");
        }
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** RFC 7230 tchar. */
    private static boolean isTokenChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
