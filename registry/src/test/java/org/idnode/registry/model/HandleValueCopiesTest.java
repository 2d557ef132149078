package org.idnode.registry.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The copies a write makes of a client's value: another timestamp or other permissions, everything else kept. */
class HandleValueCopiesTest {
    private final HandleValue value = new HandleValue(3, "REF.PCB_LOT", "88.999.1/PCB.LOT.7".getBytes(StandardCharsets.UTF_8),
            HandleValue.TtlType.ABSOLUTE, 600, 1_700_000_000, List.of(new ValueReference("88.999.1/X", 2)), Permissions.PUBLIC_READ);

    @Test
    void withPermissionsChangesOnlyThePermissions() {
        HandleValue restricted = value.withPermissions(Permissions.RESTRICTED);
        assertThat(restricted.permissions()).isEqualTo(Permissions.RESTRICTED);
        assertThat(restricted).isEqualTo(new HandleValue(3, "REF.PCB_LOT", value.data(), HandleValue.TtlType.ABSOLUTE, 600,
                1_700_000_000, value.references(), Permissions.RESTRICTED));
        assertThat(value.permissions()).as("the original is unchanged").isEqualTo(Permissions.PUBLIC_READ);
        assertThat(value.withPermissions(new Permissions(true, true, true, false))).as("equal permissions: the same value").isSameAs(value);
    }

    @Test
    void withTimestampKeepsThePermissionsAndEverythingElse() {
        HandleValue stamped = value.withPermissions(Permissions.RESTRICTED).withTimestamp(5);
        assertThat(stamped.timestamp()).isEqualTo(5);
        assertThat(stamped.permissions()).isEqualTo(Permissions.RESTRICTED);
        assertThat(stamped.withTimestamp(1_700_000_000)).isEqualTo(value.withPermissions(Permissions.RESTRICTED));
    }
}
