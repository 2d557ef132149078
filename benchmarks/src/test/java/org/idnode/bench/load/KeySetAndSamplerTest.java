package org.idnode.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeySetAndSamplerTest {
    @TempDir
    Path dir;

    @Test
    void keyFilesSkipBlanksAndCommentsAndTrim() throws Exception {
        Path file = dir.resolve("keys.txt");
        Files.writeString(file, "# keys\n88.999.1/A\r\n\n  88.999.2/B  \n88.999.3/批次", StandardCharsets.UTF_8);
        KeySet keys = KeySet.read(file);
        assertThat(keys.size()).isEqualTo(3);
        assertThat(List.of(keys.handle(0), keys.handle(1), keys.handle(2))).containsExactly("88.999.1/A", "88.999.2/B", "88.999.3/批次");
    }

    @Test
    void unusableKeyFilesAreRefusedWithAReason() throws Exception {
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "\n# nothing\n");
        assertThatThrownBy(() -> KeySet.read(empty)).isInstanceOf(LoadException.class).hasMessageContaining("no handles");
        Path tooLong = dir.resolve("long.txt");
        Files.writeString(tooLong, "88.999/" + "x".repeat(300) + "\n");
        assertThatThrownBy(() -> KeySet.read(tooLong)).isInstanceOf(LoadException.class).hasMessageContaining("line 1");
        assertThatThrownBy(() -> KeySet.read(dir.resolve("missing.txt"))).isInstanceOf(LoadException.class);
    }

    @Test
    void uniformCoversEveryKey() {
        KeySampler s = new KeySampler(KeyDistribution.UNIFORM, 0.99, 10, 1, 0, 2);
        boolean[] hit = new boolean[10];
        for (int i = 0; i < 1000; i++) {
            hit[s.next()] = true;
        }
        assertThat(hit).containsOnly(true);
    }

    @Test
    void sequentialWorkersTakeTurnsOverEveryKeyOnceThenStartAgain() {
        KeySampler first = new KeySampler(KeyDistribution.SEQUENTIAL, 0.99, 5, 1, 0, 2);
        KeySampler second = new KeySampler(KeyDistribution.SEQUENTIAL, 0.99, 5, 1, 1, 2);
        int[] a = new int[4];
        int[] b = new int[3];
        for (int i = 0; i < a.length; i++) {
            a[i] = first.next();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = second.next();
        }
        assertThat(a).containsExactly(0, 2, 4, 0);
        assertThat(b).containsExactly(1, 3, 1);
        KeySampler alone = new KeySampler(KeyDistribution.SEQUENTIAL, 0.99, 3, 1, 0, 1);
        assertThat(new int[] {alone.next(), alone.next(), alone.next(), alone.next()}).containsExactly(0, 1, 2, 0);
    }

    @Test
    void zipfFavoursLowRanksAndIsDeterministicPerSeedAndStream() {
        for (double exponent : new double[] {0.5, 0.99, 1.0, 1.2}) {
            ZipfSampler z = new ZipfSampler(1000, exponent);
            SplittableRandom r = new SplittableRandom(5);
            int[] counts = new int[1001];
            for (int i = 0; i < 100_000; i++) {
                int rank = z.sample(r);
                assertThat(rank).isBetween(1, 1000);
                counts[rank]++;
            }
            assertThat(counts[1]).as("exponent %s", exponent).isGreaterThan(counts[2]).isGreaterThan(counts[100]);
            // P(1)/P(10) = 10^s within sampling noise.
            assertThat((double) counts[1] / counts[10]).isCloseTo(Math.pow(10, exponent), org.assertj.core.data.Percentage.withPercentage(25));
        }
        assertThat(new ZipfSampler(1, 0.99).sample(new SplittableRandom(1))).isEqualTo(1);

        KeySampler a = new KeySampler(KeyDistribution.ZIPF, 0.99, 1000, 9, 0, 2);
        KeySampler b = new KeySampler(KeyDistribution.ZIPF, 0.99, 1000, 9, 0, 2);
        KeySampler other = new KeySampler(KeyDistribution.ZIPF, 0.99, 1000, 9, 1, 2);
        int[] seqA = new int[50];
        int[] seqB = new int[50];
        int[] seqOther = new int[50];
        for (int i = 0; i < 50; i++) {
            seqA[i] = a.next();
            seqB[i] = b.next();
            seqOther[i] = other.next();
        }
        assertThat(seqA).isEqualTo(seqB).isNotEqualTo(seqOther);
        // Workers of one run agree on which key is hottest.
        assertThat(a.keyOfRank(1)).isEqualTo(other.keyOfRank(1));
        boolean[] mapped = new boolean[1000];
        for (int rank = 1; rank <= 1000; rank++) {
            mapped[a.keyOfRank(rank)] = true;
        }
        assertThat(mapped).as("ranks map onto keys one to one").containsOnly(true);
    }
}
