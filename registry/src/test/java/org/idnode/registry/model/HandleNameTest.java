package org.idnode.registry.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HandleNameTest {

    private static final String PREFIX = "88.999.1/"; // 9 UTF-8 bytes

    private static byte[] concat(byte[] a, int... tail) {
        byte[] out = new byte[a.length + tail.length];
        System.arraycopy(a, 0, out, 0, a.length);
        for (int i = 0; i < tail.length; i++) {
            out[a.length + i] = (byte) tail[i];
        }
        return out;
    }

    // ---------------------------------------------------------------- parse: valid names

    @Test
    void parsesPrefixAndSuffixAtFirstSlash() {
        HandleName h = HandleName.parse("88.999.1/a/b/c");
        assertThat(h.prefix()).isEqualTo("88.999.1");
        assertThat(h.suffix()).isEqualTo("a/b/c");
        assertThat(h.toString()).isEqualTo("88.999.1/a/b/c");
    }

    @Test
    void whitespaceIsAllowedInTheSuffixButNotInThePrefix() {
        assertThat(HandleName.parse("88.999/a b").suffix()).isEqualTo("a b");
        assertThatThrownBy(() -> HandleName.parse("88. 999/ab"))
                .isInstanceOf(InvalidHandleException.class)
                .hasMessageContaining("whitespace");
        assertThatThrownBy(() -> HandleName.parse("88.999\u3000/ab")) // ideographic space
                .isInstanceOf(InvalidHandleException.class)
                .hasMessageContaining("whitespace");
    }

    // ---------------------------------------------------------------- parse: refused names

    @Test
    void refusesNullAndEmpty() {
        assertThatThrownBy(() -> HandleName.parse(null)).isInstanceOf(InvalidHandleException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> HandleName.parse("")).isInstanceOf(InvalidHandleException.class).hasMessageContaining("empty");
    }

    @Test
    void refusesMissingSlash() {
        assertThatThrownBy(() -> HandleName.parse("88.999.1-abc"))
                .isInstanceOf(InvalidHandleException.class)
                .hasMessageContaining("no '/'");
    }

    @Test
    void refusesEmptyPrefix() {
        assertThatThrownBy(() -> HandleName.parse("/abc"))
                .isInstanceOf(InvalidHandleException.class)
                .hasMessageContaining("empty prefix");
    }

    @Test
    void refusesEmptySuffix() {
        assertThatThrownBy(() -> HandleName.parse("88.999.1/"))
                .isInstanceOf(InvalidHandleException.class)
                .hasMessageContaining("empty suffix");
    }

    @ParameterizedTest
    @ValueSource(strings = {"88..1/x", ".88.999/x", "88.999./x", "./x", "88...999/x"})
    void refusesEmptyPrefixSegment(String text) {
        assertThatThrownBy(() -> HandleName.parse(text))
                .isInstanceOf(InvalidHandleException.class)
                .hasMessageContaining("empty segment");
    }

    @ParameterizedTest
    @ValueSource(strings = {"88.999/a\u0000b", "88.999/a\nb", "88.999/a\tb", "88.999/a\u001fb", "88.999/a\u007fb",
            "88.999/a\u0085b", "88.999/a\u009fb", "88\u0001.999/ab"})
    void refusesControlCharacters(String text) {
        assertThatThrownBy(() -> HandleName.parse(text))
                .isInstanceOf(InvalidHandleException.class)
                .hasMessageContaining("control character");
    }

    @Test
    void acceptsFirstNonControlCharacterAfterTheC1Range() {
        // U+00A0 (no-break space) is the first character after the C1 controls; allowed in a suffix.
        assertThat(HandleName.parse("88.999/a\u00a0b").suffix()).isEqualTo("a\u00a0b");
    }

    @Test
    void refusesUnpairedSurrogates() {
        assertThatThrownBy(() -> HandleName.parse("88.999/a\uD800"))
                .isInstanceOf(InvalidHandleException.class).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> HandleName.parse("88.999/\uDC00a"))
                .isInstanceOf(InvalidHandleException.class).hasMessageContaining("surrogate");
        assertThat(HandleName.parse("88.999/\uD83D\uDE00").suffix()).isEqualTo("\uD83D\uDE00");
    }

    // ---------------------------------------------------------------- length limit in UTF-8 bytes

    @Test
    void asciiNameOfExactly255BytesIsAcceptedAnd256Refused() {
        String ok = PREFIX + "a".repeat(255 - 9);
        assertThat(ok.getBytes(StandardCharsets.UTF_8)).hasSize(255);
        assertThat(HandleName.parse(ok).toString()).isEqualTo(ok);

        String tooLong = ok + "a";
        assertThatThrownBy(() -> HandleName.parse(tooLong))
                .isInstanceOf(InvalidHandleException.class)
                .hasMessageContaining("256 bytes");
    }

    @Test
    void lengthCountsThreeByteCharactersAsBytesNotChars() {
        // 82 x U+4E2D (3 bytes each) = 246 bytes; + 9 = 255 bytes but only 91 chars.
        String ok = PREFIX + "中".repeat(82);
        assertThat(ok.length()).isEqualTo(91);
        assertThat(ok.getBytes(StandardCharsets.UTF_8)).hasSize(255);
        assertThat(HandleName.parse(ok).toUtf8()).hasSize(255);

        // 9 + 243 + 2 ("é") + 2 ("aa") = 256 bytes, 95 chars.
        String tooLong = PREFIX + "中".repeat(81) + "é" + "aa";
        assertThat(tooLong.getBytes(StandardCharsets.UTF_8)).hasSize(256);
        assertThatThrownBy(() -> HandleName.parse(tooLong))
                .isInstanceOf(InvalidHandleException.class)
                .hasMessageContaining("256 bytes");
        // one ASCII char less fits exactly
        String exact = PREFIX + "中".repeat(81) + "é" + "a";
        assertThat(HandleName.parse(exact).toUtf8()).hasSize(255);
    }

    @Test
    void lengthCountsSupplementaryCharactersAsFourBytes() {
        // U+1F600 is two Java chars and four UTF-8 bytes: 9 + 61*4 = 253, + "ab" = 255
        String ok = PREFIX + "\uD83D\uDE00".repeat(61) + "ab";
        assertThat(ok.getBytes(StandardCharsets.UTF_8)).hasSize(255);
        assertThat(HandleName.parse(ok).toString()).isEqualTo(ok);

        String tooLong = ok + "c";
        assertThat(tooLong.getBytes(StandardCharsets.UTF_8)).hasSize(256);
        assertThatThrownBy(() -> HandleName.parse(tooLong))
                .isInstanceOf(InvalidHandleException.class)
                .hasMessageContaining("256 bytes");
    }

    @Test
    void twoByteCharactersAreCountedAsTwoBytes() {
        // 9 + 123*2 = 255
        String ok = PREFIX + "é".repeat(123);
        assertThat(HandleName.parse(ok).toUtf8()).hasSize(255);
        assertThatThrownBy(() -> HandleName.parse(ok + "é")).isInstanceOf(InvalidHandleException.class);
    }

    // ---------------------------------------------------------------- fromUtf8

    @Test
    void fromUtf8RoundTripsMultibyteNames() {
        String text = "88.999.1/批次-é-\uD83D\uDE00";
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        HandleName h = HandleName.fromUtf8(utf8);
        assertThat(h.toString()).isEqualTo(text);
        assertThat(h.toUtf8()).isEqualTo(utf8);
        assertThat(h).isEqualTo(HandleName.parse(text));
    }

    @Test
    void toUtf8ReturnsAFreshArray() {
        HandleName h = HandleName.parse("88.999.1/abc");
        byte[] first = h.toUtf8();
        first[0] = 'X';
        assertThat(h.toUtf8()[0]).isEqualTo((byte) '8');
    }

    @Test
    void fromUtf8RefusesMalformedTwoByteSequence() {
        byte[] bad = concat(PREFIX.getBytes(StandardCharsets.UTF_8), 0xC3, 0x28);
        assertThatThrownBy(() -> HandleName.fromUtf8(bad))
                .isInstanceOf(InvalidHandleException.class)
                .hasMessageContaining("not valid UTF-8");
    }

    @Test
    void fromUtf8RefusesLoneFF() {
        byte[] bad = concat(PREFIX.getBytes(StandardCharsets.UTF_8), 'a', 0xFF, 'b');
        assertThatThrownBy(() -> HandleName.fromUtf8(bad))
                .isInstanceOf(InvalidHandleException.class)
                .hasMessageContaining("not valid UTF-8");
    }

    @Test
    void fromUtf8RefusesOverlongAndSurrogateEncodings() {
        byte[] base = "88.999".getBytes(StandardCharsets.UTF_8);
        // overlong '/' (0xC0 0xAF) must not be read as a slash
        assertThatThrownBy(() -> HandleName.fromUtf8(concat(base, 0xC0, 0xAF, 'x')))
                .isInstanceOf(InvalidHandleException.class).hasMessageContaining("not valid UTF-8");
        // CESU-style encoded surrogate U+D800
        assertThatThrownBy(() -> HandleName.fromUtf8(concat(PREFIX.getBytes(StandardCharsets.UTF_8), 0xED, 0xA0, 0x80)))
                .isInstanceOf(InvalidHandleException.class).hasMessageContaining("not valid UTF-8");
        // truncated three-byte sequence at the end
        assertThatThrownBy(() -> HandleName.fromUtf8(concat(PREFIX.getBytes(StandardCharsets.UTF_8), 'a', 0xE4, 0xB8)))
                .isInstanceOf(InvalidHandleException.class).hasMessageContaining("not valid UTF-8");
    }

    @Test
    void fromUtf8AppliesTheSyntaxRulesAndLengthLimit() {
        assertThatThrownBy(() -> HandleName.fromUtf8(new byte[0])).isInstanceOf(InvalidHandleException.class);
        assertThatThrownBy(() -> HandleName.fromUtf8(null)).isInstanceOf(InvalidHandleException.class);
        assertThatThrownBy(() -> HandleName.fromUtf8("noslash".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidHandleException.class).hasMessageContaining("no '/'");
        byte[] exact = (PREFIX + "a".repeat(246)).getBytes(StandardCharsets.UTF_8);
        assertThat(HandleName.fromUtf8(exact).toUtf8()).hasSize(255);
        byte[] tooLong = (PREFIX + "a".repeat(247)).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> HandleName.fromUtf8(tooLong))
                .isInstanceOf(InvalidHandleException.class).hasMessageContaining("256 bytes");
    }

    // ---------------------------------------------------------------- case folding

    @Test
    void lookupKeyUpperCasesAsciiLettersOnly() {
        HandleName h = HandleName.parse("88.999.abc/Mixed-case_é-ß-ı-ÿ-z");
        assertThat(h.lookupKey()).isEqualTo("88.999.ABC/MIXED-CASE_é-ß-ı-ÿ-Z");
        assertThat(h.toString()).isEqualTo("88.999.abc/Mixed-case_é-ß-ı-ÿ-z");
    }

    @Test
    void lookupKeyIsIndependentOfDefaultLocale() {
        java.util.Locale saved = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr-TR"));
            assertThat(HandleName.parse("88.999/iI").lookupKey()).isEqualTo("88.999/II");
        } finally {
            java.util.Locale.setDefault(saved);
        }
    }

    @Test
    void equalityAndHashCodeFollowTheLookupKey() {
        HandleName lower = HandleName.parse("88.999.1/abc");
        HandleName upper = HandleName.parse("88.999.1/ABC");
        HandleName mixed = HandleName.parse("88.999.1/aBc");
        assertThat(lower).isEqualTo(upper).isEqualTo(mixed);
        assertThat(lower.hashCode()).isEqualTo(upper.hashCode()).isEqualTo(mixed.hashCode());
        assertThat(lower.toString()).isEqualTo("88.999.1/abc");
        assertThat(upper.toString()).isEqualTo("88.999.1/ABC");
        assertThat(lower).isNotEqualTo(HandleName.parse("88.999.1/abd"));
        assertThat(lower).isNotEqualTo("88.999.1/abc");
    }

    @Test
    void nonAsciiLettersAreNotFolded() {
        assertThat(HandleName.parse("88.999/é")).isNotEqualTo(HandleName.parse("88.999/É"));
        assertThat(HandleName.parse("88.999/ß")).isNotEqualTo(HandleName.parse("88.999/SS"));
        assertThat(HandleName.parse("88.999/straße").lookupKey()).isEqualTo("88.999/STRAßE");
    }

    @Test
    void asciiUpperCaseReturnsSameInstanceWhenNothingToFold() {
        String s = "88.999/ABC-é";
        assertThat(HandleName.asciiUpperCase(s)).isSameAs(s);
        assertThat(HandleName.asciiUpperCase("aé{`z")).isEqualTo("Aé{`Z");
    }

    // ---------------------------------------------------------------- prefix handles

    @Test
    void prefixHandleNamesTheSuffixAsPrefix() {
        HandleName h = HandleName.parse("0.NA/88.999.1");
        assertThat(h.isPrefixHandle()).isTrue();
        assertThat(h.namedPrefix()).isEqualTo("88.999.1");
        assertThat(h.prefix()).isEqualTo("0.NA");
    }

    @Test
    void prefixHandleIsRecognisedCaseInsensitively() {
        HandleName h = HandleName.parse("0.na/88.999.1");
        assertThat(h.isPrefixHandle()).isTrue();
        assertThat(h.namedPrefix()).isEqualTo("88.999.1");
        assertThat(h).isEqualTo(HandleName.parse("0.NA/88.999.1"));
        assertThat(h.toString()).isEqualTo("0.na/88.999.1");
    }

    @Test
    void ordinaryHandleNamesItsOwnPrefix() {
        HandleName h = HandleName.parse("88.999.1/0.NA");
        assertThat(h.isPrefixHandle()).isFalse();
        assertThat(h.namedPrefix()).isEqualTo("88.999.1");
        assertThat(HandleName.parse("0.NAX/88.999").isPrefixHandle()).isFalse();
        assertThat(HandleName.parse("10.NA/88.999").isPrefixHandle()).isFalse();
    }

    @Test
    void ofPrefixBuildsThePrefixHandle() {
        HandleName h = HandleName.ofPrefix("88.999.1");
        assertThat(h.toString()).isEqualTo("0.NA/88.999.1");
        assertThat(h.isPrefixHandle()).isTrue();
        assertThat(h.namedPrefix()).isEqualTo("88.999.1");
        assertThatThrownBy(() -> HandleName.ofPrefix("")).isInstanceOf(InvalidHandleException.class);
    }

    // ---------------------------------------------------------------- derived prefixes

    @Test
    void derivedPrefixes() {
        assertThat(HandleName.isSameOrDerivedPrefix("88.999.1", "88.999")).isTrue();
        assertThat(HandleName.isSameOrDerivedPrefix("88.999.1.2", "88.999")).isTrue();
        assertThat(HandleName.isSameOrDerivedPrefix("88.999", "88.999")).isTrue();
        assertThat(HandleName.isSameOrDerivedPrefix("88.9991", "88.999")).isFalse();
        assertThat(HandleName.isSameOrDerivedPrefix("88.99", "88.999")).isFalse();
        assertThat(HandleName.isSameOrDerivedPrefix("88.998.1", "88.999")).isFalse();
        assertThat(HandleName.isSameOrDerivedPrefix("88", "88.999")).isFalse();
        assertThat(HandleName.isSameOrDerivedPrefix("89.999.1", "88.999")).isFalse();
    }

    @Test
    void derivedPrefixesCompareAsciiCaseInsensitively() {
        assertThat(HandleName.isSameOrDerivedPrefix("88.abc.1", "88.ABC")).isTrue();
        assertThat(HandleName.isSameOrDerivedPrefix("88.ABC", "88.abc")).isTrue();
        assertThat(HandleName.isSameOrDerivedPrefix("88.Abc.x", "88.aBC")).isTrue();
        assertThat(HandleName.isSameOrDerivedPrefix("88.é.1", "88.É")).isFalse();
    }
}
