package org.idnode.registry.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class PermissionsTest {

    @Test
    void parsesPublicRead() {
        Permissions p = Permissions.parse("1110");
        assertThat(p.adminRead()).isTrue();
        assertThat(p.adminWrite()).isTrue();
        assertThat(p.publicRead()).isTrue();
        assertThat(p.publicWrite()).isFalse();
        assertThat(p).isEqualTo(Permissions.PUBLIC_READ);
        assertThat(p.bits()).isEqualTo(0x0E);
    }

    @Test
    void parsesRestricted() {
        Permissions p = Permissions.parse("1100");
        assertThat(p).isEqualTo(new Permissions(true, true, false, false));
        assertThat(p).isEqualTo(Permissions.RESTRICTED);
        assertThat(p.bits()).isEqualTo(0x0C);
    }

    @Test
    void eachFlagCharacterMapsToItsField() {
        assertThat(Permissions.parse("1000")).isEqualTo(new Permissions(true, false, false, false));
        assertThat(Permissions.parse("0100")).isEqualTo(new Permissions(false, true, false, false));
        assertThat(Permissions.parse("0010")).isEqualTo(new Permissions(false, false, true, false));
        assertThat(Permissions.parse("0001")).isEqualTo(new Permissions(false, false, false, true));
    }

    @Test
    void wireBitsFollowCnriOrder() {
        assertThat(new Permissions(true, false, false, false).bits()).isEqualTo(0x08);
        assertThat(new Permissions(false, true, false, false).bits()).isEqualTo(0x04);
        assertThat(new Permissions(false, false, true, false).bits()).isEqualTo(0x02);
        assertThat(new Permissions(false, false, false, true).bits()).isEqualTo(0x01);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"1", "111", "11100", "11x0", "2110", " 110", "111 ", "1110\n", "abcd", "１１１０"})
    void refusesInvalidText(String text) {
        assertThatThrownBy(() -> Permissions.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("four characters of 0 or 1")
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void allSixteenCombinationsRoundTrip() {
        Set<String> seenFlags = new HashSet<>();
        for (int bits = 0; bits < 16; bits++) {
            Permissions p = Permissions.fromBits(bits);
            assertThat(p.bits()).as("bits %d", bits).isEqualTo(bits);
            String flags = p.flags();
            assertThat(flags).hasSize(4).matches("[01]{4}");
            assertThat(Permissions.parse(flags)).isEqualTo(p);
            // flag i (from the left) is bit 3-i
            for (int i = 0; i < 4; i++) {
                boolean set = (bits & (1 << (3 - i))) != 0;
                assertThat(flags.charAt(i)).as("bits %d flag %d", bits, i).isEqualTo(set ? '1' : '0');
            }
            seenFlags.add(flags);
        }
        assertThat(seenFlags).hasSize(16);
    }

    @Test
    void fromBitsIgnoresHigherBits() {
        assertThat(Permissions.fromBits(0xF0)).isEqualTo(new Permissions(false, false, false, false));
        assertThat(Permissions.fromBits(0x1E)).isEqualTo(Permissions.PUBLIC_READ);
    }

    @Test
    void flags() {
        assertThat(Permissions.PUBLIC_READ.flags()).isEqualTo("1110");
        assertThat(Permissions.RESTRICTED.flags()).isEqualTo("1100");
        assertThat(new Permissions(false, false, false, false).flags()).isEqualTo("0000");
        assertThat(new Permissions(true, true, true, true).flags()).isEqualTo("1111");
        assertThat(new Permissions(false, true, false, true).flags()).isEqualTo("0101");
        assertThat(new Permissions(true, false, true, false).flags()).isEqualTo("1010");
    }
}
