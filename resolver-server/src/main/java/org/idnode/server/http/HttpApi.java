package org.idnode.server.http;

import java.util.concurrent.Executor;

import org.idnode.registry.genealogy.GenealogyTracer;
import org.idnode.server.admin.PrefixAdministration;
import org.idnode.server.auth.HttpAuthenticator;
import org.idnode.server.federation.SecondaryFederation;
import org.idnode.server.federation.TopLevel;
import org.idnode.server.backup.BackupService;
import org.idnode.server.handler.HandleRequestProcessor;

/**
 * What the HTTP interface serves from: the Handle request processor (REST resolution, native messages,
 * site info, authorised writes), the genealogy tracer, the HTTP authenticator (Basic, Bearer, Handle), the operator's
 * prefix administration, the executor that runs work which may block (store reads and writes), in the top-level role
 * the {@link TopLevel} parts (null in the secondary role), a secondary node's part in the federation (its filing
 * backlog; null or inactive without a top-level node), and the node's online backups (null when it takes none).
 * Immutable; its parts are thread-safe.
 */
public record HttpApi(HandleRequestProcessor processor, GenealogyTracer tracer, HttpAuthenticator authenticator,
                      PrefixAdministration administration, Executor blockingWork, TopLevel topLevel, SecondaryFederation federation,
                      BackupService backups) {

    /** The API of a node in the secondary role without federation or online backups. */
    public HttpApi(HandleRequestProcessor processor, GenealogyTracer tracer, HttpAuthenticator authenticator,
                   PrefixAdministration administration, Executor blockingWork) {
        this(processor, tracer, authenticator, administration, blockingWork, null, null, null);
    }
}
