package org.idnode.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import org.idnode.bench.ceiling.CeilingResponder;
import org.junit.jupiter.api.Test;

class SteadyWarmupTest {
    @Test
    void aWarmupEndsAfterTwoWindowsInARowThatDoNotBeatTheBestByFivePerCent() {
        SteadyWarmup rule = new SteadyWarmup();
        assertThat(rule.steadyAfter(4_000)).isFalse();
        assertThat(rule.steadyAfter(20_000)).isFalse();
        assertThat(rule.steadyAfter(20_500)).isFalse();   // within 5 %: first flat window
        assertThat(rule.steadyAfter(30_000)).isFalse();   // a real rise starts the count again
        assertThat(rule.steadyAfter(29_000)).isFalse();
        assertThat(rule.steadyAfter(31_400)).isTrue();    // 31,400 < 1.05 × 30,000: second flat window
    }

    @Test
    void aWindowBelowTheBestIsFlatAndTheBestIsKept() {
        SteadyWarmup rule = new SteadyWarmup();
        rule.steadyAfter(50_000);
        assertThat(rule.steadyAfter(10_000)).isFalse();
        assertThat(rule.steadyAfter(51_000)).isTrue();    // measured against 50,000, not against the dip
    }

    @Test
    void aWindowWithoutAnswersNeverCountsAsProgress() {
        SteadyWarmup rule = new SteadyWarmup();
        assertThat(rule.steadyAfter(0)).isFalse();
        assertThat(rule.steadyAfter(0)).isTrue();
    }

    @Test
    void theWarmupLimitEndsWindowsThatAreNotYetSteadyAndTheResultReportsTheWarmupTaken() {
        KeySet keys = KeySet.of(List.of("88.999.1/A", "88.999.1/B"));
        try (CeilingResponder responder = CeilingResponder.start(Protocol.TCP, InetAddress.getLoopbackAddress(), 0, 1, IoMode.AUTO)) {
            // A 3 s limit leaves room for two 2 s windows; steadiness needs at least three, so the limit ends it.
            LoadSpec spec = LoadSpec.builder(Protocol.TCP).target(responder.address()).concurrency(4).requests(300)
                    .warmupUntilSteady(Duration.ofSeconds(3)).build();
            LoadResult result = LoadGenerator.run(spec, keys);
            assertThat(result.requests()).isEqualTo(300);
            assertThat(result.errors()).isZero();
            double windows = 2 * SteadyWarmup.WINDOW.toNanos() / 1e9;
            double settle = SteadyWarmup.SETTLE.toNanos() / 1e9;
            assertThat(result.warmupSeconds()).isBetween(windows + settle, windows + settle + 1.5);
        }
    }
}
