package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.List;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.AddValueRequest;
import net.handle.hdllib.AdminRecord;
import net.handle.hdllib.AuthenticationInfo;
import net.handle.hdllib.Common;
import net.handle.hdllib.CreateHandleRequest;
import net.handle.hdllib.DeleteHandleRequest;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ListHandlesRequest;
import net.handle.hdllib.ListHandlesResponse;
import net.handle.hdllib.ModifyValueRequest;
import net.handle.hdllib.PublicKeyAuthenticationInfo;
import net.handle.hdllib.RemoveValueRequest;
import net.handle.hdllib.SecretKeyAuthenticationInfo;
import net.handle.hdllib.Util;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.admin.PrefixRecords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CNRI's HandleResolver writing to a real node: with DH sessions (its default) and without. */
class HandleWriteTest {
    @TempDir
    static Path dataDir;
    static TestNode node;
    static KeyPair admin1;
    static KeyPair admin2;

    @BeforeAll
    static void start() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        admin1 = gen.generateKeyPair();
        admin2 = gen.generateKeyPair();
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(dataDir, 16)) {
            store.putAll(List.of(PrefixRecords.hostedPrefix("88.999.1", "Example CCL Co.", admin1.getPublic(), "s3cr3t"),
                    PrefixRecords.hostedPrefix("88.999.2", "Example PCB Fab", admin2.getPublic(), "other")));
        }
        node = TestNode.start(dataDir, List.of());
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static HandleResolver resolver(boolean sessions) {
        HandleResolver r = CnriClients.resolver(node.site(), "88.999.1", Interface.SP_HDL_TCP);
        if (!sessions) {
            r.setSessionTracker(null);
        }
        return r;
    }

    static AuthenticationInfo pubkey1() {
        return new PublicKeyAuthenticationInfo(Util.encodeString("0.NA/88.999.1"), 300, admin1.getPrivate());
    }

    static AuthenticationInfo secret1(String secret) {
        return new SecretKeyAuthenticationInfo(Util.encodeString("0.NA/88.999.1"), 301, secret.getBytes(StandardCharsets.UTF_8));
    }

    static HandleValue adminValue() {
        AdminRecord ar = new AdminRecord(Util.encodeString("0.NA/88.999.1"), 300, true, true, true, true, true, true, true, true, true, true, true, true);
        return new HandleValue(100, Util.encodeString("HS_ADMIN"), Encoder.encodeAdminRecord(ar), HandleValue.TTL_TYPE_RELATIVE, 86400, 0, null, true, true, true, false);
    }

    @ParameterizedTest(name = "sessions={0}")
    @ValueSource(booleans = {true, false})
    void createAddModifyRemoveListAndDelete(boolean sessions) throws Exception {
        HandleResolver r = resolver(sessions);
        String h = "88.999.1/WRITE-" + sessions;
        byte[] hb = Util.encodeString(h);
        HandleValue[] values = {new HandleValue(1, "URL", "https://example.com/lot/1"), adminValue()};
        assertThat(r.processRequest(new CreateHandleRequest(hb, values, pubkey1())).responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(r.processRequest(new CreateHandleRequest(hb, values, pubkey1())).responseCode).isEqualTo(AbstractMessage.RC_HANDLE_ALREADY_EXISTS);
        assertThat(r.processRequest(new AddValueRequest(hb, new HandleValue(2, "EMAIL", "qa@example.com"), secret1("s3cr3t"))).responseCode)
                .isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(r.processRequest(new ModifyValueRequest(hb, new HandleValue(1, "URL", "https://example.com/lot/1-v2"), pubkey1())).responseCode)
                .isEqualTo(AbstractMessage.RC_SUCCESS);
        HandleValue[] now = resolver(sessions).resolveHandle(h, null, null);
        assertThat(Arrays.stream(now).map(v -> v.getIndex() + "=" + v.getDataAsString()).toList())
                .contains("1=https://example.com/lot/1-v2", "2=qa@example.com");
        assertThat(r.processRequest(new RemoveValueRequest(hb, 2, pubkey1())).responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);

        AbstractResponse list = r.processRequest(new ListHandlesRequest(Util.encodeString("0.NA/88.999.1"), pubkey1()));
        assertThat(list).isInstanceOf(ListHandlesResponse.class);
        assertThat(Arrays.stream(((ListHandlesResponse) list).handles).map(Util::decodeString).toList()).contains(h);

        assertThat(r.processRequest(new DeleteHandleRequest(hb, pubkey1())).responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
        assertThat(r.processRequest(new net.handle.hdllib.ResolutionRequest(hb, null, null, null)).responseCode)
                .isEqualTo(AbstractMessage.RC_HANDLE_NOT_FOUND);
    }

    @ParameterizedTest(name = "sessions={0}")
    @ValueSource(booleans = {true, false})
    void refusals(boolean sessions) throws Exception {
        HandleResolver r = resolver(sessions);
        byte[] hb = Util.encodeString("88.999.1/REFUSED-" + sessions);
        HandleValue[] values = {new HandleValue(1, "URL", "https://example.com/x")};
        CreateHandleRequest mint = new CreateHandleRequest(Util.encodeString("88.999.1/MINT-"), values, secret1("s3cr3t"));
        mint.mintNewSuffix = true;
        AbstractResponse minted = r.processRequest(mint);
        assertThat(minted.responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
        String mintedHandle = Util.decodeString(((net.handle.hdllib.CreateHandleResponse) minted).handle);
        assertThat(mintedHandle).startsWith("88.999.1/MINT-").hasSizeGreaterThan("88.999.1/MINT-".length() + 30);
        assertThat(resolver(sessions).resolveHandle(mintedHandle, null, null)).extracting(HandleValue::getDataAsString)
                .containsExactly("https://example.com/x");
        AbstractResponse wrongSecret = r.processRequest(new CreateHandleRequest(hb, values, secret1("wrong")));
        assertThat(wrongSecret.responseCode).isEqualTo(AbstractMessage.RC_AUTHENTICATION_FAILED);
        AuthenticationInfo otherEnterprise = new PublicKeyAuthenticationInfo(Util.encodeString("0.NA/88.999.2"), 300, admin2.getPrivate());
        AbstractResponse foreign = r.processRequest(new CreateHandleRequest(hb, values, otherEnterprise));
        assertThat(foreign.responseCode).isEqualTo(AbstractMessage.RC_INVALID_ADMIN);
        assertThat(r.processRequest(new net.handle.hdllib.ResolutionRequest(hb, null, null, null)).responseCode)
                .isEqualTo(AbstractMessage.RC_HANDLE_NOT_FOUND);
    }
}
