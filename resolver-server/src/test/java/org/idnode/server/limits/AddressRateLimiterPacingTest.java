package org.idnode.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import org.idnode.server.config.NodeConfig;
import org.junit.jupiter.api.Test;

/**
 * The pacing of connection requests ({@link AddressRateLimiter#admitPaced}) on a clock the test drives: 1000
 * requests a second (a token every millisecond), burst 10.
 */
class AddressRateLimiterPacingTest {
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_000_000_000_000L;

    private final AddressRateLimiter limiter = new AddressRateLimiter(new NodeConfig.Limits.Rate(1000, 10), 100);
    private final InetAddress client = InetAddress.getLoopbackAddress();

    private List<Long> burst(int requests, long at) {
        List<Long> verdicts = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            verdicts.add(limiter.admitPaced(client, at));
        }
        return verdicts;
    }

    /** Empties the bucket at {@code at} and is refused once; returns the refusal's verdict. */
    private long refuseOnce(long at) {
        assertThat(burst(10, at)).as("a burst within the bucket goes ahead at once").containsOnly(0L);
        long refusal = limiter.admitPaced(client, at);
        assertThat(refusal).as("the request over the burst is refused").isNegative();
        return refusal;
    }

    @Test
    void aClientNeverRefusedSpendsItsBurstAtOnce() {
        assertThat(burst(10, T0)).containsOnly(0L);
        assertThat(burst(10, T0 + 20 * MS)).as("refilled after burst / rate").containsOnly(0L);
    }

    @Test
    void aRefusedClientIsToldWhenItsNextTokenIsDue() {
        assertThat(-refuseOnce(T0)).isEqualTo(MS);
        assertThat(limiter.refused()).isEqualTo(1);
    }

    @Test
    void afterARefusalTheTokensSavedUpAreHandedOutOneIntervalApart() {
        refuseOnce(T0);
        // 15 ms later the bucket would hold its whole burst again; a paced client gets its requests spaced instead.
        assertThat(burst(5, T0 + 15 * MS)).containsExactly(0L, MS, 2 * MS, 3 * MS, 4 * MS);
        assertThat(limiter.refused()).as("delayed, not refused").isEqualTo(1);
    }

    @Test
    void aPacedClientIsRefusedWhenItsRequestsWouldWaitLongerThanItsBurstTakes() {
        refuseOnce(T0);
        List<Long> verdicts = burst(12, T0 + 15 * MS);
        // Delays 0..9 ms: the tenth token is due 9 ms out, as far as a burst of 10 reaches; the 11th is refused.
        assertThat(verdicts.subList(0, 10)).allSatisfy(v -> assertThat(v).isBetween(0L, 9 * MS));
        assertThat(verdicts.subList(10, 12)).allSatisfy(v -> assertThat(v).isNegative());
    }

    @Test
    void pacingEndsOnceTheClientWasQuietForAsLongAsItsBucketTakesToRefill() {
        refuseOnce(T0);
        assertThat(burst(3, T0 + 15 * MS)).containsExactly(0L, MS, 2 * MS);
        // The next token was due at T0 + 18 ms; (burst - 1) intervals later, 9 ms, the bucket is full again.
        assertThat(burst(10, T0 + 17 * MS + 10 * MS)).as("a full burst at once again").containsOnly(0L);
    }

    @Test
    void aClientWithinItsRateIsNotDelayedWhilePaced() {
        refuseOnce(T0);
        for (int i = 0; i < 20; i++) {
            assertThat(limiter.admitPaced(client, T0 + 12 * MS + 2 * i * MS)).as("request %d at half the rate", i).isZero();
        }
    }
}
