package org.idnode.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.Common;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.Util;
import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.model.ValueReference;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.registry.write.HandleWriter;
import org.idnode.registry.write.RecordValidator;
import org.idnode.server.auth.SessionManager;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.handler.HandleRequestProcessor;
import org.idnode.server.handler.PackedRecords;
import org.idnode.server.lifecycle.RequestTracker;
import org.idnode.server.logging.AccessLog;
import org.idnode.server.metrics.NodeMetrics;
import org.idnode.server.importer.RecordJson;
import org.idnode.server.site.NodeSite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast path ({@link CachedResolution}: a plain resolution answered from pre-encoded bytes) against
 * the general path (CNRI's decoder, {@link HandleRequestProcessor#process}, CNRI's encoder) on the same
 * processor over a real RocksDB store: for every request the fast path answers, its bytes (whole frame
 * for TCP, packets for UDP) must equal the general path's; requests it must leave to the general path
 * (certified, in a session, with a credential, prefix handles, restricted values asked for, not cached)
 * must be left. The expiration is the only field set from the clock: both paths must put now + 12 h
 * there, and it is copied from the general answer before comparing.
 */
class CachedResolutionTest {
    private static final int BIG_VALUES = 40;
    private static final int EXPIRATION_OFFSET = HandleMessageCodec.ENVELOPE_SIZE + 16;

    @TempDir
    static Path dir;
    static CachingHandleRecordStore store;
    static HandleRequestProcessor processor;
    static final RequestTracker TRACKER = new RequestTracker(new NodeMetrics(), AccessLog.OFF);

    @BeforeAll
    static void start() throws Exception {
        RocksDbHandleRecordStore rocks = RocksDbHandleRecordStore.open(dir, 8L << 20);
        store = new CachingHandleRecordStore(rocks, 10_000, PackedRecords::pack); // as the node keeps them
        List<HandleRecord> records = new ArrayList<>();
        int ts = 1_748_736_000;
        records.add(RecordJson.parse("{\"handle\":\"88.999.1/Plain-0001\",\"values\":["
                + "{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/pcb/0001\"},\"ttl\":3600},"
                + "{\"index\":2,\"type\":\"EMAIL\",\"data\":{\"format\":\"string\",\"value\":\"qa@example.com\"}}]}", ts));
        records.add(RecordJson.parse("{\"handle\":\"88.999.1/FILTER\",\"values\":["
                + "{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/a\"}},"
                + "{\"index\":2,\"type\":\"URL.ALT\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/b\"}},"
                + "{\"index\":3,\"type\":\"URLX\",\"data\":{\"format\":\"string\",\"value\":\"not a subtype\"}},"
                + "{\"index\":7,\"type\":\"EMAIL\",\"data\":{\"format\":\"string\",\"value\":\"x@example.com\"}},"
                + "{\"index\":2000,\"type\":\"LAYER_COUNT\",\"data\":{\"format\":\"string\",\"value\":\"4\"}}]}", ts));
        StringBuilder big = new StringBuilder("{\"handle\":\"88.999.1/BIG\",\"values\":[");
        for (int i = 1; i <= BIG_VALUES; i++) {
            big.append(i > 1 ? "," : "").append("{\"index\":").append(i).append(",\"type\":\"PROCESS_STEP\",\"data\":{\"format\":\"string\",\"value\":\"")
                    .append("step ").append(i).append(' ').append("x".repeat(80)).append("\"}}");
        }
        records.add(RecordJson.parse(big.append("]}").toString(), ts));
        records.add(RecordJson.parse("{\"handle\":\"88.999.1/批次-0001\",\"values\":["
                + "{\"index\":1,\"type\":\"DESC\",\"data\":{\"format\":\"string\",\"value\":\"覆铜板批次\"}}]}", ts));
        records.add(RecordJson.parse("{\"handle\":\"88.999.1/SECRET\",\"values\":["
                + "{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/s\"}},"
                + "{\"index\":2,\"type\":\"UNIT_COST\",\"data\":{\"format\":\"string\",\"value\":\"12.50\"},\"permissions\":\"1100\"}]}", ts));
        records.add(RecordJson.parse("{\"handle\":\"88.999.1/ALLSECRET\",\"values\":["
                + "{\"index\":2,\"type\":\"UNIT_COST\",\"data\":{\"format\":\"string\",\"value\":\"9.99\"},\"permissions\":\"1100\"}]}", ts));
        records.add(new HandleRecord(HandleName.parse("88.999.1/REFS"), List.of(
                new HandleValue(1, "REF.CCL_LOT", "88.999.1/CCL-7".getBytes(StandardCharsets.UTF_8), HandleValue.TtlType.ABSOLUTE,
                        2_000_000_000, ts, List.of(new ValueReference("88.999.1/CCL-7", 1), new ValueReference("88.999.1/CCL-8", 2)),
                        Permissions.PUBLIC_READ),
                new HandleValue(2, "BLOB", new byte[] {0, 1, 2, (byte) 0xff}, HandleValue.TtlType.RELATIVE, 0, ts, List.of(),
                        new Permissions(false, false, true, true)))));
        records.add(RecordJson.parse("{\"handle\":\"0.NA/88.999.1\",\"values\":["
                + "{\"index\":100,\"type\":\"HS_ADMIN\",\"data\":{\"format\":\"admin\",\"value\":{\"handle\":\"0.NA/88.999.1\",\"index\":300,\"permissions\":\"111111111111\"}}}]}", ts));
        rocks.putAll(records);

        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair keys = gen.generateKeyPair();
        NodeSite site = NodeSite.of("test", "127.0.0.1", 7, Util.getBytesFromPublicKey(keys.getPublic()), 2641, 8000);
        processor = new HandleRequestProcessor(store, new HandleWriter(store, RecordValidator.NONE), List.of("88.999"), () -> site,
                keys.getPrivate(), Runnable::run);
        for (String h : List.of("88.999.1/Plain-0001", "88.999.1/FILTER", "88.999.1/BIG", "88.999.1/批次-0001", "88.999.1/SECRET",
                "88.999.1/ALLSECRET", "88.999.1/REFS", "88.999.1/NO-SUCH", "0.NA/88.999.1")) {
            store.get(HandleName.parse(h)); // into the cache (a miss is cached as absent)
        }
    }

    @AfterAll
    static void stop() {
        if (store != null) {
            store.close();
        }
    }

    /** A request built by CNRI's library: the handle, filters, then any change to the request and its envelope. */
    record Req(String name, String handle, String[] types, int[] indexes, Consumer<ResolutionRequest> request,
               Consumer<MessageEnvelope> envelope) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Req req(String name, String handle, String[] types, int[] indexes) {
        return new Req(name, handle, types, indexes, r -> { }, e -> { });
    }

    static Stream<Req> answeredFromCache() {
        return Stream.of(
                req("plain record", "88.999.1/Plain-0001", null, null),
                req("handle in another case, echoed", "88.999.1/pLAIN-0001", null, null),
                req("non-ASCII handle and data", "88.999.1/批次-0001", null, null),
                req("record needing several UDP packets", "88.999.1/BIG", null, null),
                req("absolute TTL, references, binary data, public write", "88.999.1/REFS", null, null),
                req("type filter", "88.999.1/FILTER", new String[] {"URL"}, null),
                req("type with subtypes", "88.999.1/FILTER", new String[] {"url."}, null),
                req("index filter", "88.999.1/FILTER", null, new int[] {7, 2000}),
                req("index or type", "88.999.1/FILTER", new String[] {"URL.ALT"}, new int[] {7}),
                req("filter selecting nothing", "88.999.1/FILTER", new String[] {"NOPE"}, null),
                req("filtered big record", "88.999.1/BIG", null, new int[] {1, 40, 41}),
                req("restricted value filtered out", "88.999.1/SECRET", new String[] {"UNIT_COST"}, null),
                req("only restricted values", "88.999.1/ALLSECRET", null, null),
                req("public part of a record with restricted values", "88.999.1/SECRET", null, null),
                req("not found", "88.999.1/NO-SUCH", null, null),
                new Req("public-only flag cleared, nothing restricted", "88.999.1/Plain-0001", null, null,
                        r -> r.ignoreRestrictedValues = false, e -> { }),
                new Req("request digest asked for", "88.999.1/Plain-0001", null, null, r -> r.returnRequestDigest = true, e -> { }),
                new Req("request digest, not found", "88.999.1/NO-SUCH", null, null, r -> r.returnRequestDigest = true, e -> { }),
                new Req("authoritative, keep-alive, do-not-refer, no cache-certify, not recursive", "88.999.1/FILTER", null, null, r -> {
                    r.authoritative = true;
                    r.keepAlive = true;
                    r.doNotRefer = true;
                    r.cacheCertify = false;
                    r.recursive = false;
                }, e -> { }),
                new Req("recursion count", "88.999.1/Plain-0001", null, null, r -> r.recursionCount = 3, e -> { }),
                new Req("protocol 2.5 suggesting nothing", "88.999.1/Plain-0001", null, null, r -> {
                    r.majorProtocolVersion = 2;
                    r.minorProtocolVersion = 5;
                }, e -> {
                    e.suggestMajorProtocolVersion = 0;
                    e.suggestMinorProtocolVersion = 0;
                }),
                new Req("protocol 2.10 suggesting 2.10", "88.999.1/Plain-0001", null, null, r -> { }, e -> {
                    e.protocolMinorVersion = 10;
                    e.suggestMinorProtocolVersion = 10;
                }),
                new Req("client suggesting a newer version than 2.11", "88.999.1/Plain-0001", null, null, r -> { },
                        e -> e.suggestMinorProtocolVersion = 20));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answeredFromCache")
    void fastAnswerIsByteForByteTheGeneralAnswer(Req r) throws Exception {
        byte[] request = encode(r, 4711);
        int before = HandleMessageCodec.defaultExpiration();
        ByteBuf tcp = answer(Unpooled.wrappedBuffer(request), false);
        ByteBuf udp = answer(Unpooled.wrappedBuffer(request), true);
        AbstractResponse general = general(request);
        int after = HandleMessageCodec.defaultExpiration();
        assertThat(tcp).as("answered from the cache").isNotNull();
        assertThat(udp).as("answered from the cache").isNotNull();
        int expiration = Encoder.readInt(generalWhole(general), EXPIRATION_OFFSET);
        assertThat(expiration).isBetween(before, after);
        assertThat(tcp.getInt(EXPIRATION_OFFSET)).isBetween(before, after);
        assertThat(udp.getInt(EXPIRATION_OFFSET)).isBetween(before, after);
        tcp.setInt(EXPIRATION_OFFSET, expiration);
        udp.setInt(EXPIRATION_OFFSET, expiration);

        assertThat(hex(ByteBufUtil.getBytes(tcp))).as("TCP frame").isEqualTo(hex(generalWhole(general)));
        List<String> fastPackets = new ArrayList<>();
        for (int i = 0; i < HandleMessageCodec.udpPacketCount(udp); i++) {
            ByteBuf packet = HandleMessageCodec.udpPacket(udp, i);
            fastPackets.add(hex(ByteBufUtil.getBytes(packet)));
            packet.release();
        }
        SessionManager.WireMessage sealed = processor.seal(general);
        assertThat(fastPackets).as("UDP packets").containsExactlyElementsOf(
                HandleMessageCodec.encodeUdpPackets(general, sealed.message(), sealed.encrypted()).stream().map(CachedResolutionTest::hex).toList());
        assertThat(udp.release()).as("packets are released independently").isTrue();
    }

    @Test
    void answersNeedingSeveralPacketsAreSplitAtTheCredential() throws Exception {
        // Answers whose message ends 0..7 bytes past a packet boundary: the 4-byte credential length alone
        // in the last packet, across the boundary, ending on it, or the last packet nearly full.
        int one = messageLength("88.999.1/EDGE", 1);
        for (int past = 0; past < 8; past++) {
            int size = 1 + HandleMessageCodec.UDP_DATA_SIZE + Math.floorMod(past - one, HandleMessageCodec.UDP_DATA_SIZE);
            int message = messageLength("88.999.1/EDGE", size);
            assertThat(message % HandleMessageCodec.UDP_DATA_SIZE).isEqualTo(past);
            byte[] request = encode(req("edge", "88.999.1/EDGE", null, null), 9);
            ByteBuf udp = answer(Unpooled.wrappedBuffer(request), true);
            AbstractResponse general = general(request);
            udp.setInt(EXPIRATION_OFFSET, general.expiration);
            List<String> fastPackets = new ArrayList<>();
            for (int i = 0; i < HandleMessageCodec.udpPacketCount(udp); i++) {
                fastPackets.add(hex(ByteBufUtil.getBytes(HandleMessageCodec.udpPacket(udp, i))));
            }
            assertThat(fastPackets).as("%d-byte message", message).containsExactlyElementsOf(
                    HandleMessageCodec.encodeUdpPackets(general).stream().map(CachedResolutionTest::hex).toList());
        }
    }

    /** Stores {@code handle} with one value of {@code size} data bytes, caches it, and returns its answer's message length. */
    static int messageLength(String handle, int size) {
        HandleRecord rec = new HandleRecord(HandleName.parse(handle), List.of(new HandleValue(1, "URL",
                "x".repeat(size).getBytes(StandardCharsets.UTF_8), HandleValue.TtlType.RELATIVE, 60, 1, List.of(), Permissions.PUBLIC_READ)));
        store.putAll(List.of(rec));
        store.get(rec.handle());
        ByteBuf whole = answer(Unpooled.wrappedBuffer(encode(req("edge", handle, null, null), 9)), false);
        return whole.readableBytes() - HandleMessageCodec.ENVELOPE_SIZE;
    }

    @Test
    void answersNeedingSeveralPacketsAreChunked() {
        ByteBuf udp = answer(Unpooled.wrappedBuffer(encode(req("big", "88.999.1/BIG", null, null), 1)), true);
        assertThat(HandleMessageCodec.udpPacketCount(udp)).isGreaterThan(3);
    }

    static Stream<Req> leftToTheGeneralPath() {
        return Stream.of(
                new Req("certified", "88.999.1/Plain-0001", null, null, r -> r.certify = true, e -> { }),
                new Req("encrypted answer asked for", "88.999.1/Plain-0001", null, null, r -> r.encrypt = true, e -> { }),
                new Req("in a session", "88.999.1/Plain-0001", null, null, r -> r.sessionId = 99, e -> e.sessionId = 99),
                new Req("restricted values asked for", "88.999.1/SECRET", null, null, r -> r.ignoreRestrictedValues = false, e -> { }),
                new Req("request digest below protocol 2.7", "88.999.1/Plain-0001", null, null, r -> r.returnRequestDigest = true, e -> {
                    e.protocolMinorVersion = 6;
                    e.suggestMinorProtocolVersion = 6;
                }),
                new Req("compressed envelope", "88.999.1/Plain-0001", null, null, r -> { }, e -> e.compressed = true),
                new Req("truncated envelope", "88.999.1/Plain-0001", null, null, r -> { }, e -> e.truncated = true),
                new Req("protocol 5", "88.999.1/Plain-0001", null, null, r -> { }, e -> e.protocolMajorVersion = 5),
                req("prefix handle", "0.NA/88.999.1", null, null),
                req("prefix handle in another case", "0.na/88.999.1", null, null),
                req("prefix not served here", "88.998.1/X", null, null),
                req("handle without a slash", "88.999.1", null, null),
                req("not in the cache", "88.999.1/NEVER-READ", null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("leftToTheGeneralPath")
    void unusualRequestsAreLeftToTheGeneralPath(Req r) {
        assertThat(answer(Unpooled.wrappedBuffer(encode(r, 5)), true))
                .isNull();
    }

    @Test
    void requestsWithACredentialOrMalformedLengthsAreLeftToTheGeneralPath() {
        byte[] good = encode(req("plain", "88.999.1/Plain-0001", null, null), 6);
        assertThat(answer(Unpooled.wrappedBuffer(good), true)).isNotNull();

        // A credential: a non-zero credential length with bytes behind it.
        byte[] withCredential = Arrays.copyOf(good, good.length + 3);
        Encoder.writeInt(withCredential, good.length - 4, 3);
        Encoder.writeInt(withCredential, 16, withCredential.length - HandleMessageCodec.ENVELOPE_SIZE);
        assertThat(answer(Unpooled.wrappedBuffer(withCredential), true)).isNull();

        // Every single-byte truncation and every corruption of a length or count field.
        for (int len = 0; len < good.length; len++) {
            assertThat(answer(Unpooled.wrappedBuffer(good, 0, len), true)).isNull();
        }
        int body = HandleMessageCodec.ENVELOPE_SIZE + 24;
        int handleLength = Encoder.readInt(good, body);
        for (int field : new int[] {16, HandleMessageCodec.ENVELOPE_SIZE + 20, body, body + 4 + handleLength, body + 8 + handleLength}) {
            for (int value : new int[] {-1, 1, 1000, Integer.MAX_VALUE}) {
                byte[] bad = good.clone();
                Encoder.writeInt(bad, field, Encoder.readInt(bad, field) + value);
                assertThat(answer(Unpooled.wrappedBuffer(bad), true))
                        .as("field at %d changed by %d", field, value).isNull();
            }
        }
    }

    @Test
    void frameIsReadWithoutBeingConsumed() {
        byte[] good = encode(req("plain", "88.999.1/Plain-0001", null, null), 6);
        ByteBuf frame = Unpooled.buffer().writeBytes(new byte[] {9, 9}).writeBytes(good);
        frame.skipBytes(2);
        assertThat(answer(frame, false)).isNotNull();
        assertThat(frame.readerIndex()).isEqualTo(2);
        assertThat(frame.readableBytes()).isEqualTo(good.length);
    }

    /** The request as CNRI's library encodes it, envelope included. */
    static byte[] encode(Req r, int requestId) {
        ResolutionRequest req = new ResolutionRequest(Util.encodeString(r.handle()),
                r.types() == null ? null : Arrays.stream(r.types()).map(Util::encodeString).toArray(byte[][]::new), r.indexes(), null);
        req.majorProtocolVersion = Common.MAJOR_VERSION;
        req.minorProtocolVersion = Common.MINOR_VERSION;
        req.requestId = requestId;
        r.request().accept(req);
        byte[] msg;
        try {
            msg = req.getEncodedMessage();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        MessageEnvelope env = new MessageEnvelope();
        env.protocolMajorVersion = req.majorProtocolVersion;
        env.protocolMinorVersion = req.minorProtocolVersion;
        env.suggestMajorProtocolVersion = Common.MAJOR_VERSION;
        env.suggestMinorProtocolVersion = Common.MINOR_VERSION;
        env.requestId = requestId;
        env.messageLength = msg.length;
        r.envelope().accept(env);
        byte[] out = new byte[HandleMessageCodec.ENVELOPE_SIZE + msg.length];
        Encoder.encodeEnvelope(env, out);
        System.arraycopy(msg, 0, out, HandleMessageCodec.ENVELOPE_SIZE, msg.length);
        return out;
    }

    /** The general path's answer, as the transports get it: CNRI's decoder, then the processor. */
    static AbstractResponse general(byte[] request) throws Exception {
        MessageEnvelope env = HandleMessageCodec.decodeEnvelope(Arrays.copyOf(request, HandleMessageCodec.ENVELOPE_SIZE));
        AbstractRequest decoded = processor.decode(env, Arrays.copyOfRange(request, HandleMessageCodec.ENVELOPE_SIZE, request.length));
        AtomicReference<AbstractResponse> answer = new AtomicReference<>();
        processor.process(decoded, answer::set);
        assertThat(answer.get()).as("answered on the calling thread").isNotNull();
        assertThat(answer.get().responseCode).isIn(AbstractMessage.RC_SUCCESS, AbstractMessage.RC_HANDLE_NOT_FOUND, AbstractMessage.RC_VALUES_NOT_FOUND);
        return answer.get();
    }

    static byte[] generalWhole(AbstractResponse response) throws Exception {
        SessionManager.WireMessage sealed = processor.seal(response);
        return HandleMessageCodec.encodeWhole(response, sealed.message(), sealed.encrypted());
    }

    static String hex(byte[] b) {
        return ByteBufUtil.hexDump(b);
    }

    /** {@link CachedResolution#answer} as the transports call it, into unpooled buffers, with no UDP size budget. */
    static ByteBuf answer(ByteBuf frame, boolean udp) {
        return CachedResolution.answer(processor, UnpooledByteBufAllocator.DEFAULT, frame, udp, Integer.MAX_VALUE, () -> { }, TRACKER, null,
                System.nanoTime());
    }
}
