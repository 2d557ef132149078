package org.idnode.registry.template;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.InvalidHandleException;

/**
 * The template versions a node knows, looked up by (id, version). Ids are compared as handles (ASCII
 * case-insensitively), versions exactly.
 *
 * <p>An immutable snapshot and thread-safe. To change the templates, build a new catalog and swap it in
 * (the {@link TemplateValidator} can read its catalog through a supplier).
 */
public final class TemplateCatalog {
    /** A catalog without templates. */
    public static final TemplateCatalog EMPTY = new TemplateCatalog(List.of());

    /** Template files are the files of the folder whose names end with this. */
    public static final String FILE_SUFFIX = ".json";

    private static final Comparator<Template> LATEST_LAST = (a, b) -> compareVersions(a.version(), b.version());

    private final Map<HandleName, Map<String, Template>> byId;
    private final List<Template> templates;

    private TemplateCatalog(List<Template> templates) {
        Map<HandleName, Map<String, Template>> m = new HashMap<>();
        for (Template t : templates) {
            Map<String, Template> versions = m.computeIfAbsent(t.id(), k -> new LinkedHashMap<>());
            if (versions.putIfAbsent(t.version(), t) != null) {
                throw new IllegalArgumentException("template " + t.label() + " is given twice");
            }
        }
        Map<HandleName, Map<String, Template>> frozen = new HashMap<>();
        m.forEach((k, v) -> frozen.put(k, Map.copyOf(v)));
        this.byId = Map.copyOf(frozen);
        List<Template> sorted = new ArrayList<>(templates);
        sorted.sort(Comparator.comparing((Template t) -> t.id().lookupKey()).thenComparing(Template::version));
        this.templates = List.copyOf(sorted);
    }

    /**
     * A catalog of these template versions.
     *
     * @throws IllegalArgumentException when two share an id and version
     */
    public static TemplateCatalog of(Collection<Template> templates) {
        return new TemplateCatalog(List.copyOf(templates));
    }

    /**
     * Loads every {@code *.json} file of {@code dir} (not its sub-folders), one template version per file,
     * in file-name order. Other files (such as a README) are ignored.
     *
     * @throws TemplateLoadException when a file is not a valid template, naming the file and the field, or
     *                               when two files hold the same template version
     * @throws IOException           when the folder or a file cannot be read
     */
    public static TemplateCatalog load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a template folder");
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> p.getFileName().toString().endsWith(FILE_SUFFIX) && Files.isRegularFile(p))) {
            ds.forEach(files::add);
        }
        files.sort(Comparator.comparing(p -> p.getFileName().toString()));
        List<Template> templates = new ArrayList<>();
        Map<String, String> fileOf = new HashMap<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            Template t = TemplateJson.parse(name, utf8(name, Files.readAllBytes(f)));
            String key = t.id().lookupKey() + "\n" + t.version();
            String earlier = fileOf.putIfAbsent(key, name);
            if (earlier != null) {
                throw new TemplateLoadException(name, "version", "template " + t.label() + " is already defined in " + earlier);
            }
            templates.add(t);
        }
        return new TemplateCatalog(templates);
    }

    private static String utf8(String file, byte[] bytes) throws TemplateLoadException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new TemplateLoadException(file, null, "is not valid UTF-8");
        }
    }

    /** The template with this id and version. */
    public Optional<Template> find(HandleName id, String version) {
        Map<String, Template> versions = byId.get(id);
        return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(version));
    }

    /** The template with this id (a handle, compared ASCII case-insensitively) and version; empty when the id is not a handle. */
    public Optional<Template> find(String id, String version) {
        try {
            return find(HandleName.parse(id), version);
        } catch (InvalidHandleException e) {
            return Optional.empty();
        }
    }

    /** The versions known for this template id, sorted. */
    public List<String> versions(HandleName id) {
        Map<String, Template> versions = byId.get(id);
        return versions == null ? List.of() : versions.keySet().stream().sorted().toList();
    }

    /**
     * The latest version of a template: versions are compared part by part between the dots, numerically where
     * both parts are numbers ({@code 1.10} is after {@code 1.9}), else as text.
     */
    public Optional<Template> latest(HandleName id) {
        Map<String, Template> versions = byId.get(id);
        return versions == null ? Optional.empty() : versions.values().stream().max(LATEST_LAST);
    }

    /**
     * The template version a record's values name (TEMPLATE_ID at index 1000, TEMPLATE at 1001), when both are
     * there and the catalog holds it; empty for a record not bound to a template or bound to an unknown one.
     */
    public Optional<Template> templateOf(List<HandleValue> values) {
        String id = null;
        String version = null;
        for (HandleValue v : values) {
            if (v.index() == TemplateItem.TEMPLATE_ID_INDEX) {
                id = new String(v.data(), StandardCharsets.UTF_8);
            } else if (v.index() == TemplateItem.TEMPLATE_VERSION_INDEX) {
                version = new String(v.data(), StandardCharsets.UTF_8);
            }
        }
        return id == null || version == null ? Optional.empty() : find(id, version);
    }

    private static int compareVersions(String a, String b) {
        String[] pa = a.split("\\.", -1);
        String[] pb = b.split("\\.", -1);
        for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
            int c = isNumber(pa[i]) && isNumber(pb[i])
                    ? new java.math.BigInteger(pa[i]).compareTo(new java.math.BigInteger(pb[i]))
                    : pa[i].compareTo(pb[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(pa.length, pb.length);
    }

    private static boolean isNumber(String part) {
        return !part.isEmpty() && part.chars().allMatch(ch -> ch >= '0' && ch <= '9');
    }

    /** Every template version, sorted by id and version. */
    public List<Template> templates() {
        return templates;
    }

    public int size() {
        return templates.size();
    }

    @Override
    public String toString() {
        return "TemplateCatalog" + templates.stream().map(Template::label).toList();
    }
}
