package org.idnode.bench.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.idnode.bench.dataset.DatasetGenerator;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.template.TemplateCatalog;
import org.idnode.registry.template.TemplateItem;
import org.idnode.registry.template.TemplateValidator;
import org.idnode.server.importer.RecordJson;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of checking one record against its template ({@link TemplateValidator#fieldProblems}), as every
 * registration does before it is written, in nanoseconds per record:
 * <ul>
 *   <li>{@link #validRecord}: the template-bound records of the realistic data set ({@code idbench dataset}:
 *       laminate lots, PCB lots, panels, reels and PCBA units, 8 to 27 values), taken in turn; all pass;</li>
 *   <li>{@link #recordWithProblems}: the same records with their template version changed to an item layout that
 *       no longer matches (every item at the wrong index), so the validator builds a problem per value.</li>
 * </ul>
 * Templates come from {@code conf/templates} under the working directory, or the folder named by the system
 * property {@code idnode.templates}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class TemplateValidationBenchmark {
    private static final int RECORDS = 2_000;

    private TemplateValidator validator;
    private HandleRecord[] valid;
    private HandleRecord[] invalid;
    private int next;

    /** Generates the data set and keeps its template-bound records. */
    @Setup
    public void setUp() throws IOException {
        Path templates = Path.of(System.getProperty("idnode.templates", "conf/templates"));
        if (!Files.isDirectory(templates)) {
            throw new IllegalStateException("no template folder at " + templates.toAbsolutePath()
                    + "; run from the project root or set -Didnode.templates=DIR");
        }
        validator = new TemplateValidator(TemplateCatalog.load(templates));
        Path dir = BenchData.tempDir("templates");
        try {
            Path file = dir.resolve("records.jsonl");
            new DatasetGenerator("88.999", 5, DatasetGenerator.Shape.REALISTIC).writeFiles(RECORDS, file, null);
            List<HandleRecord> bound = new ArrayList<>();
            List<HandleRecord> broken = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                HandleRecord record = RecordJson.parse(line, 1_750_000_000);
                if (record.values().stream().anyMatch(v -> v.index() == TemplateItem.TEMPLATE_ID_INDEX)) {
                    requireValid(record);
                    bound.add(record);
                    broken.add(shifted(record));
                }
            }
            valid = bound.toArray(HandleRecord[]::new);
            invalid = broken.toArray(HandleRecord[]::new);
        } finally {
            BenchData.deleteRecursively(dir);
        }
    }

    private void requireValid(HandleRecord record) {
        List<String> problems = validator.problems(record);
        if (!problems.isEmpty()) {
            throw new IllegalStateException(record.handle() + " does not validate against the shipped templates: " + problems);
        }
    }

    /** The record with every template item moved up one index: each lands on another item or on no item. */
    private static HandleRecord shifted(HandleRecord record) {
        List<HandleValue> values = new ArrayList<>();
        for (HandleValue v : record.values()) {
            values.add(v.index() >= TemplateItem.FIRST_ITEM_INDEX
                    ? new HandleValue(v.index() + 1, v.type(), v.data(), v.ttlType(), v.ttl(), v.timestamp(), v.references(), v.permissions())
                    : v);
        }
        return new HandleRecord(record.handle(), values);
    }

    /** One valid record checked against its template. */
    @Benchmark
    public Object validRecord() {
        HandleRecord r = valid[next];
        next = next + 1 == valid.length ? 0 : next + 1;
        return validator.fieldProblems(r);
    }

    /** One record whose every item is misplaced, checked and reported. */
    @Benchmark
    public Object recordWithProblems() {
        HandleRecord r = invalid[next];
        next = next + 1 == invalid.length ? 0 : next + 1;
        return validator.fieldProblems(r);
    }
}
