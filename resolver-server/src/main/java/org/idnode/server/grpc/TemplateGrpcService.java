package org.idnode.server.grpc;

import java.util.List;
import java.util.Optional;

import io.grpc.stub.StreamObserver;
import net.handle.hdllib.AbstractMessage;
import org.idnode.api.v1.GetTemplateRequest;
import org.idnode.api.v1.ListTemplatesRequest;
import org.idnode.api.v1.ListTemplatesResponse;
import org.idnode.api.v1.TemplateServiceGrpc;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.registry.template.Template;
import org.idnode.registry.template.TemplateCatalog;

/**
 * {@code idnode.v1.TemplateService}: the node's template catalog, read-only and open to every caller. The catalog
 * is in memory, so calls are answered on the event loop. Thread-safe.
 */
final class TemplateGrpcService extends TemplateServiceGrpc.TemplateServiceImplBase {
    private final TemplateCatalog templates;

    TemplateGrpcService(TemplateCatalog templates) {
        this.templates = templates;
    }

    /** Every template version, or those usable under {@code prefix} (node-wide ones and the prefix's own). */
    @Override
    public void listTemplates(ListTemplatesRequest request, StreamObserver<ListTemplatesResponse> observer) {
        Answers.now(observer, () -> {
            String prefix = request.getPrefix();
            if (!prefix.isEmpty()) {
                try {
                    HandleName.checkPrefix(prefix);
                } catch (InvalidHandleException e) {
                    throw GrpcErrors.exception(AbstractMessage.RC_INVALID_HANDLE, e.getMessage(), null);
                }
            }
            ListTemplatesResponse.Builder b = ListTemplatesResponse.newBuilder();
            for (Template t : templates.templates()) {
                if (prefix.isEmpty() || t.usableUnder(prefix)) {
                    b.addTemplates(TemplateMessages.template(t));
                }
            }
            return b.build();
        });
    }

    /** One template version; the latest when no version is named. */
    @Override
    public void getTemplate(GetTemplateRequest request, StreamObserver<org.idnode.api.v1.Template> observer) {
        Answers.now(observer, () -> {
            HandleName id;
            try {
                id = HandleName.parse(request.getId());
            } catch (InvalidHandleException e) {
                throw GrpcErrors.exception(AbstractMessage.RC_INVALID_HANDLE, "template id: " + e.getMessage(), request.getId());
            }
            Optional<Template> found = request.getVersion().isEmpty() ? templates.latest(id) : templates.find(id, request.getVersion());
            if (found.isEmpty()) {
                List<String> known = templates.versions(id);
                throw GrpcErrors.exception(AbstractMessage.RC_HANDLE_NOT_FOUND, "no template " + id
                        + (request.getVersion().isEmpty() ? "" : " version " + request.getVersion())
                        + (known.isEmpty() ? "" : " (known versions: " + String.join(", ", known) + ")"), id.toString());
            }
            return TemplateMessages.template(found.get());
        });
    }
}
