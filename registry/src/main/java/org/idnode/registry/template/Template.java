package org.idnode.registry.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.InvalidHandleException;

/**
 * One version of an identifier metadata template (national-system.md §2.4): its id (the template's
 * handle, such as {@code 88.999/TPL.PCB_LOT}), version, owner, description and items. A record binds
 * itself to a template version with {@code TEMPLATE_ID} = id at index 1000 and {@code TEMPLATE} = version
 * at index 1001.
 *
 * <p>The owner is either {@value #NODE_WIDE} (every enterprise on the node may use the template) or an
 * enterprise prefix such as {@code 88.999.2} (only records under that prefix, or prefixes derived from it,
 * may use it).
 *
 * <p>Immutable and thread-safe; checked on construction: no two items share an index or a type (type
 * names compared ASCII case-insensitively), and items are listed in index order.
 */
public final class Template {
    /** The owner of templates every enterprise on the node may use. */
    public static final String NODE_WIDE = "node";
    /** Longest version string (SNMS allows 128). */
    public static final int MAX_VERSION_LENGTH = 128;

    private final HandleName id;
    private final String version;
    private final String owner;
    private final String description;
    private final List<TemplateItem> items;
    private final NavigableMap<Integer, TemplateItem> byIndex;
    private final Map<String, TemplateItem> byType;

    /**
     * @param id          the template handle, e.g. {@code 88.999/TPL.PCB_LOT}
     * @param version     e.g. {@code 1.0}; compared exactly
     * @param owner       {@value #NODE_WIDE} or an enterprise prefix
     * @param description free text, may be null
     * @param items       at least one item
     * @throws InvalidTemplateException naming the first offending field ({@code id}, {@code items[2].index}, …)
     */
    public Template(String id, String version, String owner, String description, List<TemplateItem> items) {
        if (id == null || id.isEmpty()) {
            throw new InvalidTemplateException("id", "missing; a template id is a handle such as 88.999/TPL.PCB_LOT");
        }
        try {
            this.id = HandleName.parse(id);
        } catch (InvalidHandleException e) {
            throw new InvalidTemplateException("id", "'" + id + "' is not a handle: " + e.getMessage());
        }
        this.version = checkVersion(version);
        this.owner = checkOwner(owner);
        this.description = description == null ? "" : description;
        if (items == null || items.isEmpty()) {
            throw new InvalidTemplateException("items", "a template needs at least one item");
        }
        NavigableMap<Integer, TemplateItem> idx = new TreeMap<>();
        Map<String, TemplateItem> types = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            TemplateItem item = items.get(i);
            if (item == null) {
                throw new InvalidTemplateException("items[" + i + "]", "missing");
            }
            Map.Entry<Integer, TemplateItem> below = idx.floorEntry(item.lastIndex());
            if (below != null && below.getValue().lastIndex() >= item.index()) {
                TemplateItem other = below.getValue();
                throw new InvalidTemplateException("items[" + i + "].index", item.type() + " at " + describeIndexes(item) + " overlaps "
                        + other.type() + " at " + describeIndexes(other));
            }
            TemplateItem sameType = types.putIfAbsent(HandleName.asciiUpperCase(item.type()), item);
            if (sameType != null) {
                throw new InvalidTemplateException("items[" + i + "].type", item.type() + " is already the type of item " + sameType.index()
                        + "; a type appears once per template (use maxCount for repeated values)");
            }
            idx.put(item.index(), item);
        }
        List<TemplateItem> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparingInt(TemplateItem::index));
        this.items = List.copyOf(sorted);
        this.byIndex = Collections.unmodifiableNavigableMap(idx);
        this.byType = Map.copyOf(types);
    }

    private static String describeIndexes(TemplateItem item) {
        return item.maxCount() == 1 ? "index " + item.index() : "indexes " + item.index() + "-" + item.lastIndex();
    }

    private static String checkVersion(String version) {
        if (version == null || version.isBlank()) {
            throw new InvalidTemplateException("version", "missing; e.g. \"1.0\"");
        }
        if (version.length() > MAX_VERSION_LENGTH) {
            throw new InvalidTemplateException("version", "longer than " + MAX_VERSION_LENGTH + " characters");
        }
        for (int i = 0; i < version.length(); i++) {
            char c = version.charAt(i);
            if (Character.isISOControl(c) || Character.isWhitespace(c)) {
                throw new InvalidTemplateException("version", "'" + version + "' contains whitespace or a control character");
            }
        }
        return version;
    }

    private static String checkOwner(String owner) {
        if (owner == null || owner.isEmpty()) {
            throw new InvalidTemplateException("owner", "missing; use \"" + NODE_WIDE + "\" or an enterprise prefix such as 88.999.2");
        }
        if (owner.equals(NODE_WIDE)) {
            return owner;
        }
        try {
            HandleName.checkPrefix(owner);
        } catch (InvalidHandleException e) {
            throw new InvalidTemplateException("owner", "'" + owner + "' is neither \"" + NODE_WIDE + "\" nor an enterprise prefix: " + e.getMessage());
        }
        return owner;
    }

    /** The template's handle, e.g. {@code 88.999/TPL.PCB_LOT} (compared ASCII case-insensitively). */
    public HandleName id() {
        return id;
    }

    public String version() {
        return version;
    }

    /** {@value #NODE_WIDE} or the owning enterprise prefix. */
    public String owner() {
        return owner;
    }

    public boolean isNodeWide() {
        return owner.equals(NODE_WIDE);
    }

    /**
     * Whether records under {@code prefix} (e.g. {@code 88.999.2}) may use this template: always for a
     * node-wide template, otherwise when the prefix is the owner's or derived from it.
     */
    public boolean usableUnder(String prefix) {
        return isNodeWide() || HandleName.isSameOrDerivedPrefix(prefix, owner);
    }

    public String description() {
        return description;
    }

    /** The items in index order. */
    public List<TemplateItem> items() {
        return items;
    }

    /** The item occupying index {@code i} (repeatable items occupy several), if any. */
    public Optional<TemplateItem> itemAt(int i) {
        Map.Entry<Integer, TemplateItem> e = byIndex.floorEntry(i);
        return e != null && e.getValue().occupies(i) ? Optional.of(e.getValue()) : Optional.empty();
    }

    /** The item with this type name (ASCII case-insensitive), if any. */
    public Optional<TemplateItem> itemOfType(String type) {
        return Optional.ofNullable(byType.get(HandleName.asciiUpperCase(type)));
    }

    /** {@code id version}, as messages name a template. */
    public String label() {
        return id + " version " + version;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Template t && t.id.toString().equals(id.toString()) && t.version.equals(version)
                && t.owner.equals(owner) && t.description.equals(description) && t.items.equals(items);
    }

    @Override
    public int hashCode() {
        return 31 * id.hashCode() + version.hashCode();
    }

    @Override
    public String toString() {
        return "Template[" + label() + ", owner " + owner + ", " + items.size() + " items]";
    }
}
