package org.idnode.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import io.grpc.Status;
import org.idnode.api.v1.CreatePrefixRequest;
import org.idnode.api.v1.Enterprise;
import org.idnode.api.v1.IssueTokenResponse;
import org.idnode.api.v1.Prefix;
import org.idnode.api.v1.PrefixState;
import org.idnode.server.cli.IdnodeCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's calls ({@link Operator}, the gRPC AdminService) against a real node process with an operator token.
 * Runs when the node has operators ({@code idnode operator add}, branch admin-api); skipped on a node without them.
 */
class OperatorTest {
    @TempDir
    static Path tmp;
    static NodeProcess node;
    static String operatorToken;
    static String enterpriseToken;

    @BeforeAll
    static void startNode() throws Exception {
        Assumptions.assumeTrue(nodeHasOperators(), "this node build has no operators (idnode operator add) yet");
        Path config = NodeProcess.writeConfig(tmp.resolve("conf"));
        Path data = tmp.resolve("data");
        NodeProcess.importSample(config, data);
        NodeProcess.idnode(config, data, "operator", "add", "--admin-secret", "op-secret");
        operatorToken = NodeProcess.addToken(config, data, "88.999", "ops");
        enterpriseToken = NodeProcess.addToken(config, data, "88.999.2", "fab");
        node = NodeProcess.start(data, config, true);
    }

    private static boolean nodeHasOperators() {
        return new picocli.CommandLine(new IdnodeCommand()).getSubcommands().containsKey("operator");
    }

    @AfterAll
    static void stopNode() throws InterruptedException {
        if (node != null) {
            node.close();
        }
    }

    static IdClient client(String token) {
        IdClient.Builder b = IdClient.builder().endpoints(node.grpcAddress()).callTimeout(Duration.ofSeconds(30));
        return (token == null ? b : b.token(token)).build();
    }

    @Test
    void anOperatorListsPrefixesAndEnterprises() {
        try (IdClient ops = client(operatorToken)) {
            assertThat(ops.operator().prefixes("")).extracting(Prefix::getPrefix).contains("88.999.1", "88.999.2", "88.999.3", "88.999.4");
            Prefix fab = ops.operator().prefix("88.999.2");
            assertThat(fab.getPrefix()).isEqualTo("88.999.2");
            assertThat(fab.getAdminsList()).contains("300:0.NA/88.999.2");
            assertThat(ops.operator().enterprises()).isNotEmpty();
            assertThatThrownBy(() -> ops.operator().prefix("88.999.99")).isInstanceOfSatisfying(IdNodeException.class,
                    e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
        }
    }

    @Test
    void anOperatorCreatesAPrefixMovesItThroughItsLifecycleAndManagesItsTokens() {
        String prefix = "88.999.20";
        String enterprise = "Operator Test Co.";
        try (IdClient ops = client(operatorToken)) {
            Prefix created = ops.operator().createPrefix(CreatePrefixRequest.newBuilder()
                    .setPrefix(prefix).setEnterprise(enterprise).setAdminSecret("s20").build());
            assertThat(created.getState()).isEqualTo(PrefixState.PREFIX_STATE_ENABLED);
            assertThat(ops.operator().prefixes(enterprise)).extracting(Prefix::getPrefix).containsExactly(prefix);
            assertThat(ops.operator().enterprises()).filteredOn(e -> e.getName().equals(enterprise))
                    .flatExtracting(Enterprise::getPrefixesList).extracting(Prefix::getPrefix).containsExactly(prefix);
            assertThatThrownBy(() -> ops.operator().createPrefix(CreatePrefixRequest.newBuilder()
                    .setPrefix(prefix).setEnterprise(enterprise).setAdminSecret("s20").build()))
                    .isInstanceOfSatisfying(IdNodeException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.ALREADY_EXISTS));

            IssueTokenResponse issued = ops.operator().issueToken(prefix, "erp", "");
            assertThat(issued.getToken()).startsWith("idt_");
            String handle = prefix + "/OP-1";
            try (IdClient erp = client(issued.getToken())) {
                assertThat(erp.register(Values.record(handle, Values.text(1, "URL", "https://example.com/op/1")), true).getHandle())
                        .isEqualToIgnoringCase(handle);

                assertThat(ops.operator().setPrefixState(prefix, PrefixState.PREFIX_STATE_DISABLED).getState())
                        .isEqualTo(PrefixState.PREFIX_STATE_DISABLED);
                assertThatThrownBy(() -> erp.register(Values.record(prefix + "/OP-2", Values.text(1, "URL", "https://example.com/op/2")), true))
                        .as("nothing is registered under a disabled prefix").isInstanceOf(IdNodeException.class);
                assertThatThrownBy(() -> ops.operator().setPrefixState(prefix, PrefixState.PREFIX_STATE_APPLIED))
                        .isInstanceOfSatisfying(IdNodeException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION));
                ops.operator().setPrefixState(prefix, PrefixState.PREFIX_STATE_ENABLED);

                ops.operator().revokeToken(prefix, "erp");
                assertThatThrownBy(() -> erp.register(Values.record(prefix + "/OP-3", Values.text(1, "URL", "https://example.com/op/3")), true))
                        .isInstanceOfSatisfying(IdNodeException.class,
                                e -> assertThat(e.code()).isIn(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED));
            }
        }
    }

    @Test
    void operatorCallsNeedAnOperatorToken() {
        try (IdClient anonymous = client(null); IdClient enterprise = client(enterpriseToken)) {
            assertThatThrownBy(() -> anonymous.operator().prefixes("")).isInstanceOfSatisfying(IdNodeException.class,
                    e -> assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED));
            assertThatThrownBy(() -> enterprise.operator().enterprises()).isInstanceOfSatisfying(IdNodeException.class,
                    e -> assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED));
        }
    }
}
