package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import net.handle.hdllib.Common;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.GsonUtility;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.Interface;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.Util;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node answers a resolution the first time through the general path (the record is read from
 * RocksDB and the answer built by CNRI's encoder or, over REST, by CNRI's GsonUtility) and later from
 * the bytes it keeps with the cached record. Over real sockets, the second answer must be the first one
 * byte for byte, apart from the expiration (now + 12 h, taken from the clock at each answer).
 */
class CachedAnswerWireTest {
    private static final int EXPIRATION_OFFSET = Common.MESSAGE_ENVELOPE_SIZE + 16;
    private static final int TIMEOUT_MS = 5000;

    @TempDir
    static Path dataDir;
    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        List<String> lines = new ArrayList<>();
        for (String h : List.of("88.999.1/UDP-1", "88.999.1/TCP-1", "88.999.1/REST-1", "88.999.1/REST-2", "88.999.1/REST-3",
                "88.999.1/批次-REST", "88.999.1/Q\"uo<te>&\\x")) {
            lines.add(record(h, 3));
        }
        lines.add(record("88.999.1/UDP-BIG", 40));
        lines.add(record("88.999.1/TCP-BIG", 40));
        // Compares whole UDP answers of every size, so answers may be far larger than their requests here
        // (the amplification limit is UdpAmplificationTest's subject).
        node = TestNode.start(dataDir, lines, "limits: {udp-amplification-factor: 100}\n");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    /** An import line with {@code n} values (the last restricted, so that withholding is exercised). */
    static String record(String handle, int n) {
        JsonArray values = new JsonArray();
        for (int i = 1; i <= n; i++) {
            JsonObject data = new JsonObject();
            data.addProperty("format", "string");
            data.addProperty("value", "value " + i + " of " + handle + " " + "x".repeat(60));
            JsonObject v = new JsonObject();
            v.addProperty("index", i);
            v.addProperty("type", i == 1 ? "URL" : "STEP." + i);
            v.add("data", data);
            if (i == n) {
                v.addProperty("permissions", "1100");
            }
            values.add(v);
        }
        JsonObject o = new JsonObject();
        o.addProperty("handle", handle);
        o.add("values", values);
        return o.toString();
    }

    @Test
    void udpAnswersFromDiskAndFromTheCacheAreTheSameBytes() throws Exception {
        for (String handle : List.of("88.999.1/UDP-1", "88.999.1/UDP-BIG", "88.999.1/UDP-NONE")) {
            byte[] request = request(handle, 77);
            List<byte[]> first = udp(request);
            List<byte[]> second = udp(request);
            assertThat(second).as(handle).hasSameSizeAs(first);
            if (handle.endsWith("BIG")) {
                assertThat(first).as("several packets").hasSizeGreaterThan(3);
            }
            for (int i = 0; i < first.size(); i++) {
                assertThat(hex(withoutExpiration(second.get(i)))).as("%s packet %d", handle, i).isEqualTo(hex(withoutExpiration(first.get(i))));
            }
        }
    }

    @Test
    void tcpAnswersFromDiskAndFromTheCacheAreTheSameBytes() throws Exception {
        for (String handle : List.of("88.999.1/TCP-1", "88.999.1/TCP-BIG", "88.999.1/TCP-NONE")) {
            byte[] request = request(handle, 78);
            try (Socket s = new Socket()) {
                s.setSoTimeout(TIMEOUT_MS);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), node.handlePort()), TIMEOUT_MS);
                byte[] first = tcpExchange(s, request);
                byte[] second = tcpExchange(s, request);
                assertThat(hex(withoutExpiration(second))).as(handle).isEqualTo(hex(withoutExpiration(first)));
            }
        }
    }

    @Test
    void cnriResolverReadsCachedAnswersOverEveryProtocol() throws Exception {
        for (int protocol : new int[] {Interface.SP_HDL_UDP, Interface.SP_HDL_TCP, Interface.SP_HDL_HTTP}) {
            for (int round = 0; round < 2; round++) {
                HandleValue[] values = CnriClients.resolver(node.site(), "88.999.1", protocol).resolveHandle("88.999.1/UDP-BIG", null, null);
                assertThat(values).hasSize(39);
                assertThat(values[38].getDataAsString()).startsWith("value 39 of 88.999.1/UDP-BIG");
            }
        }
    }

    @Test
    void restJsonFromTheCacheIsTheGsonJsonByteForByte() throws Exception {
        for (String handle : List.of("88.999.1/REST-1", "88.999.1/批次-REST", "88.999.1/Q\"uo<te>&\\x")) {
            String path = "/api/handles/" + URLEncoder.encode(handle, StandardCharsets.UTF_8).replace("%2F", "/");
            HttpResponse<String> first = get(path);
            HttpResponse<String> second = get(path);
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(second.headers().firstValue("content-type")).isEqualTo(first.headers().firstValue("content-type"));
            assertThat(second.body()).as(handle).isEqualTo(first.body());
            assertThat(second.body()).isEqualTo(gsonJson(handle, handle));
        }
        // The handle is echoed as the client spelled it.
        get("/api/handles/88.999.1/REST-2");
        assertThat(get("/api/handles/88.999.1/rest-2").body()).isEqualTo(gsonJson("88.999.1/REST-2", "88.999.1/rest-2"));
        // Parameters go the general way and still see the cached record.
        get("/api/handles/88.999.1/REST-3");
        HttpResponse<String> filtered = get("/api/handles/88.999.1/REST-3?index=2");
        assertThat(filtered.body()).contains("\"index\":2").doesNotContain("\"index\":1");
    }

    /** What the general path writes: CNRI's GsonUtility over the values a Handle client gets. */
    static String gsonJson(String stored, String asked) throws Exception {
        HandleValue[] values = CnriClients.resolver(node.site(), "88.999.1", Interface.SP_HDL_TCP).resolveHandle(stored, null, null);
        ResolutionRequest req = new ResolutionRequest(Util.encodeString(asked), null, null, null);
        return GsonUtility.getGson().toJson(GsonUtility.serializeResponseToRequest(req,
                new ResolutionResponse(req, Util.encodeString(asked), values)));
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + node.httpPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A resolution request as CNRI's library encodes it (protocol 2.11, public values only), envelope included. */
    static byte[] request(String handle, int requestId) throws Exception {
        ResolutionRequest req = new ResolutionRequest(Util.encodeString(handle), null, null, null);
        req.majorProtocolVersion = 2;
        req.minorProtocolVersion = 11;
        req.requestId = requestId;
        byte[] msg = req.getEncodedMessage();
        MessageEnvelope env = new MessageEnvelope();
        env.protocolMajorVersion = 2;
        env.protocolMinorVersion = 11;
        env.requestId = requestId;
        env.messageLength = msg.length;
        byte[] out = new byte[Common.MESSAGE_ENVELOPE_SIZE + msg.length];
        Encoder.encodeEnvelope(env, out);
        System.arraycopy(msg, 0, out, Common.MESSAGE_ENVELOPE_SIZE, msg.length);
        return out;
    }

    /** Sends one datagram and returns the answer's packets ordered by messageId. */
    static List<byte[]> udp(byte[] request) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(TIMEOUT_MS);
            socket.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), node.handlePort()));
            List<byte[]> packets = new ArrayList<>();
            int expected = 1;
            while (packets.size() < expected) {
                DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                socket.receive(p);
                byte[] packet = Arrays.copyOf(p.getData(), p.getLength());
                MessageEnvelope env = new MessageEnvelope();
                Encoder.decodeEnvelope(packet, env);
                expected = (env.messageLength + Common.MAX_UDP_DATA_SIZE - 1) / Common.MAX_UDP_DATA_SIZE;
                packets.add(packet);
            }
            packets.sort((a, b) -> Integer.compare(Encoder.readInt(a, 12), Encoder.readInt(b, 12)));
            return packets;
        }
    }

    static byte[] tcpExchange(Socket s, byte[] request) throws Exception {
        s.getOutputStream().write(request);
        s.getOutputStream().flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] envelope = new byte[Common.MESSAGE_ENVELOPE_SIZE];
        in.readFully(envelope);
        byte[] whole = Arrays.copyOf(envelope, Common.MESSAGE_ENVELOPE_SIZE + Encoder.readInt(envelope, 16));
        in.readFully(whole, Common.MESSAGE_ENVELOPE_SIZE, whole.length - Common.MESSAGE_ENVELOPE_SIZE);
        return whole;
    }

    /** The packet with the expiration zeroed; only the first packet of an answer holds the header. */
    static byte[] withoutExpiration(byte[] packet) {
        byte[] copy = packet.clone();
        if (Encoder.readInt(copy, 12) == 0) {
            int expiration = Encoder.readInt(copy, EXPIRATION_OFFSET);
            int now = (int) (System.currentTimeMillis() / 1000);
            assertThat(expiration - now).as("expiration in 12 h").isBetween(12 * 3600 - 60, 12 * 3600 + 1);
            Encoder.writeInt(copy, EXPIRATION_OFFSET, 0);
        }
        return copy;
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
