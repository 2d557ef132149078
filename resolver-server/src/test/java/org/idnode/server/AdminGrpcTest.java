package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;

import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.idnode.api.v1.AdminServiceGrpc;
import org.idnode.api.v1.CreatePrefixRequest;
import org.idnode.api.v1.Enterprise;
import org.idnode.api.v1.GetPrefixRequest;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.api.v1.IssueTokenRequest;
import org.idnode.api.v1.IssueTokenResponse;
import org.idnode.api.v1.ListEnterprisesRequest;
import org.idnode.api.v1.ListPrefixesRequest;
import org.idnode.api.v1.Prefix;
import org.idnode.api.v1.PrefixState;
import org.idnode.api.v1.RegisterRequest;
import org.idnode.api.v1.RevokeTokenRequest;
import org.idnode.api.v1.SetPrefixStateRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code idnode.v1.AdminService} of a running node over a real gRPC connection on 127.0.0.1: operator tokens in, everybody
 * else out, the prefix lifecycle with its refusals, listings, and tokens issued and revoked through it.
 */
class AdminGrpcTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static ManagedChannel channel;
    static String opsToken;
    static String enterpriseToken;

    @BeforeAll
    static void start() throws Exception {
        String d = dir.resolve("data").toString();
        JsonHttp.cli("operator", "add", "--admin-secret", "operator-s3cr3t", "--data-dir", d);
        opsToken = JsonHttp.cli("token", "add", "88.999", "--name", "ops", "--data-dir", d);
        JsonHttp.cli("prefix", "add", "88.999.1", "--enterprise", "Example PCB Fab", "--admin-secret", "fab-s3cr3t", "--data-dir", d);
        enterpriseToken = JsonHttp.cli("token", "add", "88.999.1", "--name", "erp", "--data-dir", d);
        node = TestNode.start(dir.resolve("data"), List.of());
        channel = GrpcClients.channel(node.node);
    }

    @AfterAll
    static void stop() throws Exception {
        GrpcClients.close(channel);
        if (node != null) {
            node.close();
        }
    }

    static AdminServiceGrpc.AdminServiceBlockingStub admin(String token) {
        AdminServiceGrpc.AdminServiceBlockingStub stub = AdminServiceGrpc.newBlockingStub(channel);
        return token == null ? GrpcClients.deadline(stub) : GrpcClients.withToken(stub, token);
    }

    static AdminServiceGrpc.AdminServiceBlockingStub ops() {
        return admin(opsToken);
    }

    static StatusRuntimeException failure(Runnable call) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(e).as("the call fails").isNotNull();
        assertThat(e.getStatus().getDescription()).isNotBlank();
        return e;
    }

    static CreatePrefixRequest.Builder newPrefix(String prefix, String enterprise) {
        return CreatePrefixRequest.newBuilder().setPrefix(prefix).setEnterprise(enterprise).setAdminSecret("secret-of-" + prefix);
    }

    static RegisterRequest lot(String handle) {
        return RegisterRequest.newBuilder().setRecord(HandleRecord.newBuilder().setHandle(handle)
                .addValues(HandleValue.newBuilder().setIndex(1).setType("URL").setData(ByteString.copyFromUtf8("https://example.com/" + handle))
                        .setDefaultPermissions(true))).build();
    }

    @Test
    void onlyOperatorsAreServed() {
        StatusRuntimeException anonymous = failure(() -> admin(null).listPrefixes(ListPrefixesRequest.getDefaultInstance()));
        assertThat(anonymous.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(GrpcClients.errorInfo(anonymous).getReason()).isEqualTo("AUTHENTICATION_NEEDED");

        StatusRuntimeException enterprise = failure(() -> admin(enterpriseToken).createPrefix(newPrefix("88.999.66", "Sneaky").build()));
        assertThat(enterprise.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(enterprise.getStatus().getDescription()).contains("operator", "0.NA/88.999.1");
        assertThat(failure(() -> admin(enterpriseToken).setPrefixState(SetPrefixStateRequest.newBuilder().setPrefix("88.999.1")
                .setState(PrefixState.PREFIX_STATE_DISABLED).build())).getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);

        assertThat(failure(() -> admin(opsToken + "x").listPrefixes(ListPrefixesRequest.getDefaultInstance())).getStatus().getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(failure(() -> ops().getPrefix(GetPrefixRequest.newBuilder().setPrefix("88.999.66").build())).getStatus().getCode())
                .as("nothing was created").isEqualTo(Status.Code.NOT_FOUND);
        assertThat(ops().getPrefix(GetPrefixRequest.newBuilder().setPrefix("88.999.1").build()).getState())
                .as("nor disabled").isEqualTo(PrefixState.PREFIX_STATE_ENABLED);
    }

    @Test
    void createsAPrefixAndRefusesTransitionsItsLifecycleForbids() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(key.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        Prefix created = ops().createPrefix(newPrefix("88.999.7", "Example Laminates")
                .setAdminPublicKey(ByteString.copyFrom(pem, StandardCharsets.US_ASCII)).setState(PrefixState.PREFIX_STATE_APPLIED).build());
        assertThat(created).isEqualTo(Prefix.newBuilder().setPrefix("88.999.7").setEnterprise("Example Laminates")
                .setState(PrefixState.PREFIX_STATE_APPLIED).setSelfHosted(false)
                .addAdmins("300:0.NA/88.999.7").addAdmins("301:0.NA/88.999.7").build());

        StatusRuntimeException skip = failure(() -> ops().setPrefixState(SetPrefixStateRequest.newBuilder().setPrefix("88.999.7")
                .setState(PrefixState.PREFIX_STATE_ENABLED).build()));
        assertThat(skip.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(skip.getStatus().getDescription()).contains("applied", "cannot become enabled");
        ErrorInfo info = GrpcClients.errorInfo(skip);
        assertThat(info.getDomain()).isEqualTo("idnode.org");
        assertThat(info.getMetadataMap()).containsEntry("state", "applied").containsEntry("allowed_states", "under-review,rejected")
                .containsEntry("handle", "0.NA/88.999.7");

        assertThat(ops().setPrefixState(SetPrefixStateRequest.newBuilder().setPrefix("88.999.7").setState(PrefixState.PREFIX_STATE_UNDER_REVIEW)
                .build()).getState()).isEqualTo(PrefixState.PREFIX_STATE_UNDER_REVIEW);
        assertThat(ops().getPrefix(GetPrefixRequest.newBuilder().setPrefix("88.999.7").build()).getState())
                .isEqualTo(PrefixState.PREFIX_STATE_UNDER_REVIEW);

        assertThat(failure(() -> ops().createPrefix(newPrefix("88.999.7", "Again").build())).getStatus().getCode())
                .isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(failure(() -> ops().createPrefix(newPrefix("88.998.1", "Elsewhere").build())).getStatus().getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(failure(() -> ops().createPrefix(CreatePrefixRequest.newBuilder().setPrefix("88.999.8").setEnterprise("No Admin").build()))
                .getStatus().getDescription()).contains("admin");
        assertThat(failure(() -> ops().setPrefixState(SetPrefixStateRequest.newBuilder().setPrefix("88.999.7").build())).getStatus().getCode())
                .as("no state").isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(failure(() -> ops().getPrefix(GetPrefixRequest.newBuilder().setPrefix("88.999.404").build())).getStatus().getCode())
                .isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void listsPrefixesAndEnterprises() {
        for (String p : List.of("88.999.21", "88.999.22")) {
            ops().createPrefix(newPrefix(p, "Example Assembler").build());
        }
        assertThat(ops().listPrefixes(ListPrefixesRequest.getDefaultInstance()).getPrefixesList()).extracting(Prefix::getPrefix)
                .contains("88.999.1", "88.999.21", "88.999.22").doesNotContain("88.999");
        assertThat(ops().listPrefixes(ListPrefixesRequest.newBuilder().setEnterprise("Example Assembler").build()).getPrefixesList())
                .extracting(Prefix::getPrefix).containsExactly("88.999.21", "88.999.22");
        List<Enterprise> enterprises = ops().listEnterprises(ListEnterprisesRequest.getDefaultInstance()).getEnterprisesList();
        assertThat(enterprises).extracting(Enterprise::getName).contains("Example Assembler", "Example PCB Fab");
        assertThat(enterprises.stream().filter(e -> e.getName().equals("Example Assembler")).findFirst().orElseThrow().getPrefixesList())
                .extracting(Prefix::getPrefix).containsExactly("88.999.21", "88.999.22");
    }

    @Test
    void anIssuedTokenWorksUntilItIsRevoked() {
        IssueTokenResponse issued = ops().issueToken(IssueTokenRequest.newBuilder().setPrefix("88.999.1").setName("mes").build());
        assertThat(issued.getIdentity()).isEqualTo("301:0.NA/88.999.1");
        assertThat(issued.getToken()).startsWith("idt_88.999.1~");
        assertThat(failure(() -> ops().issueToken(IssueTokenRequest.newBuilder().setPrefix("88.999.1").setName("mes").build()))
                .getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);

        IdentifierServiceGrpc.IdentifierServiceBlockingStub mes = GrpcClients.withToken(IdentifierServiceGrpc.newBlockingStub(channel),
                issued.getToken());
        assertThat(mes.register(lot("88.999.1/MES-1")).getCreated()).isTrue();

        ops().revokeToken(RevokeTokenRequest.newBuilder().setPrefix("88.999.1").setName("mes").build());
        StatusRuntimeException revoked = failure(() -> mes.register(lot("88.999.1/MES-2")));
        assertThat(revoked.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(revoked.getStatus().getDescription()).contains("revoked");
        assertThat(failure(() -> ops().revokeToken(RevokeTokenRequest.newBuilder().setPrefix("88.999.1").setName("mes").build()))
                .getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        // The enterprise's own token was left alone.
        assertThat(GrpcClients.withToken(IdentifierServiceGrpc.newBlockingStub(channel), enterpriseToken).register(lot("88.999.1/ERP-1"))
                .getCreated()).isTrue();
    }
}
