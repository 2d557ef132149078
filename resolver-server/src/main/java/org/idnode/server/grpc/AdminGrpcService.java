package org.idnode.server.grpc;

import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import net.handle.hdllib.AbstractMessage;
import org.idnode.api.v1.AdminServiceGrpc;
import org.idnode.api.v1.CreatePrefixRequest;
import org.idnode.api.v1.Enterprise;
import org.idnode.api.v1.GetPrefixRequest;
import org.idnode.api.v1.IssueTokenRequest;
import org.idnode.api.v1.IssueTokenResponse;
import org.idnode.api.v1.ListEnterprisesRequest;
import org.idnode.api.v1.ListEnterprisesResponse;
import org.idnode.api.v1.ListPrefixesRequest;
import org.idnode.api.v1.ListPrefixesResponse;
import org.idnode.api.v1.Prefix;
import org.idnode.api.v1.RevokeTokenRequest;
import org.idnode.api.v1.RevokeTokenResponse;
import org.idnode.api.v1.SetPrefixStateRequest;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.server.admin.AdministrationException;
import org.idnode.server.admin.PrefixAdministration;
import org.idnode.server.admin.PrefixInfo;
import org.idnode.server.admin.PrefixState;
import org.idnode.server.auth.AdminIdentity;

/**
 * {@code idnode.v1.AdminService}: the operator's calls on enterprises and their prefixes, on
 * {@link PrefixAdministration} (the same code as the admin HTTP API and the offline {@code idnode} commands). Every
 * call needs an operator ({@link PrefixAdministration#operator}) authenticated by {@link GrpcAuthenticator}:
 * {@code UNAUTHENTICATED} without credentials, {@code PERMISSION_DENIED} for an enterprise's admins and tokens.
 * Refusals map to {@code INVALID_ARGUMENT}, {@code NOT_FOUND}, {@code ALREADY_EXISTS} and, for a lifecycle transition
 * the prefix's state does not allow, {@code FAILED_PRECONDITION} with the state and the allowed states in the
 * ErrorInfo metadata. Calls run on the blocking-work executor (they read and write the store).
 *
 * <p>Thread-safe.
 */
final class AdminGrpcService extends AdminServiceGrpc.AdminServiceImplBase {
    private static final String PROTO_STATE_PREFIX = "PREFIX_STATE_";

    private final PrefixAdministration administration;
    private final Executor blockingWork;

    AdminGrpcService(PrefixAdministration administration, Executor blockingWork) {
        this.administration = administration;
        this.blockingWork = blockingWork;
    }

    @Override
    public void createPrefix(CreatePrefixRequest request, StreamObserver<Prefix> observer) {
        asOperator(observer, op -> prefix(administration.create(op, new PrefixAdministration.NewPrefix(request.getPrefix(),
                request.getEnterprise(), request.getAdminPublicKey().toByteArray(), request.getAdminSecret(),
                request.getState() == org.idnode.api.v1.PrefixState.PREFIX_STATE_UNSPECIFIED ? null : state(request.getState()),
                request.getSelfHostedSite().toByteArray()))));
    }

    @Override
    public void getPrefix(GetPrefixRequest request, StreamObserver<Prefix> observer) {
        asOperator(observer, op -> prefix(administration.get(op, request.getPrefix())));
    }

    @Override
    public void setPrefixState(SetPrefixStateRequest request, StreamObserver<Prefix> observer) {
        asOperator(observer, op -> prefix(administration.setState(op, request.getPrefix(), state(request.getState())).prefix()));
    }

    @Override
    public void listPrefixes(ListPrefixesRequest request, StreamObserver<ListPrefixesResponse> observer) {
        asOperator(observer, op -> {
            ListPrefixesResponse.Builder b = ListPrefixesResponse.newBuilder();
            administration.list(op, request.getEnterprise()).forEach(p -> b.addPrefixes(prefix(p)));
            return b.build();
        });
    }

    @Override
    public void listEnterprises(ListEnterprisesRequest request, StreamObserver<ListEnterprisesResponse> observer) {
        asOperator(observer, op -> {
            ListEnterprisesResponse.Builder b = ListEnterprisesResponse.newBuilder();
            for (PrefixAdministration.Enterprise e : administration.enterprises(op)) {
                Enterprise.Builder enterprise = Enterprise.newBuilder().setName(e.name());
                e.prefixes().forEach(p -> enterprise.addPrefixes(prefix(p)));
                b.addEnterprises(enterprise);
            }
            return b.build();
        });
    }

    @Override
    public void issueToken(IssueTokenRequest request, StreamObserver<IssueTokenResponse> observer) {
        asOperator(observer, op -> {
            PrefixAdministration.IssuedToken t = administration.issueToken(op, request.getPrefix(), request.getName(), request.getIdentity());
            return IssueTokenResponse.newBuilder().setToken(t.token()).setIdentity(t.identity()).build();
        });
    }

    @Override
    public void revokeToken(RevokeTokenRequest request, StreamObserver<RevokeTokenResponse> observer) {
        asOperator(observer, op -> {
            administration.revokeToken(op, request.getPrefix(), request.getName());
            return RevokeTokenResponse.getDefaultInstance();
        });
    }

    /** Runs {@code work} on the blocking executor for the authenticated operator; refusals end the call. */
    private <T> void asOperator(StreamObserver<T> observer, Function<PrefixAdministration.Operator, T> work) {
        AdminIdentity who = GrpcAuthenticator.currentIdentity().orElse(null);
        Supplier<T> call = () -> {
            if (who == null) {
                throw GrpcErrors.exception(AbstractMessage.RC_AUTHENTICATION_NEEDED,
                        "operator calls need authorization: Bearer with an operator token (idnode token add <node prefix>)", null);
            }
            try {
                return work.apply(administration.operator(who));
            } catch (AdministrationException e) {
                throw GrpcErrors.exception(code(e.kind()), e.responseCode(), e.getMessage(), prefixHandle(e), e.details());
            }
        };
        Answers.later(blockingWork, observer, call);
    }

    private static Status.Code code(AdministrationException.Kind kind) {
        return switch (kind) {
            case INVALID -> Status.Code.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.Code.NOT_FOUND;
            case ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> Status.Code.FAILED_PRECONDITION;
            case PERMISSION_DENIED -> Status.Code.PERMISSION_DENIED;
        };
    }

    /** The prefix handle a refusal is about, for the ErrorInfo's {@code handle}, when it names a valid prefix. */
    private static String prefixHandle(AdministrationException e) {
        String prefix = e.details().get("prefix");
        if (prefix == null) {
            return null;
        }
        try {
            return HandleName.ofPrefix(prefix).toString();
        } catch (InvalidHandleException x) {
            return null;
        }
    }

    private static PrefixState state(org.idnode.api.v1.PrefixState state) {
        if (state == org.idnode.api.v1.PrefixState.PREFIX_STATE_UNSPECIFIED || state == org.idnode.api.v1.PrefixState.UNRECOGNIZED) {
            throw new AdministrationException(AdministrationException.Kind.INVALID, AbstractMessage.RC_INVALID_VALUE,
                    "a prefix state is needed, one of " + PrefixState.texts() + " (PREFIX_STATE_APPLIED ...)");
        }
        return PrefixState.valueOf(state.name().substring(PROTO_STATE_PREFIX.length()));
    }

    private static Prefix prefix(PrefixInfo p) {
        return Prefix.newBuilder()
                .setPrefix(p.prefix())
                .setEnterprise(p.enterprise())
                .setState(org.idnode.api.v1.PrefixState.valueOf(PROTO_STATE_PREFIX + p.state().name()))
                .setSelfHosted(p.selfHosted())
                .addAllAdmins(p.admins())
                .build();
    }
}
