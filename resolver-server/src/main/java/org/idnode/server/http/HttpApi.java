package org.idnode.server.http;

import java.util.concurrent.Executor;

import org.idnode.registry.genealogy.GenealogyTracer;
import org.idnode.server.auth.HttpAuthenticator;
import org.idnode.server.handler.HandleRequestProcessor;

/**
 * What the HTTP interface serves from: the Handle request processor (REST resolution, native messages,
 * site info, authorised writes), the genealogy tracer, the HTTP authenticator (Basic, Bearer, Handle), and the executor that
 * runs work which may block (store reads and writes).
 */
public record HttpApi(HandleRequestProcessor processor, GenealogyTracer tracer, HttpAuthenticator authenticator, Executor blockingWork) {
}
