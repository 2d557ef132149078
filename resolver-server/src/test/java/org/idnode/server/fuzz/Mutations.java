package org.idnode.server.fuzz;

import java.util.Arrays;
import java.util.List;

import net.handle.hdllib.Common;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Fuzz inputs made from seeds: random bytes, and valid messages changed by a few mutations each (bit flips, byte
 * changes, 32-bit fields set to boundary values such as 0, -1, {@code Integer.MAX_VALUE} or just over the message
 * length limit, insertions, deletions, duplicated ranges, truncation). jqwik shrinks a failing input by shrinking its
 * mutations.
 *
 * <p>Stateless and thread-safe.
 */
public final class Mutations {
    /** Values written over 32-bit fields, which is where lengths and counts live. */
    private static final int[] BOUNDARIES = {0, 1, -1, 2, 4, 20, 24, 255, 256, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, Integer.MAX_VALUE, Integer.MIN_VALUE,
            Integer.MAX_VALUE - 3, Common.MAX_MESSAGE_LENGTH, Common.MAX_MESSAGE_LENGTH + 1, Common.MAX_UDP_DATA_SIZE};

    private Mutations() {
    }

    /** One change: what kind, where (taken modulo the input's length), and with what value. */
    record Mutation(int kind, int position, int value) {
        byte[] apply(byte[] in) {
            int n = in.length;
            int at = n == 0 ? 0 : Math.floorMod(position, n);
            switch (kind) {
                case 0 -> { // flip a bit
                    if (n > 0) {
                        byte[] out = in.clone();
                        out[at] ^= (byte) (1 << Math.floorMod(value, 8));
                        return out;
                    }
                    return in;
                }
                case 1 -> { // set a byte
                    if (n > 0) {
                        byte[] out = in.clone();
                        out[at] = (byte) value;
                        return out;
                    }
                    return in;
                }
                case 2, 3 -> { // set a 4-aligned 32-bit field to a boundary, or to a length near the input's
                    if (n < 4) {
                        return in;
                    }
                    int field = Math.min(at - at % 4, n - 4);
                    int v = kind == 2 ? BOUNDARIES[Math.floorMod(value, BOUNDARIES.length)] : n - field + Math.floorMod(value, 9) - 4;
                    byte[] out = in.clone();
                    out[field] = (byte) (v >>> 24);
                    out[field + 1] = (byte) (v >>> 16);
                    out[field + 2] = (byte) (v >>> 8);
                    out[field + 3] = (byte) v;
                    return out;
                }
                case 4 -> { // insert up to 8 bytes
                    int k = 1 + Math.floorMod(value, 8);
                    byte[] out = new byte[n + k];
                    System.arraycopy(in, 0, out, 0, at);
                    Arrays.fill(out, at, at + k, (byte) (value >>> 8));
                    System.arraycopy(in, at, out, at + k, n - at);
                    return out;
                }
                case 5 -> { // delete up to 16 bytes
                    int k = Math.min(n - at, 1 + Math.floorMod(value, 16));
                    byte[] out = new byte[n - k];
                    System.arraycopy(in, 0, out, 0, at);
                    System.arraycopy(in, at + k, out, at, n - at - k);
                    return out;
                }
                case 6 -> { // duplicate a range
                    int k = Math.min(n - at, 1 + Math.floorMod(value, 32));
                    byte[] out = new byte[n + k];
                    System.arraycopy(in, 0, out, 0, at + k);
                    System.arraycopy(in, at, out, at + k, n - at);
                    return out;
                }
                default -> { // truncate
                    return Arrays.copyOf(in, at);
                }
            }
        }
    }

    /** Sequences of one to six mutations. */
    static Arbitrary<List<Mutation>> mutations() {
        return Combinators.combine(Arbitraries.integers().between(0, 7), Arbitraries.integers(), Arbitraries.integers())
                .as(Mutation::new).list().ofMinSize(1).ofMaxSize(6);
    }

    /** Each seed with a few mutations applied. */
    public static Arbitrary<byte[]> mutated(Arbitrary<byte[]> seeds) {
        return Combinators.combine(seeds, mutations()).as((seed, ms) -> {
            byte[] b = seed;
            for (Mutation m : ms) {
                b = m.apply(b);
            }
            return b;
        });
    }

    /** Every prefix of a seed (a message cut short anywhere). */
    public static Arbitrary<byte[]> truncated(Arbitrary<byte[]> seeds) {
        return Combinators.combine(seeds, Arbitraries.integers().greaterOrEqual(0)).as((s, cut) -> Arrays.copyOf(s, s.length == 0 ? 0 : cut % s.length));
    }

    /** Random bytes, up to {@code maxLength}. */
    public static Arbitrary<byte[]> randomBytes(int maxLength) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxLength);
    }

    /** The mix every decoder fuzzer uses: mostly mutated seeds, some truncated ones, some random bytes, some seeds as they are. */
    public static Arbitrary<byte[]> inputs(Arbitrary<byte[]> seeds, int maxRandomLength) {
        return Arbitraries.frequencyOf(
                Tuple.of(6, mutated(seeds)),
                Tuple.of(2, truncated(seeds)),
                Tuple.of(1, randomBytes(maxRandomLength)),
                Tuple.of(1, seeds));
    }
}
