package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.CreateHandleRequest;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.Interface;
import net.handle.hdllib.SecretKeyAuthenticationInfo;
import net.handle.hdllib.Util;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.admin.PrefixRecords;
import org.idnode.server.admin.PrefixState;
import org.idnode.server.cli.IdnodeCommand;
import org.idnode.server.config.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The enterprise prefix lifecycle: transitions through the command line, and registrations only while enabled. */
class PrefixLifecycleTest {
    @TempDir
    Path dir;

    private int cli(String... args) {
        return IdnodeCommand.run(args);
    }

    private PrefixState state(String prefix) {
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(dir, 8)) {
            return PrefixRecords.stateOf(store.get(HandleName.ofPrefix(prefix)).orElseThrow().values());
        }
    }

    @Test
    void transitionsFollowTheNationalLifecycle() {
        String d = dir.toString();
        assertThat(cli("prefix", "add", "88.999.1", "--enterprise", "A", "--admin-secret", "s", "--state", "applied", "--data-dir", d)).isZero();
        assertThat(state("88.999.1")).isEqualTo(PrefixState.APPLIED);
        assertThat(cli("prefix", "state", "88.999.1", "enabled", "--data-dir", d)).as("applied cannot skip review").isEqualTo(1);
        assertThat(cli("prefix", "state", "88.999.1", "under-review", "--data-dir", d)).isZero();
        assertThat(cli("prefix", "state", "88.999.1", "enabled", "--data-dir", d)).isZero();
        assertThat(cli("prefix", "state", "88.999.1", "disabled", "--data-dir", d)).isZero();
        assertThat(cli("prefix", "state", "88.999.1", "enabled", "--data-dir", d)).isZero();
        assertThat(cli("prefix", "state", "88.999.1", "pending-delete", "--data-dir", d)).isZero();
        assertThat(state("88.999.1")).isEqualTo(PrefixState.PENDING_DELETE);
        assertThat(cli("prefix", "state", "88.999.1", "bogus", "--data-dir", d)).isEqualTo(2);
        assertThat(cli("prefix", "state", "88.999.7", "enabled", "--data-dir", d)).as("no such prefix").isEqualTo(1);
        assertThat(PrefixState.REJECTED.next()).isEmpty();
        assertThatThrownBy(() -> PrefixState.parse("nope")).hasMessageContaining("under-review");
    }

    @Test
    void onlyAnEnabledPrefixAcceptsRegistrations() throws Exception {
        String d = dir.toString();
        assertThat(cli("prefix", "add", "88.999.1", "--enterprise", "A", "--admin-secret", "s3cr3t", "--data-dir", d)).isZero();
        assertThat(cli("prefix", "state", "88.999.1", "disabled", "--data-dir", d)).isZero();
        assertThat(create("88.999.1/WHILE-DISABLED")).satisfies(r -> {
            assertThat(r.responseCode).isEqualTo(AbstractMessage.RC_INVALID_ADMIN);
            assertThat(Util.decodeString(((ErrorResponse) r).message)).contains("disabled");
        });
        assertThat(cli("prefix", "state", "88.999.1", "enabled", "--data-dir", d)).isZero();
        assertThat(create("88.999.1/WHILE-ENABLED").responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
    }

    private AbstractResponse create(String handle) throws Exception {
        try (IdentifierNode node = IdentifierNode.start(NodeConfig.defaults().withOverrides(dir, 0, 0, 0, "127.0.0.1"))) {
            HandleResolver r = CnriClients.resolver(node.site().siteInfo(), "88.999.1", Interface.SP_HDL_TCP);
            return r.processRequest(new CreateHandleRequest(Util.encodeString(handle),
                    new HandleValue[] {new HandleValue(1, "URL", "https://example.com/x")},
                    new SecretKeyAuthenticationInfo(Util.encodeString("0.NA/88.999.1"), 301, "s3cr3t".getBytes(StandardCharsets.UTF_8))));
        }
    }
}
