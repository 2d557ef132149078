package org.idnode.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.idnode.bench.ceiling.CeilingResponder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhaseSplitTest {
    private static final long T0 = 1_790_000_000_000L;   // an absolute time, as IntervalLog writes

    @TempDir
    Path dir;

    /** Ten 100-ms intervals from T0, each with {@code n} answers of the given latency. */
    private Path log(long[] latencies, int n) throws Exception {
        Path file = dir.resolve("h.hlog");
        try (PrintStream out = new PrintStream(file.toFile(), StandardCharsets.US_ASCII)) {
            HistogramLogWriter w = new HistogramLogWriter(out);
            w.outputLogFormatVersion();
            w.outputStartTime(T0);
            w.outputLegend();
            for (int i = 0; i < latencies.length; i++) {
                Histogram h = new Histogram(1, Recorder.HIGHEST_MICROS, 3);
                for (int k = 0; k < n; k++) {
                    h.recordValue(latencies[i]);
                }
                h.setStartTimeStamp(T0 + 100L * i);
                h.setEndTimeStamp(T0 + 100L * (i + 1));
                w.outputIntervalHistogram(h);
            }
        }
        return file;
    }

    @Test
    void intervalsArePooledByLabelAndThoseAcrossABoundaryOrOutsideEveryPhaseAreLeftOutAndCounted() throws Exception {
        // Intervals 0-1 "alone" (1 ms), 2 straddles, 3-4 "flood" (8 ms), 5-6 "alone" (2 ms), 7-9 outside every phase.
        Path log = log(new long[] {1000, 1000, 50_000, 8000, 8000, 2000, 2000, 90_000, 90_000, 90_000}, 100);
        List<PhaseSplit.Phase> phases = List.of(
                new PhaseSplit.Phase("alone", T0, T0 + 250),
                new PhaseSplit.Phase("flood", T0 + 250, T0 + 500),
                new PhaseSplit.Phase("alone", T0 + 500, T0 + 700));

        PhaseSplit.Result r = PhaseSplit.split(log, phases);

        assertThat(r.labels()).extracting(PhaseSplit.LabelStats::label).containsExactly("alone", "flood");
        PhaseSplit.LabelStats alone = r.labels().get(0);
        assertThat(alone.phases()).isEqualTo(2);
        assertThat(alone.intervals()).isEqualTo(4);
        assertThat(alone.answers()).isEqualTo(400);
        assertThat(alone.p50Micros()).isBetween(999L, 1001L);
        assertThat(alone.p99Micros()).isBetween(1998L, 2002L);
        assertThat(alone.phaseP99Micros()).hasSize(2);
        assertThat(alone.phaseP99Micros().get(0)).isBetween(999L, 1001L);
        assertThat(alone.phaseP99Micros().get(1)).isBetween(1998L, 2002L);
        PhaseSplit.LabelStats flood = r.labels().get(1);
        assertThat(flood.intervals()).isEqualTo(2);
        assertThat(flood.p99Micros()).isBetween(7990L, 8010L);
        assertThat(r.straddlingIntervals()).isEqualTo(1);
        assertThat(r.straddlingAnswers()).isEqualTo(100);
        assertThat(r.outsideIntervals()).isEqualTo(3);
        assertThat(r.toJson()).contains("\"label\":\"alone\"", "\"straddling_intervals\":1", "\"phase_p99_us\":[");
        assertThat(r.toText()).contains("alone", "flood", "left out: 1 intervals");
    }

    @Test
    void aPhaseWithoutAnswersReportsZeroes() throws Exception {
        Path log = log(new long[] {1000, 1000}, 10);
        PhaseSplit.Result r = PhaseSplit.split(log, List.of(new PhaseSplit.Phase("later", T0 + 5_000, T0 + 6_000)));
        assertThat(r.labels().get(0).answers()).isZero();
        assertThat(r.labels().get(0).p99Micros()).isZero();
        assertThat(r.labels().get(0).phaseP99Micros()).containsExactly(0L);
        assertThat(r.outsideIntervals()).isEqualTo(2);
    }

    @Test
    void aPhasesFileIsReadWithCommentsAndABadLineIsNamed() throws Exception {
        Path ok = Files.writeString(dir.resolve("ok.txt"), "# label start end\nalone 100 200\n\nflood 200 300\n");
        assertThat(PhaseSplit.readPhases(ok)).containsExactly(new PhaseSplit.Phase("alone", 100, 200), new PhaseSplit.Phase("flood", 200, 300));

        Path bad = Files.writeString(dir.resolve("bad.txt"), "alone 100 200\nflood 300\n");
        assertThatThrownBy(() -> PhaseSplit.readPhases(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2").hasMessageContaining("LABEL START_MS END_MS");
        Path backwards = Files.writeString(dir.resolve("back.txt"), "alone 300 200\n");
        assertThatThrownBy(() -> PhaseSplit.readPhases(backwards)).hasMessageContaining("line 1").hasMessageContaining("before it starts");
        Path empty = Files.writeString(dir.resolve("empty.txt"), "# nothing\n");
        assertThatThrownBy(() -> PhaseSplit.readPhases(empty)).hasMessageContaining("no phases");
    }

    @Test
    void aRunsIntervalLogHoldsEveryAnsweredRequestInWallClockIntervals() throws Exception {
        KeySet keys = KeySet.of(List.of("88.999.1/A", "88.999.1/B"));
        Path file = dir.resolve("run.hlog");
        LoadResult result;
        long before = System.currentTimeMillis();
        try (CeilingResponder responder = CeilingResponder.start(Protocol.UDP, InetAddress.getLoopbackAddress(), 0, 1, IoMode.AUTO);
             IntervalLog log = IntervalLog.create(file, Duration.ofMillis(100))) {
            LoadSpec spec = LoadSpec.builder(Protocol.UDP).target(responder.address()).concurrency(8).rate(2000.0)
                    .duration(Duration.ofMillis(1500)).warmup(Duration.ofMillis(300)).build();
            result = LoadGenerator.run(spec, keys, log);
        }
        long after = System.currentTimeMillis();
        assertThat(result.errors()).isZero();
        assertThat(Files.readString(file)).contains("#[StartTime:", "\"StartTimestamp\"");

        // One phase over the whole run holds every measured answer; none of the warm-up's.
        PhaseSplit.Result whole = PhaseSplit.split(file, List.of(new PhaseSplit.Phase("run", before, after + 1000)));
        assertThat(whole.labels().get(0).answers()).isEqualTo(result.requests());
        assertThat(whole.labels().get(0).intervals()).isGreaterThanOrEqualTo(18);   // at least the 1.8 s of warm-up and run
        assertThat(whole.straddlingIntervals() + whole.outsideIntervals()).isZero();

        // Cut in two: the halves' answers and the interval that crosses the cut add up to the whole.
        long cut = before + 1000;
        PhaseSplit.Result halves = PhaseSplit.split(file, List.of(
                new PhaseSplit.Phase("first", before, cut), new PhaseSplit.Phase("second", cut, after + 1000)));
        long sum = halves.labels().get(0).answers() + halves.labels().get(1).answers() + halves.straddlingAnswers();
        assertThat(sum).isEqualTo(result.requests());
        assertThat(halves.straddlingIntervals()).isLessThanOrEqualTo(1);
        assertThat(halves.labels().get(1).answers()).isPositive();
    }
}
