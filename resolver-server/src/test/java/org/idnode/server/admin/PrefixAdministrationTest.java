package org.idnode.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;

import net.handle.apps.simple.SiteInfoConverter;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.SiteInfo;
import net.handle.hdllib.Util;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.registry.write.HandleWriter;
import org.idnode.registry.write.RecordValidator;
import org.idnode.server.IdentifierNode;
import org.idnode.server.admin.AdministrationException.Kind;
import org.idnode.server.auth.AdminIdentity;
import org.idnode.server.auth.ApiTokens;
import org.idnode.server.site.NodeSite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PrefixAdministration} on a real RocksDB store: what every operator interface runs. */
class PrefixAdministrationTest {
    @TempDir
    Path dir;
    RocksDbHandleRecordStore store;
    PrefixAdministration admin;
    PrefixAdministration.Operator local;

    @BeforeEach
    void open() {
        store = IdentifierNode.openStore(dir, 8);
        admin = new PrefixAdministration(store, new HandleWriter(store, RecordValidator.NONE), List.of("88.999"));
        local = admin.localOperator();
    }

    @AfterEach
    void close() {
        store.close();
    }

    static KeyPair rsa() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        return gen.generateKeyPair();
    }

    static String pem(KeyPair pair) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    static SiteInfo site(KeyPair pair, int port) throws Exception {
        return NodeSite.of("enterprise node", "127.0.0.1", 1, Util.getBytesFromPublicKey(pair.getPublic()), port, port + 1).siteInfo();
    }

    private PrefixAdministration.NewPrefix secretOnly(String prefix, String enterprise) {
        return new PrefixAdministration.NewPrefix(prefix, enterprise, null, "s-" + prefix, null, null);
    }

    private static Kind kindOf(Runnable action) {
        try {
            action.run();
        } catch (AdministrationException e) {
            assertThat(e.getMessage()).isNotBlank();
            return e.kind();
        }
        throw new AssertionError("not refused");
    }

    @Test
    void createsReadsAndListsPrefixesAndEnterprises() throws Exception {
        KeyPair key = rsa();
        PrefixInfo one = admin.create(local, new PrefixAdministration.NewPrefix("88.999.1", "Example CCL Co.",
                pem(key).getBytes(StandardCharsets.US_ASCII), "s1", null, null));
        assertThat(one).isEqualTo(new PrefixInfo("88.999.1", "Example CCL Co.", PrefixState.ENABLED, false,
                List.of("300:0.NA/88.999.1", "301:0.NA/88.999.1")));
        admin.create(local, new PrefixAdministration.NewPrefix("88.999.2", "Example PCB Fab", null, "s2", PrefixState.APPLIED, null));
        SiteInfo enterpriseNode = site(rsa(), 12641);
        admin.create(local, new PrefixAdministration.NewPrefix("88.999.10", "Example CCL Co.", null, "s3", null,
                SiteInfoConverter.convertToJson(enterpriseNode).getBytes(StandardCharsets.UTF_8)));
        // Not enterprise prefixes of this node: another secondary prefix, the node's own prefix handle.
        store.putAll(List.of(PrefixRecords.hostedPrefix("88.998.1", "Elsewhere", null, "x"),
                PrefixRecords.hostedPrefix("88.9990", "Lookalike", null, "x")));
        admin.setOperator(local, null, null, "operator-secret");

        assertThat(admin.get(local, "88.999.2").state()).isEqualTo(PrefixState.APPLIED);
        PrefixInfo selfHosted = admin.get(local, "88.999.10");
        assertThat(selfHosted.selfHosted()).isTrue();
        HandleValue storedSite = store.get(HandleName.ofPrefix("88.999.10")).orElseThrow().values().stream()
                .filter(v -> v.type().equals("HS_SITE")).findFirst().orElseThrow();
        assertThat(storedSite.data()).isEqualTo(Encoder.encodeSiteInfoRecord(enterpriseNode));

        assertThat(admin.list(local, null)).extracting(PrefixInfo::prefix).containsExactly("88.999.1", "88.999.10", "88.999.2");
        assertThat(admin.list(local, "Example CCL Co.")).extracting(PrefixInfo::prefix).containsExactly("88.999.1", "88.999.10");
        assertThat(admin.list(local, "Nobody")).isEmpty();
        assertThat(admin.enterprises(local)).satisfiesExactly(
                a -> {
                    assertThat(a.name()).isEqualTo("Example CCL Co.");
                    assertThat(a.prefixes()).extracting(PrefixInfo::prefix).containsExactly("88.999.1", "88.999.10");
                },
                b -> {
                    assertThat(b.name()).isEqualTo("Example PCB Fab");
                    assertThat(b.prefixes()).extracting(PrefixInfo::state).containsExactly(PrefixState.APPLIED);
                });
        assertThat(store.auditTrail(HandleName.ofPrefix("88.999.1"), 10)).singleElement()
                .satisfies(e -> assertThat(e.actor()).isEqualTo(PrefixAdministration.LOCAL_OPERATOR));
    }

    @Test
    void refusesBadDuplicateAndForeignPrefixesWithoutWritingAnything() {
        admin.create(local, secretOnly("88.999.1", "A"));
        assertThat(kindOf(() -> admin.create(local, secretOnly("88.999.1", "B")))).isEqualTo(Kind.ALREADY_EXISTS);
        assertThat(admin.get(local, "88.999.1").enterprise()).isEqualTo("A");
        assertThat(kindOf(() -> admin.create(local, secretOnly("88.998.1", "A")))).isEqualTo(Kind.INVALID);
        assertThat(kindOf(() -> admin.create(local, secretOnly("88.999", "A")))).isEqualTo(Kind.INVALID);
        assertThat(kindOf(() -> admin.create(local, secretOnly("88..1", "A")))).isEqualTo(Kind.INVALID);
        assertThat(kindOf(() -> admin.create(local, secretOnly("88.999.3", " ")))).isEqualTo(Kind.INVALID);
        assertThat(kindOf(() -> admin.create(local, new PrefixAdministration.NewPrefix("88.999.4", "A", null, "", null, null))))
                .isEqualTo(Kind.INVALID);
        assertThat(kindOf(() -> admin.create(local, new PrefixAdministration.NewPrefix("88.999.5", "A", "not a key".getBytes(), null, null, null))))
                .isEqualTo(Kind.INVALID);
        assertThat(kindOf(() -> admin.create(local, new PrefixAdministration.NewPrefix("88.999.6", "A", null, "s", null, "{\"x\":1}".getBytes()))))
                .isEqualTo(Kind.INVALID);
        assertThat(kindOf(() -> admin.get(local, "88.999.77"))).isEqualTo(Kind.NOT_FOUND);
        for (String p : List.of("88.998.1", "88.999", "88.999.3", "88.999.4", "88.999.5", "88.999.6")) {
            assertThat(store.get(HandleName.ofPrefix(p))).as(p).isEmpty();
        }
    }

    @Test
    void stateChangesFollowTheLifecycleAndRefusalsNameTheAllowedStates() {
        admin.create(local, new PrefixAdministration.NewPrefix("88.999.1", "A", null, "s", PrefixState.APPLIED, null));
        assertThatThrownBy(() -> admin.setState(local, "88.999.1", PrefixState.ENABLED))
                .isInstanceOfSatisfying(AdministrationException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.FAILED_PRECONDITION);
                    assertThat(e.getMessage()).contains("applied", "cannot become enabled", "under-review", "rejected");
                });
        PrefixAdministration.StateChange change = admin.setState(local, "88.999.1", PrefixState.UNDER_REVIEW);
        assertThat(change.from()).isEqualTo(PrefixState.APPLIED);
        assertThat(change.prefix().state()).isEqualTo(PrefixState.UNDER_REVIEW);
        admin.setState(local, "88.999.1", PrefixState.REJECTED);
        assertThat(kindOf(() -> admin.setState(local, "88.999.1", PrefixState.UNDER_REVIEW))).isEqualTo(Kind.FAILED_PRECONDITION);
        assertThat(PrefixRecords.stateOf(store.get(HandleName.ofPrefix("88.999.1")).orElseThrow().values())).isEqualTo(PrefixState.REJECTED);
        assertThat(kindOf(() -> admin.setState(local, "88.999.2", PrefixState.DISABLED))).isEqualTo(Kind.NOT_FOUND);
    }

    @Test
    void tokensActAsAnAdminOfTheirPrefixUntilRevoked() throws Exception {
        admin.create(local, new PrefixAdministration.NewPrefix("88.999.1", "A", pem(rsa()).getBytes(StandardCharsets.US_ASCII), "s", null, null));
        PrefixAdministration.IssuedToken erp = admin.issueToken(local, "88.999.1", "erp", null);
        assertThat(erp.identity()).isEqualTo("300:0.NA/88.999.1");
        assertThat(ApiTokens.verify(erp.token(), store.get(HandleName.ofPrefix("88.999.1")).orElseThrow()))
                .contains(new AdminIdentity("0.NA/88.999.1", 300));
        PrefixAdministration.IssuedToken mes = admin.issueToken(local, "88.999.1", "mes", "301:0.NA/88.999.1");
        assertThat(ApiTokens.verify(mes.token(), store.get(HandleName.ofPrefix("88.999.1")).orElseThrow()))
                .contains(new AdminIdentity("0.NA/88.999.1", 301));

        assertThat(kindOf(() -> admin.issueToken(local, "88.999.1", "erp", null))).isEqualTo(Kind.ALREADY_EXISTS);
        assertThat(kindOf(() -> admin.issueToken(local, "88.999.1", "ops", "301:0.NA/88.999"))).as("not an admin of 88.999.1")
                .isEqualTo(Kind.INVALID);
        assertThat(kindOf(() -> admin.issueToken(local, "88.999.1", "x", "bogus"))).isEqualTo(Kind.INVALID);
        assertThat(kindOf(() -> admin.issueToken(local, "88.999.1", " ", null))).isEqualTo(Kind.INVALID);
        assertThat(kindOf(() -> admin.issueToken(local, "88.999.2", "x", null))).isEqualTo(Kind.NOT_FOUND);

        admin.revokeToken(local, "88.999.1", "erp");
        assertThat(ApiTokens.verify(erp.token(), store.get(HandleName.ofPrefix("88.999.1")).orElseThrow())).isEmpty();
        assertThat(ApiTokens.verify(mes.token(), store.get(HandleName.ofPrefix("88.999.1")).orElseThrow())).isPresent();
        assertThat(kindOf(() -> admin.revokeToken(local, "88.999.1", "erp"))).isEqualTo(Kind.NOT_FOUND);
    }

    @Test
    void operatorsAreTheAdminsOfTheNodesOwnPrefixHandle() throws Exception {
        AdminIdentity operator = new AdminIdentity("0.NA/88.999", 301);
        assertThatThrownBy(() -> admin.operator(operator)).isInstanceOfSatisfying(AdministrationException.class,
                e -> assertThat(e.getMessage()).contains("idnode operator add"));

        assertThat(admin.setOperator(local, null, null, "op-secret")).containsExactly("301:0.NA/88.999");
        assertThat(admin.operator(operator).name()).isEqualTo("301:0.NA/88.999");
        admin.create(local, secretOnly("88.999.1", "A"));
        AdministrationException denied = org.junit.jupiter.api.Assertions.assertThrows(AdministrationException.class,
                () -> admin.operator(new AdminIdentity("0.NA/88.999.1", 301)));
        assertThat(denied.kind()).isEqualTo(Kind.PERMISSION_DENIED);
        assertThat(denied.getMessage()).contains("301:0.NA/88.999.1", "0.NA/88.999");

        PrefixAdministration.IssuedToken ops = admin.issueToken(admin.operator(operator), "88.999", "ops", null);
        assertThat(ops.token()).startsWith("idt_88.999~");
        // A key added later keeps the operator's secret and tokens.
        assertThat(admin.setOperator(local, "88.999", pem(rsa()).getBytes(StandardCharsets.US_ASCII), null))
                .containsExactly("300:0.NA/88.999", "301:0.NA/88.999");
        assertThat(ApiTokens.verify(ops.token(), store.get(HandleName.ofPrefix("88.999")).orElseThrow())).contains(operator);
        assertThat(admin.list(local, null)).extracting(PrefixInfo::prefix).containsExactly("88.999.1");
        assertThat(store.auditTrail(HandleName.ofPrefix("88.999"), 10)).extracting(e -> e.actor())
                .containsExactly(PrefixAdministration.LOCAL_OPERATOR, "301:0.NA/88.999", PrefixAdministration.LOCAL_OPERATOR);

        assertThat(kindOf(() -> admin.setOperator(local, "88.998", null, "x"))).isEqualTo(Kind.INVALID);
        assertThat(kindOf(() -> admin.setOperator(local, null, null, null))).isEqualTo(Kind.INVALID);
    }
}
