/**
 * Identifier metadata templates (national-system.md §2.4): versioned lists of typed items that a record
 * binds itself to with {@code TEMPLATE_ID} at index 1000 and {@code TEMPLATE} (the version) at index 1001.
 *
 * <ul>
 *   <li>{@link org.idnode.registry.template.Template} and {@link org.idnode.registry.template.TemplateItem}:
 *       the immutable model, checked on construction;</li>
 *   <li>{@link org.idnode.registry.template.TemplateCatalog}: an immutable snapshot of template versions,
 *       loaded from a folder of JSON files (format: {@code conf/templates/README.md});</li>
 *   <li>{@link org.idnode.registry.template.TemplateValidator}: the
 *       {@link org.idnode.registry.write.RecordValidator} that refuses records breaking their template,
 *       with one message per offending field.</li>
 * </ul>
 */
package org.idnode.registry.template;
