package org.idnode.bench.load;

import java.util.SplittableRandom;

/**
 * Draws ranks 1..n with probability proportional to {@code 1 / rank^s} in constant time and memory,
 * by rejection-inversion (W. Hörmann and G. Derflinger, "Rejection-inversion to generate variates from
 * monotone discrete distributions", ACM TOMACS 6(3), 1996). Works for any exponent {@code s > 0},
 * including 1, and any n up to {@link Integer#MAX_VALUE}.
 *
 * <p>Not thread-safe: one per thread, each with its own random source.
 */
final class ZipfSampler {
    private final int n;
    private final double s;
    private final double hIntegralX1;
    private final double hIntegralN;
    private final double threshold;

    ZipfSampler(int n, double exponent) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1");
        }
        if (!(exponent > 0)) {
            throw new IllegalArgumentException("exponent must be positive");
        }
        this.n = n;
        this.s = exponent;
        this.hIntegralX1 = hIntegral(1.5) - 1.0;
        this.hIntegralN = hIntegral(n + 0.5);
        this.threshold = 2.0 - hIntegralInverse(hIntegral(2.5) - h(2.0));
    }

    /** A rank in 1..n. */
    int sample(SplittableRandom random) {
        while (true) {
            double u = hIntegralN + random.nextDouble() * (hIntegralX1 - hIntegralN);
            double x = hIntegralInverse(u);
            long k = (long) (x + 0.5);
            if (k < 1) {
                k = 1;
            } else if (k > n) {
                k = n;
            }
            if (k - x <= threshold || u >= hIntegral(k + 0.5) - h(k)) {
                return (int) k;
            }
        }
    }

    /** {@code H(x) = (x^(1-s) - 1) / (1 - s)}, continuous at s = 1 (where it is {@code log x}). */
    private double hIntegral(double x) {
        double logX = Math.log(x);
        return helper2((1.0 - s) * logX) * logX;
    }

    private double h(double x) {
        return Math.exp(-s * Math.log(x));
    }

    private double hIntegralInverse(double x) {
        double t = x * (1.0 - s);
        if (t < -1.0) {
            t = -1.0;   // numerical guard: the true value is never below -1
        }
        return Math.exp(helper1(t) * x);
    }

    /** {@code log(1 + x) / x}, accurate near 0. */
    private static double helper1(double x) {
        if (Math.abs(x) > 1e-8) {
            return Math.log1p(x) / x;
        }
        return 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
    }

    /** {@code (exp(x) - 1) / x}, accurate near 0. */
    private static double helper2(double x) {
        if (Math.abs(x) > 1e-8) {
            return Math.expm1(x) / x;
        }
        return 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
    }
}
