package org.idnode.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Settings are checked when the client is built, and the message names the bad one; plus the cache's TTL arithmetic. */
class BuilderTest {
    @BeforeAll
    static void cnriOffTheHomeFolder() {
        // Loads NodeProcess first: CNRI's default configuration folder becomes a temporary one, not ~/.handle.
        assertThat(NodeProcess.CNRI_CONFIG_DIR).isDirectory();
    }

    static void refused(UnaryOperator<IdClient.Builder> settings, String setting) {
        assertThatThrownBy(() -> settings.apply(IdClient.builder().endpoints("127.0.0.1:9000")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(setting + ":");
    }

    @Test
    void everyBadSettingIsNamed() {
        refused(b -> b.endpoints(), "endpoints");
        refused(b -> b.endpoints("no-port"), "endpoints");
        refused(b -> b.endpoints("127.0.0.1:99999"), "endpoints");
        refused(b -> b.endpoints("::1:9000"), "endpoints");
        refused(b -> b.token("idt_with space"), "token");
        refused(b -> b.token(""), "token");
        refused(b -> b.callTimeout(Duration.ZERO), "callTimeout");
        refused(b -> b.retry(null), "retry");
        refused(b -> b.cacheMaxEntries(-1), "cacheMaxEntries");
        refused(b -> b.negativeTtl(Duration.ofSeconds(-1)), "negativeTtl");
        refused(b -> b.handleSite("88.999.1/x", "127.0.0.1:2641"), "handleSite");
        refused(b -> b.handleSite("88.999.1", "127.0.0.1"), "handleSite");
        refused(b -> b.tls(Path.of("/nonexistent/ca.pem")), "tls");
        assertThatThrownBy(() -> RetryPolicy.of(0, Duration.ofMillis(1), Duration.ofMillis(1))).hasMessageStartingWith("retry:");
        assertThatThrownBy(() -> RetryPolicy.of(3, Duration.ofSeconds(2), Duration.ofSeconds(1))).hasMessageStartingWith("retry:");
    }

    @Test
    void aValidConfigurationBuildsWithoutContactingANode() {
        try (IdClient c = IdClient.builder().endpoints("127.0.0.1:1", "[::1]:2").token("idt_88.999.1~abc")
                .retry(RetryPolicy.NONE).cacheMaxEntries(0).handleSite("88.999.9", "127.0.0.1:2641").build()) {
            assertThat(c.operator()).isNotNull();
        }
    }

    @Test
    void backOffGrowsExponentiallyWithJitterUpToItsMaximum() {
        RetryPolicy p = RetryPolicy.of(10, Duration.ofMillis(100), Duration.ofMillis(1000));
        for (int i = 0; i < 50; i++) {
            assertThat(p.backoffNanos(1)).isBetween(50_000_000L, 100_000_000L);
            assertThat(p.backoffNanos(3)).isBetween(200_000_000L, 400_000_000L);
            assertThat(p.backoffNanos(9)).isBetween(500_000_000L, 1_000_000_000L);
        }
    }

    @Test
    void aRecordLivesAsLongAsItsShortestValueRelativeOrAbsolute() {
        ResolveCache cache = new ResolveCache(10, Duration.ofSeconds(30));
        long now = 1_750_000_000L;
        HandleValue day = Values.text(1, "URL", "u");
        HandleValue minute = Values.text(2, "DESC", "d").toBuilder().setTtl(60).build();
        HandleValue absolute = Values.text(3, "EXPIRES", "e").toBuilder().setTtlAbsolute(true).setTtl((int) (now + 10)).build();
        HandleValue past = absolute.toBuilder().setTtl((int) (now - 10)).build();
        assertThat(cache.recordLifetimeNanos(rec(day, minute), now)).isEqualTo(Duration.ofSeconds(60).toNanos());
        assertThat(cache.recordLifetimeNanos(rec(day, minute, absolute), now)).isEqualTo(Duration.ofSeconds(10).toNanos());
        assertThat(cache.recordLifetimeNanos(rec(day, past), now)).isZero();
        assertThat(cache.recordLifetimeNanos(rec(), now)).as("no values: as a negative answer").isEqualTo(Duration.ofSeconds(30).toNanos());
    }

    static HandleRecord rec(HandleValue... values) {
        return Values.record("88.999.1/X", values);
    }
}
