package org.idnode.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeConfigTest {

    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        return Files.writeString(dir.resolve("node.yaml"), text);
    }

    private NodeConfig load(String text) throws IOException {
        return NodeConfig.load(yaml(text));
    }

    // ---------------------------------------------------------------- defaults

    @Test
    void defaults() {
        NodeConfig c = NodeConfig.defaults();
        assertThat(c.prefixes()).containsExactly("88.999");
        assertThat(c.handlePort()).isEqualTo(2641);
        assertThat(c.httpPort()).isEqualTo(8000);
        assertThat(c.bind()).isEqualTo("127.0.0.1");
        assertThat(c.advertisedAddress()).isEqualTo("127.0.0.1");
        assertThat(c.dataDir().normalize()).isEqualTo(Path.of("data"));
        assertThat(c.privateKeyFile()).isNull();
        assertThat(c.siteSerial()).isEqualTo(1);
        assertThat(c.recordCache()).isEqualTo(new NodeConfig.RecordCache(1_000_000, 0));
        assertThat(c.blockCacheMb()).isEqualTo(256);
        assertThat(c.storeThreads()).isEqualTo(4);
        assertThat(c.storeQueue()).isEqualTo(10_000);
        assertThat(c.idleTimeoutSeconds()).isEqualTo(60);
        assertThat(c.nodeName()).isNotBlank();
    }

    @Test
    void emptyFileGivesDefaults() throws IOException {
        assertThat(load("")).isEqualTo(NodeConfig.defaults());
        assertThat(load("# only a comment\n")).isEqualTo(NodeConfig.defaults());
    }

    @Test
    void prefixesListIsImmutable() {
        NodeConfig c = NodeConfig.defaults();
        assertThatThrownBy(() -> c.prefixes().add("88.1")).isInstanceOf(UnsupportedOperationException.class);
    }

    // ---------------------------------------------------------------- full file

    @Test
    void loadsEveryKey() throws IOException {
        NodeConfig c = load("""
                node:
                  name: "test node 测试"
                  prefixes: ["88.999", "88.1000.5"]
                data-dir: /var/lib/idnode
                listen:
                  bind: 127.0.0.2
                  handle-port: 12641
                  http-port: 0
                site:
                  advertised-address: 192.0.2.10
                  serial: 7
                keys:
                  private-key-file: /etc/idnode/privkey.bin
                cache:
                  max-entries: 5000
                store:
                  block-cache-mb: 64
                  threads: 8
                  queue: 123
                limits:
                  idle-timeout-seconds: 30
                """);
        assertThat(c.nodeName()).isEqualTo("test node 测试");
        assertThat(c.prefixes()).containsExactly("88.999", "88.1000.5");
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/idnode"));
        assertThat(c.bind()).isEqualTo("127.0.0.2");
        assertThat(c.handlePort()).isEqualTo(12641);
        assertThat(c.httpPort()).isZero();
        assertThat(c.advertisedAddress()).isEqualTo("192.0.2.10");
        assertThat(c.siteSerial()).isEqualTo(7);
        assertThat(c.privateKeyFile()).isEqualTo(Path.of("/etc/idnode/privkey.bin"));
        assertThat(c.recordCache().maxEntries()).isEqualTo(5000);
        assertThat(c.blockCacheMb()).isEqualTo(64);
        assertThat(c.storeThreads()).isEqualTo(8);
        assertThat(c.storeQueue()).isEqualTo(123);
        assertThat(c.idleTimeoutSeconds()).isEqualTo(30);
    }

    @Test
    void relativePathsResolveAgainstWorkingDirectory() throws IOException {
        NodeConfig c = load("""
                data-dir: var/data
                keys:
                  private-key-file: keys/k.bin
                """);
        assertThat(c.dataDir().normalize()).isEqualTo(Path.of("var/data"));
        assertThat(c.privateKeyFile().normalize()).isEqualTo(Path.of("keys/k.bin"));
    }

    @Test
    void advertisedAddressDefaultsToBindAddress() throws IOException {
        assertThat(load("listen:\n  bind: 127.0.0.3\n").advertisedAddress()).isEqualTo("127.0.0.3");
    }

    @Test
    void wildcardBindAdvertisesLoopbackByDefault() throws IOException {
        NodeConfig c = load("listen:\n  bind: 0.0.0.0\n");
        assertThat(c.bind()).isEqualTo("0.0.0.0");
        assertThat(c.advertisedAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void portBoundariesAreAccepted() throws IOException {
        NodeConfig c = load("listen:\n  handle-port: 65535\n  http-port: 0\n");
        assertThat(c.handlePort()).isEqualTo(65535);
        assertThat(c.httpPort()).isZero();
    }

    @Test
    void shippedConfigurationIsValid() {
        String root = System.getProperty("idnode.project.root");
        assertThat(root).as("surefire sets idnode.project.root").isNotNull();
        NodeConfig c = NodeConfig.load(Path.of(root, "conf", "node.yaml"));
        assertThat(c.prefixes()).contains("88.999");
        assertThat(c.handlePort()).isEqualTo(2641);
        assertThat(c.httpPort()).isEqualTo(8000);
        assertThat(c.grpc()).isEqualTo(new NodeConfig.Grpc(true, 9000, null, null));
        assertThat(c.bind()).isEqualTo("127.0.0.1");
        assertThat(c.dataDir().normalize()).isEqualTo(Path.of("data"));
        assertThat(c.operations().accessLog()).isEqualTo(NodeConfig.AccessLogFormat.CNRI);
        assertThat(c.operations().httpTls()).isFalse();
    }

    // ---------------------------------------------------------------- errors name the key

    @Test
    void unknownTopLevelKeyIsNamed() {
        assertThatThrownBy(() -> load("listen:\n  bind: 127.0.0.1\nlisten-port: 80\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("listen-port: unknown key")
                .hasMessageContaining("data-dir");
    }

    @Test
    void unknownNestedKeyIsNamedWithItsPath() {
        assertThatThrownBy(() -> load("listen:\n  hnadle-port: 2641\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("listen.hnadle-port: unknown key")
                .hasMessageContaining("listen.handle-port");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "listen:\\n  handle-port: 70000        | listen.handle-port",
            "listen:\\n  handle-port: -1           | listen.handle-port",
            "listen:\\n  http-port: 65536          | listen.http-port",
            "listen:\\n  handle-port: abc          | listen.handle-port",
            "listen:\\n  handle-port: \"2641\"       | listen.handle-port",
            "listen:\\n  handle-port: 2641.5       | listen.handle-port",
            "listen:\\n  handle-port: [2641]       | listen.handle-port",
            "listen:\\n  handle-port: true         | listen.handle-port",
            "site:\\n  serial: 70000               | site.serial",
            "store:\\n  threads: 0                 | store.threads",
            "store:\\n  block-cache-mb: 1          | store.block-cache-mb",
            "store:\\n  queue: 0                   | store.queue",
            "cache:\\n  max-entries: -5            | cache.max-entries",
            "cache:\\n  max-entries: 3000000000    | cache.max-entries",
            "cache:\\n  max-mb: 0                  | cache.max-mb",
            "cache:\\n  max-mb: -1                 | cache.max-mb",
            "cache:\\n  max-mb: 1048577            | cache.max-mb",
            "cache:\\n  max-mb: 1.5                | cache.max-mb",
            "cache:\\n  max-mb: lots               | cache.max-mb",
            "limits:\\n  idle-timeout-seconds: 0   | limits.idle-timeout-seconds",
    })
    void badIntegerNamesTheKey(String text, String key) {
        String yamlText = text.replace("\\n", "\n");
        assertThatThrownBy(() -> load(yamlText))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(key + ":")
                .hasMessageContaining("expected an integer");
    }

    @Test
    void cacheMaxMbBoundsTheCacheByMemoryInsteadOfEntries() throws IOException {
        NodeConfig.RecordCache cache = load("cache:\n  max-mb: 600\n").recordCache();
        assertThat(cache.byMemory()).isTrue();
        assertThat(cache.maxMb()).isEqualTo(600);
        assertThat(load("cache:\n  max-entries: 20\n").recordCache().byMemory()).isFalse();
        assertThat(NodeConfig.load(yaml(""), java.util.Map.of("IDNODE_CACHE_MAX_MB", "64")).recordCache().maxMb()).isEqualTo(64);
    }

    @Test
    void cacheMaxMbWithMaxEntriesIsRefusedNamingBoth() {
        assertThatThrownBy(() -> load("cache:\n  max-entries: 1000\n  max-mb: 600\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cache.max-mb:")
                .hasMessageContaining("cache.max-entries");
        assertThatThrownBy(() -> NodeConfig.load(yaml("cache:\n  max-entries: 1000\n"), java.util.Map.of("IDNODE_CACHE_MAX_MB", "64")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("IDNODE_CACHE_MAX_MB")
                .hasMessageContaining("cache.max-entries");
    }

    @Test
    void portOutOfRangeMessageShowsKeyRangeAndValue() {
        assertThatThrownBy(() -> load("listen:\n  handle-port: 70000\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listen.handle-port")
                .hasMessageContaining("0 to 65535")
                .hasMessageContaining("70000");
    }

    @Test
    void prefixesNotAListIsRefused() {
        assertThatThrownBy(() -> load("node:\n  prefixes: 88.999\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("node.prefixes:")
                .hasMessageContaining("list");
        assertThatThrownBy(() -> load("node:\n  prefixes: [88.999, [1]]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("node.prefixes:");
        assertThatThrownBy(() -> load("node:\n  prefixes: [88]\n")) // a YAML number, not a string
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("node.prefixes:");
    }

    @Test
    void invalidPrefixIsRefused() {
        for (String bad : List.of("\"88.999/x\"", "\"\"", "\"88.999/\"")) {
            assertThatThrownBy(() -> load("node:\n  prefixes: [\"88.999\", " + bad + "]\n"))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("node.prefixes:")
                    .hasMessageContaining("'" + bad.substring(1, bad.length() - 1) + "'");
        }
    }

    @Test
    void prefixBreakingPrefixRulesIsRefused() {
        for (String bad : List.of("88..1", ".88", "88.", "88 999")) {
            assertThatThrownBy(() -> load("node:\n  prefixes: [\"" + bad + "\"]\n"))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("node.prefixes:")
                    .hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void emptyPrefixListIsRefused() {
        assertThatThrownBy(() -> load("node:\n  prefixes: []\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("node.prefixes:")
                .hasMessageContaining("at least one prefix");
    }

    @Test
    void badBindAddressIsRefused() {
        for (String bad : List.of("\"not an address\"", "\"10.0.0.1/8\"", "\"\"", "\"a_b\"")) {
            assertThatThrownBy(() -> load("listen:\n  bind: " + bad + "\n"))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("listen.bind:");
        }
        assertThatThrownBy(() -> load("listen:\n  bind: [127.0.0.1]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("listen.bind:")
                .hasMessageContaining("expected a string");
    }

    @Test
    void wildcardAdvertisedAddressIsRefused() {
        assertThatThrownBy(() -> load("site:\n  advertised-address: 0.0.0.0\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("site.advertised-address:")
                .hasMessageContaining("wildcard");
        assertThatThrownBy(() -> load("site:\n  advertised-address: \"::\"\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("site.advertised-address:");
        assertThatThrownBy(() -> load("site:\n  advertised-address: \"bad address\"\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("site.advertised-address:");
    }

    @Test
    void sectionThatIsNotAMappingIsNamed() {
        assertThatThrownBy(() -> load("listen: 2641\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("listen:")
                .hasMessageContaining("mapping");
        assertThatThrownBy(() -> load("- a\n- b\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("mapping");
    }

    @Test
    void missingFileIsReported() {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> NodeConfig.load(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void invalidYamlIsReported() throws IOException {
        Path file = yaml("listen:\n  bind: [unclosed\n  handle-port: 1\n");
        assertThatThrownBy(() -> NodeConfig.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not valid YAML");
    }

    // ---------------------------------------------------------------- gRPC

    @Test
    void grpcListensOnPort9000InPlaintextByDefault() {
        NodeConfig.Grpc g = NodeConfig.defaults().grpc();
        assertThat(g.enabled()).isTrue();
        assertThat(g.port()).isEqualTo(9000);
        assertThat(g.tls()).isFalse();
        assertThat(g.tlsCertChainFile()).isNull();
        assertThat(g.tlsPrivateKeyFile()).isNull();
    }

    @Test
    void grpcKeysAreRead() throws IOException {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "certificate");
        Path key = Files.writeString(dir.resolve("key.pem"), "key");
        NodeConfig c = load("listen:\n  grpc-port: 0\ngrpc:\n  enabled: false\n  tls:\n    cert-chain-file: \"" + cert
                + "\"\n    private-key-file: \"" + key + "\"\n");
        assertThat(c.grpc()).isEqualTo(new NodeConfig.Grpc(false, 0, cert, key));
        assertThat(c.grpc().tls()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "listen: {grpc-port: 70000}                 | listen.grpc-port",
            "listen: {grpc-port: nine}                  | listen.grpc-port",
            "grpc: {enabled: maybe}                     | grpc.enabled",
            "grpc: {port: 9000}                         | grpc.port",
            "grpc: {tls: {cert: x.pem}}                 | grpc.tls.cert",
            "grpc: {tls: {cert-chain-file: missing.pem}} | grpc.tls.cert-chain-file",
            "grpc: [1, 2]                               | grpc"})
    void badGrpcKeysAreNamed(String text, String key) {
        assertThatThrownBy(() -> load(text)).isInstanceOf(ConfigException.class).hasMessageStartingWith(key + ":");
    }

    @Test
    void tlsNeedsBothFiles() throws IOException {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "certificate");
        assertThatThrownBy(() -> load("grpc: {tls: {cert-chain-file: \"" + cert + "\"}}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("grpc.tls.private-key-file: missing")
                .hasMessageContaining("grpc.tls.cert-chain-file");
    }

    @Test
    void grpcOverrides() {
        NodeConfig base = NodeConfig.defaults();
        NodeConfig c = base.withOverrides(null, null, null, 0, null);
        assertThat(c.grpc().port()).isZero();
        assertThat(c.grpc().enabled()).isTrue();
        assertThat(c.httpPort()).isEqualTo(8000);
        NodeConfig off = c.withoutGrpc();
        assertThat(off.grpc().enabled()).isFalse();
        assertThat(off.grpc().port()).isZero();
        assertThat(off.handlePort()).isEqualTo(base.handlePort());
        assertThatThrownBy(() -> base.withOverrides(null, null, null, 65536, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--grpc-port:");
    }

    // ---------------------------------------------------------------- overrides

    @Test
    void overridesReplaceOnlyWhatIsGiven() {
        NodeConfig base = NodeConfig.defaults();
        NodeConfig same = base.withOverrides(null, null, null, null, null);
        assertThat(same).isEqualTo(base);

        NodeConfig c = base.withOverrides(Path.of("/tmp/other"), 3641, 9000, null, "127.0.0.5");
        assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/other"));
        assertThat(c.handlePort()).isEqualTo(3641);
        assertThat(c.httpPort()).isEqualTo(9000);
        assertThat(c.bind()).isEqualTo("127.0.0.5");
        assertThat(c.advertisedAddress()).isEqualTo("127.0.0.5");
        // untouched values stay
        assertThat(c.prefixes()).isEqualTo(base.prefixes());
        assertThat(c.nodeName()).isEqualTo(base.nodeName());
        assertThat(c.siteSerial()).isEqualTo(base.siteSerial());
        assertThat(c.recordCache()).isEqualTo(base.recordCache());
        assertThat(c.storeThreads()).isEqualTo(base.storeThreads());
    }

    @Test
    void singleOverrides() {
        NodeConfig base = NodeConfig.defaults();
        assertThat(base.withOverrides(Path.of("d2"), null, null, null, null).dataDir()).isEqualTo(Path.of("d2"));
        assertThat(base.withOverrides(null, 0, null, null, null).handlePort()).isZero();
        assertThat(base.withOverrides(null, null, 65535, null, null).httpPort()).isEqualTo(65535);
        NodeConfig onlyPort = base.withOverrides(null, 1234, null, null, null);
        assertThat(onlyPort.httpPort()).isEqualTo(8000);
        assertThat(onlyPort.bind()).isEqualTo("127.0.0.1");
    }

    @Test
    void wildcardBindOverrideKeepsAdvertisedAddress() {
        NodeConfig c = NodeConfig.defaults().withOverrides(null, null, null, null, "0.0.0.0");
        assertThat(c.bind()).isEqualTo("0.0.0.0");
        assertThat(c.advertisedAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void bindOverrideFollowsIntoAdvertisedAddressUnlessOneIsConfigured() throws IOException {
        assertThat(NodeConfig.defaults().withOverrides(null, null, null, null, "127.0.0.5").advertisedAddress()).isEqualTo("127.0.0.5");
        NodeConfig explicit = load("site:\n  advertised-address: 127.0.0.9\n").withOverrides(null, null, null, null, "127.0.0.5");
        assertThat(explicit.bind()).isEqualTo("127.0.0.5");
        assertThat(explicit.advertisedAddress()).isEqualTo("127.0.0.9");
    }

    @Test
    void templatesDirIsOptionalAndResolvedLikeOtherPaths() throws IOException {
        assertThat(NodeConfig.defaults().templatesDir()).isNull();
        assertThat(load("templates:\n  dir: my/templates\n").templatesDir().normalize()).isEqualTo(Path.of("my/templates"));
        assertThatThrownBy(() -> load("templates:\n  folder: x\n")).isInstanceOf(ConfigException.class).hasMessageContaining("templates.folder");
    }

    @Test
    void portBeyondLongRangeIsRefusedNotWrapped() {
        assertThatThrownBy(() -> load("listen:\n  handle-port: 18446744073709551616\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("listen.handle-port");
    }

    @Test
    void overridePortOutOfRangeNamesTheOption() {
        NodeConfig base = NodeConfig.defaults();
        assertThatThrownBy(() -> base.withOverrides(null, 70000, null, null, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--handle-port:")
                .hasMessageContaining("70000");
        assertThatThrownBy(() -> base.withOverrides(null, -1, null, null, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--handle-port:");
        assertThatThrownBy(() -> base.withOverrides(null, null, 65536, null, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--http-port:");
    }

    @Test
    void overrideBadBindNamesTheOption() {
        assertThatThrownBy(() -> NodeConfig.defaults().withOverrides(null, null, null, null, "bad address!"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--bind:");
    }

    // ---------------------------------------------------------------- limits

    @Test
    void limitDefaults() {
        NodeConfig.Limits l = NodeConfig.defaults().limits();
        assertThat(l).isEqualTo(NodeConfig.Limits.defaults());
        assertThat(l.readTimeoutSeconds()).isEqualTo(30);
        assertThat(List.of(l.udpRate(), l.tcpRate(), l.httpRate(), l.grpcRate())).containsOnly(new NodeConfig.Limits.Rate(2000, 4000));
        assertThat(l.sharedRate()).isFalse();
        assertThat(l.allow()).isEmpty();
        assertThat(l.trackedAddresses()).isEqualTo(100_000);
        assertThat(l.maxConnections()).isEqualTo(20_000);
        assertThat(l.maxConnectionsPerAddress()).isEqualTo(256);
        assertThat(l.maxInFlightPerConnection()).isEqualTo(16);
        assertThat(l.maxHandleMessageBytes()).isEqualTo(262_144);
        assertThat(l.maxUdpRequestBytes()).isEqualTo(1024);
        assertThat(l.maxHttpBodyBytes()).isEqualTo(8 << 20);
        assertThat(l.maxGrpcMessageBytes()).isEqualTo(16 << 20);
        assertThat(l.udpAmplificationFactor()).isEqualTo(5);
        assertThat(l.grpcMaxCallsPerConnection()).isEqualTo(256);
        assertThat(l.grpcKeepAliveSeconds()).isEqualTo(60);
        assertThat(l.udpIsolatedFlows()).isEqualTo(64);
        assertThat(l.maxInFlightPerAddress()).isEqualTo(8);
    }

    @Test
    void loadsEveryLimitKey() throws IOException {
        NodeConfig.Limits l = load("""
                limits:
                  idle-timeout-seconds: 30
                  read-timeout-seconds: 5
                  rate:
                    per-second: 100
                    burst: 150
                    udp: {per-second: 5000, burst: 9000}
                    http: {per-second: 0}
                    grpc: {per-second: 40}
                  allow: ["127.0.0.5", "10.1.0.0/16", "2001:db8::/32"]
                  tracked-addresses: 5000
                  connections: {max: 900, per-address: 9, max-in-flight: 3, max-in-flight-per-address: 5}
                  message-bytes: {handle-tcp: 4096, udp: 600, http-body: 65536, grpc: 100000}
                  udp-amplification-factor: 3
                  grpc: {max-calls-per-connection: 50, keepalive-seconds: 30}
                  udp-isolated-flows: 0
                """).limits();
        assertThat(l.readTimeoutSeconds()).isEqualTo(5);
        assertThat(l.udpRate()).isEqualTo(new NodeConfig.Limits.Rate(5000, 9000));
        assertThat(l.tcpRate()).isEqualTo(new NodeConfig.Limits.Rate(100, 150));
        assertThat(l.httpRate().unlimited()).isTrue();
        assertThat(l.grpcRate()).as("burst defaults to two seconds' worth").isEqualTo(new NodeConfig.Limits.Rate(40, 80));
        assertThat(l.allow()).extracting(Object::toString).containsExactly("127.0.0.5/32", "10.1.0.0/16", "2001:db8:0:0:0:0:0:0/32");
        assertThat(l.trackedAddresses()).isEqualTo(5000);
        assertThat(l.maxConnections()).isEqualTo(900);
        assertThat(l.maxConnectionsPerAddress()).isEqualTo(9);
        assertThat(l.maxInFlightPerConnection()).isEqualTo(3);
        assertThat(l.maxHandleMessageBytes()).isEqualTo(4096);
        assertThat(l.maxUdpRequestBytes()).isEqualTo(600);
        assertThat(l.maxHttpBodyBytes()).isEqualTo(65536);
        assertThat(l.maxGrpcMessageBytes()).isEqualTo(100000);
        assertThat(l.udpAmplificationFactor()).isEqualTo(3);
        assertThat(l.grpcMaxCallsPerConnection()).isEqualTo(50);
        assertThat(l.grpcKeepAliveSeconds()).isEqualTo(30);
        assertThat(l.udpIsolatedFlows()).isZero();
        assertThat(l.maxInFlightPerAddress()).isEqualTo(5);
    }

    @Test
    void addressRangesMatchTheirBlockOnly() throws Exception {
        NodeConfig.Limits.AddressRange block = NodeConfig.Limits.AddressRange.parse("10.1.0.0/16");
        assertThat(block.contains(java.net.InetAddress.getByName("10.1.255.7"))).isTrue();
        assertThat(block.contains(java.net.InetAddress.getByName("10.2.0.1"))).isFalse();
        assertThat(block.contains(java.net.InetAddress.getByName("::1"))).isFalse();
        assertThat(NodeConfig.Limits.AddressRange.parse("10.1.2.3/8")).isEqualTo(NodeConfig.Limits.AddressRange.parse("10.0.0.0/8"));
        assertThat(NodeConfig.Limits.AddressRange.parse("0.0.0.0/0").contains(java.net.InetAddress.getByName("192.0.2.1"))).isTrue();
        assertThat(NodeConfig.Limits.AddressRange.parse("127.0.0.2").contains(java.net.InetAddress.getByName("127.0.0.3"))).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "limits: {read-timeout-seconds: 0}|limits.read-timeout-seconds: expected an integer from 1 to 3600, got '0'",
            "limits: {rate: {per-second: -1}}|limits.rate.per-second: expected an integer from 0 to 100000000, got '-1'",
            "limits: {rate: {udp: {burst: 0}}}|limits.rate.udp.burst: expected an integer from 1 to 1000000000, got '0'",
            "limits: {rate: {sctp: {burst: 5}}}|limits.rate.sctp: unknown key",
            "limits: {rate: {shared: true, tcp: {per-second: 5}}}|limits.rate.tcp: per-protocol rates cannot be combined with limits.rate.shared: true",
            "limits: {allow: [\"10.0.0.0/33\"]}|limits.allow: '10.0.0.0/33': the prefix length must be 0 to 32",
            "limits: {allow: [\"example.com\"]}|limits.allow: 'example.com' is not an IP address",
            "limits: {connections: {per-address: 0}}|limits.connections.per-address: expected an integer from 1 to 1000000, got '0'",
            "limits: {message-bytes: {udp: 4096}}|limits.message-bytes.udp: expected an integer from 64 to 2048, got '4096'",
            "limits: {udp-isolated-flows: -1}|limits.udp-isolated-flows: expected an integer from 0 to 4096, got '-1'",
            "limits: {connections: {max-in-flight-per-address: 0}}|limits.connections.max-in-flight-per-address: expected an integer from 1 to 1000000, got '0'",
            "limits: {message-bytes: {handle-tcp: 300000}}|limits.message-bytes.handle-tcp: expected an integer from 64 to 262144, got '300000'",
            "limits: {udp-amplification-factor: 1}|limits.udp-amplification-factor: expected an integer from 2 to 100, got '1'",
            "limits: {grpc: {keepalive: 5}}|limits.grpc.keepalive: unknown key",
            "limits: {max-connections: 5}|limits.max-connections: unknown key"})
    void badLimitsNameTheKey(String yaml, String message) {
        assertThatThrownBy(() -> load(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void sharedRateUsesTheCommonRateForEveryProtocol() throws IOException {
        NodeConfig.Limits l = load("limits: {rate: {shared: true, per-second: 50, burst: 60}}").limits();
        assertThat(l.sharedRate()).isTrue();
        assertThat(List.of(l.udpRate(), l.tcpRate(), l.httpRate(), l.grpcRate())).containsOnly(new NodeConfig.Limits.Rate(50, 60));
    }

    // ---------------------------------------------------------------- federation

    @Test
    void theRoleIsSecondaryByDefaultAndChoosesTheDefaultPrefixes() throws IOException {
        assertThat(NodeConfig.defaults().federation().role()).isEqualTo(NodeConfig.Role.SECONDARY);
        NodeConfig top = load("federation:\n  role: top-level\n");
        assertThat(top.federation().role()).isEqualTo(NodeConfig.Role.TOP_LEVEL);
        assertThat(top.prefixes()).as("a top-level node serves the root").containsExactly("0.NA");
        assertThat(load("federation: {role: top-level}\nnode: {prefixes: [\"88.999\"]}\n").prefixes())
                .as("configured prefixes are kept").containsExactly("88.999");
        assertThat(load("federation: {role: secondary}\n")).isEqualTo(NodeConfig.defaults());
    }

    @Test
    void aRoleGivenOnTheCommandLineWinsAndSetsItsDefaults() throws IOException {
        NodeConfig forced = NodeConfig.load(yaml("federation: {role: secondary}\n"), NodeConfig.Role.TOP_LEVEL);
        assertThat(forced.federation().role()).isEqualTo(NodeConfig.Role.TOP_LEVEL);
        assertThat(forced.prefixes()).containsExactly("0.NA");
        assertThat(NodeConfig.defaults(NodeConfig.Role.TOP_LEVEL).prefixes()).containsExactly("0.NA");
        assertThat(forced.withOverrides(dir, 0, 0, 0, null).withoutGrpc().federation()).isEqualTo(forced.federation());
    }

    @Test
    void aBadRoleOrAnUnknownFederationKeyIsNamed() {
        assertThatThrownBy(() -> load("federation:\n  role: root\n")).isInstanceOf(ConfigException.class)
                .hasMessage("federation.role: expected secondary or top-level, got 'root'");
        assertThatThrownBy(() -> load("federation:\n  rol: top-level\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("federation.rol: unknown key");
        assertThatThrownBy(() -> load("federation: top-level\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("federation: expected a mapping");
    }

    // ---------------------------------------------------------------- federation: the secondary role

    @Test
    void aSecondaryNodeWithoutATopLevelFilesNothingAndDoesNotRecurse() {
        NodeConfig.Federation f = NodeConfig.defaults().federation();
        assertThat(f.topLevel()).isNull();
        assertThat(f.joined()).isFalse();
        assertThat(f.recursion().enabled()).isFalse();
        assertThat(f.filing().policy()).isEqualTo(NodeConfig.Federation.FilingPolicy.FULL);
        assertThat(f.filing().address()).isNull();
        assertThat(f.filing().tlsCaFile()).isNull();
    }

    @Test
    void aTopLevelJoinsTheNodeAndTurnsRecursionOnUnlessTheFileSaysOtherwise() throws IOException {
        NodeConfig c = load("federation:\n  top-level: \"127.0.0.1:2642\"\n");
        assertThat(c.federation().topLevel()).isEqualTo(new NodeConfig.Federation.Address("127.0.0.1", 2642));
        assertThat(c.federation().joined()).isTrue();
        assertThat(c.federation().recursion().enabled()).isTrue();
        assertThat(load("federation: {top-level: \"127.0.0.1:2642\", recursion: {enabled: false}}\n").federation().recursion().enabled())
                .isFalse();
        NodeConfig topRole = load("federation: {role: top-level, top-level: \"127.0.0.1:2642\"}\n");
        assertThat(topRole.federation().joined()).as("a top-level node files with nobody").isFalse();
        assertThat(topRole.federation().recursion().enabled()).isFalse();
    }

    @Test
    void everySecondaryKeyIsRead() throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "certificates");
        NodeConfig c = load(String.join("\n",
                "federation:",
                "  top-level: \"127.0.0.1:2642\"",
                "  filing:",
                "    address: \"127.0.0.1:9002\"",
                "    tls-ca-file: \"" + ca + "\"",
                "    policy: count",
                "    count-interval-seconds: 60",
                "    backoff-min-ms: 100",
                "    backoff-max-ms: 5000",
                "    call-timeout-seconds: 7",
                "  recursion:",
                "    enabled: true",
                "    max-referrals: 4",
                "    deadline-ms: 2500",
                "    threads: 3",
                "    queue: 10",
                "    cache-max-entries: 50",
                "    max-ttl-seconds: 600",
                "    negative-ttl-seconds: 5",
                ""));
        NodeConfig.Federation.Filing filing = c.federation().filing();
        assertThat(filing).isEqualTo(new NodeConfig.Federation.Filing(new NodeConfig.Federation.Address("127.0.0.1", 9002), ca,
                NodeConfig.Federation.FilingPolicy.COUNT, 60, 100, 5000, 7));
        NodeConfig.Federation.Recursion r = c.federation().recursion();
        assertThat(List.of(r.maxReferrals(), r.deadlineMillis(), r.threads(), r.queue(), r.cacheMaxEntries(), r.maxTtlSeconds(),
                r.negativeTtlSeconds())).containsExactly(4, 2500, 3, 10, 50, 600, 5);
    }

    @Test
    void serveOptionsSetThePrefixAndTheTopLevel() {
        NodeConfig c = NodeConfig.defaults().withFederationOverrides("88.998", "127.0.0.1:2641");
        assertThat(c.prefixes()).containsExactly("88.998");
        assertThat(c.federation().topLevel()).isEqualTo(new NodeConfig.Federation.Address("127.0.0.1", 2641));
        assertThat(c.federation().recursion().enabled()).isTrue();
        assertThatThrownBy(() -> NodeConfig.defaults().withFederationOverrides(null, "127.0.0.1")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--top-level: expected HOST:PORT");
        assertThatThrownBy(() -> NodeConfig.defaults().withFederationOverrides("88..9", null)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--prefix:");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "federation: {top-level: \"127.0.0.1\"}                                  | federation.top-level",
            "federation: {top-level: \"127.0.0.1:0\"}                                | federation.top-level",
            "federation: {top-level: \"no such host!:2641\"}                         | federation.top-level",
            "federation: {topLevel: \"127.0.0.1:2641\"}                              | federation.topLevel",
            "federation: {filing: {policy: some}}                                    | federation.filing.policy",
            "federation: {filing: {address: \"127.0.0.1:x\"}}                         | federation.filing.address",
            "federation: {filing: {tls-ca-file: missing.pem}}                         | federation.filing.tls-ca-file",
            "federation: {filing: {backoff-min-ms: 5000, backoff-max-ms: 100}}        | federation.filing.backoff-max-ms",
            "federation: {filing: {count-interval-seconds: 0}}                       | federation.filing.count-interval-seconds",
            "federation: {recursion: {max-referrals: 99}}                            | federation.recursion.max-referrals",
            "federation: {recursion: {deadline-ms: 1}}                               | federation.recursion.deadline-ms",
            "federation: {recursion: {enabled: true}}                                | federation.recursion.enabled",
            "federation: {recursion: {depth: 3}}                                     | federation.recursion.depth"})
    void badSecondaryKeysAreNamed(String text, String key) {
        assertThatThrownBy(() -> load(text)).isInstanceOf(ConfigException.class).hasMessageStartingWith(key + ":");
    }

    // ---------------------------------------------------------------- operations: logging, HTTP TLS, shutdown

    @Test
    void operationsDefaults() {
        NodeConfig.Operations o = NodeConfig.defaults().operations();
        assertThat(o.loggingConfig()).isNull();
        assertThat(o.logDir().normalize()).isEqualTo(Path.of("logs"));
        assertThat(o.accessLog()).isEqualTo(NodeConfig.AccessLogFormat.OFF);
        assertThat(o.accessLogFile().normalize()).isEqualTo(Path.of("logs", "access.log"));
        assertThat(o.httpTls()).isFalse();
        assertThat(o.drainSeconds()).isEqualTo(20);
        assertThat(o.announceSeconds()).isZero();
    }

    @Test
    void loadsTheOperationsKeys() throws IOException {
        Path logback = Files.writeString(dir.resolve("logback.xml"), "<configuration/>");
        Path cert = Files.writeString(dir.resolve("cert.pem"), "c");
        Path key = Files.writeString(dir.resolve("key.pem"), "k");
        NodeConfig.Operations o = load("logging:\n  config: \"" + logback + "\"\n  dir: /var/log/idnode\n  access: JSON\n"
                + "http:\n  tls:\n    cert-chain-file: \"" + cert + "\"\n    private-key-file: \"" + key + "\"\n"
                + "shutdown:\n  drain-timeout-seconds: 45\n  announce-seconds: 5\n").operations();
        assertThat(o.loggingConfig()).isEqualTo(logback);
        assertThat(o.logDir()).isEqualTo(Path.of("/var/log/idnode"));
        assertThat(o.accessLog()).isEqualTo(NodeConfig.AccessLogFormat.JSON);
        assertThat(o.accessLogFile()).as("in logging.dir unless set").isEqualTo(Path.of("/var/log/idnode/access.log"));
        assertThat(o.httpTls()).isTrue();
        assertThat(o.httpTlsCertChainFile()).isEqualTo(cert);
        assertThat(o.httpTlsPrivateKeyFile()).isEqualTo(key);
        assertThat(o.drainSeconds()).isEqualTo(45);
        assertThat(o.announceSeconds()).isEqualTo(5);
        assertThat(load("logging:\n  access: off\n").operations().accessLog()).as("YAML's boolean false").isEqualTo(NodeConfig.AccessLogFormat.OFF);
        assertThat(load("logging:\n  access: cnri\n  access-file: /srv/access.jsonl\n").operations().accessLogFile())
                .isEqualTo(Path.of("/srv/access.jsonl"));
    }

    @Test
    void badOperationsKeysAreNamed() {
        assertThatThrownBy(() -> load("logging:\n  access: true\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("logging.access:");
        assertThatThrownBy(() -> load("logging:\n  access: apache\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("logging.access:").hasMessageContaining("cnri, json or off").hasMessageContaining("apache");
        assertThatThrownBy(() -> load("logging:\n  config: /no/such/logback.xml\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("logging.config:").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> load("logging:\n  level: debug\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("logging.level: unknown key");
        assertThatThrownBy(() -> load("shutdown:\n  drain-timeout-seconds: -1\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("shutdown.drain-timeout-seconds:").hasMessageContaining("expected an integer from 0 to 3600");
        assertThatThrownBy(() -> load("shutdown:\n  announce-seconds: 601\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("shutdown.announce-seconds:");
        assertThatThrownBy(() -> load("http:\n  port: 8443\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("http.port: unknown key");
    }

    @Test
    void dockerConfigurationIsValid() throws IOException {
        Path root = Path.of(System.getProperty("idnode.project.root"));
        String text = Files.readString(root.resolve("packaging/docker/node.yaml")).replace("/opt/idnode/conf", root.resolve("conf").toString());
        NodeConfig c = load(text);
        assertThat(c.bind()).isEqualTo("0.0.0.0");
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/idnode"));
        assertThat(c.operations().logDir()).isEqualTo(Path.of("/var/log/idnode"));
        assertThat(c.operations().accessLog()).isEqualTo(NodeConfig.AccessLogFormat.CNRI);
        assertThat(c.operations().announceSeconds() + c.operations().drainSeconds())
                .as("shorter than the --stop-timeout 40 docs/operations.md gives docker run").isLessThan(40);
    }
}
