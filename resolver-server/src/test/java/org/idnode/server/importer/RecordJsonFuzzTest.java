package org.idnode.server.importer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.model.ValueReference;
import org.idnode.server.fuzz.Mutations;
import org.idnode.server.fuzz.PerTry;

/**
 * Property-based fuzzing of the record JSON parser that the REST writes, batch registration and {@code idnode import}
 * share ({@link RecordJson#parse}), and of the import file reader ({@link RecordImporter}): valid records written by
 * {@link RecordJson#write}, those texts mutated byte-wise, random JSON trees, deeply nested arrays and objects, and
 * random text. Properties: only {@link IllegalArgumentException} (with a message) comes out of the parser, and only
 * {@link RecordImporter.BadLineException} out of the importer; every try ends within {@link PerTry#LIMIT}; any valid
 * record, with arbitrary handles, types, data, TTLs, timestamps, references and permissions, is parsed back equal
 * to the record that was written.
 */
@Tag("fuzz")
class RecordJsonFuzzTest {

    @Provide
    Arbitrary<HandleRecord> records() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(30)
                .withCharRange(' ', '~').withCharRange('\u00a0', '\u07ff').withCharRange('\u4e00', '\u4e2f').withChars('\u0000', '\n', '"', '\\', '\ud83d');
        Arbitrary<String> handle = Combinators.combine(Arbitraries.of("88.999", "88.999.1", "0.NA", "88.998.12"), text.filter(s -> !s.isEmpty()))
                .as((p, s) -> p + "/" + s)
                .filter(RecordJsonFuzzTest::validHandle);
        Arbitrary<ValueReference> ref = Combinators.combine(handle, Arbitraries.integers()).as(ValueReference::new);
        Arbitrary<HandleValue> value = Combinators.combine(
                        Arbitraries.integers().between(1, Integer.MAX_VALUE),
                        text.map(RecordJsonFuzzTest::wellFormed),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                        Arbitraries.of(HandleValue.TtlType.values()),
                        Arbitraries.integers(),
                        Arbitraries.integers(),
                        ref.list().ofMaxSize(3),
                        Arbitraries.integers().between(0, 15))
                .as((index, type, data, ttlType, ttl, timestamp, refs, bits) -> new HandleValue(index, type, data, ttlType, ttl, timestamp, refs,
                        Permissions.fromBits(bits)));
        return Combinators.combine(handle, value.list().ofMaxSize(6).uniqueElements(HandleValue::index))
                .as((h, values) -> new HandleRecord(HandleName.parse(h), values));
    }

    @Provide
    Arbitrary<String> jsonInputs() {
        Arbitrary<byte[]> written = records().map(r -> RecordJson.write(r).getBytes(StandardCharsets.UTF_8));
        Arbitrary<String> mutated = Mutations.inputs(written, 300).map(b -> new String(b, StandardCharsets.UTF_8));
        return Arbitraries.frequencyOf(
                Tuple.of(6, mutated),
                Tuple.of(2, jsonTrees(4).map(Object::toString)),
                Tuple.of(1, deepNesting()),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(200)));
    }

    /** Random JSON values: objects with the record's field names among others, arrays, strings, numbers, literals. */
    private static Arbitrary<com.google.gson.JsonElement> jsonTrees(int depth) {
        Arbitrary<com.google.gson.JsonElement> leaf = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(20).map(com.google.gson.JsonPrimitive::new),
                Arbitraries.of("string", "hex", "base64", "admin", "vlist", "site", "key", "1110", "2030-01-01T00:00:00Z", "x")
                        .map(com.google.gson.JsonPrimitive::new),
                Arbitraries.longs().map(com.google.gson.JsonPrimitive::new),
                Arbitraries.of(0.5, -1e300, 1e-9, 2147483648.0).map(com.google.gson.JsonPrimitive::new),
                Arbitraries.of(true, false).map(com.google.gson.JsonPrimitive::new),
                Arbitraries.just(com.google.gson.JsonNull.INSTANCE));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<com.google.gson.JsonElement> child = jsonTrees(depth - 1);
        Arbitrary<String> key = Arbitraries.of("handle", "values", "index", "type", "data", "format", "value", "ttl", "timestamp", "references",
                "permissions", "legacyByteLength", "servers", "other");
        Arbitrary<com.google.gson.JsonElement> object = Combinators.combine(key, child).as(Tuple::of).list().ofMaxSize(5).map(entries -> {
            com.google.gson.JsonObject o = new com.google.gson.JsonObject();
            entries.forEach(e -> o.add(e.get1(), e.get2()));
            return o;
        });
        Arbitrary<com.google.gson.JsonElement> array = child.list().ofMaxSize(4).map(items -> {
            com.google.gson.JsonArray a = new com.google.gson.JsonArray();
            items.forEach(a::add);
            return a;
        });
        return Arbitraries.frequencyOf(Tuple.of(2, leaf), Tuple.of(3, object), Tuple.of(2, array));
    }

    /**
     * Arrays and objects nested up to 100,000 deep, closed or not, where the record, a value or a value's data
     * belongs: where a recursive parser, reader or printer runs out of stack.
     */
    private static Arbitrary<String> deepNesting() {
        return Combinators.combine(Arbitraries.integers().between(1, 30_000), Arbitraries.of("[]", "{\"a\":1}"),
                        Arbitraries.of("{\"handle\":\"88.999/x\",\"values\":%s}", "{\"handle\":\"88.999/x\",\"values\":[%s]}",
                                "{\"handle\":\"88.999/x\",\"values\":[{\"index\":1,\"type\":\"X\",\"data\":%s}]}",
                                "{\"handle\":\"88.999/x\",\"values\":[{\"index\":1,\"type\":\"HS_ADMIN\",\"data\":{\"format\":\"admin\",\"value\":%s}}]}"),
                        Arbitraries.of(true, false))
                .as((n, leaf, where, closed) -> String.format(where, nested(n, leaf, closed)));
    }

    private static String nested(int depth, String leaf, boolean closed) {
        boolean array = leaf.startsWith("[");
        String open = array ? "[" : "{\"a\":";
        String close = array ? "]" : "}";
        return open.repeat(depth) + (array ? "" : "1") + (closed ? close.repeat(depth) : "");
    }

    /** Found by this fuzzer: nesting in a value's data overflowed the stack of CNRI's value reader (StackOverflowError). */
    @Example
    void deeplyNestedJsonIsRefusedWithAMessage() {
        for (String json : List.of(
                "{\"handle\":\"88.999/x\",\"values\":[{\"index\":1,\"type\":\"X\",\"data\":" + "[".repeat(50_000) + "]".repeat(50_000) + "}]}",
                "{\"handle\":\"88.999/x\",\"values\":[{\"index\":1,\"type\":\"HS_ADMIN\",\"data\":{\"format\":\"admin\",\"value\":"
                        + "[".repeat(50_000) + "}}]}")) {
            assertThat(PerTry.run(() -> RecordJson.parse(json, 1)).thrown())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("nest deeper than " + RecordJson.MAX_DEPTH);
        }
        String deepButAllowed = "{\"handle\":\"88.999/x\",\"values\":[{\"index\":1,\"type\":\"X\",\"data\":{\"format\":\"string\",\"value\":\""
                + "[{".repeat(1000) + "\"}}]}";
        assertThat(RecordJson.parse(deepButAllowed, 1).values()).hasSize(1);
    }

    @Property
    void theParserRefusesBadJsonCleanly(@ForAll("jsonInputs") String json) {
        PerTry.Outcome<HandleRecord> o = PerTry.run(() -> RecordJson.parse(json, 1_750_000_000));
        o.valueOrAllowed(IllegalArgumentException.class);
        if (o.thrown() != null) {
            assertThat(o.thrown().getMessage()).as("a refusal says why").isNotBlank();
        }
    }

    @Property
    void everyWrittenRecordParsesBackEqual(@ForAll("records") HandleRecord record) {
        String line = RecordJson.write(record);
        assertThat(line).doesNotContain("\n");
        HandleRecord parsed = PerTry.run(() -> RecordJson.parse(line, 1)).valueOrAllowed();
        assertThat(parsed).isEqualTo(record);
        assertThat(RecordJson.write(parsed)).isEqualTo(line);
    }

    @Property(tries = 200)
    void theImporterRefusesBadFilesByLine(@ForAll("importFiles") List<byte[]> lines) throws IOException {
        Path file = Files.createTempFile("fuzz", ".jsonl");
        try {
            Files.write(file, join(lines));
            PerTry.Outcome<Long> o = PerTry.run(() -> new RecordImporter(file).validate());
            o.valueOrAllowed(RecordImporter.BadLineException.class);
            if (o.thrown() instanceof RecordImporter.BadLineException bad) {
                assertThat(bad.line()).isBetween(1L, (long) lines.size() + 1);
            }
        } finally {
            Files.delete(file);
        }
    }

    @Provide
    Arbitrary<List<byte[]>> importFiles() {
        Arbitrary<byte[]> line = Arbitraries.frequencyOf(
                Tuple.of(5, records().map(r -> RecordJson.write(r).getBytes(StandardCharsets.UTF_8))),
                Tuple.of(3, jsonInputs().map(s -> s.getBytes(StandardCharsets.UTF_8))),
                Tuple.of(1, Mutations.randomBytes(80)),
                Tuple.of(1, Arbitraries.just(new byte[0])));
        return line.list().ofMinSize(1).ofMaxSize(8);
    }

    private static byte[] join(List<byte[]> lines) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] l : lines) {
            out.writeBytes(l);
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static boolean validHandle(String h) {
        try {
            HandleName.parse(h);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The string as it comes back from UTF-8 (a lone surrogate becomes '?'), as a stored type always is. */
    private static String wellFormed(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
