package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.idnode.api.v1.EnterprisePrefixFiling;
import org.idnode.api.v1.Filing;
import org.idnode.api.v1.FilingBatch;
import org.idnode.api.v1.RegistrationFiling;
import org.idnode.registry.federation.FilingLedger;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.federation.FilingSignatures;
import org.idnode.server.federation.TopLevel;
import org.idnode.server.keys.NodeKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code idnode secondary add|list|show|remove} and {@code idnode filings}, run in-process on a real data folder: what
 * they print, their refusals and exit codes (2 bad input, 1 refused).
 */
class SecondaryCommandTest {
    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void registersListsShowsAndRemovesSecondaryNodesWithClearRefusals() throws Exception {
        String t = dir.resolve("top-level").toString();
        Path s1 = dir.resolve("s1");
        NodeKeys s1Keys = NodeKeys.loadOrCreate(null, s1);
        String pubkey = s1.resolve("keys").resolve("pubkey.bin").toString();

        CliRun added = run("secondary", "add", "88.999", "--site", "127.0.0.1:2641", "--pubkey", pubkey, "--data-dir", t);
        assertThat(added.code()).as(added.err()).isZero();
        assertThat(added.out()).isEqualTo("registered secondary node 88.999 at 127.0.0.1 tcp:2641 udp:2641; 0.NA/88.999.* is referred there");

        assertRefused(1, "secondary prefix 88.999 is registered already", "secondary", "add", "88.999", "--site", "127.0.0.1:2641",
                "--pubkey", pubkey, "--data-dir", t);
        assertRefused(1, "88.999.1 overlaps the registered secondary prefix 88.999", "secondary", "add", "88.999.1", "--site",
                "127.0.0.1:2641", "--pubkey", pubkey, "--data-dir", t);
        assertRefused(2, "'88.999/x' is not a valid secondary prefix", "secondary", "add", "88.999/x", "--site", "127.0.0.1:2641",
                "--pubkey", pubkey, "--data-dir", t);
        assertRefused(2, "prefix 0.NA is reserved", "secondary", "add", "0.NA", "--site", "127.0.0.1:2641", "--pubkey", pubkey, "--data-dir", t);
        assertRefused(2, "--pubkey: cannot read " + dir.resolve("missing.bin"), "secondary", "add", "88.998", "--site", "127.0.0.1:2641",
                "--pubkey", dir.resolve("missing.bin").toString(), "--data-dir", t);
        Path notAKey = Files.write(dir.resolve("not-a-key.bin"), new byte[] {1, 2, 3, 4});
        assertRefused(2, "public key: not a public key (expected PEM or CNRI pubkey.bin)", "secondary", "add", "88.998", "--site",
                "127.0.0.1:2641", "--pubkey", notAKey.toString(), "--data-dir", t);
        assertRefused(2, "site '127.0.0.1': expected HOST:PORT", "secondary", "add", "88.998", "--site", "127.0.0.1", "--pubkey", pubkey,
                "--data-dir", t);
        Path ownPrefix = Files.writeString(dir.resolve("own.yaml"), "node: {prefixes: [\"88.998\"]}\n");
        assertRefused(2, "prefix 88.998.5 overlaps this node's own prefix 88.998", "secondary", "add", "88.998.5", "--site", "127.0.0.1:2641",
                "--pubkey", pubkey, "--config", ownPrefix.toString(), "--data-dir", t);

        assertThat(run("secondary", "list", "--data-dir", t).out().lines().toList()).hasSize(2).first().isEqualTo("PREFIX\tAPPLIED\tSITE\tSITE SET");
        assertThat(run("secondary", "list", "--data-dir", t).out().lines().toList().get(1)).startsWith("88.999\t0\t127.0.0.1 tcp:2641 udp:2641\t");
        assertRefused(1, "no secondary node is registered for prefix 88.998", "secondary", "show", "88.998", "--data-dir", t);

        // Three filings, received as the running node receives them; then read offline.
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(Path.of(t), 16)) {
            FilingBatch batch = FilingSignatures.sign(FilingBatch.newBuilder().setSecondaryPrefix("88.999").addAllFilings(List.of(
                    Filing.newBuilder().setSequence(1).setTimeMillis(1_750_000_000_000L).setEnterprisePrefix(EnterprisePrefixFiling.newBuilder()
                            .setPrefix("88.999.1").setState("ENABLED").setEnterprise("Example PCB Co.").setCreated(true)).build(),
                    Filing.newBuilder().setSequence(2).setTimeMillis(1_750_000_000_001L)
                            .setRegistration(RegistrationFiling.newBuilder().setHandle("88.999.1/LOT-1")).build(),
                    Filing.newBuilder().setSequence(3).setTimeMillis(1_750_000_000_002L)
                            .setRegistration(RegistrationFiling.newBuilder().setHandle("88.999.1/LOT-2").setTemplate("pcb-lot@1")).build()))
                    .build(), s1Keys.privateKey());
            assertThat(TopLevel.open(new FilingLedger(store.federationKeySpace()), List.of("0.NA")).filings().file(batch)).isEqualTo(3);
        }
        CliRun shown = run("secondary", "show", "88.999", "--data-dir", t);
        assertThat(shown.out()).contains("applied through\t3")
                .contains("ENTERPRISE PREFIX\tSTATE\tENTERPRISE\tREGISTERED\tDELETED\tCOUNTED REGISTERED\tCOUNTED DELETED")
                .contains("88.999.1\tENABLED\tExample PCB Co.\t2\t0\t0\t0");
        CliRun page = run("filings", "88.999", "--after", "1", "--limit", "1", "--data-dir", t);
        assertThat(page.out().lines().toList()).containsExactly("SEQUENCE\tTIME\tKIND\tFILED",
                "2\t2025-06-15T15:06:40.001Z\tregistration\tregistered 88.999.1/LOT-1");
        assertThat(page.err()).isEqualTo("more filings may follow: idnode filings 88.999 --after 2");
        assertThat(run("filings", "88.999", "--after", "2", "--data-dir", t).out().lines().toList().get(1))
                .endsWith("registered 88.999.1/LOT-2 (pcb-lot@1)");
        assertRefused(2, "limit must be from 1 to 1000, got 0", "filings", "88.999", "--limit", "0", "--data-dir", t);

        assertThat(run("secondary", "remove", "88.999", "--data-dir", t).out()).isEqualTo("removed secondary node 88.999");
        assertRefused(1, "no secondary node is registered for prefix 88.999", "secondary", "remove", "88.999", "--data-dir", t);
        assertRefused(1, "no secondary node is registered for prefix 88.999", "filings", "88.999", "--data-dir", t);
    }

    private void assertRefused(int exitCode, String message, String... args) {
        CliRun r = run(args);
        assertThat(r.code()).as("exit code of %s; stderr %s", String.join(" ", args), r.err()).isEqualTo(exitCode);
        assertThat(r.err()).contains(message);
        assertThat(r.out()).isEmpty();
    }
}
