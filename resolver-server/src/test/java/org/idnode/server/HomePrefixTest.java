package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.AuthenticationInfo;
import net.handle.hdllib.CreateHandleRequest;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.GenericRequest;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.SecretKeyAuthenticationInfo;
import net.handle.hdllib.Util;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.admin.PrefixRecords;
import org.idnode.server.config.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Homing and unhoming prefixes ({@code OC_HOME_NA}, {@code OC_UNHOME_NA}) as CNRI's {@link HandleResolver} sends
 * them, authenticated with a secret key over TCP, against a node that serves {@code 88.999.1} by configuration:
 * only an operator (an administrator of {@code 0.NA/88.999.1}) may home, the node then answers for the homed
 * prefix, and the homed set survives restarts.
 */
class HomePrefixTest {
    static final String OPERATOR_SECRET = "op-s3cr3t";
    static final String ENTERPRISE_SECRET = "fab-s3cr3t";
    static final String LOT = "88.999.2/PCB-LOT-9";

    @TempDir
    Path dir;

    private NodeConfig config() throws Exception {
        Path yaml = dir.resolve("node.yaml");
        Files.writeString(yaml, "node: {prefixes: [\"88.999.1\"]}\n");
        return NodeConfig.load(yaml).withOverrides(dir.resolve("data"), 0, 0, 0, "127.0.0.1");
    }

    /** The node's own prefix handle with the operator's secret key; an enterprise prefix 88.999.2 with one lot. */
    private void seed() {
        int now = (int) (System.currentTimeMillis() / 1000);
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(dir.resolve("data"), 16)) {
            store.putAll(List.of(PrefixRecords.hostedPrefix("88.999.1", "Node operator", null, OPERATOR_SECRET),
                    PrefixRecords.hostedPrefix("88.999.2", "Example PCB Fab", null, ENTERPRISE_SECRET),
                    new HandleRecord(HandleName.parse(LOT), List.of(
                            org.idnode.registry.model.HandleValue.ofString(1, "URL", "https://example.com/lot/9", now)))));
        }
    }

    static AuthenticationInfo secret(String prefix, String secret) {
        return new SecretKeyAuthenticationInfo(Util.encodeString("0.NA/" + prefix), 301, secret.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code OC_HOME_NA} / {@code OC_UNHOME_NA} as CNRI's HomeNA tool builds it, through a resolver that answers challenges. */
    static AbstractResponse send(IdentifierNode node, int opCode, String prefixHandle, AuthenticationInfo who, boolean sessions) throws Exception {
        // 0.NA/... handles go to the node as the global service; 88.999.2/... ones are sent to it as well.
        HandleResolver r = CnriClients.resolver(node.site().siteInfo(), "88.999.2", Interface.SP_HDL_TCP);
        if (!sessions) {
            r.setSessionTracker(null);
        }
        GenericRequest req = new GenericRequest(Util.encodeString(prefixHandle), opCode, who);
        req.isAdminRequest = true;
        req.certify = true;
        return r.processRequest(req);
    }

    /** The response code of a plain resolution sent straight to the node over TCP. */
    static int resolve(IdentifierNode node, String handle) throws Exception {
        ResolutionRequest req = new ResolutionRequest(Util.encodeString(handle), null, null, null);
        req.majorProtocolVersion = 2;
        req.minorProtocolVersion = 11;
        AbstractResponse resp = CnriClients.rawResolver().sendHdlTcpRequest(req, InetAddress.getLoopbackAddress(), node.handleAddress().getPort());
        if (resp instanceof ResolutionResponse rr && handle.equals(LOT)) {
            assertThat(rr.getHandleValues()).anySatisfy(v -> assertThat(v.getDataAsString()).isEqualTo("https://example.com/lot/9"));
        }
        return resp.responseCode;
    }

    static String message(AbstractResponse r) {
        return r instanceof ErrorResponse e && e.message != null ? Util.decodeString(e.message) : "";
    }

    @ParameterizedTest(name = "sessions={0}")
    @ValueSource(booleans = {true, false})
    void anOperatorHomesAndUnhomesAPrefixAndItSurvivesRestarts(boolean sessions) throws Exception {
        seed();
        AuthenticationInfo operator = secret("88.999.1", OPERATOR_SECRET);
        try (IdentifierNode node = IdentifierNode.start(config())) {
            assertThat(resolve(node, LOT)).isEqualTo(AbstractMessage.RC_SERVER_NOT_RESP);
            AbstractResponse homed = send(node, AbstractMessage.OC_HOME_NA, "0.NA/88.999.2", operator, sessions);
            assertThat(homed.responseCode).as(message(homed)).isEqualTo(AbstractMessage.RC_SUCCESS);
            assertThat(resolve(node, LOT)).isEqualTo(AbstractMessage.RC_SUCCESS);
            assertThat(resolve(node, "0.NA/88.999.2")).isEqualTo(AbstractMessage.RC_SUCCESS);
            assertThat(resolve(node, "88.999.3/PCB-LOT-9")).as("only the homed prefix").isEqualTo(AbstractMessage.RC_SERVER_NOT_RESP);
            assertThat(resolve(node, "88.999.2.1/PCB-LOT-9")).as("homed exactly, not its derived prefixes").isEqualTo(AbstractMessage.RC_SERVER_NOT_RESP);
            // Homing twice changes nothing.
            assertThat(send(node, AbstractMessage.OC_HOME_NA, "0.NA/88.999.2", operator, sessions).responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);

            // The enterprise registers under its newly homed prefix with its own key.
            HandleResolver r = CnriClients.resolver(node.site().siteInfo(), "88.999.2", Interface.SP_HDL_TCP);
            AbstractResponse created = r.processRequest(new CreateHandleRequest(Util.encodeString("88.999.2/PCB-LOT-10"),
                    new HandleValue[] {new HandleValue(1, "URL", "https://example.com/lot/10")}, secret("88.999.2", ENTERPRISE_SECRET)));
            assertThat(created.responseCode).as(message(created)).isEqualTo(AbstractMessage.RC_SUCCESS);
        }
        try (IdentifierNode node = IdentifierNode.start(config())) {
            assertThat(resolve(node, LOT)).as("homed after a restart").isEqualTo(AbstractMessage.RC_SUCCESS);
            AbstractResponse unhomed = send(node, AbstractMessage.OC_UNHOME_NA, "0.NA/88.999.2", operator, sessions);
            assertThat(unhomed.responseCode).as(message(unhomed)).isEqualTo(AbstractMessage.RC_SUCCESS);
            assertThat(resolve(node, LOT)).isEqualTo(AbstractMessage.RC_SERVER_NOT_RESP);
            assertThat(send(node, AbstractMessage.OC_UNHOME_NA, "0.NA/88.999.2", operator, sessions).responseCode)
                    .as("unhoming twice changes nothing").isEqualTo(AbstractMessage.RC_SUCCESS);
        }
        try (IdentifierNode node = IdentifierNode.start(config())) {
            assertThat(resolve(node, LOT)).as("still unhomed after a restart").isEqualTo(AbstractMessage.RC_SERVER_NOT_RESP);
            assertThat(resolve(node, "88.999.1/ANYTHING")).as("the configured prefix is untouched").isEqualTo(AbstractMessage.RC_HANDLE_NOT_FOUND);
        }
    }

    @Test
    void cnrisHomeNaToolHomesAPrefixWithTheOperatorsPrivateKey() throws Exception {
        java.security.KeyPairGenerator gen = java.security.KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        java.security.KeyPair operatorKey = gen.generateKeyPair();
        int now = (int) (System.currentTimeMillis() / 1000);
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(dir.resolve("data"), 16)) {
            store.putAll(List.of(PrefixRecords.hostedPrefix("88.999.1", "Node operator", operatorKey.getPublic(), null),
                    new HandleRecord(HandleName.parse(LOT), List.of(
                            org.idnode.registry.model.HandleValue.ofString(1, "URL", "https://example.com/lot/9", now)))));
        }
        Path privKey = dir.resolve("operator-privkey.bin");
        Files.write(privKey, Util.encrypt(Util.getBytesFromPrivateKey(operatorKey.getPrivate()), null, net.handle.hdllib.Common.ENCRYPT_NONE));
        try (IdentifierNode node = IdentifierNode.start(config())) {
            assertThat(resolve(node, LOT)).isEqualTo(AbstractMessage.RC_SERVER_NOT_RESP);
            Path toolConfig = CnriClients.toolConfigDir(dir.resolve("tool-config"), node.site().siteInfo(), "88.999.1");
            ChildJvm tool = ChildJvm.launch(Files.createDirectories(dir.resolve("cwd")), "net.handle.apps.simple.HomeNA",
                    List.of("-Dnet.handle.configDir=" + toolConfig), "0.NA/88.999.1", "300", privKey.toString(),
                    "127.0.0.1", String.valueOf(node.handleAddress().getPort()), "0.NA/88.999.2");
            try {
                tool.closeStdin();
                assertThat(tool.waitExit()).isZero();
            } finally {
                tool.kill();
            }
            // HomeNA reports failures on stderr and still exits 0: judge it by what the node does.
            assertThat(tool.stderr()).as("HomeNA stderr").doesNotContain("Error");
            assertThat(resolve(node, LOT)).as("stdout:%n%s%nstderr:%n%s", tool.stdout(), tool.stderr()).isEqualTo(AbstractMessage.RC_SUCCESS);
        }
    }

    @Test
    void onlyAnOperatorMayHomeAndBadRequestsAreRefusedClearly() throws Exception {
        seed();
        try (IdentifierNode node = IdentifierNode.start(config())) {
            // The enterprise's own administrator is no operator of the node.
            AbstractResponse enterprise = send(node, AbstractMessage.OC_HOME_NA, "0.NA/88.999.2", secret("88.999.2", ENTERPRISE_SECRET), false);
            assertThat(enterprise.responseCode).isEqualTo(AbstractMessage.RC_INVALID_ADMIN);
            assertThat(message(enterprise)).contains("operator").contains("0.NA/88.999.1");
            assertThat(resolve(node, LOT)).isEqualTo(AbstractMessage.RC_SERVER_NOT_RESP);

            // A wrong operator secret fails authentication; CNRI's client reports it as an error response.
            AbstractResponse wrong = send(node, AbstractMessage.OC_HOME_NA, "0.NA/88.999.2", secret("88.999.1", "guess"), false);
            assertThat(wrong.responseCode).isEqualTo(AbstractMessage.RC_AUTHENTICATION_FAILED);
            assertThat(resolve(node, LOT)).isEqualTo(AbstractMessage.RC_SERVER_NOT_RESP);

            AuthenticationInfo operator = secret("88.999.1", OPERATOR_SECRET);
            AbstractResponse reserved = send(node, AbstractMessage.OC_HOME_NA, "0.NA/0.SITE", operator, false);
            assertThat(reserved.responseCode).isEqualTo(AbstractMessage.RC_INVALID_HANDLE);
            assertThat(message(reserved)).contains("reserved");
            AbstractResponse notPrefix = send(node, AbstractMessage.OC_HOME_NA, "88.999.2/X", operator, false);
            assertThat(notPrefix.responseCode).isEqualTo(AbstractMessage.RC_INVALID_HANDLE);
            AbstractResponse configured = send(node, AbstractMessage.OC_UNHOME_NA, "0.NA/88.999.1", operator, false);
            assertThat(configured.responseCode).isEqualTo(AbstractMessage.RC_OPERATION_NOT_SUPPORTED);
            assertThat(message(configured)).contains("node.prefixes");
            assertThat(resolve(node, "88.999.1/ANYTHING")).isEqualTo(AbstractMessage.RC_HANDLE_NOT_FOUND);

            // The homed set is kept in a record nobody can resolve.
            assertThat(resolve(node, "0.SITE/HOMED_PREFIXES")).isEqualTo(AbstractMessage.RC_SERVER_NOT_RESP);
        }
    }
}
