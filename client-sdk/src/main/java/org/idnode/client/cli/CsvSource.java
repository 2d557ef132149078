package org.idnode.client.cli;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.protobuf.ByteString;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.Template;
import org.idnode.api.v1.TemplateItem;

/**
 * A CSV file (RFC 4180, UTF-8) of records bound to templates. The header row names the columns:
 * <ul>
 * <li>{@code handle}: the identifier (required);
 * <li>{@code template}: the template as {@code ID} or {@code ID@VERSION} (optional; else {@code --template});
 * <li>a template item's type, e.g. {@code CUSTOMER_PN} or {@code REF.CCL_LOT}: the value at the item's index, with
 * the item's default access; a repeated item ({@code maxCount} &gt; 1) takes as many columns of the same name, the
 * k-th at the item's index + k - 1;
 * <li>{@code INDEX:TYPE}, e.g. {@code 1:URL}: a public value outside the template.
 * </ul>
 * An empty cell gives no value. Every record also gets its template binding (1000 {@code TEMPLATE_ID}, 1001
 * {@code TEMPLATE}). A row that cannot be made into a record is refused with its line number; a malformed file (an
 * unclosed quote, bytes that are not UTF-8) stops the reading there.
 */
final class CsvSource implements RecordSource {
    static final int TTL = 86400;
    private static final Pattern FREE_COLUMN = Pattern.compile("(\\d{1,9}):(\\S+)");

    private final CountingStream counter;
    private final CSVParser parser;
    private final Iterator<CSVRecord> rows;
    private final TemplateCache templates;
    private final TemplateRef defaultTemplate;
    private final List<Column> columns = new ArrayList<>();
    private final Map<TemplateRef, Layout> layouts = new HashMap<>();
    private int handleColumn = -1;
    private int templateColumn = -1;
    private String stoppedBecause;
    private boolean done;

    private enum Kind { HANDLE, TEMPLATE, ITEM, FREE }

    /** A header column: an item's type (and which of its repeated columns this is) or a free index:type. */
    private record Column(int position, String name, Kind kind, String type, int occurrence, int freeIndex) {
    }

    /** Where each column's cells go under one template: the item per column, or why the column does not fit. */
    private record Layout(Template template, TemplateItem[] items, int[] indexes, String[] problems) {
    }

    /**
     * Opens the file and reads its header.
     *
     * @throws UsageException when the header cannot be used (no handle column, a column the template lacks, ...)
     */
    CsvSource(Path file, TemplateRef defaultTemplate, TemplateCache templates) throws IOException {
        this.templates = templates;
        this.defaultTemplate = defaultTemplate;
        counter = new CountingStream(Files.newInputStream(file));
        Reader reader = new InputStreamReader(counter, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
        parser = CSVParser.builder().setReader(reader)
                .setFormat(CSVFormat.RFC4180.builder().setIgnoreEmptyLines(false).get()).get();
        rows = parser.iterator();
        try {
            readHeader();
        } catch (RuntimeException e) {
            parser.close();
            throw e;
        }
    }

    private void readHeader() {
        CSVRecord header;
        try {
            header = rows.next();
        } catch (NoSuchElementException e) {
            throw new UsageException("the CSV file is empty: it needs a header row naming its columns");
        } catch (UncheckedIOException e) {
            throw new UsageException("the CSV header cannot be read: " + e.getCause().getMessage());
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i).trim();
            if (i == 0 && name.startsWith("\uFEFF")) {
                name = name.substring(1).trim();
            }
            String upper = name.toUpperCase(Locale.ROOT);
            Matcher free = FREE_COLUMN.matcher(name);
            if (name.isEmpty()) {
                throw new UsageException("CSV header: column " + (i + 1) + " has no name");
            } else if (upper.equals("HANDLE")) {
                if (handleColumn >= 0) {
                    throw new UsageException("CSV header: two 'handle' columns");
                }
                handleColumn = i;
                columns.add(new Column(i, name, Kind.HANDLE, null, 0, 0));
            } else if (upper.equals("TEMPLATE")) {
                if (templateColumn >= 0) {
                    throw new UsageException("CSV header: two 'template' columns");
                }
                templateColumn = i;
                columns.add(new Column(i, name, Kind.TEMPLATE, null, 0, 0));
            } else if (free.matches()) {
                columns.add(new Column(i, name, Kind.FREE, free.group(2), 0, Integer.parseInt(free.group(1))));
            } else {
                int occurrence = seen.merge(upper, 1, Integer::sum) - 1;
                columns.add(new Column(i, name, Kind.ITEM, upper, occurrence, 0));
            }
        }
        if (handleColumn < 0) {
            throw new UsageException("CSV header: no 'handle' column (the columns are " + header.toList() + ")");
        }
        boolean hasItems = columns.stream().anyMatch(c -> c.kind() == Kind.ITEM);
        if (hasItems && templateColumn < 0 && defaultTemplate == null) {
            throw new UsageException("CSV header: the columns name template items but no template is given "
                    + "(use --template ID@VERSION or a 'template' column)");
        }
        if (defaultTemplate != null) {
            Template t = templates.get(defaultTemplate)
                    .orElseThrow(() -> new UsageException("--template " + defaultTemplate + ": the node has no such template"));
            Layout layout = layout(defaultTemplate, t);
            List<String> problems = new ArrayList<>();
            for (String p : layout.problems()) {
                if (p != null) {
                    problems.add(p);
                }
            }
            if (!problems.isEmpty() && templateColumn < 0) {
                throw new UsageException("CSV header does not fit template " + t.getId() + "@" + t.getVersion() + ": "
                        + String.join("; ", problems));
            }
        }
    }

    private Layout layout(TemplateRef ref, Template t) {
        Layout l = layouts.get(ref);
        if (l != null) {
            return l;
        }
        Map<String, TemplateItem> byType = new HashMap<>();
        for (TemplateItem item : t.getItemsList()) {
            byType.put(item.getType().toUpperCase(Locale.ROOT), item);
        }
        int n = columns.size();
        TemplateItem[] items = new TemplateItem[n];
        int[] indexes = new int[n];
        String[] problems = new String[n];
        for (Column c : columns) {
            if (c.kind() != Kind.ITEM) {
                continue;
            }
            TemplateItem item = byType.get(c.type());
            int count = item == null ? 0 : Math.max(1, item.getMaxCount());
            if (item == null) {
                problems[c.position()] = "column '" + c.name() + "' is not an item of " + t.getId() + "@" + t.getVersion()
                        + " (its items: " + t.getItemsList().stream().sorted(Comparator.comparingInt(TemplateItem::getIndex))
                        .map(TemplateItem::getType).toList() + ")";
            } else if (c.occurrence() >= count) {
                problems[c.position()] = "column '" + c.name() + "' appears " + (c.occurrence() + 1) + " times but item "
                        + item.getType() + " takes at most " + count + " value" + (count == 1 ? "" : "s");
            } else {
                items[c.position()] = item;
                indexes[c.position()] = item.getIndex() + c.occurrence();
            }
        }
        l = new Layout(t, items, indexes, problems);
        layouts.put(ref, l);
        return l;
    }

    @Override
    public InputLine next() throws IOException {
        while (!done) {
            long line = parser.getCurrentLineNumber() + 1;
            CSVRecord row;
            try {
                row = rows.next();
            } catch (NoSuchElementException e) {
                done = true;
                return null;
            } catch (UncheckedIOException e) {
                done = true;
                stoppedBecause = "line " + line + ": the CSV cannot be read from here on (" + cause(e)
                        + "); the rest of the file was not read";
                return null;
            }
            if (row.size() == 1 && row.get(0).isEmpty()) {
                continue;
            }
            return convert(line, row);
        }
        return null;
    }

    private static String cause(UncheckedIOException e) {
        String m = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
        if (e.getCause() instanceof java.nio.charset.CharacterCodingException) {
            return "not valid UTF-8";
        }
        return m;
    }

    private InputLine convert(long line, CSVRecord row) {
        String handle = handleColumn < row.size() ? row.get(handleColumn).trim() : "";
        String shownHandle = handle.isEmpty() ? null : handle;
        if (row.size() != columns.size()) {
            return InputLine.refused(line, shownHandle, row.size() + " fields, but the header has " + columns.size());
        }
        if (handle.isEmpty()) {
            return InputLine.refused(line, null, "no identifier in column 'handle'");
        }
        try {
            Handles.check(handle);
        } catch (IllegalArgumentException e) {
            return InputLine.refused(line, shownHandle, e.getMessage());
        }
        TemplateRef ref = defaultTemplate;
        if (templateColumn >= 0 && !row.get(templateColumn).isBlank()) {
            try {
                ref = TemplateRef.parse(row.get(templateColumn));
            } catch (IllegalArgumentException e) {
                return InputLine.refused(line, handle, e.getMessage());
            }
        }
        Layout layout = null;
        if (ref != null) {
            Optional<Template> t = templates.get(ref);
            if (t.isEmpty()) {
                return InputLine.refused(line, handle, "unknown template " + ref);
            }
            layout = layout(ref, t.get());
        }
        List<HandleValue> values = new ArrayList<>();
        if (layout != null) {
            values.add(publicText(1000, "TEMPLATE_ID", layout.template().getId()));
            values.add(publicText(1001, "TEMPLATE", layout.template().getVersion()));
        }
        for (Column c : columns) {
            String cell = row.get(c.position());
            if (cell.isEmpty() || c.kind() == Kind.HANDLE || c.kind() == Kind.TEMPLATE) {
                continue;
            }
            if (c.kind() == Kind.FREE) {
                values.add(publicText(c.freeIndex(), c.type(), cell));
            } else if (layout == null) {
                return InputLine.refused(line, handle, "column '" + c.name() + "' needs a template, and this line names none");
            } else if (layout.problems()[c.position()] != null) {
                return InputLine.refused(line, handle, layout.problems()[c.position()]);
            } else {
                TemplateItem item = layout.items()[c.position()];
                values.add(text(layout.indexes()[c.position()], item.getType(), cell, item.getPublicRead()));
            }
        }
        values.sort(Comparator.comparingInt(HandleValue::getIndex));
        return InputLine.ok(line, HandleRecord.newBuilder().setHandle(handle).addAllValues(values).build());
    }

    private static HandleValue publicText(int index, String type, String text) {
        return text(index, type, text, true);
    }

    private static HandleValue text(int index, String type, String text, boolean publicRead) {
        return HandleValue.newBuilder().setIndex(index).setType(type).setData(ByteString.copyFromUtf8(text)).setTtl(TTL)
                .setAdminRead(true).setAdminWrite(true).setPublicRead(publicRead).build();
    }

    @Override
    public long bytesRead() {
        return counter.count();
    }

    @Override
    public String stoppedBecause() {
        return stoppedBecause;
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
