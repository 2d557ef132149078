package org.idnode.client.cli;

import java.util.Arrays;

/**
 * Which input line each record of a bulk stream came from. Records are numbered from 0 in the order sent and their
 * lines only grow, so only the points where {@code line - sequence} changes are kept (a skipped line, a refused line,
 * a multi-line CSV record): memory grows with the irregularities, not with the file.
 */
final class LineMap {
    private long[] sequences = new long[16];
    private long[] offsets = new long[16];
    private int size;

    /** Records that {@code sequence} (one more than the last) came from {@code line}. */
    void add(long sequence, long line) {
        long offset = line - sequence;
        if (size > 0 && offsets[size - 1] == offset) {
            return;
        }
        if (size == sequences.length) {
            sequences = Arrays.copyOf(sequences, size * 2);
            offsets = Arrays.copyOf(offsets, size * 2);
        }
        sequences[size] = sequence;
        offsets[size] = offset;
        size++;
    }

    /** The line of record {@code sequence}; -1 for a number never added. */
    long line(long sequence) {
        int i = Arrays.binarySearch(sequences, 0, size, sequence);
        if (i < 0) {
            i = -i - 2;
        }
        return i < 0 ? -1 : sequence + offsets[i];
    }
}
