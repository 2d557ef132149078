package org.idnode.bench.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.stream.Stream;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.Common;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.Util;
import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.store.HandleRecordStore;
import org.idnode.registry.write.HandleWriter;
import org.idnode.registry.write.RecordValidator;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.codec.MalformedMessageException;
import org.idnode.server.handler.HandleRequestProcessor;
import org.idnode.server.handler.ResponseCallback;
import org.idnode.server.importer.RecordJson;
import org.idnode.server.site.NodeSite;

/**
 * Data and wiring shared by the JMH benchmarks: realistic PCB lot records, Handle resolution requests
 * as a client puts them on the wire, and a {@link HandleRequestProcessor} wired as
 * {@code IdentifierNode} wires it.
 *
 * <p>Every record is the PCB lot {@code 88.999.2/PCB.87.01.01.A2.250601.000123} of
 * {@code conf/sample-data/pcb-sample.jsonl} (26 values, 24 of them public: a 1,280-byte answer message, three UDP packets),
 * with the lot serial replaced so that each record has its own handle, URL, work order and laminate
 * reference, and parsed by {@link RecordJson#parse} exactly as {@code idnode import} parses a line.
 */
public final class BenchData {
    /** Prefix the benchmark node serves, as in {@code conf/node.yaml}. */
    static final List<String> SERVED_PREFIXES = List.of("88.999");
    /** Timestamp given to the values (they carry none in the import line). */
    static final int TIMESTAMP = 1_748_736_000;
    /** Records per {@code putAll} batch when loading a store. */
    static final int LOAD_BATCH = 1000;
    /** RocksDB block cache of the benchmark stores: the node's default {@code store.block-cache-mb} (256 MiB). */
    public static final long BLOCK_CACHE_BYTES = 256L << 20;

    private static final String SERIAL = "{SERIAL}";
    private static final String WORK_ORDER = "{WO}";
    /** Line 15 of {@code conf/sample-data/pcb-sample.jsonl}, one value per line, lot serial and work order made variables. */
    private static final String PCB_LOT_TEMPLATE = """
            {"handle": "88.999.2/PCB.87.01.01.A2.250601.{SERIAL}", "values": [
              {"index": 1, "type": "URL", "data": {"format": "string", "value": "https://example.com/pcb/lot/A2-{SERIAL}"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2, "type": "DESC", "data": {"format": "string", "value": "电路板生产批次 PCB lot CUST-CTRL-A2, 4-layer ENIG"}, "ttl": 86400, "permissions": "1110"},
              {"index": 1000, "type": "TEMPLATE_ID", "data": {"format": "string", "value": "88.999/TPL.PCB_LOT"}, "ttl": 86400, "permissions": "1110"},
              {"index": 1001, "type": "TEMPLATE", "data": {"format": "string", "value": "1.0"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2000, "type": "CUSTOMER_PN", "data": {"format": "string", "value": "CUST-CTRL-A2"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2001, "type": "INTERNAL_PN", "data": {"format": "string", "value": "FAB-A2-R03"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2002, "type": "REVISION", "data": {"format": "string", "value": "C"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2003, "type": "MANUFACTURER", "data": {"format": "string", "value": "Example PCB Fab Co."}, "ttl": 86400, "permissions": "1110"},
              {"index": 2004, "type": "PLANT_LINE", "data": {"format": "string", "value": "Plant 1 / Line 1"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2005, "type": "LAYER_COUNT", "data": {"format": "string", "value": "4"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2006, "type": "BOARD_THICKNESS_MM", "data": {"format": "string", "value": "1.6"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2007, "type": "FINISHED_COPPER_OZ", "data": {"format": "string", "value": "1"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2008, "type": "SURFACE_FINISH", "data": {"format": "string", "value": "ENIG"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2009, "type": "SOLDER_MASK_COLOR", "data": {"format": "string", "value": "green"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2010, "type": "MIN_TRACE_SPACE", "data": {"format": "string", "value": "0.10 mm / 0.10 mm"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2011, "type": "IMPEDANCE_CONTROL", "data": {"format": "string", "value": "50 ohm SE, 100 ohm diff +/-10%"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2012, "type": "IPC_CLASS", "data": {"format": "string", "value": "2"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2013, "type": "TG_C", "data": {"format": "string", "value": "140"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2014, "type": "WORK_ORDER", "data": {"format": "string", "value": "WO-F250601-{WO}"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2015, "type": "DATE_CODE", "data": {"format": "string", "value": "2522"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2016, "type": "QUANTITY", "data": {"format": "string", "value": "1250"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2017, "type": "SHIP_DATE", "data": {"format": "string", "value": "2025-06-06"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2018, "type": "INSPECTION_RESULT", "data": {"format": "string", "value": "PASS"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2019, "type": "REF.CCL_LOT", "data": {"format": "string", "value": "88.999.1/CCL.28.01.01.FR4S1141.250601.{SERIAL}"}, "ttl": 86400, "permissions": "1110"},
              {"index": 2020, "type": "PROCESS_YIELD", "data": {"format": "string", "value": "96.4"}, "ttl": 86400, "permissions": "1100"},
              {"index": 2021, "type": "UNIT_COST", "data": {"format": "string", "value": "12.80"}, "ttl": 86400, "permissions": "1100"}
            ]}
            """;

    private BenchData() {
    }

    /** The lot serial as written in handles: at least six digits, zero-padded ({@code 000123}). */
    static String serial(int n) {
        String s = Integer.toString(n);
        return s.length() >= 6 ? s : "000000".substring(s.length()) + s;
    }

    /** The handle of lot {@code n}: {@code 88.999.2/PCB.87.01.01.A2.250601.<serial>}. */
    static String lotHandle(int n) {
        return "88.999.2/PCB.87.01.01.A2.250601." + serial(n);
    }

    /** The import line (JSON) of lot {@code n}; lot 123 is the sample file's record. */
    static String lotJson(int n) {
        return PCB_LOT_TEMPLATE.replace(SERIAL, serial(n)).replace(WORK_ORDER, Integer.toString(n));
    }

    /** Lot {@code n} parsed as {@code idnode import} parses it. */
    static HandleRecord lot(int n) {
        return RecordJson.parse(lotJson(n), TIMESTAMP);
    }

    /**
     * Stores {@code count} records of the given shape and returns their handles: {@code lot}, the PCB lots
     * of {@link #lot} (24 public values, three UDP packets); {@code anchor}, the records of
     * {@code idbench dataset --shape anchor} (6 public values, a 378-byte answer in one packet, as in the
     * performance anchors).
     */
    public static String[] load(HandleRecordStore store, String shape, int count) {
        String[] handles = new String[count];
        if (shape.equals("lot")) {
            loadLots(store, count);
            for (int i = 0; i < count; i++) {
                handles[i] = lotHandle(i);
            }
            return handles;
        }
        if (!shape.equals("anchor")) {
            throw new IllegalArgumentException("unknown record shape " + shape + "; expected lot or anchor");
        }
        java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream();
        try {
            new org.idnode.bench.dataset.DatasetGenerator("88.999", 1, org.idnode.bench.dataset.DatasetGenerator.Shape.ANCHOR)
                    .write(count + org.idnode.bench.dataset.DatasetGenerator.HEADER_RECORDS, lines, java.io.Writer.nullWriter());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<HandleRecord> batch = new ArrayList<>(LOAD_BATCH);
        String[] all = lines.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < count; i++) {
            HandleRecord record = RecordJson.parse(all[org.idnode.bench.dataset.DatasetGenerator.HEADER_RECORDS + i], TIMESTAMP);
            handles[i] = record.handle().toString();
            batch.add(record);
            if (batch.size() == LOAD_BATCH || i == count - 1) {
                store.putAll(batch);
                batch.clear();
            }
        }
        return handles;
    }

    /** Writes lots {@code 0 .. count-1} in batches of {@value #LOAD_BATCH}. */
    static void loadLots(HandleRecordStore store, int count) {
        List<HandleRecord> batch = new ArrayList<>(LOAD_BATCH);
        for (int i = 0; i < count; i++) {
            batch.add(lot(i));
            if (batch.size() == LOAD_BATCH || i == count - 1) {
                store.putAll(batch);
                batch.clear();
            }
        }
    }

    /**
     * A resolution request for all values of {@code handle} as one UDP datagram (envelope and message),
     * shaped as CNRI's {@code HandleResolver} sends it: protocol 2.11, no type or index filter, not certified.
     */
    public static byte[] udpResolutionRequest(String handle, int requestId) {
        ResolutionRequest req = new ResolutionRequest(Util.encodeString(handle), null, null, null);
        req.majorProtocolVersion = Common.MAJOR_VERSION;
        req.minorProtocolVersion = Common.MINOR_VERSION;
        req.requestId = requestId;
        req.certify = false;
        req.recursive = true;
        byte[] msg;
        try {
            msg = req.getEncodedMessage();
        } catch (HandleException e) {
            throw new IllegalStateException("cannot encode a resolution request for " + handle, e);
        }
        MessageEnvelope env = new MessageEnvelope();
        env.protocolMajorVersion = req.majorProtocolVersion;
        env.protocolMinorVersion = req.minorProtocolVersion;
        env.requestId = requestId;
        env.messageLength = msg.length;
        byte[] datagram = new byte[HandleMessageCodec.ENVELOPE_SIZE + msg.length];
        Encoder.encodeEnvelope(env, datagram);
        System.arraycopy(msg, 0, datagram, HandleMessageCodec.ENVELOPE_SIZE, msg.length);
        return datagram;
    }

    /**
     * Decodes one request datagram the way the node's UDP handler ({@code UdpHandleRequestHandler.decode})
     * does: envelope, length check, copy of the message bytes, message.
     */
    static AbstractRequest decodeUdp(byte[] datagram) throws MalformedMessageException {
        MessageEnvelope env = HandleMessageCodec.decodeEnvelope(datagram);
        int length = datagram.length - HandleMessageCodec.ENVELOPE_SIZE;
        if (env.truncated || env.messageLength != length) {
            throw new IllegalStateException("benchmark datagram has a bad envelope");
        }
        byte[] message = new byte[length];
        System.arraycopy(datagram, HandleMessageCodec.ENVELOPE_SIZE, message, 0, length);
        return HandleMessageCodec.decodeRequest(env, message);
    }

    /** A fresh 2048-bit RSA key pair, as {@code NodeKeys} creates at a node's first start. */
    static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is not available in this JVM", e);
        }
    }

    /**
     * A processor wired as {@code IdentifierNode} wires it (served prefix {@code 88.999}, the node's site
     * info and key), except that its blocking work runs on {@code blockingWork}.
     */
    public static HandleRequestProcessor processor(CachingHandleRecordStore store, Executor blockingWork) {
        KeyPair keys = rsaKeyPair();
        byte[] publicKey;
        try {
            publicKey = Util.getBytesFromPublicKey(keys.getPublic());
        } catch (HandleException e) {
            throw new IllegalStateException("cannot encode the public key", e);
        }
        NodeSite site = NodeSite.of("idnode JMH benchmark", "127.0.0.1", 1, publicKey, 2641, 8000);
        return new HandleRequestProcessor(store, new HandleWriter(store, RecordValidator.NONE), SERVED_PREFIXES, () -> site,
                keys.getPrivate(), blockingWork);
    }

    /** Checks that {@code response} is a successful resolution answer. */
    static void requireResolved(AbstractResponse response, String handle) {
        if (response == null || response.responseCode != AbstractMessage.RC_SUCCESS) {
            throw new IllegalStateException("resolving " + handle + " gave "
                    + (response == null ? "no answer" : AbstractMessage.getResponseCodeMessage(response.responseCode)));
        }
    }

    /** A new empty folder for a benchmark store. */
    public static Path tempDir(String name) {
        try {
            return Files.createTempDirectory("idnode-jmh-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a folder and everything in it. */
    public static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /**
     * A {@link ResponseCallback} that keeps the answer for the caller to pick up. Cache hits are answered
     * on the calling thread, so the answer is there when {@code process} returns; with a direct executor
     * cache misses are too.
     */
    static final class Capture implements ResponseCallback {
        private AbstractResponse response;

        @Override
        public void respond(AbstractResponse r) {
            response = r;
        }

        /** The answer delivered since the last call; fails when none was (it would have gone to another thread). */
        AbstractResponse take() {
            AbstractResponse r = response;
            if (r == null) {
                throw new IllegalStateException("the processor did not answer on the calling thread");
            }
            response = null;
            return r;
        }
    }
}
