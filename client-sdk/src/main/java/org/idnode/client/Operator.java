package org.idnode.client;

import java.util.List;

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
import org.idnode.api.v1.PrefixState;
import org.idnode.api.v1.RevokeTokenRequest;
import org.idnode.api.v1.SetPrefixStateRequest;

/**
 * The node operator's calls (the gRPC {@code AdminService}): enterprises, their prefixes and API tokens. They need an
 * operator token, one issued on the node's own prefix ({@code idnode token add 88.999 --name ops}), given to
 * {@link IdClient.Builder#token(String)}.
 *
 * <p>Reads ({@link #prefix}, {@link #prefixes}, {@link #enterprises}) are retried like other idempotent calls; the
 * changes are not (they move to another node only when the call provably never reached one). Every failure is an
 * {@link IdNodeException}.
 *
 * <p>Thread-safe; obtained from {@link IdClient#operator()} and valid until the client is closed.
 */
public final class Operator {
    private final NodeCalls calls;

    Operator(NodeCalls calls) {
        this.calls = calls;
    }

    /** Creates an enterprise prefix (state ENABLED unless the request says otherwise). */
    public Prefix createPrefix(CreatePrefixRequest request) {
        return IdClient.await(calls.unary(AdminServiceGrpc.getCreatePrefixMethod(), request, false, request.getPrefix()));
    }

    /** One prefix, e.g. {@code "88.999.1"}. */
    public Prefix prefix(String prefix) {
        return IdClient.await(calls.unary(AdminServiceGrpc.getGetPrefixMethod(),
                GetPrefixRequest.newBuilder().setPrefix(prefix).build(), true, prefix));
    }

    /** Moves a prefix to another lifecycle state; the node refuses transitions its lifecycle does not allow. */
    public Prefix setPrefixState(String prefix, PrefixState state) {
        return IdClient.await(calls.unary(AdminServiceGrpc.getSetPrefixStateMethod(),
                SetPrefixStateRequest.newBuilder().setPrefix(prefix).setState(state).build(), false, prefix));
    }

    /** The prefixes of one enterprise; {@code ""} for all. */
    public List<Prefix> prefixes(String enterprise) {
        ListPrefixesResponse r = IdClient.await(calls.unary(AdminServiceGrpc.getListPrefixesMethod(),
                ListPrefixesRequest.newBuilder().setEnterprise(enterprise).build(), true, null));
        return r.getPrefixesList();
    }

    /** Every enterprise with its prefixes. */
    public List<Enterprise> enterprises() {
        ListEnterprisesResponse r = IdClient.await(calls.unary(AdminServiceGrpc.getListEnterprisesMethod(),
                ListEnterprisesRequest.getDefaultInstance(), true, null));
        return r.getEnterprisesList();
    }

    /**
     * Issues an API token for a prefix; the token is in the response only (the node keeps its hash).
     *
     * @param identity the admin identity ({@code index:handle}) it acts as; {@code ""} for the prefix's first admin
     */
    public IssueTokenResponse issueToken(String prefix, String name, String identity) {
        return IdClient.await(calls.unary(AdminServiceGrpc.getIssueTokenMethod(),
                IssueTokenRequest.newBuilder().setPrefix(prefix).setName(name).setIdentity(identity).build(), false, prefix));
    }

    /** Revokes a prefix's token by name. */
    public void revokeToken(String prefix, String name) {
        IdClient.await(calls.unary(AdminServiceGrpc.getRevokeTokenMethod(),
                RevokeTokenRequest.newBuilder().setPrefix(prefix).setName(name).build(), false, prefix));
    }
}
