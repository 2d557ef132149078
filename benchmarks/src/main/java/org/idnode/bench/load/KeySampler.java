package org.idnode.bench.load;

import java.util.SplittableRandom;

/**
 * Picks key indexes for one worker: uniform, or Zipf ranks mapped to keys through a seeded bijection
 * {@code rank -> (a * (rank - 1) + b) mod n} with {@code gcd(a, n) = 1}, the same for every worker of a
 * run so that all workers agree on which keys are hot, or sequential: worker {@code stream} of {@code streams}
 * walks the keys {@code stream, stream + streams, ...} in order and starts again at the end, so the workers
 * of a run together request every key once before any twice. Each worker draws from its own random stream.
 *
 * <p>Not thread-safe: one per worker.
 */
final class KeySampler {
    private final SplittableRandom random;
    private final int n;
    private final ZipfSampler zipf;
    private final long a;
    private final long b;
    private final boolean sequential;
    private final int start;
    private final int step;
    private int position;

    KeySampler(KeyDistribution distribution, double exponent, int n, long seed, int stream, int streams) {
        this.n = n;
        this.sequential = distribution == KeyDistribution.SEQUENTIAL;
        this.start = stream % n;
        this.step = streams;
        this.position = start;
        this.random = new SplittableRandom(mix(seed) ^ mix(0x9E3779B97F4A7C15L * (stream + 1)));
        if (distribution == KeyDistribution.ZIPF) {
            zipf = new ZipfSampler(n, exponent);
            SplittableRandom shared = new SplittableRandom(mix(seed ^ 0x5DEECE66DL));
            long candidate = n == 1 ? 1 : 1 + Math.floorMod(shared.nextLong(), (long) n - 1);
            while (gcd(candidate, n) != 1) {
                candidate = candidate % n + 1;
            }
            a = candidate;
            b = Math.floorMod(shared.nextLong(), (long) n);
        } else {
            zipf = null;
            a = 1;
            b = 0;
        }
    }

    /** The next key index in 0..n-1. */
    int next() {
        if (sequential) {
            int key = position;
            position = position + step < n ? position + step : start;
            return key;
        }
        if (zipf == null) {
            return random.nextInt(n);
        }
        return keyOfRank(zipf.sample(random));
    }

    /** The key index of a Zipf rank (1 = hottest). */
    int keyOfRank(int rank) {
        return (int) ((a * (rank - 1) + b) % n);
    }

    private static long gcd(long x, long y) {
        while (y != 0) {
            long t = x % y;
            x = y;
            y = t;
        }
        return x;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
