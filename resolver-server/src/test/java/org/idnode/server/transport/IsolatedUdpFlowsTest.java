package org.idnode.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Flows are isolated only on kernels whose reuseport groups give a connected socket its own flow (Linux 5.4 on). */
class IsolatedUdpFlowsTest {
    @ParameterizedTest
    @CsvSource({"6.1.0-28-amd64, true", "5.4.0-150-generic, true", "5.10, true", "10.2.1, true", "5.3.18-lp152, false",
            "4.19.0-21-amd64, false", "3, false", "'', false", "unknown, false"})
    void kernelReleases(String release, boolean steers) {
        assertThat(IsolatedUdpFlows.kernelSteersConnectedFlows(release)).as(release).isEqualTo(steers);
    }
}
