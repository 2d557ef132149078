package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How every {@code idnode} command on a data folder ends when it refuses, run in-process on a real data folder (one
 * enterprise prefix, no secondary nodes) and, for the online commands, against a closed loopback port: the exact
 * exit code, standard error starting with {@code idnode <command>: } (the command's full name) and saying why, and
 * nothing on standard output.
 */
class CommandRefusalTest {
    @TempDir
    static Path tmp;
    static Path data;
    static int closedPort;

    @BeforeAll
    static void dataFolderWithOnePrefix() throws Exception {
        data = tmp.resolve("data");
        CliRun added = CliRun.of("prefix", "add", "88.999.1", "--enterprise", "Refusal Test Co.", "--admin-secret", "s", "--data-dir",
                data.toString());
        assertThat(added.code()).as(added.toString()).isZero();
        Files.writeString(tmp.resolve("token"), "idt_not-a-token");
        Files.writeString(tmp.resolve("bad.jsonl"), "{\"handle\":\"88.999.1/LOT-1\",\"values\":[]}\nnot json\n");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                refusal(2, "idnode import: cannot read @/missing.jsonl", "import", "@/missing.jsonl"),
                refusal(1, "idnode import: @/bad.jsonl line 2", "import", "@/bad.jsonl"),
                refusal(2, "idnode prefix add: give --admin-key, --admin-secret or both", "prefix", "add", "88.999.2", "--enterprise", "X"),
                refusal(2, "idnode prefix add: unknown prefix state 'ready'", "prefix", "add", "88.999.2", "--enterprise", "X", "--admin-secret", "s",
                        "--state", "ready"),
                refusal(2, "idnode prefix add: --admin-key: cannot read", "prefix", "add", "88.999.2", "--enterprise", "X", "--admin-key",
                        "@/missing.bin"),
                refusal(1, "idnode prefix add: prefix 88.999.1 already exists", "prefix", "add", "88.999.1", "--enterprise", "X",
                        "--admin-secret", "s"),
                refusal(2, "idnode prefix state: unknown prefix state 'ready'", "prefix", "state", "88.999.1", "ready"),
                refusal(1, "idnode prefix state: prefix 88.999.9 does not exist on this node", "prefix", "state", "88.999.9", "enabled"),
                refusal(2, "idnode operator add: give --admin-key, --admin-secret or both", "operator", "add"),
                refusal(2, "idnode operator add: --admin-key: cannot read", "operator", "add", "--admin-key", "@/missing.bin"),
                refusal(2, "idnode operator add: 88.998", "operator", "add", "--prefix", "88.998", "--admin-secret", "x"),
                refusal(1, "idnode token add: prefix 88.999.9 does not exist on this node", "token", "add", "88.999.9", "--name", "erp"),
                refusal(1, "idnode token revoke: prefix 88.999.1 has no token named erp", "token", "revoke", "88.999.1", "--name", "erp"),
                refusal(2, "idnode secondary add: --pubkey: cannot read", "secondary", "add", "88.998", "--site", "127.0.0.1:2641", "--pubkey",
                        "@/missing.bin"),
                refusal(1, "idnode secondary show: no secondary node is registered for prefix 88.998", "secondary", "show", "88.998"),
                refusal(1, "idnode secondary remove: no secondary node is registered for prefix 88.998", "secondary", "remove", "88.998"),
                refusal(1, "idnode filings: no secondary node is registered for prefix 88.998", "filings", "88.998"),
                refusal(2, "idnode secondary add: site '127.0.0.1': expected HOST:PORT", "secondary", "add", "88.998", "--site", "127.0.0.1",
                        "--pubkey", "@/token"),
                refusal(2, "idnode backup: @/data already exists", "backup", "--to", "@/data"),
                refusal(1, "idnode restore: @/no-such-backup is not a folder", "restore", "--from", "@/no-such-backup"),
                refusal(2, "idnode backup: --token-file: cannot read", "backup", "--to", "@/b", "--node", "http://127.0.0.1:1",
                        "--token-file", "@/missing.token"),
                refusal(2, "idnode export: --token-file: cannot read", "export", "--out", "@/e.jsonl", "--node", "http://127.0.0.1:1",
                        "--token-file", "@/missing.token"),
                refusal(3, "idnode backup: cannot reach the node at http://127.0.0.1:", "backup", "--to", "@/b", "--node", "closed",
                        "--token-file", "@/token"),
                refusal(3, "idnode export: cannot reach the node at http://127.0.0.1:", "export", "--out", "@/e.jsonl", "--node", "closed",
                        "--token-file", "@/token"),
                refusal(2, "idnode: --role: ", "prefix", "list", "--role", "middle"),
                refusal(2, "idnode: configuration file ", "secondary", "list", "--config", "@/missing.yaml"));
    }

    /** With no store in the data folder there is nothing to back up or export. */
    static Stream<Arguments> refusalsWithoutAStore() {
        return Stream.of(
                refusal(2, "idnode backup: @/nothing-here holds no store; check --data-dir or data-dir", "backup", "--to", "@/b-none"),
                refusal(2, "idnode export: @/nothing-here holds no store; check --data-dir or data-dir", "export", "--out", "@/e.jsonl"),
                refusal(2, "idnode compact: @/nothing-here holds no store; check --data-dir or data-dir", "compact"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("refusals")
    void refusesOnTheDataFolderWithItsNameAnExitCodeAndNoOutput(int exitCode, String errStart, List<String> args) {
        List<String> all = new ArrayList<>(resolve(args));
        all.addAll(List.of("--data-dir", data.toString()));
        assertRefused(exitCode, errStart, all);
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("refusalsWithoutAStore")
    void refusesAFolderWithoutAStore(int exitCode, String errStart, List<String> args) {
        List<String> all = new ArrayList<>(resolve(args));
        all.addAll(List.of("--data-dir", tmp.resolve("nothing-here").toString()));
        assertRefused(exitCode, errStart, all);
    }

    private static void assertRefused(int exitCode, String errStart, List<String> args) {
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.code()).as("exit code of %s; %s", args, r).isEqualTo(exitCode);
        assertThat(r.err()).as(r.toString()).startsWith(errStart.replace("@/", tmp + "/")).doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    private static Arguments refusal(int exitCode, String errStart, String... args) {
        return Arguments.of(exitCode, errStart, List.of(args));
    }

    /** {@code @/x} stands for the file x in the test's folder (in arguments and messages), {@code closed} for a node address nothing listens on. */
    private static List<String> resolve(List<String> args) {
        return args.stream().map(a -> a.startsWith("@/") ? tmp.resolve(a.substring(2)).toString()
                : a.equals("closed") ? "http://127.0.0.1:" + closedPort : a).toList();
    }
}
