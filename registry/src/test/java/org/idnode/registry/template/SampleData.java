package org.idnode.registry.template;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;

/**
 * Test helper: finds the repository's {@code conf/} folder and reads the import format of
 * {@code conf/sample-data/pcb-sample.jsonl} into {@link HandleRecord}s (the project's own parser lives in
 * resolver-server, which registry cannot depend on).
 */
final class SampleData {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int TIMESTAMP = 1_700_000_000;

    private SampleData() {
    }

    /**
     * The repository root: {@code idnode.project.root} when set, otherwise the first folder holding
     * {@code conf/templates}, walking up from the working directory.
     */
    static Path repoRoot() {
        String prop = System.getProperty("idnode.project.root");
        if (prop != null && Files.isDirectory(Path.of(prop, "conf", "templates"))) {
            return Path.of(prop);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("conf").resolve("templates"))) {
                return p;
            }
        }
        throw new IllegalStateException("no folder holding conf/templates above " + Path.of("").toAbsolutePath());
    }

    static Path templatesDir() {
        return repoRoot().resolve("conf").resolve("templates");
    }

    static Path sampleFile() {
        return repoRoot().resolve("conf").resolve("sample-data").resolve("pcb-sample.jsonl");
    }

    /** Every record of the sample file, in file order. */
    static List<HandleRecord> pcbSample() {
        try {
            List<HandleRecord> out = new ArrayList<>();
            for (String line : Files.readAllLines(sampleFile(), StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    out.add(parse(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One record: {@code {"handle", "values": [{"index", "type", "data": {"format", "value"}, "ttl", "permissions"}]}}. */
    static HandleRecord parse(String line) throws IOException {
        JsonNode root = JSON.readTree(line);
        List<HandleValue> values = new ArrayList<>();
        for (JsonNode v : root.get("values")) {
            JsonNode data = v.get("data");
            String format = data.get("format").asText();
            byte[] bytes = switch (format) {
                case "string" -> data.get("value").asText().getBytes(StandardCharsets.UTF_8);
                case "hex" -> HexFormat.of().parseHex(data.get("value").asText());
                case "base64" -> Base64.getDecoder().decode(data.get("value").asText());
                // HS_ADMIN values sit at index 100, which templates leave free; their encoding does not matter here.
                case "admin" -> data.get("value").toString().getBytes(StandardCharsets.UTF_8);
                default -> throw new IOException("unknown data format " + format);
            };
            Permissions perms = v.has("permissions") ? Permissions.parse(v.get("permissions").asText()) : Permissions.PUBLIC_READ;
            int ttl = v.has("ttl") ? v.get("ttl").asInt() : HandleValue.DEFAULT_TTL;
            values.add(new HandleValue(v.get("index").asInt(), v.get("type").asText(), bytes, HandleValue.TtlType.RELATIVE,
                    ttl, TIMESTAMP, List.of(), perms));
        }
        return new HandleRecord(HandleName.parse(root.get("handle").asText()), values);
    }

    /** A public string value. */
    static HandleValue value(int index, String type, String data) {
        return HandleValue.ofString(index, type, data, TIMESTAMP);
    }
}
