package org.idnode.registry.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.Permissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Construction rules of {@link Template} and {@link TemplateItem}. */
class TemplateModelTest {

    private static TemplateItem.Builder item(int index, String type, DataType dt) {
        return TemplateItem.builder(index, type, dt).names("名称", "Name");
    }

    private static Template template(TemplateItem... items) {
        return new Template("88.999/TPL.T", "1.0", Template.NODE_WIDE, "test", List.of(items));
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 1001, 1999})
    void reservedIndexesAreRefused(int index) {
        assertThatThrownBy(() -> item(index, "X", DataType.STRING).build())
                .isInstanceOf(InvalidTemplateException.class)
                .hasMessageStartingWith("index: " + index + " is reserved");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 100, 999, 1002, 1500, 1998})
    void indexesBelow2000AreRefused(int index) {
        assertThatThrownBy(() -> item(index, "X", DataType.STRING).build())
                .isInstanceOfSatisfying(InvalidTemplateException.class, e -> {
                    assertThat(e.field()).isEqualTo("index");
                    assertThat(e.problem()).startsWith(index + " is below 2000");
                });
    }

    @Test
    void aPlainItemHasDefaults() {
        TemplateItem i = item(2000, "MANUFACTURER", DataType.STRING).build();
        assertThat(i.index()).isEqualTo(2000);
        assertThat(i.lastIndex()).isEqualTo(2000);
        assertThat(i.maxCount()).isEqualTo(1);
        assertThat(i.required()).isFalse();
        assertThat(i.minLength()).isZero();
        assertThat(i.maxLength()).isEqualTo(TemplateItem.DEFAULT_MAX_LENGTH);
        assertThat(i.publicRead()).isTrue();
        assertThat(i.defaultPermissions()).isEqualTo(Permissions.PUBLIC_READ);
        assertThat(i.enabled()).isTrue();
        assertThat(i.min()).isEmpty();
        assertThat(i.targetTemplate()).isEmpty();
    }

    @Test
    void restrictedItemsDefaultToRestrictedPermissions() {
        TemplateItem i = item(2019, "UNIT_COST", DataType.NUMBER).publicRead(false).build();
        assertThat(i.defaultPermissions()).isEqualTo(Permissions.RESTRICTED);
    }

    @Test
    void typeRules() {
        assertThatThrownBy(() -> item(2000, "", DataType.STRING).build()).hasMessageStartingWith("type: missing");
        assertThatThrownBy(() -> item(2000, null, DataType.STRING).build()).hasMessageStartingWith("type: missing");
        assertThatThrownBy(() -> item(2000, "LAYER COUNT", DataType.STRING).build()).hasMessageStartingWith("type: 'LAYER COUNT' may hold only");
        assertThatThrownBy(() -> item(2000, "HS_ADMIN", DataType.STRING).build()).hasMessageStartingWith("type: HS_ADMIN is reserved");
        assertThatThrownBy(() -> item(2000, "template_id", DataType.STRING).build()).hasMessageStartingWith("type: template_id is reserved");
        assertThatThrownBy(() -> item(2000, "CCL_LOT", DataType.REFERENCE).build())
                .hasMessageStartingWith("type: a reference item's type must start with REF.");
        assertThatThrownBy(() -> item(2000, "REF.", DataType.REFERENCE).build())
                .hasMessageStartingWith("type: a reference item's type must start with REF.");
        assertThatThrownBy(() -> item(2000, "REF.CCL_LOT", DataType.STRING).build())
                .hasMessageStartingWith("type: REF.CCL_LOT starts with REF., which marks genealogy references");
        assertThat(item(2000, "REF.CCL_LOT", DataType.REFERENCE).build().type()).isEqualTo("REF.CCL_LOT");
    }

    @Test
    void namesAreRequired() {
        assertThatThrownBy(() -> TemplateItem.builder(2000, "X", DataType.STRING).names(null, "X").build())
                .hasMessageStartingWith("nameZh: missing");
        assertThatThrownBy(() -> TemplateItem.builder(2000, "X", DataType.STRING).names("名称", " ").build())
                .hasMessageStartingWith("nameEn: missing");
    }

    @Test
    void dataTypeIsRequired() {
        assertThatThrownBy(() -> item(2000, "X", null).build()).hasMessageStartingWith("dataType: missing");
    }

    @Test
    void limitsApplyOnlyToTheirDataType() {
        assertThatThrownBy(() -> item(2000, "X", DataType.NUMBER).maxLength(5).build())
                .hasMessage("maxLength: applies only to string items, not to a number item");
        assertThatThrownBy(() -> item(2000, "X", DataType.DATE).minLength(1).build())
                .hasMessage("minLength: applies only to string items, not to a date item");
        assertThatThrownBy(() -> item(2000, "X", DataType.STRING).min(BigDecimal.ONE).build())
                .hasMessage("min: applies only to number items, not to a string item");
        assertThatThrownBy(() -> item(2000, "X", DataType.STRING).maxDecimals(0).build())
                .hasMessage("maxDecimals: applies only to number items, not to a string item");
        assertThatThrownBy(() -> item(2000, "X", DataType.STRING).targetTemplate("88.999/TPL.A").build())
                .hasMessage("targetTemplate: applies only to reference items, not to a string item");
    }

    @Test
    void limitsMustBeConsistent() {
        assertThatThrownBy(() -> item(2000, "X", DataType.STRING).minLength(10).maxLength(5).build())
                .hasMessage("minLength: 10 is above maxLength 5");
        assertThatThrownBy(() -> item(2000, "X", DataType.STRING).minLength(-1).build()).hasMessage("minLength: -1 is negative");
        assertThatThrownBy(() -> item(2000, "X", DataType.STRING).maxLength(0).build()).hasMessage("maxLength: 0 is below 1");
        assertThatThrownBy(() -> item(2000, "X", DataType.NUMBER).min(new BigDecimal("5")).max(new BigDecimal("1.5")).build())
                .hasMessage("min: 5 is above max 1.5");
        assertThatThrownBy(() -> item(2000, "X", DataType.NUMBER).maxDecimals(-1).build())
                .hasMessageStartingWith("maxDecimals: -1 is out of range");
        assertThatThrownBy(() -> item(2000, "REF.X", DataType.REFERENCE).targetTemplate("no-slash").build())
                .hasMessageStartingWith("targetTemplate: 'no-slash' is not a template handle");
        assertThatThrownBy(() -> item(2000, "X", DataType.STRING).maxCount(0).build())
                .hasMessageStartingWith("maxCount: 0 is out of range");
        assertThatThrownBy(() -> item(Integer.MAX_VALUE, "X", DataType.STRING).maxCount(2).build())
                .hasMessageStartingWith("maxCount: indexes");
    }

    @Test
    void templateFieldsAreChecked() {
        TemplateItem i = item(2000, "X", DataType.STRING).build();
        assertThatThrownBy(() -> new Template(null, "1.0", "node", "", List.of(i))).hasMessageStartingWith("id: missing");
        assertThatThrownBy(() -> new Template("TPL.X", "1.0", "node", "", List.of(i))).hasMessageStartingWith("id: 'TPL.X' is not a handle");
        assertThatThrownBy(() -> new Template("88.999/TPL.X", " ", "node", "", List.of(i))).hasMessageStartingWith("version: missing");
        assertThatThrownBy(() -> new Template("88.999/TPL.X", "1 .0", "node", "", List.of(i))).hasMessageStartingWith("version: '1 .0' contains whitespace");
        assertThatThrownBy(() -> new Template("88.999/TPL.X", "1.0", null, "", List.of(i))).hasMessageStartingWith("owner: missing");
        assertThatThrownBy(() -> new Template("88.999/TPL.X", "1.0", "88..2", "", List.of(i))).hasMessageStartingWith("owner: '88..2' is neither");
        assertThatThrownBy(() -> new Template("88.999/TPL.X", "1.0", "node", "", List.of())).hasMessage("items: a template needs at least one item");
    }

    @Test
    void duplicateIndexIsRefused() {
        assertThatThrownBy(() -> template(item(2000, "A", DataType.STRING).build(), item(2000, "B", DataType.STRING).build()))
                .isInstanceOf(InvalidTemplateException.class)
                .hasMessage("items[1].index: B at index 2000 overlaps A at index 2000");
    }

    @Test
    void overlappingRepeatRangeIsRefused() {
        assertThatThrownBy(() -> template(
                item(2010, "REF.REEL", DataType.REFERENCE).maxCount(5).build(),
                item(2014, "UNIT_COST", DataType.NUMBER).build()))
                .hasMessage("items[1].index: UNIT_COST at index 2014 overlaps REF.REEL at indexes 2010-2014");
        assertThatThrownBy(() -> template(
                item(2014, "UNIT_COST", DataType.NUMBER).build(),
                item(2010, "REF.REEL", DataType.REFERENCE).maxCount(5).build()))
                .hasMessage("items[1].index: REF.REEL at indexes 2010-2014 overlaps UNIT_COST at index 2014");
    }

    @Test
    void duplicateTypeIsRefusedCaseInsensitively() {
        assertThatThrownBy(() -> template(item(2000, "LAYER_COUNT", DataType.NUMBER).build(), item(2001, "layer_count", DataType.NUMBER).build()))
                .isInstanceOfSatisfying(InvalidTemplateException.class, e -> {
                    assertThat(e.field()).isEqualTo("items[1].type");
                    assertThat(e.problem()).startsWith("layer_count is already the type of item 2000");
                });
    }

    @Test
    void itemsAreSortedAndLookedUpByIndexAndType() {
        Template t = template(
                item(2016, "UNIT_COST", DataType.NUMBER).publicRead(false).build(),
                item(2011, "REF.REEL", DataType.REFERENCE).maxCount(5).build(),
                item(2000, "SERIAL", DataType.STRING).required(true).build());
        assertThat(t.items()).extracting(TemplateItem::index).containsExactly(2000, 2011, 2016);
        assertThat(t.itemAt(2000)).map(TemplateItem::type).contains("SERIAL");
        assertThat(t.itemAt(2011)).map(TemplateItem::type).contains("REF.REEL");
        assertThat(t.itemAt(2015)).map(TemplateItem::type).contains("REF.REEL");
        assertThat(t.itemAt(2016)).map(TemplateItem::type).contains("UNIT_COST");
        assertThat(t.itemAt(2001)).isEmpty();
        assertThat(t.itemAt(2017)).isEmpty();
        assertThat(t.itemAt(1999)).isEmpty();
        assertThat(t.itemOfType("ref.reel")).map(TemplateItem::index).contains(2011);
        assertThat(t.id()).isEqualTo(HandleName.parse("88.999/tpl.t"));
        assertThat(t.label()).isEqualTo("88.999/TPL.T version 1.0");
    }

    @Test
    void templateIsImmutable() {
        List<TemplateItem> items = new ArrayList<>(List.of(item(2000, "A", DataType.STRING).build()));
        Template t = new Template("88.999/TPL.T", "1.0", "node", null, items);
        items.add(item(2001, "B", DataType.STRING).build());
        assertThat(t.items()).hasSize(1);
        assertThat(t.description()).isEmpty();
        assertThatThrownBy(() -> t.items().add(item(2002, "C", DataType.STRING).build())).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void ownership() {
        TemplateItem i = item(2000, "A", DataType.STRING).build();
        Template nodeWide = new Template("88.999/TPL.T", "1.0", "node", "", List.of(i));
        Template own = new Template("88.999.2/TPL.T", "1.0", "88.999.2", "", List.of(i));
        assertThat(nodeWide.isNodeWide()).isTrue();
        assertThat(nodeWide.usableUnder("88.999.7")).isTrue();
        assertThat(own.isNodeWide()).isFalse();
        assertThat(own.usableUnder("88.999.2")).isTrue();
        assertThat(own.usableUnder("88.999.2.5")).isTrue();
        assertThat(own.usableUnder("88.999.20")).isFalse();
        assertThat(own.usableUnder("88.999.3")).isFalse();
    }
}
