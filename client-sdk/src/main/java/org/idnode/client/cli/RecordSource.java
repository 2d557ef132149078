package org.idnode.client.cli;

import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** The records of an import file, one line at a time. */
interface RecordSource extends Closeable {
    /** The next record or refused line; null at the end of the file, or after a problem that stops the reading. */
    InputLine next() throws IOException;

    /** Bytes of the file read so far (for the progress bar). */
    long bytesRead();

    /** Why the reading stopped before the end of the file; null when it reached the end. */
    String stoppedBecause();

    /** Counts the bytes read through it; read by another thread for the progress bar. */
    final class CountingStream extends FilterInputStream {
        private volatile long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            count += s;
            return s;
        }

        long count() {
            return count;
        }
    }
}
