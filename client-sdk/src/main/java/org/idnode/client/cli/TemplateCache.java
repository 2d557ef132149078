package org.idnode.client.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.grpc.Status;
import org.idnode.api.v1.Template;
import org.idnode.client.IdClient;
import org.idnode.client.IdNodeException;

/** Templates fetched once per import, unknown ones included. Not thread-safe. */
final class TemplateCache {
    private final Function<TemplateRef, Optional<Template>> fetch;
    private final Map<TemplateRef, Optional<Template>> cache = new HashMap<>();

    /** Templates from the node; other failures than "no such template" are thrown. */
    static TemplateCache of(IdClient client) {
        return new TemplateCache(ref -> {
            try {
                return Optional.of(client.template(ref.id(), ref.versionOrLatest()));
            } catch (IdNodeException e) {
                if (e.code() == Status.Code.NOT_FOUND) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    /** Templates from {@code fetch}, which answers empty for a template it does not know. */
    TemplateCache(Function<TemplateRef, Optional<Template>> fetch) {
        this.fetch = fetch;
    }

    /** The template, or empty when it is unknown. */
    Optional<Template> get(TemplateRef ref) {
        return cache.computeIfAbsent(ref, fetch);
    }
}
