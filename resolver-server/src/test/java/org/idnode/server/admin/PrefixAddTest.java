package org.idnode.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import net.handle.hdllib.AdminRecord;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.Util;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.IdentifierNode;
import org.idnode.server.cli.IdnodeCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code idnode prefix add} on a real data folder, run through the command line in-process. */
class PrefixAddTest {
    @TempDir
    Path dir;

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        return gen.generateKeyPair();
    }

    private HandleRecord stored(String prefix) {
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(dir.resolve("data"), 8)) {
            Optional<HandleRecord> r = store.get(HandleName.ofPrefix(prefix));
            assertThat(r).isPresent();
            return r.get();
        }
    }

    private static HandleValue at(HandleRecord r, int index) {
        return r.values().stream().filter(v -> v.index() == index).findFirst().orElseThrow();
    }

    @Test
    void createsTheLayoutCnriToolsExpectFromAPemKeyAndASecret() throws Exception {
        KeyPair admin = rsa();
        Path pem = dir.resolve("admin.pem");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(admin.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        int code = IdnodeCommand.run("prefix", "add", "88.999.1", "--enterprise", "Example CCL Co.", "--admin-key", pem.toString(),
                "--admin-secret", "s3cr3t", "--data-dir", dir.resolve("data").toString());
        assertThat(code).isZero();

        HandleRecord r = stored("88.999.1");
        AdminRecord pubAdmin = Encoder.decodeAdminRecord(at(r, 100).data(), 0);
        assertThat(Util.decodeString(pubAdmin.adminId)).isEqualTo("0.NA/88.999.1");
        assertThat(pubAdmin.adminIdIndex).isEqualTo(300);
        assertThat(pubAdmin.perms).containsOnly(true);
        AdminRecord secAdmin = Encoder.decodeAdminRecord(at(r, 101).data(), 0);
        assertThat(secAdmin.adminIdIndex).isEqualTo(301);
        assertThat(at(r, 300).type()).isEqualTo("HS_PUBKEY");
        assertThat(Util.getPublicKeyFromBytes(at(r, 300).data(), 0)).isEqualTo(admin.getPublic());
        assertThat(at(r, 301).type()).isEqualTo("HS_SECKEY");
        assertThat(new String(at(r, 301).data())).isEqualTo("s3cr3t");
        assertThat(at(r, 301).permissions().publicRead()).as("a secret key is never public").isFalse();
        assertThat(new String(at(r, 2).data())).isEqualTo("Example CCL Co.");

        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(dir.resolve("data"), 8)) {
            assertThat(store.auditTrail(HandleName.ofPrefix("88.999.1"), 10)).singleElement()
                    .satisfies(e -> assertThat(e.operation()).isEqualTo("create"));
        }
    }

    @Test
    void acceptsACnriPubkeyBinAndRefusesDuplicatesAndForeignPrefixes() throws Exception {
        KeyPair admin = rsa();
        Path bin = dir.resolve("pubkey.bin");
        Files.write(bin, Util.getBytesFromPublicKey(admin.getPublic()));
        String data = dir.resolve("data").toString();
        assertThat(IdnodeCommand.run("prefix", "add", "88.999.2", "--enterprise", "Fab", "--admin-key", bin.toString(), "--data-dir", data)).isZero();
        assertThat(Util.getPublicKeyFromBytes(at(stored("88.999.2"), 300).data(), 0)).isEqualTo(admin.getPublic());
        assertThat(stored("88.999.2").values()).extracting(HandleValue::index).containsExactlyInAnyOrder(2, 3, 100, 300);

        assertThat(IdnodeCommand.run("prefix", "add", "88.999.2", "--enterprise", "Fab", "--admin-secret", "x", "--data-dir", data))
                .as("already exists").isEqualTo(1);
        assertThat(IdnodeCommand.run("prefix", "add", "88.998.1", "--enterprise", "Other", "--admin-secret", "x", "--data-dir", data))
                .as("not under 88.999").isEqualTo(2);
        assertThat(IdnodeCommand.run("prefix", "add", "88.999", "--enterprise", "Node", "--admin-secret", "x", "--data-dir", data))
                .as("the node's own prefix is not an enterprise prefix").isEqualTo(2);
        assertThat(IdnodeCommand.run("prefix", "add", "88.999.3", "--enterprise", "NoAdmin", "--data-dir", data))
                .as("an admin is required").isEqualTo(2);
        Path garbage = dir.resolve("garbage.pem");
        Files.writeString(garbage, "not a key");
        assertThat(IdnodeCommand.run("prefix", "add", "88.999.4", "--enterprise", "Bad", "--admin-key", garbage.toString(), "--data-dir", data))
                .isNotZero();
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(dir.resolve("data"), 8)) {
            for (String p : List.of("88.998.1", "88.999", "88.999.3", "88.999.4")) {
                assertThat(store.get(HandleName.ofPrefix(p))).as(p).isEmpty();
            }
        }
    }
}
