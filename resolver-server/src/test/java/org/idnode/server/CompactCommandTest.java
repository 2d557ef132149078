package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code idnode compact} on a stopped node's data folder rewrites its store files and keeps every record byte for byte
 * (compared with RocksDB's own API), and says how large the files were before and after. Its refusals (no store, a
 * node running on the folder) are in {@link CommandRefusalTest} and {@link NodeProcessTest}; that the rewritten files
 * make reads cheap is the store's test ({@code RocksDbHandleRecordStoreTest}).
 */
class CompactCommandTest {
    @TempDir
    Path tmp;

    @Test
    void compactKeepsEveryRecordByteForByte() throws Exception {
        Path data = tmp.resolve("data");
        Path root = Path.of(System.getProperty("idnode.project.root"));
        JsonHttp.cli("import", root.resolve("conf/sample-data/pcb-sample.jsonl").toString(), "--data-dir", data.toString());
        Map<String, String> before = RawStore.records(data.resolve("store"));
        assertThat(before).isNotEmpty();

        CliRun compact = CliRun.of("compact", "--data-dir", data.toString());

        assertThat(compact.code()).as(compact.toString()).isZero();
        assertThat(compact.out()).matches("compacted " + java.util.regex.Pattern.quote(data.toString())
                + ": store files \\d+\\.\\d MB before, \\d+\\.\\d MB after, in \\d+\\.\\d s");
        assertThat(compact.err()).isEmpty();
        assertThat(RawStore.records(data.resolve("store"))).isEqualTo(before);
    }
}
