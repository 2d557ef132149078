package org.idnode.bench.jmh;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.idnode.server.config.NodeConfig;
import org.idnode.server.limits.ClientLimits;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-client-address rate limit alone ({@link ClientLimits#admit}): the Caffeine lookup of the client's bucket
 * and the compare-and-set that takes a token, in nanoseconds per request. {@code addresses} clients are picked at
 * random: 1 is a load generator (every lookup hits the same entry), 10,000 many clients (lookups spread over the
 * cache), 1,000,000 a flood of spoofed sources (more than {@code limits.tracked-addresses}, so most lookups insert a
 * new bucket and Caffeine evicts). The rate is one no thread reaches, so every request is admitted.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@State(Scope.Benchmark)
public class ClientLimitsBenchmark {
    @Param({"1", "10000", "1000000"})
    public int addresses;

    ClientLimits limits;
    InetAddress[] clients;

    /** The default limits with a rate nothing reaches. */
    public static ClientLimits neverRefusing() {
        return withRate(new NodeConfig.Limits.Rate(100_000_000, 1_000_000_000));
    }

    /** The default limits with {@code rate} on every protocol. */
    public static ClientLimits withRate(NodeConfig.Limits.Rate rate) {
        NodeConfig.Limits d = NodeConfig.Limits.defaults();
        return new ClientLimits(new NodeConfig.Limits(d.readTimeoutSeconds(), rate, rate, rate, rate, false, List.of(),
                d.trackedAddresses(), d.maxConnections(), d.maxConnectionsPerAddress(), d.maxInFlightPerConnection(),
                d.maxHandleMessageBytes(), d.maxUdpRequestBytes(), d.maxHttpBodyBytes(), d.maxGrpcMessageBytes(),
                d.udpAmplificationFactor(), d.grpcMaxCallsPerConnection(), d.grpcKeepAliveSeconds(), d.udpIsolatedFlows(),
                d.maxInFlightPerAddress()));
    }

    @Setup
    public void setUp() throws UnknownHostException {
        limits = neverRefusing();
        clients = new InetAddress[addresses];
        for (int i = 0; i < addresses; i++) {
            clients[i] = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
        }
    }

    /** One request's admission. */
    @Benchmark
    public long admit() {
        return limits.admit(ClientLimits.Protocol.UDP, clients[ThreadLocalRandom.current().nextInt(addresses)]);
    }
}
