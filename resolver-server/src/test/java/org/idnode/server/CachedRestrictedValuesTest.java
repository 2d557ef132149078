package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.Util;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.model.ValueReference;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.codec.HandleValueConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Records with restricted values in the node's record cache, which keeps every value of a record in one encoded block
 * and the anonymous answer beside it: CNRI's resolver, asking anonymously over UDP, TCP and HTTP, first from disk and
 * then from the cache, gets exactly the public values with every field as stored (Unicode, references, absolute TTL,
 * zero and negative timestamps, every public permission combination) and never a restricted one, whether restricted
 * values come first, between public ones or alone, and whether or not it filters for them by index or type. REST
 * answers leave them out too.
 */
class CachedRestrictedValuesTest {
    private static final int TS = 1_748_736_000;
    /** Admin read only; admin read and write (RESTRICTED); public write without public read: none may go out anonymously. */
    private static final List<Permissions> HIDDEN = List.of(Permissions.fromBits(0x08), Permissions.RESTRICTED, Permissions.fromBits(0x0d));

    @TempDir
    static Path dataDir;
    static TestNode node;
    static List<HandleRecord> records;

    @BeforeAll
    static void start() throws Exception {
        records = List.of(
                record("88.999.1/MIXED-1",
                        value(1, "URL", "https://example.com/lot/1", Permissions.PUBLIC_READ),
                        value(2, "UNIT_COST", "12.50 CNY", HIDDEN.get(0)),
                        new HandleValue(3, "检验报告", "合格 ✓".getBytes(StandardCharsets.UTF_8), HandleValue.TtlType.ABSOLUTE, 2_000_000_000, 0,
                                List.of(), Permissions.fromBits(0x02)),
                        new HandleValue(4, "REF.CCL_LOT", "88.999.1/CCL-7".getBytes(StandardCharsets.UTF_8), HandleValue.TtlType.RELATIVE, 0, -5,
                                List.of(new ValueReference("88.999.1/CCL-7", 1), new ValueReference("88.999.2/批次-9", 2000)),
                                Permissions.fromBits(0x0f)),
                        value(5, "SUPPLIER_CONTRACT", "contract 4711", HIDDEN.get(1)),
                        value(2000, "YIELD", "yield 98.7", HIDDEN.get(2)),
                        new HandleValue(2001, "BLOB", new byte[] {0, 1, (byte) 0xfe, (byte) 0xff}, HandleValue.TtlType.RELATIVE, -1, TS,
                                List.of(), Permissions.fromBits(0x03))),
                record("88.999.1/RESTRICTED-FIRST",
                        value(1, "UNIT_COST", "7.00 CNY", HIDDEN.get(1)),
                        value(2, "URL", "https://example.com/lot/2", Permissions.PUBLIC_READ)),
                record("88.999.1/ALL-RESTRICTED",
                        value(1, "UNIT_COST", "9.99 CNY", HIDDEN.get(1)),
                        value(2, "YIELD", "yield 99.1", HIDDEN.get(0))));
        try (RocksDbHandleRecordStore store = IdentifierNode.openStore(dataDir, 16)) {
            store.putAll(records);
        }
        node = TestNode.start(dataDir, List.of());
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static HandleRecord record(String handle, HandleValue... values) {
        return new HandleRecord(HandleName.parse(handle), List.of(values));
    }

    static HandleValue value(int index, String type, String data, Permissions permissions) {
        return new HandleValue(index, type, data.getBytes(StandardCharsets.UTF_8), HandleValue.TtlType.RELATIVE, 86_400, TS, List.of(), permissions);
    }

    static Stream<Arguments> protocols() {
        return Stream.of(Arguments.of("UDP", Interface.SP_HDL_UDP), Arguments.of("TCP", Interface.SP_HDL_TCP),
                Arguments.of("HTTP", Interface.SP_HDL_HTTP));
    }

    static List<HandleValue> publicValues(HandleRecord r) {
        return r.values().stream().filter(v -> v.permissions().publicRead()).toList();
    }

    /** An anonymous resolution with the public-only flag set, as CNRI's resolver sends it; the values as stored. */
    static AbstractResponse resolve(HandleResolver resolver, String handle, String[] types, int[] indexes) throws Exception {
        ResolutionRequest req = new ResolutionRequest(Util.encodeString(handle),
                types == null ? null : Arrays.stream(types).map(Util::encodeString).toArray(byte[][]::new), indexes, null);
        return resolver.processRequest(req);
    }

    static List<HandleValue> values(AbstractResponse resp) throws Exception {
        assertThat(resp.responseCode).isEqualTo(AbstractMessage.RC_SUCCESS);
        return HandleValueConverter.fromWire(((ResolutionResponse) resp).getHandleValues());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocols")
    void anonymousAnswersHoldThePublicValuesExactlyAndNoRestrictedOne(String name, int protocol) throws Exception {
        HandleResolver resolver = CnriClients.resolver(node.site(), "88.999.1", protocol);
        for (int round = 0; round < 3; round++) { // the first answer is read from disk, the others from the cache
            for (HandleRecord r : records) {
                String handle = r.handle().toString();
                AbstractResponse resp = resolve(resolver, handle, null, null);
                if (publicValues(r).isEmpty()) {
                    assertThat(resp.responseCode).as(handle).isEqualTo(AbstractMessage.RC_VALUES_NOT_FOUND);
                } else {
                    assertThat(values(resp)).as("%s round %d", handle, round).isEqualTo(publicValues(r));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocols")
    void filteringForRestrictedValuesFindsNone(String name, int protocol) throws Exception {
        HandleResolver resolver = CnriClients.resolver(node.site(), "88.999.1", protocol);
        for (int round = 0; round < 2; round++) {
            assertThat(resolve(resolver, "88.999.1/MIXED-1", null, new int[] {2, 5, 2000}).responseCode).isEqualTo(AbstractMessage.RC_VALUES_NOT_FOUND);
            assertThat(resolve(resolver, "88.999.1/MIXED-1", new String[] {"UNIT_COST", "YIELD"}, null).responseCode)
                    .isEqualTo(AbstractMessage.RC_VALUES_NOT_FOUND);
            assertThat(values(resolve(resolver, "88.999.1/MIXED-1", new String[] {"REF."}, new int[] {2, 2001})).stream().map(HandleValue::index))
                    .containsExactly(4, 2001);
            assertThat(values(resolve(resolver, "88.999.1/RESTRICTED-FIRST", null, new int[] {1, 2})).stream().map(HandleValue::index))
                    .containsExactly(2);
            assertThat(resolve(resolver, "88.999.1/ALL-RESTRICTED", new String[] {"YIELD"}, null).responseCode)
                    .isEqualTo(AbstractMessage.RC_VALUES_NOT_FOUND);
        }
    }

    @org.junit.jupiter.api.Test
    void restAnswersLeaveRestrictedValuesOut() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int round = 0; round < 3; round++) {
            for (HandleRecord r : records) {
                String path = "/api/handles/" + URLEncoder.encode(r.handle().toString(), StandardCharsets.UTF_8).replace("%2F", "/");
                HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                for (HandleValue v : r.values()) {
                    if (!v.permissions().publicRead()) {
                        assertThat(resp.body()).as("%s round %d", r.handle(), round).doesNotContain(new String(v.data(), StandardCharsets.UTF_8));
                    } else if (v.index() == 1 || v.index() == 2) {
                        assertThat(resp.body()).contains(new String(v.data(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
    }
}
