package org.idnode.registry.model;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A validated handle (identifier) name: {@code prefix/suffix}, UTF-8, at most {@value #MAX_BYTES} bytes.
 *
 * <p>Rules: the name contains a {@code /}; the prefix before the first slash is non-empty, has no
 * empty dot-separated segment and no whitespace; the suffix is non-empty; no control characters
 * anywhere. Lookups are ASCII case-insensitive, as in CNRI's server: {@link #lookupKey()} upper-cases
 * ASCII letters only and leaves every other character alone. Two names are {@link #equals equal}
 * when their lookup keys are equal; {@link #toString()} keeps the case the name was written in.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class HandleName {
    /** Maximum length of a handle in UTF-8 bytes. */
    public static final int MAX_BYTES = 255;
    /** The prefix of prefix handles ({@code 0.NA/88.999.1}). */
    public static final String PREFIX_HANDLE_PREFIX = "0.NA";

    private final String text;
    private final String lookupKey;
    private final int slash;

    private HandleName(String text, int slash) {
        this.text = text;
        this.slash = slash;
        this.lookupKey = asciiUpperCase(text);
    }

    /**
     * Parses a handle given as text.
     *
     * @throws InvalidHandleException when the name breaks a syntax rule
     */
    public static HandleName parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidHandleException("handle is empty");
        }
        int bytes = utf8Length(text);
        if (bytes > MAX_BYTES) {
            throw new InvalidHandleException("handle is " + bytes + " bytes long; at most " + MAX_BYTES + " UTF-8 bytes are allowed");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new InvalidHandleException("handle '" + text + "' has no '/' between prefix and suffix");
        }
        if (slash == 0) {
            throw new InvalidHandleException("handle '" + text + "' has an empty prefix");
        }
        if (slash == text.length() - 1) {
            throw new InvalidHandleException("handle '" + text + "' has an empty suffix");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                throw new InvalidHandleException("handle contains the control character U+" + String.format("%04X", (int) c) + " at position " + i);
            }
            if (Character.isSurrogate(c) && !validSurrogateAt(text, i)) {
                throw new InvalidHandleException("handle contains an unpaired surrogate at position " + i);
            }
        }
        // The prefix is checked in place: parsing sits on every resolution's path.
        for (int i = 0; i < slash; i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                throw new InvalidHandleException("prefix '" + text.substring(0, slash) + "' contains whitespace");
            }
        }
        for (int i = 0; i < slash; i++) {
            if (text.charAt(i) == '.' && (i == 0 || i == slash - 1 || text.charAt(i + 1) == '.')) {
                throw new InvalidHandleException("prefix '" + text.substring(0, slash) + "' has an empty segment");
            }
        }
        return new HandleName(text, slash);
    }

    /**
     * Parses a handle given as UTF-8 bytes, as it arrives on the wire. Malformed UTF-8 is refused.
     *
     * @throws InvalidHandleException when the bytes are not valid UTF-8 or the name breaks a syntax rule
     */
    public static HandleName fromUtf8(byte[] utf8) {
        if (utf8 == null || utf8.length == 0) {
            throw new InvalidHandleException("handle is empty");
        }
        if (utf8.length > MAX_BYTES) {
            throw new InvalidHandleException("handle is " + utf8.length + " bytes long; at most " + MAX_BYTES + " UTF-8 bytes are allowed");
        }
        if (isAscii(utf8)) {
            return parse(new String(utf8, StandardCharsets.ISO_8859_1));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidHandleException("handle is not valid UTF-8");
        }
        return parse(text);
    }

    /**
     * Checks that {@code prefix} (such as {@code 88.999.1}) follows the prefix rules: no slash, no whitespace,
     * no empty dot-separated segment, and its prefix handle fits in {@value #MAX_BYTES} bytes.
     *
     * @throws InvalidHandleException naming the broken rule
     */
    public static void checkPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.contains("/")) {
            throw new InvalidHandleException("a prefix such as 88.999.1 is needed, without '/'; got '" + prefix + "'");
        }
        parse(prefix + "/0");
        ofPrefix(prefix);
    }

    /** Returns the prefix handle {@code 0.NA/<prefix>} for a prefix such as {@code 88.999.1}. */
    public static HandleName ofPrefix(String prefix) {
        return parse(PREFIX_HANDLE_PREFIX + "/" + prefix);
    }

    /** The part before the first slash, e.g. {@code 88.999.1}. */
    public String prefix() {
        return text.substring(0, slash);
    }

    /** The part after the first slash. */
    public String suffix() {
        return text.substring(slash + 1);
    }

    /** True for prefix handles ({@code 0.NA/...}), compared case-insensitively. */
    public boolean isPrefixHandle() {
        return lookupKey.startsWith(PREFIX_HANDLE_PREFIX + "/");
    }

    /**
     * The naming-authority prefix this handle belongs to: for {@code 88.999.1/X} it is {@code 88.999.1};
     * for a prefix handle {@code 0.NA/88.999.1} it is the prefix it names, {@code 88.999.1}.
     */
    public String namedPrefix() {
        return isPrefixHandle() ? suffix() : prefix();
    }

    /** The ASCII upper-cased name, the key of storage and cache lookups. */
    public String lookupKey() {
        return lookupKey;
    }

    /** The name as UTF-8 bytes (a new array on every call). */
    public byte[] toUtf8() {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HandleName other && other.lookupKey.equals(lookupKey);
    }

    @Override
    public int hashCode() {
        return lookupKey.hashCode();
    }

    /**
     * True when {@code prefix} equals {@code parent} or is derived from it ({@code 88.999.1} from {@code 88.999}),
     * ASCII case-insensitively.
     */
    public static boolean isSameOrDerivedPrefix(String prefix, String parent) {
        if (prefix.length() < parent.length()
                || (prefix.length() > parent.length() && prefix.charAt(parent.length()) != '.')) {
            return false;
        }
        return asciiUpperCase(prefix.substring(0, parent.length())).equals(asciiUpperCase(parent));
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code s} with ASCII letters upper-cased and every other character left alone, as lookup keys are built. */
    public static String asciiUpperCase(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'a' && c <= 'z') {
                char[] chars = s.toCharArray();
                for (int j = i; j < chars.length; j++) {
                    char d = chars[j];
                    if (d >= 'a' && d <= 'z') {
                        chars[j] = (char) (d - ('a' - 'A'));
                    }
                }
                return new String(chars);
            }
        }
        return s;
    }

    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
