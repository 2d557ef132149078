package org.idnode.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code IDNODE_*} environment variables over the YAML file: the mapping of every key, the precedence defaults &lt;
 * file &lt; environment &lt; command-line options, conversion of lists, numbers and booleans, and errors that name the
 * variable, the key and the expected form. Also audits docs/configuration.md against the keys the configuration reads.
 */
class EnvironmentOverridesTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        return Files.writeString(dir.resolve("node.yaml"), text);
    }

    @Test
    void everyKeyHasItsOwnVariable() {
        Map<String, ConfigSchema.Kind> keys = NodeConfig.schema().keys();
        assertThat(keys).containsKeys("node.name", "node.prefixes", "data-dir", "listen.bind", "listen.handle-port", "listen.http-port",
                "listen.grpc-port", "site.advertised-address", "site.serial", "keys.private-key-file", "cache.max-entries",
                "store.block-cache-mb", "store.threads", "store.queue", "limits.idle-timeout-seconds", "templates.dir", "grpc.enabled",
                "grpc.tls.cert-chain-file", "grpc.tls.private-key-file");
        assertThat(keys.get("node.prefixes")).isEqualTo(ConfigSchema.Kind.STRING_LIST);
        assertThat(keys.get("listen.handle-port")).isEqualTo(ConfigSchema.Kind.INTEGER);
        assertThat(keys.get("grpc.enabled")).isEqualTo(ConfigSchema.Kind.BOOLEAN);
        Set<String> variables = new HashSet<>();
        for (String key : keys.keySet()) {
            assertThat(variables.add(EnvironmentOverrides.variableFor(key))).as("variable of %s is unique", key).isTrue();
        }
        assertThat(EnvironmentOverrides.variableFor("listen.handle-port")).isEqualTo("IDNODE_LISTEN_HANDLE_PORT");
        assertThat(EnvironmentOverrides.variableFor("data-dir")).isEqualTo("IDNODE_DATA_DIR");
        assertThat(EnvironmentOverrides.variableFor("grpc.tls.cert-chain-file")).isEqualTo("IDNODE_GRPC_TLS_CERT_CHAIN_FILE");
    }

    @Test
    void theKeySchemaIsMadeOnceAndSharedByEveryLoad() {
        ConfigSchema first = NodeConfig.schema();
        NodeConfig.load(null, Map.of("IDNODE_STORE_THREADS", "3"));
        assertThat(NodeConfig.schema()).isSameAs(first);
        assertThat(first.keys()).containsKey("store.threads");
    }

    @Test
    void precedenceIsDefaultsThenFileThenEnvironmentThenOptions() throws IOException {
        Path file = yaml("listen:\n  handle-port: 1111\n  http-port: 1112\nstore:\n  threads: 7\n");
        Map<String, String> env = Map.of("IDNODE_LISTEN_HANDLE_PORT", "2222", "IDNODE_LISTEN_GRPC_PORT", "2223");
        NodeConfig c = NodeConfig.load(file, env);
        assertThat(c.handlePort()).as("environment over file").isEqualTo(2222);
        assertThat(c.httpPort()).as("file over default").isEqualTo(1112);
        assertThat(c.grpc().port()).as("environment over default").isEqualTo(2223);
        assertThat(c.storeThreads()).as("file kept").isEqualTo(7);
        assertThat(c.storeQueue()).as("default kept").isEqualTo(10_000);
        assertThat(c.withOverrides(null, 3333, null, null, null).handlePort()).as("option over environment").isEqualTo(3333);
        assertThat(NodeConfig.load(file, Map.of())).isEqualTo(NodeConfig.load(file));
        assertThat(NodeConfig.load(null, Map.of())).isEqualTo(NodeConfig.defaults());
        assertThat(NodeConfig.load(null, env).handlePort()).as("environment without a file").isEqualTo(2222);
    }

    @Test
    void valuesAreConvertedByTheKindOfTheirKey() throws IOException {
        NodeConfig c = NodeConfig.load(null, Map.of(
                "IDNODE_NODE_PREFIXES", "88.999, 88.998,,",
                "IDNODE_NODE_NAME", "1.10",
                "IDNODE_GRPC_ENABLED", "FALSE",
                "IDNODE_DATA_DIR", "/var/lib/idnode",
                "IDNODE_SITE_ADVERTISED_ADDRESS", "127.0.0.9",
                "IDNODE_CACHE_MAX_ENTRIES", " 42 "));
        assertThat(c.prefixes()).containsExactly("88.999", "88.998");
        assertThat(c.nodeName()).as("text that looks like a number stays text").isEqualTo("1.10");
        assertThat(c.grpc().enabled()).isFalse();
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/idnode"));
        assertThat(c.advertisedAddress()).isEqualTo("127.0.0.9");
        assertThat(c.recordCache().maxEntries()).isEqualTo(42);
    }

    @Test
    void nestedSectionsAreCreatedAndFileFilesAreChecked() throws IOException {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        assertThatThrownBy(() -> NodeConfig.load(null, Map.of("IDNODE_GRPC_TLS_CERT_CHAIN_FILE", cert.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("grpc.tls.private-key-file: missing");
        assertThatThrownBy(() -> NodeConfig.load(null, Map.of("IDNODE_GRPC_TLS_CERT_CHAIN_FILE", dir.resolve("none.pem").toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("grpc.tls.cert-chain-file (environment variable IDNODE_GRPC_TLS_CERT_CHAIN_FILE): file")
                .hasMessageContaining("does not exist");
    }

    @Test
    void emptyValueRemovesTheKey() throws IOException {
        Path file = yaml("listen:\n  handle-port: 1111\n");
        assertThat(NodeConfig.load(file, Map.of("IDNODE_LISTEN_HANDLE_PORT", "")).handlePort()).isEqualTo(2641);
    }

    @Test
    void badValuesNameTheVariableTheKeyAndTheExpectedForm() {
        assertThatThrownBy(() -> NodeConfig.load(null, Map.of("IDNODE_LISTEN_HANDLE_PORT", "70000")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("listen.handle-port (environment variable IDNODE_LISTEN_HANDLE_PORT): expected an integer from 0 to 65535, got '70000'");
        assertThatThrownBy(() -> NodeConfig.load(null, Map.of("IDNODE_LISTEN_HANDLE_PORT", "http")))
                .hasMessage("listen.handle-port (environment variable IDNODE_LISTEN_HANDLE_PORT): expected an integer from 0 to 65535, got 'http'");
        assertThatThrownBy(() -> NodeConfig.load(null, Map.of("IDNODE_LISTEN_HANDLE_PORT", "99999999999999999999999")))
                .hasMessageStartingWith("listen.handle-port (environment variable IDNODE_LISTEN_HANDLE_PORT): expected an integer");
        assertThatThrownBy(() -> NodeConfig.load(null, Map.of("IDNODE_GRPC_ENABLED", "yes")))
                .hasMessage("grpc.enabled (environment variable IDNODE_GRPC_ENABLED): expected true or false, got 'yes'");
        assertThatThrownBy(() -> NodeConfig.load(null, Map.of("IDNODE_NODE_PREFIXES", "88.999,not a prefix")))
                .hasMessageStartingWith("node.prefixes (environment variable IDNODE_NODE_PREFIXES): 'not a prefix' is not a valid prefix");
        assertThatThrownBy(() -> NodeConfig.load(null, Map.of("IDNODE_NODE_PREFIXES", " , ")))
                .hasMessageStartingWith("node.prefixes (environment variable IDNODE_NODE_PREFIXES): at least one prefix is required");
        assertThatThrownBy(() -> NodeConfig.load(null, Map.of("IDNODE_LISTEN_BIND", "bad address!")))
                .hasMessageStartingWith("listen.bind (environment variable IDNODE_LISTEN_BIND): expected an IP address or host name");
    }

    @Test
    void aBadFileValueIsStillReportedAsTheFileKey() throws IOException {
        Path file = yaml("listen:\n  handle-port: 70000\n");
        assertThatThrownBy(() -> NodeConfig.load(file, Map.of("IDNODE_LISTEN_HTTP_PORT", "8001")))
                .hasMessageStartingWith("listen.handle-port: expected an integer");
        assertThatThrownBy(() -> NodeConfig.load(yaml("listen: 5\n"), Map.of("IDNODE_LISTEN_BIND", "127.0.0.1")))
                .hasMessageStartingWith("listen: expected a mapping");
    }

    @Test
    void unknownVariableInASectionIsATypo() {
        assertThatThrownBy(() -> NodeConfig.load(null, Map.of("IDNODE_LISTEN_HANDLE_PROT", "1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("environment variable IDNODE_LISTEN_HANDLE_PROT: no such configuration key")
                .hasMessageContaining("IDNODE_LISTEN_HANDLE_PORT");
        assertThatThrownBy(() -> NodeConfig.load(null, Map.of("IDNODE_GRPC_TLS_KEY", "x")))
                .hasMessageContaining("grpc.tls")
                .hasMessageContaining("IDNODE_GRPC_TLS_PRIVATE_KEY_FILE");
        // Variables outside every section's name space belong to something else.
        assertThat(NodeConfig.load(null, Map.of("IDNODE_TOKEN", "x", "PATH", "/bin", "IDNODE_OPTS", "-Xmx1g")))
                .isEqualTo(NodeConfig.defaults());
    }

    /** Every key the configuration reads has a row in docs/configuration.md, and every row is a key it reads. */
    @Test
    void everyKeyIsDocumented() throws IOException {
        String root = System.getProperty("idnode.project.root");
        assertThat(root).as("surefire sets idnode.project.root").isNotNull();
        String doc = Files.readString(Path.of(root, "docs", "configuration.md"));
        Matcher m = Pattern.compile("(?m)^\\| `([a-z0-9.-]+)` \\|").matcher(doc);
        Set<String> documented = new TreeSet<>();
        while (m.find()) {
            documented.add(m.group(1));
        }
        assertThat(documented).containsExactlyInAnyOrderElementsOf(new TreeSet<>(NodeConfig.schema().keys().keySet()));
        assertThat(doc).contains("IDNODE_LISTEN_HANDLE_PORT");
        for (String key : List.of("listen.handle-port", "node.prefixes")) {
            assertThat(doc).contains(EnvironmentOverrides.variableFor(key));
        }
    }
}
