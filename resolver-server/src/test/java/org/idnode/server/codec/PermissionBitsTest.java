package org.idnode.server.codec;

import static org.assertj.core.api.Assertions.assertThat;

import net.handle.hdllib.Encoder;
import org.idnode.registry.model.Permissions;
import org.junit.jupiter.api.Test;

/**
 * The registry's permission bits, which the transports read from a cached value block, are the bits of CNRI's
 * encoding (the {@code 0/1} form in REST JSON is held to CNRI's by {@code RestJsonDirectTest}).
 */
class PermissionBitsTest {
    @Test
    void bitsAreThoseOfTheHandleEncoding() {
        assertThat(Permissions.ADMIN_READ_BIT).isEqualTo(Encoder.PERM_ADMIN_READ);
        assertThat(Permissions.ADMIN_WRITE_BIT).isEqualTo(Encoder.PERM_ADMIN_WRITE);
        assertThat(Permissions.PUBLIC_READ_BIT).isEqualTo(Encoder.PERM_PUBLIC_READ);
        assertThat(Permissions.PUBLIC_WRITE_BIT).isEqualTo(Encoder.PERM_PUBLIC_WRITE);
    }
}
