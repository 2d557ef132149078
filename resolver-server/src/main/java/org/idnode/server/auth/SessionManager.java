package org.idnode.server.auth;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.interfaces.DHPrivateKey;
import javax.crypto.interfaces.DHPublicKey;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.Common;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.GenericResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.SessionInfo;
import net.handle.hdllib.SessionSetupRequest;
import net.handle.hdllib.SessionSetupResponse;
import net.handle.hdllib.Util;
import net.handle.security.HdlSecurityProvider;
import org.idnode.server.codec.MalformedMessageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server side of Handle sessions ({@code OC_SESSION_SETUP} = 400, {@code OC_SESSION_TERMINATE} = 401):
 * Diffie-Hellman key exchange (mode 4, what CNRI's {@code HandleResolver}, {@code HSAdapter} and the
 * command-line tools use), the table of live sessions, and the per-message work inside a session:
 * decrypting EC-flagged requests, checking request MACs and session counters, MAC-signing and
 * encrypting answers.
 *
 * <p>Only DH is implemented; the other key-exchange modes (cipher-client, cipher-server, cipher-hdl)
 * are answered {@code RC_SESSION_FAILED} with a message naming the mode, which CNRI's client reports
 * as {@code "Error setting up session"}. Session keys are AES (CNRI's default, algorithm code 3);
 * clients that suggest a protocol below 2.5 (DES keys, no replay counters) are refused.
 *
 * <p>A session ends when it is terminated, when it has been idle longer than the idle timeout (or the
 * shorter timeout the client asked for), or when it is older than the maximum session time, whichever
 * comes first. At most {@link SessionLimits#maxSessions} sessions live at once; beyond that a setup is
 * answered {@code RC_SERVER_TOO_BUSY}.
 *
 * <p>Threading: every method is thread-safe and may be called from any thread. {@link #setUp} generates
 * a Diffie-Hellman key pair and agrees on a key (a few milliseconds of CPU): run it on a blocking-work
 * thread. The other methods do one HMAC or one AES pass over a message and are cheap enough for an
 * event loop.
 */
public final class SessionManager {
    private static final Logger log = LoggerFactory.getLogger(SessionManager.class);

    /** Smallest Diffie-Hellman modulus accepted (CNRI's client uses 1024 bits). */
    static final int MIN_DH_BITS = 1024;
    /** Largest Diffie-Hellman modulus accepted: key generation cost grows with it. */
    static final int MAX_DH_BITS = 4096;
    private static final long PURGE_INTERVAL_MILLIS = 60_000;

    /**
     * A response ready for the envelope: the message bytes (header, body and credential, encrypted
     * when {@code encrypted}). The envelope must carry the EC flag when {@code encrypted} and
     * {@code messageLength = message.length}.
     */
    public record WireMessage(byte[] message, boolean encrypted) {
    }

    private final SessionLimits settings;
    private final Clock clock;
    private final IdAllocator ids;
    private final Map<Integer, ServerSession> sessions = new ConcurrentHashMap<>();
    private final AtomicLong lastPurge;

    public SessionManager(SessionLimits settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.ids = new IdAllocator();
        this.lastPurge = new AtomicLong(clock.millis());
    }

    /**
     * Answers {@code OC_SESSION_SETUP}: a {@link SessionSetupResponse} carrying the node's DH public
     * key under a new session id, or an {@link ErrorResponse}. The response is to be signed by the
     * caller with the node's private key (HS_SIGNED; the request is certified, and the client checks
     * that signature against the site's public key), never with the new session key. Any session id
     * in the request is ignored: a client renegotiating gets a fresh session.
     *
     * <p>Blocking-work thread: generates a DH key pair.
     */
    public AbstractResponse setUp(SessionSetupRequest req) throws HandleException {
        if (req.keyExchangeMode != Common.KEY_EXCHANGE_DH) {
            return new ErrorResponse(req, AbstractMessage.RC_SESSION_FAILED, Util.encodeString("key exchange mode "
                    + req.keyExchangeMode + " (" + modeName(req.keyExchangeMode) + ") is not supported by this node;"
                    + " use Diffie-Hellman (mode 4), the default of CNRI's client"));
        }
        if (!AbstractMessage.hasEqualOrGreaterVersion(req.suggestMajorProtocolVersion, req.suggestMinorProtocolVersion, 2, 5)) {
            return new ErrorResponse(req, AbstractMessage.RC_SESSION_FAILED, Util.encodeString(
                    "sessions need protocol 2.5 or later (session counters, AES keys)"));
        }
        DHPublicKey clientKey;
        try {
            PublicKey key = Util.getPublicKeyFromBytes(req.publicKey, 0);
            if (!(key instanceof DHPublicKey dh)) {
                return new ErrorResponse(req, AbstractMessage.RC_INVALID_SESSIONSETUP_REQUEST,
                        Util.encodeString("the session setup request does not carry a Diffie-Hellman public key"));
            }
            clientKey = dh;
        } catch (Exception e) {
            return new ErrorResponse(req, AbstractMessage.RC_INVALID_SESSIONSETUP_REQUEST,
                    Util.encodeString("cannot read the Diffie-Hellman public key of the session setup request"));
        }
        String badKey = checkDhKey(clientKey);
        if (badKey != null) {
            return new ErrorResponse(req, AbstractMessage.RC_INVALID_SESSIONSETUP_REQUEST, Util.encodeString(badKey));
        }
        long now = clock.millis();
        purgeExpired(now, false);
        if (sessions.size() >= settings.maxSessions()) {
            purgeExpired(now, true);
            if (sessions.size() >= settings.maxSessions()) {
                return new ErrorResponse(req, AbstractMessage.RC_SERVER_TOO_BUSY,
                        Util.encodeString("too many open sessions, try again later"));
            }
        }

        byte[] sessionKey;
        byte[] data;
        try {
            HdlSecurityProvider provider = HdlSecurityProvider.getInstance();
            KeyPair mine = provider.generateDHKeyPair(clientKey.getParams().getP(), clientKey.getParams().getG());
            byte[] keyWithAlgorithm = provider.getKeyFromDH(clientKey, (DHPrivateKey) mine.getPrivate(), HdlSecurityProvider.ENCRYPT_ALG_AES);
            sessionKey = Util.substring(keyWithAlgorithm, Encoder.INT_SIZE);
            byte[] myPublic = Util.getBytesFromPublicKey(mine.getPublic());
            data = new byte[Encoder.INT_SIZE + myPublic.length];
            Encoder.writeInt(data, 0, HdlSecurityProvider.ENCRYPT_ALG_AES);
            System.arraycopy(myPublic, 0, data, Encoder.INT_SIZE, myPublic.length);
        } catch (Exception e) {
            log.warn("Diffie-Hellman session setup failed: {}", e.toString());
            return new ErrorResponse(req, AbstractMessage.RC_SESSION_FAILED, Util.encodeString("Diffie-Hellman key agreement failed"));
        }

        SessionSetupResponse rsp = new SessionSetupResponse(req, data);
        int id = ids.allocate();
        rsp.sessionId = id;
        AdminIdentity claimed = req.identityHandle == null || req.identityHandle.length == 0
                ? null : AdminIdentity.of(req.identityHandle, req.identityIndex);
        long idle = settings.idleTimeout().toMillis();
        if (req.timeout > 0) {
            idle = Math.min(idle, req.timeout * 1000L);
        }
        SessionInfo crypto = new SessionInfo(id, sessionKey, claimed == null ? null : claimed.handleUtf8(),
                claimed == null ? -1 : claimed.index(), HdlSecurityProvider.ENCRYPT_ALG_AES,
                rsp.majorProtocolVersion, rsp.minorProtocolVersion);
        sessions.put(id, new ServerSession(id, crypto, claimed, now, idle));
        return rsp;
    }

    /**
     * Answers {@code OC_SESSION_TERMINATE}: checks the request's session MAC, ends the session and
     * answers {@code RC_SUCCESS}; {@code RC_SESSION_TIMEOUT} when the session is unknown or over,
     * {@code RC_INVALID_SESSION_KEY} when the MAC does not verify.
     */
    public AbstractResponse terminate(AbstractRequest req) throws HandleException {
        ServerSession s = live(req.sessionId);
        if (s == null) {
            return new ErrorResponse(req, AbstractMessage.RC_SESSION_TIMEOUT, Util.encodeString("session " + req.sessionId + " is unknown or over"));
        }
        if (!macVerifies(s, req)) {
            return new ErrorResponse(req, AbstractMessage.RC_INVALID_SESSION_KEY, Util.encodeString("the session MAC does not verify"));
        }
        remove(s);
        return new GenericResponse(req, AbstractMessage.RC_SUCCESS);
    }

    /**
     * Decrypts a message that arrived with the EC flag, with the key of the envelope's session, and
     * updates {@code env} ({@code encrypted = false}, {@code messageLength} = the plaintext's length)
     * so that {@code HandleMessageCodec.decodeRequest(env, plaintext)} can decode it next.
     *
     * @throws MalformedMessageException answerable: {@code RC_SESSION_TIMEOUT} when the session is
     *                                   unknown or over, {@code RC_SESSION_FAILED} when the message
     *                                   does not decrypt or names no session
     */
    public byte[] decrypt(MessageEnvelope env, byte[] message) throws MalformedMessageException {
        if (env.sessionId == 0) {
            throw MalformedMessageException.forEnvelope(env, AbstractMessage.RC_SESSION_FAILED, "encrypted message outside a session");
        }
        ServerSession s = live(env.sessionId);
        if (s == null) {
            throw MalformedMessageException.forEnvelope(env, AbstractMessage.RC_SESSION_TIMEOUT,
                    "session " + env.sessionId + " is unknown or over; cannot decrypt the message");
        }
        byte[] plain;
        try {
            plain = s.crypto.decryptBuffer(message, 0, message.length);
        } catch (HandleException | RuntimeException e) {
            throw MalformedMessageException.forEnvelope(env, AbstractMessage.RC_SESSION_FAILED, "the message does not decrypt with the session key");
        }
        env.encrypted = false;
        env.messageLength = plain.length;
        return plain;
    }

    /**
     * MAC-signs a certified response that goes out in a live session (HMAC-SHA256 with the session
     * key at protocol 2.7 and later, with the next server session counter), as CNRI's server does.
     * Returns false when the response is not certified, not in a live session, or answers a session
     * setup: then the caller signs a certified response with the node's private key as usual.
     * Call after every field of the response is final ({@link AuthResult.Authenticated#bind} included).
     */
    public boolean signWithSessionKey(AbstractResponse response) throws HandleException {
        if (!response.certify || response.sessionId == 0 || isKeyExchange(response.opCode)) {
            return false;
        }
        ServerSession s = live(response.sessionId);
        if (s == null) {
            return false;
        }
        response.sessionCounter = s.crypto.getNextSessionCounter();
        response.signMessage(s.key());
        return true;
    }

    /**
     * The bytes to put after the envelope: encrypted with the session key when the response is in a
     * live session and the request asked for encryption (ENCR flag) or the response carries
     * non-public values ({@code shouldEncrypt()}, protocol 2.8 and later), as CNRI's server does;
     * otherwise the plain encoded message. Call after signing.
     */
    public WireMessage encode(AbstractResponse response) throws HandleException {
        byte[] message = response.getEncodedMessage();
        if (response.sessionId != 0 && !isKeyExchange(response.opCode) && (response.encrypt || response.shouldEncrypt())) {
            ServerSession s = live(response.sessionId);
            if (s != null) {
                return new WireMessage(s.crypto.encryptBuffer(message, 0, message.length), true);
            }
        }
        return new WireMessage(message, false);
    }

    /** True when {@code sessionId} names a session that is neither terminated nor expired. */
    public boolean isLive(int sessionId) {
        return live(sessionId) != null;
    }

    /** The identity a challenge proved in this session, if the session is live and authenticated. */
    public Optional<AdminIdentity> authenticatedIdentity(int sessionId) {
        ServerSession s = live(sessionId);
        return s == null ? Optional.empty() : Optional.ofNullable(s.authenticated());
    }

    /** Sessions currently held (expired ones may linger until the next purge). */
    public int sessionCount() {
        return sessions.size();
    }

    // ------------------------------------------------------------------ package-private

    IdAllocator ids() {
        return ids;
    }

    long now() {
        return clock.millis();
    }

    /** The live session with this id (touched), or null; an expired session is dropped here. */
    ServerSession live(int sessionId) {
        if (sessionId == 0) {
            return null;
        }
        ServerSession s = sessions.get(sessionId);
        if (s == null) {
            return null;
        }
        long now = clock.millis();
        if (s.expired(now, settings.maxLifetime().toMillis())) {
            remove(s);
            return null;
        }
        s.touch(now);
        return s;
    }

    /**
     * Checks a request that claims to come in the authenticated session {@code s}: it must carry an
     * HS_MAC credential that verifies with the session key and a session counter not seen before.
     */
    AuthResult verifyAuthenticated(ServerSession s, AbstractRequest req) throws HandleException {
        Refusal bad = checkMac(s, req);
        if (bad != null) {
            return new AuthResult.Reply(new ErrorResponse(req, bad.responseCode(), Util.encodeString(bad.message())));
        }
        String replay = recordCounter(s, req.sessionCounter, true);
        if (replay != null) {
            return new AuthResult.Reply(new ErrorResponse(req, AbstractMessage.RC_SESSION_MESSAGE_REJECTED, Util.encodeString(replay)));
        }
        return new AuthResult.Authenticated(s.authenticated(), req, null);
    }

    /**
     * Checks the MAC of a request that was challenged in session {@code s} (CNRI checks it only once
     * the challenge is answered) and records its counter, so that a later replay of it in the
     * authenticated session is refused. Returns why it is refused, or null when it is fine.
     */
    Refusal acceptChallenged(ServerSession s, AbstractRequest original) {
        if (!macVerifies(s, original)) {
            return new Refusal(AbstractMessage.RC_INVALID_SESSION_KEY, "the session MAC of the challenged request does not verify");
        }
        String bad = recordCounter(s, original.sessionCounter, false);
        return bad == null ? null : new Refusal(AbstractMessage.RC_SESSION_MESSAGE_REJECTED, bad);
    }

    /** Null when {@code req} carries a session MAC that verifies with the key of {@code s}. */
    Refusal checkMac(ServerSession s, AbstractRequest req) {
        if (req.signature == null || req.signature.length == 0) {
            return new Refusal(AbstractMessage.RC_INVALID_CREDENTIAL, "a request in a session must carry the session MAC");
        }
        return macVerifies(s, req) ? null : new Refusal(AbstractMessage.RC_INVALID_SESSION_KEY, "the session MAC does not verify");
    }

    /** Why a message in a session is refused: the response code and the message for the client. */
    record Refusal(int responseCode, String message) {
    }

    // ------------------------------------------------------------------ internals

    /** Verifies the HS_MAC credential; as a side effect CNRI sets {@code req.sessionCounter} from it. */
    private static boolean macVerifies(ServerSession s, AbstractRequest req) {
        if (req.signature == null || req.signature.length == 0) {
            return false;
        }
        try {
            return req.signatureIsMac() && req.verifyMessage(s.key());
        } catch (Exception e) {
            return false;
        }
    }

    /** Records a client session counter; returns why it is refused, or null. */
    private static String recordCounter(ServerSession s, int counter, boolean enforceUnique) {
        if (counter <= 0) {
            return "the request carries no session counter";
        }
        try {
            s.crypto.addSessionCounter(counter, enforceUnique);
            return null;
        } catch (HandleException e) {
            return "replayed message: session counter " + counter + " was already used in this session";
        }
    }

    private void remove(ServerSession s) {
        if (sessions.remove(s.id, s)) {
            ids.release(s.id);
        }
    }

    private void purgeExpired(long now, boolean force) {
        long last = lastPurge.get();
        if (!force && now - last < PURGE_INTERVAL_MILLIS) {
            return;
        }
        if (!lastPurge.compareAndSet(last, now) && !force) {
            return;
        }
        long maxLifetime = settings.maxLifetime().toMillis();
        for (Iterator<ServerSession> it = sessions.values().iterator(); it.hasNext(); ) {
            ServerSession s = it.next();
            if (s.expired(now, maxLifetime)) {
                it.remove();
                ids.release(s.id);
            }
        }
    }

    private static String checkDhKey(DHPublicKey key) {
        BigInteger p = key.getParams().getP();
        BigInteger g = key.getParams().getG();
        BigInteger y = key.getY();
        if (p == null || g == null || y == null) {
            return "incomplete Diffie-Hellman public key";
        }
        int bits = p.bitLength();
        if (bits < MIN_DH_BITS || bits > MAX_DH_BITS) {
            return "Diffie-Hellman modulus of " + bits + " bits; this node accepts " + MIN_DH_BITS + " to " + MAX_DH_BITS;
        }
        BigInteger pMinusOne = p.subtract(BigInteger.ONE);
        if (!p.testBit(0) || g.compareTo(BigInteger.ONE) <= 0 || g.compareTo(pMinusOne) >= 0
                || y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(pMinusOne) >= 0) {
            return "invalid Diffie-Hellman parameters";
        }
        return null;
    }

    private static boolean isKeyExchange(int opCode) {
        return opCode == AbstractMessage.OC_SESSION_SETUP || opCode == AbstractMessage.OC_SESSION_EXCHANGEKEY;
    }

    private static String modeName(int mode) {
        return switch (mode) {
            case Common.KEY_EXCHANGE_CIPHER_CLIENT -> "cipher-client";
            case Common.KEY_EXCHANGE_CIPHER_SERVER -> "cipher-server";
            case Common.KEY_EXCHANGE_CIPHER_HDL -> "cipher-hdl";
            case Common.KEY_EXCHANGE_NONE -> "none";
            default -> "unknown";
        };
    }
}
