package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.List;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AdminRecord;
import net.handle.hdllib.CreateHandleRequest;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.Interface;
import net.handle.hdllib.PublicKeyAuthenticationInfo;
import net.handle.hdllib.SecretKeyAuthenticationInfo;
import net.handle.hdllib.Util;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code idnode operator add}, {@code prefix list} and {@code enterprise list} on a real data folder, and a node
 * serving that folder: the stored node prefix handle still resolves with this node's site, enterprise admins
 * still authenticate with CNRI's client, and the operator identities work over the Handle protocol and HTTP.
 */
class OperatorCommandTest {
    @TempDir
    Path dir;

    /** Runs idnode in-process; returns exit code, stdout and stderr. */
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void operatorAddSetsUpTheNodesPrefixHandleAndItsTokens() throws Exception {
        String d = dir.resolve("data").toString();
        KeyPair operatorKey = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        Path pubkey = dir.resolve("operator-pubkey.bin");
        Files.write(pubkey, Util.getBytesFromPublicKey(operatorKey.getPublic()));

        CliRun added = run("operator", "add", "--admin-secret", "ops-secret", "--data-dir", d);
        assertThat(added.code()).isZero();
        assertThat(added.out()).isEqualTo("operator identities of 0.NA/88.999: 301:0.NA/88.999");
        CliRun withKey = run("operator", "add", "--admin-key", pubkey.toString(), "--data-dir", d);
        assertThat(withKey.out()).isEqualTo("operator identities of 0.NA/88.999: 300:0.NA/88.999, 301:0.NA/88.999");
        assertThat(run("operator", "add", "--data-dir", d).code()).as("no key, no secret").isEqualTo(2);
        assertThat(run("operator", "add", "--prefix", "88.998", "--admin-secret", "x", "--data-dir", d).code()).isEqualTo(2);

        CliRun token = run("token", "add", "88.999", "--name", "ops", "--data-dir", d);
        assertThat(token.code()).isZero();
        assertThat(token.out()).startsWith("idt_88.999~");
        assertThat(token.err()).contains("acts as 300:0.NA/88.999");

        assertThat(run("prefix", "add", "88.999.1", "--enterprise", "Example CCL Co.", "--admin-secret", "s1", "--data-dir", d).code()).isZero();
        assertThat(run("prefix", "add", "88.999.2", "--enterprise", "Example PCB Fab", "--admin-secret", "s2", "--state", "applied",
                "--data-dir", d).code()).isZero();
        assertThat(run("prefix", "add", "88.999.3", "--enterprise", "Example CCL Co.", "--admin-secret", "s3", "--data-dir", d).code()).isZero();
        CliRun mistaken = run("token", "add", "88.999.1", "--name", "ops", "--identity", "301:0.NA/88.999", "--data-dir", d);
        assertThat(mistaken.code()).as("an enterprise token cannot act as the operator").isEqualTo(2);
        assertThat(mistaken.err()).contains("is not an admin of 0.NA/88.999.1");

        CliRun list = run("prefix", "list", "--data-dir", d);
        assertThat(list.code()).isZero();
        assertThat(list.out().lines().toList()).containsExactly(
                "PREFIX\tSTATE\tHOSTING\tENTERPRISE\tADMINS",
                "88.999.1\tenabled\thosted\tExample CCL Co.\t301:0.NA/88.999.1",
                "88.999.2\tapplied\thosted\tExample PCB Fab\t301:0.NA/88.999.2",
                "88.999.3\tenabled\thosted\tExample CCL Co.\t301:0.NA/88.999.3");
        assertThat(run("prefix", "list", "--enterprise", "Example PCB Fab", "--data-dir", d).out().lines().skip(1).toList())
                .containsExactly("88.999.2\tapplied\thosted\tExample PCB Fab\t301:0.NA/88.999.2");
        assertThat(run("enterprise", "list", "--data-dir", d).out().lines().toList()).containsExactly(
                "ENTERPRISE\tPREFIXES",
                "Example CCL Co.\t88.999.1 (enabled), 88.999.3 (enabled)",
                "Example PCB Fab\t88.999.2 (applied)");

        try (TestNode node = TestNode.start(dir.resolve("data"), List.of())) {
            HandleResolver r = CnriClients.resolver(node.site(), "88.999", Interface.SP_HDL_TCP);
            // The stored node prefix handle is answered with this node's site, its admins, and no secret.
            HandleValue[] own = r.resolveHandle("0.NA/88.999", null, null);
            assertThat(Arrays.stream(own).map(HandleValue::getTypeAsString).toList())
                    .contains("HS_SITE", "HS_ADMIN", "HS_PUBKEY").doesNotContain("HS_SECKEY", "ID_API_TOKEN");
            HandleValue site = Arrays.stream(own).filter(v -> v.getTypeAsString().equals("HS_SITE")).findFirst().orElseThrow();
            assertThat(Encoder.encodeSiteInfoRecord(Encoder.decodeSiteInfoRecord(site.getData(), 0))).isEqualTo(Encoder.encodeSiteInfoRecord(node.site()));
            assertThat(Arrays.stream(CnriClients.rootOnlyResolver(node.site()).resolveHandle("0.NA/88.999.1", null, null))
                    .map(HandleValue::getTypeAsString).toList()).contains("HS_SITE");

            // An enterprise admin still authenticates with CNRI's client.
            assertThat(r.processRequest(new CreateHandleRequest(Util.encodeString("88.999.1/LOT-1"),
                    new HandleValue[] {new HandleValue(1, "URL", "https://example.com/lot/1")},
                    new SecretKeyAuthenticationInfo(Util.encodeString("0.NA/88.999.1"), 301, "s1".getBytes(StandardCharsets.UTF_8)))).responseCode)
                    .isEqualTo(AbstractMessage.RC_SUCCESS);
            // The operator's key creates a derived prefix over the Handle protocol (ADD_NA on 0.NA/88.999).
            HandleValue admin = new HandleValue(100, Util.encodeString("HS_ADMIN"), Encoder.encodeAdminRecord(new AdminRecord(
                    Util.encodeString("0.NA/88.999.9"), 300, true, true, true, true, true, true, true, true, true, true, true, true)),
                    HandleValue.TTL_TYPE_RELATIVE, 86400, 0, null, true, true, true, false);
            assertThat(r.processRequest(new CreateHandleRequest(Util.encodeString("0.NA/88.999.9"), new HandleValue[] {admin},
                    new PublicKeyAuthenticationInfo(Util.encodeString("0.NA/88.999"), 300, operatorKey.getPrivate()))).responseCode)
                    .isEqualTo(AbstractMessage.RC_SUCCESS);
            // And its token opens the operator API.
            JsonHttp.Resp prefixes = new JsonHttp(node.httpPort()).send("GET", "/api/admin/prefixes", null, JsonHttp.bearer(token.out()));
            assertThat(prefixes.status()).isEqualTo(200);
            assertThat(prefixes.json().getAsJsonArray("prefixes")).hasSize(4);
        }
    }
}
