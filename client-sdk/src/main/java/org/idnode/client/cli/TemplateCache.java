package org.idnode.client.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.grpc.Status;
import org.idnode.api.v1.Template;
import org.idnode.client.IdClient;
import org.idnode.client.IdNodeException;

/** Templates fetched from the node once per import, unknown ones included. Not thread-safe. */
final class TemplateCache {
    private final Function<TemplateRef, Template> fetch;
    private final Map<TemplateRef, Optional<Template>> cache = new HashMap<>();

    TemplateCache(IdClient client) {
        this(ref -> client.template(ref.id(), ref.versionOrLatest()));
    }

    TemplateCache(Function<TemplateRef, Template> fetch) {
        this.fetch = fetch;
    }

    /** The template, or empty when the node does not know it; other failures are thrown. */
    Optional<Template> get(TemplateRef ref) {
        Optional<Template> t = cache.get(ref);
        if (t == null) {
            try {
                t = Optional.of(fetch.apply(ref));
            } catch (IdNodeException e) {
                if (e.code() != Status.Code.NOT_FOUND) {
                    throw e;
                }
                t = Optional.empty();
            }
            cache.put(ref, t);
        }
        return t;
    }
}
