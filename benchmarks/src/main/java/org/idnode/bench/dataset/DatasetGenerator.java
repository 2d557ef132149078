package org.idnode.bench.dataset;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Generates a realistic PCB supply-chain data set in the node's import format (JSON lines, see the
 * README's "Import format"): the enterprise prefix handles {@code 0.NA/88.999.1..4} and enterprise
 * records first, then laminate lots, PCB lots and panels, component reels and PCBA units with
 * {@code REF.*} references between them, 6 to about 25 values each, some restricted
 * ({@code "permissions": "1100"}). Only the prefix space {@code 88.999} and {@code example.com} hosts
 * are used.
 *
 * <p>The output is a function of (prefix, seed, shape, count) alone: the same arguments give the same
 * bytes. Generation streams with constant memory, so 10M or 100M records need only disk space. The
 * key file, when asked for, lists every handle in file order, one per line, for {@code idbench resolve}.
 *
 * <p>Instances are immutable and thread-safe; each {@link #write} call is independent.
 */
public final class DatasetGenerator {
    /** Records in the header: four prefix handles and four enterprise records. */
    public static final int HEADER_RECORDS = SupplyChain.HEADER;

    private static final Pattern PREFIX = Pattern.compile("88\\.999(\\.[0-9]+)*");

    /** What the records look like. */
    public enum Shape {
        /** The mixed supply chain described above (answers from about 500 bytes to several UDP packets). */
        REALISTIC,
        /** Six public values per record (an answer of about 380 bytes), as in the performance anchors. */
        ANCHOR;

        /** Parses {@code realistic} or {@code anchor}. */
        public static Shape parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown shape '" + text + "'; expected realistic or anchor");
            }
        }
    }

    private final String prefix;
    private final long seed;
    private final Shape shape;

    /**
     * @param prefix the node prefix; enterprises get {@code prefix.1} to {@code prefix.4}
     * @throws IllegalArgumentException when the prefix is not {@code 88.999} or below it
     */
    public DatasetGenerator(String prefix, long seed, Shape shape) {
        Objects.requireNonNull(prefix, "prefix");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("prefix must be 88.999 or a prefix below it (88.999.N...), got '" + prefix
                    + "'; generated data stays in the test prefix space");
        }
        this.prefix = prefix;
        this.seed = seed;
        this.shape = Objects.requireNonNull(shape, "shape");
    }

    /**
     * Writes {@code count} records to {@code records} (and their handles to {@code keys} when not null).
     * Neither stream is closed; both are flushed.
     *
     * @return the number of records written ({@code count})
     */
    public long write(long count, OutputStream records, Writer keys) throws IOException {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        try (RecordWriter out = new RecordWriter(records, keys, count)) {
            new SupplyChain(prefix, seed, shape, out).generate();
            return out.written();
        } finally {
            records.flush();
        }
    }

    /**
     * Writes {@code count} records to the file {@code out} and, when {@code keysOut} is not null, the
     * handles to {@code keysOut}. Existing files are replaced.
     *
     * @return the number of records written
     */
    public long writeFiles(long count, Path out, Path keysOut) throws IOException {
        try (OutputStream records = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16);
             Writer keys = keysOut == null ? null
                     : new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(keysOut), StandardCharsets.UTF_8), 1 << 16)) {
            return write(count, records, keys);
        }
    }
}
