package org.idnode.server.http;

import java.util.concurrent.Executor;

import org.idnode.registry.genealogy.GenealogyTracer;
import org.idnode.server.admin.PrefixAdministration;
import org.idnode.server.auth.HttpAuthenticator;
import org.idnode.server.backup.BackupService;
import org.idnode.server.handler.HandleRequestProcessor;

/**
 * What the HTTP interface serves from: the Handle request processor (REST resolution, native messages,
 * site info, authorised writes), the genealogy tracer, the HTTP authenticator (Basic, Bearer, Handle), the operator's
 * prefix administration, the executor that runs work which may block (store reads and writes), and the node's online
 * backups (null when it takes none). Immutable; its parts are thread-safe.
 */
public record HttpApi(HandleRequestProcessor processor, GenealogyTracer tracer, HttpAuthenticator authenticator,
                      PrefixAdministration administration, Executor blockingWork, BackupService backups) {
    /** Without online backups. */
    public HttpApi(HandleRequestProcessor processor, GenealogyTracer tracer, HttpAuthenticator authenticator,
                   PrefixAdministration administration, Executor blockingWork) {
        this(processor, tracer, authenticator, administration, blockingWork, null);
    }
}
