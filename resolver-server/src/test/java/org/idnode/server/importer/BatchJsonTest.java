package org.idnode.server.importer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonPrimitive;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.idnode.registry.model.HandleRecord;

/**
 * The streaming reader of batch bodies ({@link BatchJson}) against the record parser every other write uses
 * ({@link RecordJson#parse}), its oracle: for every record object of a body, either the record {@link BatchJson}
 * reads equals (handle as written, every field of every value) what {@link RecordJson#parse} reads from the same
 * text, or {@link BatchJson} hands back that exact text; a body it does not take apart gets no answer (the caller's
 * tree reader then judges it as before). Records are drawn around the plain shape: every field optional or
 * duplicated, other data formats, timestamps, references, unknown keys, odd numbers and strings.
 */
class BatchJsonTest {
    private static final int NOW = 1_790_000_000;

    @Provide
    Arbitrary<String> valueJson() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(20)
                .withCharRange(' ', '~').withCharRange('\u00a0', '\u07ff').withChars('\u4e2d', '"', '\\', '\n', '\u0000', '\ud83d', '\ude00');
        Arbitrary<String> number = Arbitraries.oneOf(
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.integers().between(-2, 3000).map(String::valueOf),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.of("1.0", "1e2", "-0", "2147483648", "0.5", "\"7\"", "null", "true"));
        Arbitrary<String> data = Arbitraries.oneOf(
                text.map(t -> "{\"format\":\"string\",\"value\":" + quote(t) + "}"),
                text.map(t -> "{\"value\":" + quote(t) + ",\"format\":\"string\"}"),
                text.map(t -> "{\"value\":" + quote(t) + "}"),
                text.map(BatchJsonTest::quote),
                Arbitraries.of("{\"format\":\"hex\",\"value\":\"DEADBEEF\"}", "{\"format\":\"base64\",\"value\":\"AAEC\"}",
                        "{\"format\":\"string\",\"value\":\"a\",\"extra\":1}", "{\"format\":\"string\",\"value\":\"a\",\"value\":\"b\"}",
                        "{\"format\":\"STRING\",\"value\":\"a\"}", "{}", "null", "[]"));
        Arbitrary<String> permissions = Arbitraries.oneOf(
                Arbitraries.strings().withChars('0', '1').ofLength(4),
                Arbitraries.of("111", "11100", "1x10", "", "1110"));
        Arbitrary<List<String>> fields = Combinators.combine(
                number.map(n -> "\"index\":" + n).optional(),
                text.map(t -> "\"type\":" + quote(t)).optional(),
                data.map(d -> "\"data\":" + d).optional(),
                number.map(n -> "\"ttl\":" + n).optional(),
                permissions.map(p -> "\"permissions\":" + quote(p)).optional(),
                Arbitraries.of("\"timestamp\":\"2024-05-01T10:00:00Z\"", "\"timestamp\":12345", "\"references\":[]",
                        "\"references\":[{\"handle\":\"88.999/X\",\"index\":1}]", "\"ttlType\":1", "\"other\":\"x\"", "\"index\":7",
                        "\"type\":\"URL\"").optional()
        ).as((i, t, d, ttl, p, extra) -> {
            List<String> out = new ArrayList<>();
            i.ifPresent(out::add);
            t.ifPresent(out::add);
            d.ifPresent(out::add);
            ttl.ifPresent(out::add);
            p.ifPresent(out::add);
            extra.ifPresent(out::add);
            return out;
        });
        // Most values complete and plain, the rest anything.
        Arbitrary<String> plain = Combinators.combine(Arbitraries.integers().between(1, 100_000), text, text,
                        Arbitraries.integers().optional(), permissions.optional())
                .as((i, t, d, ttl, p) -> "{\"index\":" + i + ",\"type\":" + quote(t) + ",\"data\":{\"format\":\"string\",\"value\":" + quote(d) + "}"
                        + ttl.map(x -> ",\"ttl\":" + x).orElse("") + p.map(x -> ",\"permissions\":" + quote(x)).orElse("") + "}");
        return Arbitraries.frequencyOf(
                Tuple.of(3, plain),
                Tuple.of(2, fields.flatMap(f -> Arbitraries.shuffle(f)).map(f -> "{" + String.join(",", f) + "}")));
    }

    @Provide
    Arbitrary<String> recordJson() {
        Arbitrary<String> handle = Arbitraries.oneOf(
                Arbitraries.strings().ofMinLength(1).ofMaxLength(12).withCharRange('A', 'z').withChars('.', '-', ' ', '\u00e9')
                        .map(s -> "88.999.1/" + s),
                Arbitraries.of("88.999.1/", "no-slash", "/x", "0.NA/88.999.1", "88.999.2/PCB.001"));
        Arbitrary<String> values = valueJson().list().ofMaxSize(5).map(vs -> "[" + String.join(",", vs) + "]");
        return Arbitraries.oneOf(
                Combinators.combine(handle, values).as((h, v) -> "{\"handle\":" + quote(h) + ",\"values\":" + v + "}"),
                Combinators.combine(handle, values).as((h, v) -> "{\"values\":" + v + ",\"handle\":" + quote(h) + "}"),
                Combinators.combine(handle, values, Arbitraries.of("\"responseCode\":1", "\"handle\":\"88.999.1/B\"", "\"values\":[]",
                        "\"handle\":7", "\"values\":{}")).as((h, v, x) -> "{\"handle\":" + quote(h) + ",\"values\":" + v + "," + x + "}"),
                values.map(v -> "{\"values\":" + v + "}"));
    }

    @Property(tries = 2000)
    void everyRecordIsReadAsRecordJsonReadsItOrHandedBackAsWritten(@ForAll("recordJson") String drawn) {
        // As it arrives: UTF-8 (an unpaired surrogate of the drawn text becomes '?').
        String record = new String(drawn.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        String body = "{\"records\":[" + record + ",\n " + record + "]}";
        List<BatchJson.Entry> entries = BatchJson.read(body.getBytes(StandardCharsets.UTF_8), NOW);

        assertThat(entries).as(body).isNotNull().hasSize(2);
        Statistics.collect(entries.get(0).record() != null ? "read here" : "handed back");
        for (BatchJson.Entry e : entries) {
            assertThat(e.record() == null).isNotEqualTo(e.json() == null);
            if (e.record() == null) {
                assertThat(e.json()).isEqualTo(record);
            } else {
                HandleRecord expected = RecordJson.parse(record, NOW);
                assertThat(e.record()).as(record).isEqualTo(expected);
                assertThat(e.record().handle().toString()).isEqualTo(expected.handle().toString());
            }
        }
        // Both outcomes are drawn often enough for the comparison to mean something.
        Statistics.coverage(c -> {
            c.check("read here").percentage(p -> p > 25);
            c.check("handed back").percentage(p -> p > 25);
        });
    }

    @Example
    void thePlainShapeOfBulkRegistrationIsReadHere() {
        String record = "{\"handle\":\"88.999.1/PCB.1\",\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\","
                + "\"value\":\"https://example.com/1\"}},{\"index\":2,\"type\":\"SERIAL\",\"data\":{\"format\":\"string\",\"value\":\"SN1\"},"
                + "\"ttl\":3600,\"permissions\":\"1100\"}]}";
        List<BatchJson.Entry> entries = BatchJson.read(("{\"records\":[" + record + "]}").getBytes(StandardCharsets.UTF_8), NOW);

        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).record()).isEqualTo(RecordJson.parse(record, NOW));
    }

    @Example
    void bodiesThatAreNotPlainGetNoAnswer() {
        String record = "{\"handle\":\"88.999.1/A\",\"values\":[]}";
        for (String body : List.of(
                "", "[]", "{}", "{\"records\":{}}", "{\"records\":[1]}", "{\"records\":[[]]}",
                "{\"records\":[" + record + "]} trailing",
                "{\"records\":[" + record + "],\"records\":[]}",
                "{'records':[" + record + "]}",              // lenient JSON: the tree reader's business
                "{\"records\":[" + record + "]",             // truncated
                "{\"records\":[{\"handle\":\"88.999.1/A\",\"values\":[" + "[".repeat(70) + "]".repeat(70) + "]}]}")) {
            assertThat(BatchJson.read(body.getBytes(StandardCharsets.UTF_8), NOW)).as(body).isNull();
        }
        String plain = "{\"records\":[" + record + "]}";
        byte[] bom = ("\ufeff" + plain).getBytes(StandardCharsets.UTF_8);
        byte[] invalidUtf8 = plain.replace("/A", "/\u00e9").getBytes(StandardCharsets.ISO_8859_1);
        for (byte[] body : List.of(bom, plain.getBytes(StandardCharsets.UTF_16LE), plain.getBytes(StandardCharsets.UTF_16), invalidUtf8)) {
            assertThat(BatchJson.read(body, NOW)).isNull();
        }
        assertThat(BatchJson.read(("{\"other\":{\"deep\":[1,2]},\"records\":[" + record + "]}").getBytes(StandardCharsets.UTF_8), NOW)).hasSize(1);
        assertThat(BatchJson.read("{\"records\":[]}".getBytes(StandardCharsets.UTF_8), NOW)).isEmpty();
    }

    private static String quote(String s) {
        return new JsonPrimitive(s).toString();
    }
}
