package org.idnode.server.http;

import java.util.concurrent.Executor;

import org.idnode.registry.genealogy.GenealogyTracer;
import org.idnode.server.handler.HandleRequestProcessor;

/**
 * What the HTTP interface serves from: the Handle request processor (REST resolution, native messages,
 * site info), the genealogy tracer, and the executor that runs work which may block (store reads for traces).
 */
public record HttpApi(HandleRequestProcessor processor, GenealogyTracer tracer, Executor blockingWork) {
}
