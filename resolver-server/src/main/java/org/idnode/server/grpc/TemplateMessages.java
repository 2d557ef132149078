package org.idnode.server.grpc;

import java.math.BigDecimal;

import org.idnode.api.v1.ItemDataType;
import org.idnode.registry.template.Template;
import org.idnode.registry.template.TemplateItem;
import org.idnode.registry.template.TemplateJson;

/** Converts templates to {@code idnode.v1} messages, with their definition in the JSON form of {@code conf/templates}. Stateless. */
final class TemplateMessages {
    private TemplateMessages() {
    }

    static org.idnode.api.v1.Template template(Template t) {
        org.idnode.api.v1.Template.Builder b = org.idnode.api.v1.Template.newBuilder()
                .setId(t.id().toString())
                .setVersion(t.version())
                .setOwner(t.owner())
                .setDescription(t.description())
                .setDefinitionJson(TemplateJson.toJson(t));
        for (TemplateItem i : t.items()) {
            b.addItems(item(i));
        }
        return b.build();
    }

    private static org.idnode.api.v1.TemplateItem item(TemplateItem i) {
        return org.idnode.api.v1.TemplateItem.newBuilder()
                .setIndex(i.index())
                .setMaxCount(i.maxCount())
                .setType(i.type())
                .setNameZh(i.nameZh())
                .setNameEn(i.nameEn())
                .setDataType(dataType(i))
                .setRequired(i.required())
                .setMinLength(i.minLength())
                .setMaxLength(i.maxLength())
                .setMin(i.min().map(BigDecimal::toPlainString).orElse(""))
                .setMax(i.max().map(BigDecimal::toPlainString).orElse(""))
                .setMaxDecimals(i.maxDecimals().orElse(-1))
                .setTargetTemplate(i.targetTemplate().map(Object::toString).orElse(""))
                .setPublicRead(i.publicRead())
                .setEnabled(i.enabled())
                .build();
    }

    private static ItemDataType dataType(TemplateItem i) {
        return switch (i.dataType()) {
            case STRING -> ItemDataType.ITEM_DATA_TYPE_STRING;
            case NUMBER -> ItemDataType.ITEM_DATA_TYPE_NUMBER;
            case DATE -> ItemDataType.ITEM_DATA_TYPE_DATE;
            case REFERENCE -> ItemDataType.ITEM_DATA_TYPE_REFERENCE;
        };
    }
}
