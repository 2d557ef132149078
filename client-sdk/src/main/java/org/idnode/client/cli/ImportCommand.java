package org.idnode.client.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.idnode.client.IdNodeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Register the records of a CSV or JSON-lines file, streaming them to the node with flow control. "
                + "Lines that cannot be read are refused here, lines the node refuses are mapped back to their line numbers; "
                + "the good lines land either way. Records replace stored records of the same identifier, so importing a file "
                + "again is harmless.",
            "CSV: a header row with a 'handle' column, an optional 'template' column (ID or ID@VERSION), and columns named "
                    + "by template item type (e.g. CUSTOMER_PN, REF.CCL_LOT; repeat a column for a repeated item) or INDEX:TYPE "
                    + "(e.g. 1:URL) for values outside the template. An empty cell gives no value.",
            "JSON lines: the import format of conf/sample-data (one {\"handle\", \"values\"} object per line).",
            "Prints progress on stderr when it is a terminal (or with --progress), then a summary with the refused lines "
                    + "(the first 50; all with --rejects or --json). Exits 1 when any line was refused."})
final class ImportCommand extends Base implements Callable<Integer> {
    /** The most records one BatchRegister call may carry. */
    static final int MAX_BATCH = 2000;

    enum Format { CSV, JSONL }

    @Parameters(paramLabel = "FILE", description = "the file to import")
    Path file;
    @Option(names = "--format", paramLabel = "csv|jsonl", description = "the file's format (default: from its extension: "
            + ".csv, or .jsonl/.ndjson/.json)")
    Format format;
    @Option(names = "--template", paramLabel = "ID[@VERSION]",
            description = "CSV: the template of lines whose 'template' cell is empty or missing (default version: the latest)")
    String template;
    @Option(names = "--batch", paramLabel = "N", description = "send BatchRegister calls of N records (1 to 2000) instead "
            + "of one stream, e.g. through a proxy that does not pass client streams")
    int batch;
    @Option(names = "--rejects", paramLabel = "FILE", description = "write every refused line with its reason to FILE")
    Path rejects;
    @Option(names = "--progress", negatable = true,
            description = "show progress on stderr (default: only when it is a terminal)")
    Boolean progress;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new UsageException("cannot read " + file);
        }
        if (batch < 0 || batch > MAX_BATCH) {
            throw usage("--batch must be between 1 and " + MAX_BATCH);
        }
        Format f = format != null ? format : formatOf(file);
        TemplateRef defaultTemplate = null;
        if (template != null) {
            if (f != Format.CSV) {
                throw usage("--template is for CSV files; JSON lines carry their template binding in their values");
            }
            try {
                defaultTemplate = TemplateRef.parse(template);
            } catch (IllegalArgumentException e) {
                throw usage("--template: " + e.getMessage());
            }
        }
        ImportSummary summary = new ImportSummary(file.toString(), f.name().toLowerCase(Locale.ROOT));
        ImportCounters counters = new ImportCounters();
        try (RecordSource source = f == Format.CSV
                ? new CsvSource(file, defaultTemplate, TemplateCache.of(client())) : new JsonLinesSource(file)) {
            boolean show = progress != null ? progress : root().terminal;
            Progress p = show ? new Progress(err(), root().terminal, Files.size(file), counters, source::bytesRead) : null;
            try {
                new Importer(client(), source, batch, counters, summary).run();
            } catch (IdNodeException e) {
                if (p != null) {
                    p.close();
                    p = null;
                }
                err().println("idctl import: stopped after " + counters.read() + " lines read, " + counters.sent()
                        + " records sent: " + Errors.describe(e));
                err().println("idctl import: records sent may be stored; importing the file again is safe (records are replaced)");
                throw e;
            } finally {
                if (p != null) {
                    p.close();
                }
            }
        }
        if (rejects != null) {
            summary.writeRejects(rejects);
        }
        if (jsonOutput()) {
            printJson(summary.json());
        } else {
            summary.printText(out());
        }
        return summary.refused() > 0 || summary.stoppedBecause != null ? Exit.REFUSED : Exit.OK;
    }

    private Format formatOf(Path f) {
        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return Format.CSV;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
            return Format.JSONL;
        }
        throw usage("cannot tell the format of " + f.getFileName() + " from its name; give --format csv or --format jsonl");
    }
}
