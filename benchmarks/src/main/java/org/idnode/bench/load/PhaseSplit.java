package org.idnode.bench.load;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * Cuts an {@link IntervalLog} into labelled phases of wall-clock time and pools the latencies of each label:
 * for a run during which something was switched on and off (a flooder, another client), the percentiles of
 * every "on" phase together against every "off" phase together. An interval of the log belongs to a phase when
 * it lies wholly inside it; intervals that cross a phase boundary are left out and counted, as are intervals
 * outside every phase.
 *
 * <p>Phases file: one phase per line, {@code LABEL START_MS END_MS} (milliseconds since the epoch, separated by
 * blanks); blank lines and lines starting with {@code #} are ignored. Phases of the same label may repeat.
 *
 * <p>Stateless; safe to call from any thread.
 */
public final class PhaseSplit {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PhaseSplit() {
    }

    /** One stretch of wall-clock time and its label. */
    public record Phase(String label, long startMillis, long endMillis) {
        /** @throws IllegalArgumentException when the phase ends before it starts or has no label */
        public Phase {
            if (label == null || label.isBlank()) {
                throw new IllegalArgumentException("a phase needs a label");
            }
            if (endMillis <= startMillis) {
                throw new IllegalArgumentException("phase " + label + " ends (" + endMillis + ") before it starts (" + startMillis + ")");
            }
        }

        boolean contains(long start, long end) {
            return start >= startMillis && end <= endMillis;
        }

        boolean overlaps(long start, long end) {
            return start < endMillis && end > startMillis;
        }
    }

    /**
     * The pooled latencies of one label.
     *
     * @param label     the phases' label
     * @param phases    how many phases carry it
     * @param intervals log intervals that fell wholly inside them
     * @param answers   answered requests in those intervals
     * @param p50Micros median of all of them; the percentiles are 0 when there are no answers
     * @param p99Micros 99th percentile of all of them
     * @param p999Micros 99.9th percentile
     * @param maxMicros slowest
     * @param phaseP99Micros the 99th percentile of each phase on its own, in time order (0 for a phase without answers)
     */
    public record LabelStats(String label, int phases, int intervals, long answers, long p50Micros, long p99Micros,
                             long p999Micros, long maxMicros, List<Long> phaseP99Micros) {
    }

    /**
     * The split.
     *
     * @param labels              per label, in the order the labels first appear among the phases
     * @param straddlingIntervals intervals left out because they cross a phase boundary
     * @param straddlingAnswers   answered requests in those
     * @param outsideIntervals    intervals outside every phase (warm-up, before the first phase, after the last)
     */
    public record Result(List<LabelStats> labels, int straddlingIntervals, long straddlingAnswers, int outsideIntervals) {
        /** The split as one JSON object (snake_case keys). */
        public String toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            List<Map<String, Object>> ls = new ArrayList<>();
            for (LabelStats s : labels) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("label", s.label());
                l.put("phases", s.phases());
                l.put("intervals", s.intervals());
                l.put("answers", s.answers());
                l.put("p50_us", s.p50Micros());
                l.put("p99_us", s.p99Micros());
                l.put("p999_us", s.p999Micros());
                l.put("max_us", s.maxMicros());
                l.put("phase_p99_us", s.phaseP99Micros());
                ls.add(l);
            }
            m.put("labels", ls);
            m.put("straddling_intervals", straddlingIntervals);
            m.put("straddling_answers", straddlingAnswers);
            m.put("outside_intervals", outsideIntervals);
            try {
                return JSON.writeValueAsString(m);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        /** One line per label, then the left-out intervals. */
        public String toText() {
            StringBuilder s = new StringBuilder();
            for (LabelStats l : labels) {
                s.append(String.format(Locale.ROOT, "%-12s %2d phases  %,9d answers  p50 %,d  p99 %,d  p99.9 %,d  max %,d us  (p99 per phase %s)%n",
                        l.label(), l.phases(), l.answers(), l.p50Micros(), l.p99Micros(), l.p999Micros(), l.maxMicros(), l.phaseP99Micros()));
            }
            s.append(String.format(Locale.ROOT, "left out: %d intervals across a phase boundary (%,d answers), %d outside every phase%n",
                    straddlingIntervals, straddlingAnswers, outsideIntervals));
            return s.toString();
        }
    }

    /**
     * Reads a phases file (see the class comment).
     *
     * @throws IllegalArgumentException naming the line when a line is not {@code LABEL START_MS END_MS}
     * @throws UncheckedIOException     when the file cannot be read
     */
    public static List<Phase> readPhases(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the phases file " + file, e);
        }
        List<Phase> phases = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            try {
                if (f.length != 3) {
                    throw new IllegalArgumentException("expected LABEL START_MS END_MS");
                }
                phases.add(new Phase(f[0], Long.parseLong(f[1]), Long.parseLong(f[2])));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + e.getMessage() + ": '" + line + "'", e);
            }
        }
        if (phases.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no phases");
        }
        return phases;
    }

    /**
     * Splits the interval log {@code log} into {@code phases}.
     *
     * @throws UncheckedIOException when the log cannot be read
     */
    public static Result split(Path log, List<Phase> phases) {
        Histogram[] perPhase = new Histogram[phases.size()];
        for (int i = 0; i < perPhase.length; i++) {
            perPhase[i] = new Histogram(1, Recorder.HIGHEST_MICROS, 3);
        }
        int[] intervals = new int[phases.size()];
        int straddling = 0;
        long straddlingAnswers = 0;
        int outside = 0;
        HistogramLogReader reader;
        try {
            reader = new HistogramLogReader(log.toFile());
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException("cannot read the histogram log " + log, e);
        }
        try (reader) {
            EncodableHistogram next;
            while ((next = reader.nextIntervalHistogram()) != null) {
                Histogram h = (Histogram) next;
                long start = h.getStartTimeStamp();
                long end = h.getEndTimeStamp();
                int home = -1;
                boolean overlaps = false;
                for (int i = 0; i < phases.size() && home < 0; i++) {
                    Phase p = phases.get(i);
                    if (p.contains(start, end)) {
                        home = i;
                    }
                    overlaps |= p.overlaps(start, end);
                }
                if (home >= 0) {
                    perPhase[home].add(h);
                    intervals[home]++;
                } else if (overlaps) {
                    straddling++;
                    straddlingAnswers += h.getTotalCount();
                } else {
                    outside++;
                }
            }
        }
        Map<String, List<Integer>> byLabel = new LinkedHashMap<>();
        for (int i = 0; i < phases.size(); i++) {
            byLabel.computeIfAbsent(phases.get(i).label(), k -> new ArrayList<>()).add(i);
        }
        List<LabelStats> stats = new ArrayList<>();
        byLabel.forEach((label, members) -> {
            Histogram pooled = new Histogram(1, Recorder.HIGHEST_MICROS, 3);
            int n = 0;
            List<Long> phaseP99 = new ArrayList<>();
            for (int i : members) {
                n += intervals[i];
                phaseP99.add(perPhase[i].getTotalCount() == 0 ? 0 : perPhase[i].getValueAtPercentile(99));
                pooled.add(perPhase[i]);
            }
            boolean any = pooled.getTotalCount() > 0;
            stats.add(new LabelStats(label, members.size(), n, pooled.getTotalCount(),
                    any ? pooled.getValueAtPercentile(50) : 0, any ? pooled.getValueAtPercentile(99) : 0,
                    any ? pooled.getValueAtPercentile(99.9) : 0, any ? pooled.getMaxValue() : 0, List.copyOf(phaseP99)));
        });
        return new Result(List.copyOf(stats), straddling, straddlingAnswers, outside);
    }
}
