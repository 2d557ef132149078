package org.idnode.client.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

/**
 * A file of JSON lines in the import format ({@link RecordJson}), one record per line; blank lines are passed over.
 * A line that does not parse is refused with its number and the rest of the file goes on.
 */
final class JsonLinesSource implements RecordSource {
    private final CountingStream counter;
    private final BufferedReader in;
    // Lines are split on raw bytes (ISO-8859-1 maps each byte to one char) and each line is then decoded as strict
    // UTF-8 on its own, so malformed UTF-8 is refused on the line that holds it.
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private long lineNo;

    JsonLinesSource(Path file) throws IOException {
        counter = new CountingStream(Files.newInputStream(file));
        in = new BufferedReader(new InputStreamReader(counter, StandardCharsets.ISO_8859_1), 1 << 16);
    }

    @Override
    public InputLine next() throws IOException {
        for (String raw = in.readLine(); raw != null; raw = in.readLine()) {
            lineNo++;
            String line;
            try {
                line = utf8.reset().decode(ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1))).toString();
            } catch (CharacterCodingException e) {
                return InputLine.refused(lineNo, null, "not valid UTF-8");
            }
            if (line.isBlank()) {
                continue;
            }
            try {
                return InputLine.ok(lineNo, RecordJson.parse(line));
            } catch (IllegalArgumentException e) {
                return InputLine.refused(lineNo, handleOf(line), e.getMessage());
            }
        }
        return null;
    }

    /** The identifier of a line that was refused, when it can still be read, for the report. */
    private static String handleOf(String line) {
        try {
            JsonElement e = JsonParser.parseString(line);
            if (e.isJsonObject() && e.getAsJsonObject().has("handle") && e.getAsJsonObject().get("handle").isJsonPrimitive()) {
                return e.getAsJsonObject().get("handle").getAsString();
            }
        } catch (RuntimeException ignored) {
            // not JSON: no identifier to report
        }
        return null;
    }

    @Override
    public long bytesRead() {
        return counter.count();
    }

    @Override
    public String stoppedBecause() {
        return null;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
