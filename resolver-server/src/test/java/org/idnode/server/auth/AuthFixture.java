package org.idnode.server.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.AdminRecord;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.SessionInfo;
import net.handle.hdllib.Util;
import net.handle.hdllib.ValueReference;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.idnode.server.codec.HandleMessageCodec;

/**
 * Real parts for the auth tests: a RocksDB store in a temporary folder holding the enterprise prefix
 * handle {@code 0.NA/88.999.1} (HS_ADMIN 100 → 300:0.NA/88.999.1 with every permission, an RSA
 * HS_PUBKEY at 300, HS_SECKEY "s3cr3t" at 301, the hex SHA-1 of "hashed-s3cr3t" at 302, a DSA
 * HS_PUBKEY at 303), admin groups (HS_VLIST) and a handle administered through them; RSA keys for
 * the admin and for the node; a clock the tests move; and the wire in between (CNRI's encoder and
 * this node's codec), so that every message the tests hand to the auth classes has gone through bytes.
 */
final class AuthFixture implements AutoCloseable {
    static final String PREFIX_HANDLE = "0.NA/88.999.1";
    static final String SECRET = "s3cr3t";
    static final String HASHED_SECRET = "hashed-s3cr3t";
    static final String ADMINS = "88.999.1/ADMINS";
    static final String NESTED = "88.999.1/NESTED";
    static final String LOOP_A = "88.999.1/LOOP-A";
    static final String LOOP_B = "88.999.1/LOOP-B";
    static final String BOARD = "88.999.1/PCB-0001";

    final RocksDbHandleRecordStore store;
    final KeyPair adminRsa;
    final KeyPair adminDsa;
    final KeyPair nodeKeys;
    final TestClock clock = new TestClock();

    private AuthFixture(RocksDbHandleRecordStore store, KeyPair adminRsa, KeyPair adminDsa, KeyPair nodeKeys) {
        this.store = store;
        this.adminRsa = adminRsa;
        this.adminDsa = adminDsa;
        this.nodeKeys = nodeKeys;
    }

    static AuthFixture create(Path dir) throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPairGenerator dsa = KeyPairGenerator.getInstance("DSA");
        dsa.initialize(2048);
        AuthFixture f = new AuthFixture(RocksDbHandleRecordStore.open(dir, 8L * 1024 * 1024), rsa.generateKeyPair(),
                dsa.generateKeyPair(), rsa.generateKeyPair());
        f.store.putAll(f.records());
        return f;
    }

    IdentityKeyLookup lookup() {
        return store::get;
    }

    private List<HandleRecord> records() throws Exception {
        int now = (int) (System.currentTimeMillis() / 1000);
        List<HandleRecord> out = new ArrayList<>();
        out.add(record(PREFIX_HANDLE,
                admin(100, PREFIX_HANDLE, 300, allPermissions()),
                value(300, "HS_PUBKEY", Util.getBytesFromPublicKey(adminRsa.getPublic()), Permissions.PUBLIC_READ, now),
                value(301, "HS_SECKEY", SECRET.getBytes(StandardCharsets.UTF_8), Permissions.RESTRICTED, now),
                value(302, "HS_SECKEY", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                        .digest(HASHED_SECRET.getBytes(StandardCharsets.UTF_8))).getBytes(StandardCharsets.UTF_8), Permissions.RESTRICTED, now),
                value(303, "HS_PUBKEY", Util.getBytesFromPublicKey(adminDsa.getPublic()), Permissions.PUBLIC_READ, now)));
        // Groups: ADMINS = {300:0.NA/88.999.2, 2:NESTED}; NESTED (index 2) = {301:0.NA/88.999.3}; LOOP-A <-> LOOP-B.
        out.add(record(ADMINS, group(1, ref("0.NA/88.999.2", 300), ref(NESTED, 2))));
        out.add(record(NESTED, group(2, ref("0.NA/88.999.3", 301))));
        out.add(record(LOOP_A, group(1, ref(LOOP_B, 1))));
        out.add(record(LOOP_B, group(1, ref(LOOP_A, 1))));
        // A board lot administered by the group (add/modify values only), by any key of 0.NA/88.999.4,
        // and by the looping groups.
        AdminRecord valueEditors = new AdminRecord(Util.encodeString(ADMINS), 1,
                false, false, false, false, true, false, true, false, false, false, true, false);
        out.add(record(BOARD,
                value(1, "URL", "https://example.com/pcb/0001".getBytes(StandardCharsets.UTF_8), Permissions.PUBLIC_READ, now),
                value(100, "HS_ADMIN", Encoder.encodeAdminRecord(valueEditors), Permissions.PUBLIC_READ, now),
                admin(101, "0.NA/88.999.4", 0, allPermissions()),
                admin(102, LOOP_A, 1, allPermissions())));
        return out;
    }

    static HandleRecord record(String handle, HandleValue... values) {
        return new HandleRecord(HandleName.parse(handle), List.of(values));
    }

    static HandleValue value(int index, String type, byte[] data, Permissions perms, int timestamp) {
        return new HandleValue(index, type, data, HandleValue.TtlType.RELATIVE, 86400, timestamp, List.of(), perms);
    }

    static HandleValue admin(int index, String adminHandle, int adminIndex, AdminRecord perms) {
        AdminRecord r = new AdminRecord(Util.encodeString(adminHandle), adminIndex,
                perms.perms[0], perms.perms[1], perms.perms[2], perms.perms[3], perms.perms[4], perms.perms[5],
                perms.perms[6], perms.perms[7], perms.perms[8], perms.perms[9], perms.perms[10], perms.perms[11]);
        return value(index, "HS_ADMIN", Encoder.encodeAdminRecord(r), Permissions.PUBLIC_READ, 0);
    }

    static AdminRecord allPermissions() {
        return new AdminRecord(new byte[0], 0, true, true, true, true, true, true, true, true, true, true, true, true);
    }

    static HandleValue group(int index, ValueReference... members) {
        return value(index, "HS_VLIST", Encoder.encodeValueReferenceList(members), Permissions.PUBLIC_READ, 0);
    }

    static ValueReference ref(String handle, int index) {
        return new ValueReference(Util.encodeString(handle), index);
    }

    @Override
    public void close() {
        store.close();
    }

    // ------------------------------------------------------------------ the wire

    /**
     * Sends a client-side request over the wire to the node: CNRI encodes it (and encrypts it with
     * the client's session when {@code encryptWith} is given), the node's codec decodes the
     * envelope, {@code sessions} decrypts, the codec decodes the message.
     */
    static AbstractRequest toServer(AbstractRequest req, SessionInfo encryptWith, SessionManager sessions) throws Exception {
        byte[] msg = req.getEncodedMessage();
        boolean encrypted = false;
        if (encryptWith != null) {
            msg = encryptWith.encryptBuffer(msg, 0, msg.length);
            encrypted = true;
        }
        MessageEnvelope env = envelope(req, msg.length, encrypted);
        byte[] envBytes = new byte[HandleMessageCodec.ENVELOPE_SIZE];
        Encoder.encodeEnvelope(env, envBytes);
        MessageEnvelope serverEnv = HandleMessageCodec.decodeEnvelope(envBytes);
        byte[] serverMsg = serverEnv.encrypted ? sessions.decrypt(serverEnv, msg) : msg;
        return HandleMessageCodec.decodeRequest(serverEnv, serverMsg);
    }

    static AbstractRequest toServer(AbstractRequest req) throws Exception {
        return toServer(req, null, null);
    }

    /**
     * Signs a response the way the processor will (session MAC when {@code sessions} says so, else the
     * node's RSA key for a certified response), encodes it (encrypted when {@code sessions} says so) and
     * decodes it as CNRI's client does, decrypting with {@code clientSession} when the envelope says so.
     */
    AbstractMessage toClient(AbstractResponse resp, SessionManager sessions, SessionInfo clientSession) throws Exception {
        if (resp.certify && (sessions == null || !sessions.signWithSessionKey(resp))) {
            Signature sig = Signature.getInstance(resp.hasEqualOrGreaterVersion(2, 7) ? "SHA256withRSA" : "SHA1withRSA");
            sig.initSign(nodeKeys.getPrivate());
            resp.signMessage(sig);
        }
        SessionManager.WireMessage wire = sessions == null
                ? new SessionManager.WireMessage(resp.getEncodedMessage(), false) : sessions.encode(resp);
        MessageEnvelope env = envelope(resp, wire.message().length, wire.encrypted());
        byte[] envBytes = new byte[HandleMessageCodec.ENVELOPE_SIZE];
        Encoder.encodeEnvelope(env, envBytes);
        MessageEnvelope clientEnv = new MessageEnvelope();
        Encoder.decodeEnvelope(envBytes, clientEnv);
        byte[] msg = wire.message();
        if (clientEnv.encrypted) {
            msg = clientSession.decryptBuffer(msg, 0, msg.length);
            clientEnv.encrypted = false;
            clientEnv.messageLength = msg.length;
        }
        return Encoder.decodeMessage(msg, 0, clientEnv);
    }

    /** What CNRI's client checks on a certified answer: the session MAC, or the node's signature. */
    boolean clientAcceptsSignature(AbstractMessage resp, SessionInfo clientSession) throws Exception {
        if (resp.signatureIsMac()) {
            return clientSession != null && resp.verifyMessage(clientSession.getSessionKey());
        }
        PublicKey nodePublic = nodeKeys.getPublic();
        return resp.verifyMessage(nodePublic);
    }

    static MessageEnvelope envelope(AbstractMessage m, int length, boolean encrypted) {
        MessageEnvelope env = new MessageEnvelope();
        env.protocolMajorVersion = m.majorProtocolVersion;
        env.protocolMinorVersion = m.minorProtocolVersion;
        env.suggestMajorProtocolVersion = m.suggestMajorProtocolVersion;
        env.suggestMinorProtocolVersion = m.suggestMinorProtocolVersion;
        env.sessionId = m.sessionId;
        env.requestId = m.requestId;
        env.messageLength = length;
        env.encrypted = encrypted;
        return env;
    }

    /** Protocol version and request id, as CNRI's resolver sets them before sending. */
    static <T extends AbstractRequest> T at(T req, int minor, int requestId) {
        req.majorProtocolVersion = 2;
        req.minorProtocolVersion = (byte) minor;
        req.suggestMajorProtocolVersion = 2;
        req.suggestMinorProtocolVersion = (byte) minor;
        req.requestId = requestId;
        return req;
    }

    PrivateKey adminKey() {
        return adminRsa.getPrivate();
    }

    /** A clock the tests move by hand. */
    static final class TestClock extends Clock {
        private final AtomicLong millis = new AtomicLong(1_750_000_000_000L);

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
