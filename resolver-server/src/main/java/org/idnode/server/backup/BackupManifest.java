package org.idnode.server.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * What a backup folder holds, written last into it as {@value #FILE_NAME}: when it was taken, by which node version,
 * RocksDB's sequence number and the number of records at that moment, and every file with its size and CRC32C, so
 * that a restore can tell a complete, intact backup from anything else.
 *
 * <p>Immutable and thread-safe.
 *
 * @param created        when the checkpoint was taken
 * @param nodeVersion    the version of the node that took it
 * @param sequenceNumber RocksDB's sequence number of the last write the backup holds
 * @param records        the number of records it holds
 * @param files          every file of the backup but the manifest, paths relative to the backup folder with {@code /}
 */
public record BackupManifest(Instant created, String nodeVersion, long sequenceNumber, long records, List<FileEntry> files) {
    /** The manifest's file name in a backup folder. */
    public static final String FILE_NAME = "manifest.json";
    /** The format this node writes and reads. */
    public static final String FORMAT = "idnode-backup-1";

    /** One file of a backup: path relative to the backup folder ({@code /}-separated), size, CRC32C in hex. */
    public record FileEntry(String path, long size, String crc32c) {
    }

    public BackupManifest {
        files = List.copyOf(files);
    }

    /** The bytes of every file. */
    public long totalBytes() {
        return files.stream().mapToLong(FileEntry::size).sum();
    }

    /** The manifest as JSON. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("created", created.toString());
        o.addProperty("nodeVersion", nodeVersion);
        o.addProperty("sequenceNumber", sequenceNumber);
        o.addProperty("records", records);
        JsonArray a = new JsonArray();
        for (FileEntry f : files) {
            JsonObject e = new JsonObject();
            e.addProperty("path", f.path());
            e.addProperty("size", f.size());
            e.addProperty("crc32c", f.crc32c());
            a.add(e);
        }
        o.add("files", a);
        return o;
    }

    void write(Path backupDir) throws IOException {
        Files.writeString(backupDir.resolve(FILE_NAME), new GsonBuilder().setPrettyPrinting().create().toJson(toJson()) + "\n",
                StandardCharsets.UTF_8);
    }

    /**
     * Reads and checks the manifest of a backup folder.
     *
     * @throws BackupException ({@link BackupException.Kind#BAD_BACKUP}) naming the folder and what is wrong
     */
    public static BackupManifest read(Path backupDir) {
        Path file = backupDir.resolve(FILE_NAME);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw bad(backupDir + " has no " + FILE_NAME + ": it is not a backup, or one that did not finish");
        } catch (IOException e) {
            throw bad("cannot read " + file + ": " + e.getMessage());
        }
        JsonObject o;
        try {
            JsonElement root = JsonParser.parseString(text);
            if (!root.isJsonObject()) {
                throw bad(file + " is not a JSON object");
            }
            o = root.getAsJsonObject();
        } catch (JsonParseException e) {
            throw bad(file + " is not valid JSON (corrupt or truncated): " + e.getMessage());
        }
        String format = string(o, "format", file);
        if (!format.equals(FORMAT)) {
            throw bad(file + " has format '" + format + "'; this node reads " + FORMAT);
        }
        Instant created;
        try {
            created = Instant.parse(string(o, "created", file));
        } catch (DateTimeParseException e) {
            throw bad(file + ": \"created\" is not an ISO-8601 time");
        }
        List<FileEntry> files = new ArrayList<>();
        JsonElement list = o.get("files");
        if (list == null || !list.isJsonArray()) {
            throw bad(file + " lacks the \"files\" list");
        }
        for (JsonElement e : list.getAsJsonArray()) {
            if (!e.isJsonObject()) {
                throw bad(file + ": every entry of \"files\" must be an object");
            }
            JsonObject f = e.getAsJsonObject();
            String path = string(f, "path", file);
            Path resolved = backupDir.resolve(path).normalize();
            if (path.isEmpty() || Path.of(path).isAbsolute() || !resolved.startsWith(backupDir.normalize()) || resolved.equals(backupDir.normalize())) {
                throw bad(file + " lists the path '" + path + "', which is not inside the backup");
            }
            files.add(new FileEntry(path, number(f, "size", file), string(f, "crc32c", file)));
        }
        return new BackupManifest(created, string(o, "nodeVersion", file), number(o, "sequenceNumber", file), number(o, "records", file), files);
    }

    private static String string(JsonObject o, String field, Path file) {
        JsonElement e = o.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw bad(file + " lacks the string \"" + field + "\"");
        }
        return e.getAsString();
    }

    private static long number(JsonObject o, String field, Path file) {
        JsonElement e = o.get(field);
        try {
            if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                long n = new java.math.BigDecimal(e.getAsString()).longValueExact();
                if (n >= 0) {
                    return n;
                }
            }
        } catch (ArithmeticException | NumberFormatException x) {
            // refused below
        }
        throw bad(file + " lacks the whole number \"" + field + "\" (0 or more)");
    }

    private static BackupException bad(String message) {
        return new BackupException(BackupException.Kind.BAD_BACKUP, message);
    }
}
