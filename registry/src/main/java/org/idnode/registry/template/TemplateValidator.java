package org.idnode.registry.template;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.registry.write.FieldProblem;
import org.idnode.registry.write.RecordValidator;

/**
 * Refuses records that break their template, with one message per offending field, each naming the index,
 * the type and what is wrong: {@code 2005 LAYER_COUNT: "four" is not a number}. Apart from quoted data, messages
 * hold no {@code "; "}, the separator {@link org.idnode.registry.write.HandleWriter} joins them with.
 *
 * <ul>
 *   <li>A record without a value at index 1000 is not bound to a template: it passes.</li>
 *   <li>A bound record holds {@code TEMPLATE_ID} (the template's handle) at 1000 and {@code TEMPLATE} (its
 *       version) at 1001, and must name a template version of the catalog that its prefix may use.</li>
 *   <li>Indexes 1 to 999 are free (URL, DESC, EMAIL, HS_ADMIN, …); 1002 to 1999 are reserved.</li>
 *   <li>Every value from index 2000 must sit at the index of an enabled item, with the item's type, and
 *       its data (UTF-8 text) must fit the item's data type and limits.</li>
 *   <li>Every enabled required item must be present.</li>
 * </ul>
 *
 * Reference targets are checked for syntax only: the validator never reads the store or the network.
 * Thread-safe; the catalog is read through a supplier on every call, so a node can swap in a reloaded one.
 */
public final class TemplateValidator implements RecordValidator {
    private static final Pattern PLAIN_DECIMAL = Pattern.compile("-?\\d+(\\.\\d+)?");
    private static final Pattern DATE_SYNTAX = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final int QUOTE_LIMIT = 64;
    private static final int MAX_NUMBER_CHARS = 200;

    private final Supplier<TemplateCatalog> catalog;

    /** Validates against a fixed catalog. */
    public TemplateValidator(TemplateCatalog catalog) {
        Objects.requireNonNull(catalog, "catalog");
        this.catalog = () -> catalog;
    }

    /** Validates against whatever catalog {@code catalog} returns at the time (e.g. an {@code AtomicReference::get}). */
    public TemplateValidator(Supplier<TemplateCatalog> catalog) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
    }

    @Override
    public List<String> problems(HandleRecord record) {
        return fieldProblems(record).stream().map(FieldProblem::text).toList();
    }

    @Override
    public List<FieldProblem> fieldProblems(HandleRecord record) {
        HandleValue idValue = null;
        HandleValue versionValue = null;
        for (HandleValue v : record.values()) {
            if (v.index() == TemplateItem.TEMPLATE_ID_INDEX) {
                idValue = v;
            } else if (v.index() == TemplateItem.TEMPLATE_VERSION_INDEX) {
                versionValue = v;
            }
        }
        if (idValue == null) {
            // A record naming a template version but not the template: refused, so that removing index 1000
            // cannot take a bound record out of its template's checks.
            return versionValue == null ? List.of() : List.of(problem(versionValue,
                    "a record that names a template version at 1001 must name its template at 1000 " + TemplateItem.TEMPLATE_ID_TYPE));
        }
        if (!idValue.type().equals(TemplateItem.TEMPLATE_ID_TYPE)) {
            return List.of(problem(idValue, "index 1000 is reserved for " + TemplateItem.TEMPLATE_ID_TYPE + ", the template the record uses"));
        }
        String idText = utf8(idValue);
        HandleName id;
        try {
            id = HandleName.parse(idText);
        } catch (InvalidHandleException e) {
            return List.of(problem(idValue, quote(idText) + " is not a template handle: " + e.getMessage()));
        }
        if (versionValue == null) {
            return List.of(new FieldProblem(TemplateItem.TEMPLATE_VERSION_INDEX, TemplateItem.TEMPLATE_VERSION_TYPE,
                    "missing (a record bound to template " + id + " names the template version at index 1001)"));
        }
        if (!versionValue.type().equals(TemplateItem.TEMPLATE_VERSION_TYPE)) {
            return List.of(problem(versionValue, "index 1001 is reserved for " + TemplateItem.TEMPLATE_VERSION_TYPE + ", the template version"));
        }
        String version = utf8(versionValue);
        TemplateCatalog templates = catalog.get();
        Optional<Template> found = version == null ? Optional.empty() : templates.find(id, version);
        if (found.isEmpty()) {
            List<String> known = templates.versions(id);
            return List.of(problem(idValue, "unknown template " + id + " version " + (version == null ? "(not UTF-8)" : version)
                    + (known.isEmpty() ? "" : " (known versions: " + String.join(", ", known) + ")")));
        }
        return check(record, found.get());
    }

    private static List<FieldProblem> check(HandleRecord record, Template template) {
        List<FieldProblem> out = new ArrayList<>();
        String prefix = record.handle().namedPrefix();
        if (!template.usableUnder(prefix)) {
            out.add(new FieldProblem(TemplateItem.TEMPLATE_ID_INDEX, TemplateItem.TEMPLATE_ID_TYPE,
                    "template " + template.label() + " belongs to enterprise prefix " + template.owner()
                    + ", so records under " + prefix + " may not use it"));
        }
        Set<TemplateItem> present = Collections.newSetFromMap(new IdentityHashMap<>());
        for (HandleValue v : record.values()) {
            int i = v.index();
            if (i < TemplateItem.TEMPLATE_ID_INDEX || i == TemplateItem.TEMPLATE_ID_INDEX || i == TemplateItem.TEMPLATE_VERSION_INDEX) {
                continue;
            }
            if (i < TemplateItem.FIRST_ITEM_INDEX) {
                out.add(problem(v, "index " + i + " is reserved in a record bound to a template (free values use 1 to 999, template items 2000 and above)"));
                continue;
            }
            Optional<TemplateItem> at = template.itemAt(i);
            if (at.isEmpty()) {
                out.add(problem(v, "template " + template.label() + " has no item at index " + i + elsewhere(template, v.type())));
                continue;
            }
            TemplateItem item = at.get();
            present.add(item);
            if (!item.type().equals(v.type())) {
                out.add(problem(v, "index " + i + " holds " + item.type() + " in template " + template.label()
                        + ", not " + v.type() + elsewhere(template, v.type())));
                continue;
            }
            if (!item.enabled()) {
                out.add(problem(v, "the item is disabled in template " + template.label()));
                continue;
            }
            String problem = checkData(item, v);
            if (problem != null) {
                out.add(problem(v, problem));
            }
        }
        for (TemplateItem item : template.items()) {
            if (item.enabled() && item.required() && !present.contains(item)) {
                out.add(new FieldProblem(item.index(), item.type(), "required by template " + template.label() + " but missing"));
            }
        }
        out.sort(Comparator.comparingInt(FieldProblem::index));
        return out;
    }

    /** A hint when a misplaced type is an item at another index. */
    private static String elsewhere(Template template, String type) {
        return template.itemOfType(type)
                .filter(item -> item.type().equals(type))
                .map(item -> " (" + type + " belongs at " + (item.maxCount() == 1 ? "index " + item.index()
                        : "indexes " + item.index() + "-" + item.lastIndex()) + ")")
                .orElse("");
    }

    /** What is wrong with a value's data for this item, or null. */
    private static String checkData(TemplateItem item, HandleValue v) {
        String text = utf8(v);
        if (text == null) {
            return "the value is not valid UTF-8 text";
        }
        switch (item.dataType()) {
            case STRING: {
                int length = text.codePointCount(0, text.length());
                if (length == 0 && item.required()) {
                    return "required but empty";
                }
                if (length < item.minLength()) {
                    return quote(text) + " is " + length + " characters long, fewer than the minimum of " + item.minLength();
                }
                if (length > item.maxLength()) {
                    return "the value is " + length + " characters long, more than the maximum of " + item.maxLength();
                }
                return null;
            }
            case NUMBER: {
                if (text.length() > MAX_NUMBER_CHARS) {
                    return "the value is " + text.length() + " characters long, too long for a number";
                }
                if (!PLAIN_DECIMAL.matcher(text).matches()) {
                    return quote(text) + " is not a number";
                }
                BigDecimal n = new BigDecimal(text);
                if (item.min().isPresent() && n.compareTo(item.min().get()) < 0) {
                    return text + " is below the minimum of " + item.min().get().toPlainString();
                }
                if (item.max().isPresent() && n.compareTo(item.max().get()) > 0) {
                    return text + " is above the maximum of " + item.max().get().toPlainString();
                }
                if (item.maxDecimals().isPresent() && n.scale() > item.maxDecimals().getAsInt()) {
                    int allowed = item.maxDecimals().getAsInt();
                    return text + (allowed == 0 ? " is not a whole number"
                            : " has " + n.scale() + " digits after the decimal point, more than the maximum of " + allowed);
                }
                return null;
            }
            case DATE: {
                if (!DATE_SYNTAX.matcher(text).matches()) {
                    return quote(text) + " is not a date written YYYY-MM-DD";
                }
                try {
                    LocalDate.of(Integer.parseInt(text.substring(0, 4)), Integer.parseInt(text.substring(5, 7)), Integer.parseInt(text.substring(8, 10)));
                } catch (DateTimeException e) {
                    return quote(text) + " is not a valid calendar date (YYYY-MM-DD)";
                }
                return null;
            }
            case REFERENCE: {
                try {
                    HandleName.parse(text);
                } catch (InvalidHandleException e) {
                    return quote(text) + " is not a handle: " + e.getMessage();
                }
                return null;
            }
            default:
                throw new IllegalStateException("unhandled data type " + item.dataType());
        }
    }

    private static FieldProblem problem(HandleValue v, String message) {
        return new FieldProblem(v.index(), v.type(), message);
    }

    /** The value's data as strict UTF-8 text, or null when it is not UTF-8. */
    private static String utf8(HandleValue v) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(v.data()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The text in double quotes, control characters escaped, cut after {@value #QUOTE_LIMIT} code points. */
    private static String quote(String text) {
        StringBuilder sb = new StringBuilder("\"");
        int count = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (++count > QUOTE_LIMIT) {
                sb.append('…');
                break;
            }
            if (cp == '"' || cp == '\\') {
                sb.append('\\').appendCodePoint(cp);
            } else if (Character.isISOControl(cp)) {
                sb.append(String.format("\\u%04x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        }
        return sb.append('"').toString();
    }
}
