package org.idnode.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;

/**
 * The identifiers a run requests, held as packed UTF-8 bytes (one array for all handles plus an offset
 * table), so that ten million keys cost about their own size in memory rather than a {@code String}
 * and a {@code byte[]} each.
 *
 * <p>A key file has one handle per line, UTF-8; surrounding blanks are trimmed, and blank lines and
 * lines starting with {@code #} are skipped. Immutable once built, and safe to share between threads.
 */
public final class KeySet {
    /** Longest handle the Handle protocol allows, in UTF-8 bytes. */
    public static final int MAX_HANDLE_BYTES = 255;

    private final byte[] data;
    private final int[] offsets;
    private final int size;

    private KeySet(byte[] data, int[] offsets, int size) {
        this.data = data;
        this.offsets = offsets;
        this.size = size;
    }

    /**
     * Reads a key file.
     *
     * @throws LoadException when the file is missing, empty, or holds a handle longer than
     *                       {@link #MAX_HANDLE_BYTES} bytes
     */
    public static KeySet read(Path file) throws IOException {
        long fileSize;
        try {
            fileSize = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new LoadException("key file " + file + " does not exist");
        }
        if (fileSize > Integer.MAX_VALUE - 16) {
            throw new LoadException("key file " + file + " is larger than 2 GiB; split it");
        }
        Builder b = new Builder((int) fileSize);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] chunk = new byte[1 << 16];
            byte[] line = new byte[4096];
            int len = 0;
            long lineNo = 1;
            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                for (int i = 0; i < n; i++) {
                    byte c = chunk[i];
                    if (c == '\n') {
                        b.addLine(line, len, file, lineNo++);
                        len = 0;
                    } else {
                        if (len == line.length) {
                            if (len >= 1 << 16) {
                                throw new LoadException(file + " line " + lineNo + " is longer than 64 KiB; is this a key file (one handle per line)?");
                            }
                            line = Arrays.copyOf(line, line.length * 2);
                        }
                        line[len++] = c;
                    }
                }
            }
            b.addLine(line, len, file, lineNo);
        }
        if (b.size == 0) {
            throw new LoadException("key file " + file + " holds no handles");
        }
        return b.build();
    }

    /**
     * A key set of the given handles, in order.
     *
     * @throws IllegalArgumentException when the collection is empty or a handle is blank or too long
     */
    public static KeySet of(Collection<String> handles) {
        Builder b = new Builder(handles.size() * 48);
        for (String h : handles) {
            byte[] bytes = h.trim().getBytes(StandardCharsets.UTF_8);
            if (bytes.length == 0 || bytes.length > MAX_HANDLE_BYTES) {
                throw new IllegalArgumentException("handle '" + h + "' is blank or longer than " + MAX_HANDLE_BYTES + " bytes");
            }
            b.add(bytes, 0, bytes.length);
        }
        if (b.size == 0) {
            throw new IllegalArgumentException("no handles");
        }
        return b.build();
    }

    /** Number of keys. */
    public int size() {
        return size;
    }

    /** The i-th handle, 0-based. */
    public String handle(int i) {
        return new String(data, offsets[i], length(i), StandardCharsets.UTF_8);
    }

    /** The i-th handle's UTF-8 bytes, as a fresh array. */
    public byte[] handleBytes(int i) {
        return Arrays.copyOfRange(data, offsets[i], offsets[i + 1]);
    }

    int offset(int i) {
        return offsets[i];
    }

    int length(int i) {
        return offsets[i + 1] - offsets[i];
    }

    byte[] data() {
        return data;
    }

    private static final class Builder {
        private byte[] data;
        private int[] offsets = new int[1024];
        private int size;
        private int used;

        Builder(int capacity) {
            data = new byte[Math.max(64, capacity)];
        }

        void addLine(byte[] line, int len, Path file, long lineNo) {
            int start = 0;
            int end = len;
            while (start < end && isBlank(line[start])) {
                start++;
            }
            while (end > start && isBlank(line[end - 1])) {
                end--;
            }
            if (start == end || line[start] == '#') {
                return;
            }
            if (end - start > MAX_HANDLE_BYTES) {
                throw new LoadException(file + " line " + lineNo + ": handle is " + (end - start)
                        + " bytes, longer than the " + MAX_HANDLE_BYTES + " the Handle protocol allows");
            }
            add(line, start, end - start);
        }

        private static boolean isBlank(byte b) {
            return b == ' ' || b == '\t' || b == '\r';
        }

        void add(byte[] bytes, int off, int len) {
            if (used + len > data.length) {
                data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 16, Math.max((long) data.length * 2, used + len)));
            }
            if (size + 2 > offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            System.arraycopy(bytes, off, data, used, len);
            offsets[size] = used;
            used += len;
            size++;
            offsets[size] = used;
        }

        KeySet build() {
            return new KeySet(data, Arrays.copyOf(offsets, size + 1), size);
        }
    }
}
