package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.List;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.AdminRecord;
import net.handle.hdllib.AuthenticationInfo;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.Interface;
import net.handle.hdllib.PublicKeyAuthenticationInfo;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.Util;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.admin.PrefixRecords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Restricted values over the Handle protocol: hidden from anonymous resolutions, visible after
 * authentication to the owning enterprise and to a partner it granted READ_VALUE, not to others.
 */
class RestrictedReadTest {
    static final String LOT = "88.999.2/PCB-LOT-77";

    @TempDir
    static Path dataDir;
    static TestNode node;
    static KeyPair fab;
    static KeyPair assembler;
    static KeyPair stranger;

    @BeforeAll
    static void start() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        fab = gen.generateKeyPair();
        assembler = gen.generateKeyPair();
        stranger = gen.generateKeyPair();
        int now = (int) (System.currentTimeMillis() / 1000);
        // The fab grants its customer, the assembler (88.999.4), read access to this lot only.
        AdminRecord partnerRead = new AdminRecord(Util.encodeString("0.NA/88.999.4"), 300,
                false, false, false, false, false, false, false, false, false, false, true, false);
        HandleRecord lot = new HandleRecord(HandleName.parse(LOT), List.of(
                HandleValue.ofString(1, "URL", "https://example.com/lot/77", now),
                new HandleValue(2021, "PROCESS_YIELD", "98.7".getBytes(), HandleValue.TtlType.RELATIVE, 86400, now, List.of(), Permissions.RESTRICTED),
                new HandleValue(101, "HS_ADMIN", Encoder.encodeAdminRecord(partnerRead), HandleValue.TtlType.RELATIVE, 86400, now,
                        List.of(), Permissions.PUBLIC_READ)));
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(dataDir, 16)) {
            store.putAll(List.of(PrefixRecords.hostedPrefix("88.999.2", "Example PCB Fab", fab.getPublic(), null),
                    PrefixRecords.hostedPrefix("88.999.4", "Example Assembler", assembler.getPublic(), null),
                    PrefixRecords.hostedPrefix("88.999.5", "Someone Else", stranger.getPublic(), null), lot));
        }
        node = TestNode.start(dataDir, List.of());
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static List<String> read(boolean sessions, AuthenticationInfo who) throws Exception {
        HandleResolver r = CnriClients.resolver(node.site(), "88.999.2", Interface.SP_HDL_TCP);
        if (!sessions) {
            r.setSessionTracker(null);
        }
        ResolutionRequest req = new ResolutionRequest(Util.encodeString(LOT), null, null, who);
        req.ignoreRestrictedValues = who == null;
        AbstractResponse resp = r.processRequest(req);
        assertThat(resp.responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
        return Arrays.stream(((ResolutionResponse) resp).getHandleValues()).map(v -> v.getTypeAsString() + "=" + v.getDataAsString()).toList();
    }

    static AuthenticationInfo as(String prefix, KeyPair key) {
        return new PublicKeyAuthenticationInfo(Util.encodeString("0.NA/" + prefix), 300, key.getPrivate());
    }

    @ParameterizedTest(name = "sessions={0}")
    @ValueSource(booleans = {true, false})
    void anonymousReadersSeeOnlyPublicValues(boolean sessions) throws Exception {
        assertThat(read(sessions, null)).contains("URL=https://example.com/lot/77").noneMatch(v -> v.startsWith("PROCESS_YIELD"));
    }

    @ParameterizedTest(name = "sessions={0}")
    @ValueSource(booleans = {true, false})
    void theOwningEnterpriseSeesRestrictedValues(boolean sessions) throws Exception {
        assertThat(read(sessions, as("88.999.2", fab))).contains("PROCESS_YIELD=98.7", "URL=https://example.com/lot/77");
    }

    @ParameterizedTest(name = "sessions={0}")
    @ValueSource(booleans = {true, false})
    void aGrantedPartnerSeesThemAndAStrangerDoesNot(boolean sessions) throws Exception {
        assertThat(read(sessions, as("88.999.4", assembler))).contains("PROCESS_YIELD=98.7");
        assertThat(read(sessions, as("88.999.5", stranger))).contains("URL=https://example.com/lot/77")
                .noneMatch(v -> v.startsWith("PROCESS_YIELD"));
    }
}
