package org.idnode.registry.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped sample data ({@code conf/sample-data/pcb-sample.jsonl}) conforms to the shipped templates. */
class ShippedSampleDataTest {
    private static TemplateCatalog catalog;
    private static List<HandleRecord> records;

    @BeforeAll
    static void load() throws IOException {
        catalog = TemplateCatalog.load(SampleData.templatesDir());
        records = SampleData.pcbSample();
    }

    private static Optional<Template> templateOf(HandleRecord r) {
        String id = null;
        String version = null;
        for (HandleValue v : r.values()) {
            if (v.index() == TemplateItem.TEMPLATE_ID_INDEX) {
                id = new String(v.data(), StandardCharsets.UTF_8);
            } else if (v.index() == TemplateItem.TEMPLATE_VERSION_INDEX) {
                version = new String(v.data(), StandardCharsets.UTF_8);
            }
        }
        return id == null ? Optional.empty() : catalog.find(id, version);
    }

    private static boolean bound(HandleRecord r) {
        return r.values().stream().anyMatch(v -> v.index() == TemplateItem.TEMPLATE_ID_INDEX);
    }

    @Test
    void everyTemplateBoundRecordValidates() {
        TemplateValidator validator = new TemplateValidator(catalog);
        Map<String, Integer> perTemplate = new HashMap<>();
        for (HandleRecord r : records) {
            assertThat(validator.problems(r)).as("%s", r.handle()).isEmpty();
            if (bound(r)) {
                perTemplate.merge(templateOf(r).orElseThrow().id().toString(), 1, Integer::sum);
            }
        }
        assertThat(records).hasSize(44);
        assertThat(perTemplate).containsOnly(
                Map.entry("88.999/TPL.CCL_LOT", 6),
                Map.entry("88.999/TPL.PCB_LOT", 6),
                Map.entry("88.999/TPL.PCB_PANEL", 4),
                Map.entry("88.999/TPL.COMPONENT_REEL", 10),
                Map.entry("88.999/TPL.PCBA_UNIT", 10));
    }

    @Test
    void everyShippedTemplateIsUsedAndEveryItemAppears() {
        Map<Template, Set<TemplateItem>> used = new HashMap<>();
        for (HandleRecord r : records) {
            templateOf(r).ifPresent(t -> {
                for (HandleValue v : r.values()) {
                    t.itemAt(v.index()).ifPresent(i -> used.computeIfAbsent(t, k -> new HashSet<>()).add(i));
                }
            });
        }
        for (Template t : catalog.templates()) {
            assertThat(used.get(t)).as(t.label()).containsExactlyInAnyOrderElementsOf(t.items());
        }
    }

    @Test
    void permissionsFollowTheItemsPublicReadDefault() {
        int restricted = 0;
        for (HandleRecord r : records) {
            Optional<Template> t = templateOf(r);
            for (HandleValue v : r.values()) {
                Optional<TemplateItem> item = t.flatMap(x -> x.itemAt(v.index()));
                if (item.isPresent()) {
                    assertThat(v.permissions()).as("%s %d %s", r.handle(), v.index(), v.type()).isEqualTo(item.get().defaultPermissions());
                }
                if (!v.permissions().publicRead()) {
                    restricted++;
                }
            }
        }
        assertThat(restricted).isEqualTo(43);
    }

    @Test
    void everyReferencePointsAtARecordOfTheTargetTemplate() {
        Map<HandleName, HandleRecord> byHandle = new HashMap<>();
        records.forEach(r -> byHandle.put(r.handle(), r));
        int edges = 0;
        for (HandleRecord r : records) {
            Optional<Template> t = templateOf(r);
            for (HandleValue v : r.values()) {
                Optional<TemplateItem> item = t.flatMap(x -> x.itemAt(v.index()));
                if (item.isEmpty() || item.get().dataType() != DataType.REFERENCE || !item.get().type().equals(v.type())) {
                    continue;
                }
                HandleName target = HandleName.parse(new String(v.data(), StandardCharsets.UTF_8));
                HandleRecord targetRecord = byHandle.get(target);
                assertThat(targetRecord).as("%s %d -> %s", r.handle(), v.index(), target).isNotNull();
                assertThat(templateOf(targetRecord).map(Template::id)).as("%s %d -> %s", r.handle(), v.index(), target)
                        .isEqualTo(item.get().targetTemplate());
                edges++;
            }
            // Every genealogy edge the store will index is a reference item of the template.
            long refValues = r.values().stream().filter(v -> v.type().startsWith("REF.")).count();
            long refItems = r.values().stream().filter(v -> t.flatMap(x -> x.itemAt(v.index()))
                    .filter(i -> i.dataType() == DataType.REFERENCE).isPresent()).count();
            assertThat(refItems).as("%s", r.handle()).isEqualTo(refValues);
        }
        assertThat(edges).isGreaterThan(60);
    }
}
