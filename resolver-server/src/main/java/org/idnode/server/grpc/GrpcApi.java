package org.idnode.server.grpc;

import java.util.concurrent.Executor;

import org.idnode.registry.genealogy.GenealogyTracer;
import org.idnode.registry.template.TemplateCatalog;
import org.idnode.server.admin.PrefixAdministration;
import org.idnode.server.federation.TopLevel;
import org.idnode.server.handler.HandleRequestProcessor;

/**
 * What the gRPC services serve from: the Handle request processor (resolution, authorised writes, batch
 * registration, the store), the genealogy tracer, the template catalog, the operator's prefix administration, and
 * the executor for work that may block (store reads on cache misses, writes), and in the top-level role the
 * {@link TopLevel} parts (null in the secondary role). Immutable; its parts are thread-safe.
 */
public record GrpcApi(HandleRequestProcessor processor, GenealogyTracer tracer, TemplateCatalog templates,
                      PrefixAdministration administration, Executor blockingWork, TopLevel topLevel) {
}
