package org.idnode.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.ChallengeAnswerRequest;
import net.handle.hdllib.ChallengeResponse;
import net.handle.hdllib.Common;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.Util;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Challenge/response authentication (handle-protocol.md §3.4): challenges requests that need an
 * identity ({@code RC_AUTHENTICATION_NEEDED} = 402 with a 16-byte nonce), remembers each challenge
 * with the request it was issued for, and checks the {@code OC_RESPONSE_TO_CHALLENGE} (200) answer
 * against the identity's {@code HS_PUBKEY} or {@code HS_SECKEY} held on this node.
 *
 * <p>A challenge is issued under the request's session id when the request is in a live session (and
 * then only when the request's session MAC verifies, so that nobody but the session's owner can
 * replace its pending challenge), otherwise under a fresh id (which the client echoes in the
 * answer's envelope). Each challenge can
 * be answered once, within {@link Settings#maxAuthTime}: an answer for a missing, expired or already
 * used challenge gets {@code RC_AUTHEN_TIMEOUT} (405); a wrong signature or secret
 * {@code RC_AUTHENTICATION_FAILED} (403); an answer that cannot be read, or that asks for absurd
 * PBKDF2 parameters, {@code RC_AUTHEN_ERROR} (406); an unknown authentication type
 * {@code RC_INVALID_CREDENTIAL} (404), as CNRI's server. A successful answer inside a session marks the
 * session authenticated for that identity when it is the identity the session was set up for, so
 * later requests in the session are accepted on their MAC alone.
 *
 * <p>The number of pending challenges and the bytes of the requests they keep are bounded; beyond
 * that a request that needs a challenge is answered {@code RC_SERVER_TOO_BUSY}.
 *
 * <p>Threading: thread-safe. {@link #checkSessionId} and {@link #authenticate} are cheap (a digest,
 * a random nonce, or one HMAC in an authenticated session) and may run on an event loop;
 * {@link #answer} reads the identity's keys through {@link IdentityKeyLookup} and verifies a
 * signature or runs PBKDF2: run it on a blocking-work thread.
 */
public final class ChallengeManager {
    private static final Logger log = LoggerFactory.getLogger(ChallengeManager.class);
    private static final long PURGE_INTERVAL_MILLIS = 10_000;
    /** What a kept request is charged when it has no raw bytes (it always has them once decoded). */
    private static final int DEFAULT_REQUEST_COST = 1024;

    /**
     * Challenge limits.
     *
     * @param maxAuthTime     how long a challenge can be answered (CNRI's {@code max_auth_time})
     * @param maxPending      most challenges pending at once
     * @param maxPendingBytes most bytes of challenged requests kept at once
     */
    public record Settings(Duration maxAuthTime, int maxPending, long maxPendingBytes) {
        public Settings {
            if (maxAuthTime == null || maxAuthTime.isNegative() || maxAuthTime.isZero() || maxPending < 1 || maxPendingBytes < 1) {
                throw new IllegalArgumentException("challenge limits must be positive");
            }
        }

        /** 60 seconds (what {@code hdl-setup} writes), 50 000 challenges, 64 MiB of requests. */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(60), 50_000, 64L * 1024 * 1024);
        }
    }

    /** One pending challenge: the request it was issued for and what the answer must sign. */
    private record Pending(int id, boolean ownsId, AbstractRequest original, byte[] nonce, byte[] requestDigest,
                           byte majorVersion, byte minorVersion, long issuedMillis, long cost) {
    }

    private final SessionManager sessions;
    private final KeyVerifier verifier;
    private final Settings settings;
    private final Clock clock;
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicLong lastPurge;
    private final AtomicLong lastBusyWarning = new AtomicLong(Long.MIN_VALUE / 2);

    /**
     * @param sessions the node's sessions: challenges inside a session use its id, and a successful
     *                 answer authenticates it
     * @param keys     reads identity handles (HS_PUBKEY / HS_SECKEY) from the node's store
     */
    public ChallengeManager(SessionManager sessions, IdentityKeyLookup keys, Settings settings, Clock clock) {
        this.sessions = sessions;
        this.verifier = new KeyVerifier(keys);
        this.settings = settings;
        this.clock = clock;
        this.lastPurge = new AtomicLong(clock.millis());
    }

    /**
     * The first check for every request: a non-zero session id must name a live session or a pending
     * challenge, else the answer is {@code RC_SESSION_TIMEOUT} (CNRI's client then drops its session
     * and retries with a new one). Session setups (which always start a new session) and challenge
     * answers (which {@link #answer} judges) pass.
     */
    public Optional<AbstractResponse> checkSessionId(AbstractRequest req) throws HandleException {
        if (req.sessionId == 0 || req.opCode == AbstractMessage.OC_SESSION_SETUP || req.opCode == AbstractMessage.OC_RESPONSE_TO_CHALLENGE) {
            return Optional.empty();
        }
        if (sessions.isLive(req.sessionId) || isPending(req.sessionId)) {
            return Optional.empty();
        }
        return Optional.of(new ErrorResponse(req, AbstractMessage.RC_SESSION_TIMEOUT,
                Util.encodeString("session " + req.sessionId + " is unknown or over; set up a new session")));
    }

    /**
     * For a request that needs an authenticated identity (an admin operation, or a resolution that
     * asks for restricted values): {@link AuthResult.Authenticated} when it comes in an authenticated
     * session with a valid MAC and a fresh session counter; otherwise a {@link AuthResult.Reply}
     * carrying the challenge to send (or an error: {@code RC_INVALID_CREDENTIAL} without a MAC,
     * {@code RC_INVALID_SESSION_KEY} for a bad MAC, also in a session not yet authenticated,
     * {@code RC_SESSION_MESSAGE_REJECTED} for a replayed counter, {@code RC_SERVER_TOO_BUSY} when too
     * many challenges are pending).
     *
     * <p>The challenge is a {@link ChallengeResponse} built from the request (same opCode, digest of
     * the request, certify flag of the request); sign it like any other response (with the session
     * key when {@link SessionManager#signWithSessionKey} says so). A retransmitted request (same
     * session, same requestId, same bytes) gets the same challenge again.
     */
    public AuthResult authenticate(AbstractRequest req) throws HandleException {
        ServerSession session = sessions.live(req.sessionId);
        if (session != null && session.authenticated() != null) {
            return sessions.verifyAuthenticated(session, req);
        }
        ChallengeResponse challenge = new ChallengeResponse(req);
        long now = clock.millis();
        int id;
        boolean ownsId;
        if (session != null) {
            // Only the session's owner can make requests with a valid MAC: checking it here keeps others
            // from replacing the owner's pending challenge (the counter is recorded once the answer comes).
            SessionManager.Refusal bad = sessions.checkMac(session, req);
            if (bad != null) {
                return new AuthResult.Reply(new ErrorResponse(req, bad.responseCode(), Util.encodeString(bad.message())));
            }
            id = session.id;
            ownsId = false;
            Pending prior = pending.get(id);
            if (prior != null && !expired(prior, now) && prior.original().requestId == req.requestId
                    && Arrays.equals(prior.requestDigest(), challenge.requestDigest)) {
                challenge.nonce = prior.nonce().clone();
                return new AuthResult.Reply(challenge);
            }
        } else {
            id = sessions.ids().allocate();
            ownsId = true;
        }
        challenge.sessionId = id;
        long cost = req.messageBody == null ? DEFAULT_REQUEST_COST : req.messageBody.length + 256L;
        if (!haveRoomFor(cost, now)) {
            if (ownsId) {
                sessions.ids().release(id);
            }
            long lastWarned = lastBusyWarning.get();
            if (now - lastWarned >= PURGE_INTERVAL_MILLIS && lastBusyWarning.compareAndSet(lastWarned, now)) {
                log.warn("refusing challenges: {} pending ({} bytes of requests)", pending.size(), pendingBytes.get());
            }
            return new AuthResult.Reply(new ErrorResponse(req, AbstractMessage.RC_SERVER_TOO_BUSY,
                    Util.encodeString("too many authentications in progress, try again later")));
        }
        Pending p = new Pending(id, ownsId, req, challenge.nonce.clone(), challenge.requestDigest.clone(),
                challenge.majorProtocolVersion, challenge.minorProtocolVersion, now, cost);
        pendingBytes.addAndGet(cost);
        Pending replaced = pending.put(id, p);
        if (replaced != null) {
            pendingBytes.addAndGet(-replaced.cost());
        }
        return new AuthResult.Reply(challenge);
    }

    /**
     * Judges an {@code OC_RESPONSE_TO_CHALLENGE} answer. The pending challenge is consumed whatever the
     * outcome. On success: {@link AuthResult.Authenticated} with the verified identity and the
     * original request (run it, build its response from the original request and call
     * {@link AuthResult.Authenticated#bind}); inside a session the original request's MAC is checked
     * too and the session becomes authenticated. Otherwise a {@link AuthResult.Reply} with the error,
     * already addressed to the answer's requestId.
     */
    public AuthResult answer(ChallengeAnswerRequest answer) throws HandleException {
        Pending p = answer.sessionId == 0 ? null : pending.remove(answer.sessionId);
        if (p != null) {
            release(p);
        }
        long now = clock.millis();
        if (p == null) {
            return new AuthResult.Reply(new ErrorResponse(answer, AbstractMessage.RC_AUTHEN_TIMEOUT, Util.encodeString(
                    "no pending challenge " + answer.sessionId + ": never issued, already answered, or expired")));
        }
        if (expired(p, now)) {
            return new AuthResult.Reply(new ErrorResponse(answer, AbstractMessage.RC_AUTHEN_TIMEOUT, Util.encodeString(
                    "the challenge expired; answers are accepted for " + settings.maxAuthTime().toSeconds() + " seconds")));
        }
        AdminIdentity claimed = AdminIdentity.of(answer.userIdHandle, answer.userIdIndex);
        KeyVerifier.Result result;
        try {
            if (Util.equals(answer.authType, Common.PUBLIC_KEY_TYPE)) {
                result = verifier.verifyPublicKey(claimed, p.nonce(), p.requestDigest(), answer.signedResponse);
            } else if (Util.equals(answer.authType, Common.SECRET_KEY_TYPE)) {
                boolean beforeVersion21 = !AbstractMessage.hasEqualOrGreaterVersion(p.majorVersion(), p.minorVersion(), 2, 1);
                result = verifier.verifySecretKey(claimed, p.nonce(), p.requestDigest(), answer.signedResponse, beforeVersion21);
            } else {
                return reject(p, answer, AbstractMessage.RC_INVALID_CREDENTIAL,
                        "unknown authentication type '" + Util.decodeString(answer.authType) + "'; expected HS_PUBKEY or HS_SECKEY");
            }
        } catch (RuntimeException e) {
            log.error("cannot check the challenge answer of {}", claimed, e);
            return reject(p, answer, AbstractMessage.RC_AUTHEN_ERROR, "the answer could not be checked; see the node's error log");
        }
        if (result.status() == KeyVerifier.Status.MALFORMED) {
            return reject(p, answer, AbstractMessage.RC_AUTHEN_ERROR, result.reason());
        }
        if (result.status() == KeyVerifier.Status.FAILED) {
            return reject(p, answer, AbstractMessage.RC_AUTHENTICATION_FAILED, result.reason());
        }
        AdminIdentity verified = new AdminIdentity(claimed.handle(), result.keyIndex());
        AbstractRequest original = p.original();
        if (original.sessionId != 0) {
            ServerSession session = sessions.live(original.sessionId);
            if (session == null) {
                return reject(p, answer, AbstractMessage.RC_SESSION_TIMEOUT, "the session ended while the challenge was pending");
            }
            SessionManager.Refusal refusal = sessions.acceptChallenged(session, original);
            if (refusal != null) {
                return reject(p, answer, refusal.responseCode(), refusal.message());
            }
            // As CNRI: only the identity the session was set up for authenticates the session; another
            // identity may still run this one request.
            if (session.claimed != null && session.claimed.sameAs(claimed)) {
                session.markAuthenticated(verified);
            }
        }
        return new AuthResult.Authenticated(verified, original, answer);
    }

    /** True when {@code id} names a challenge that can still be answered. */
    public boolean isPending(int id) {
        Pending p = pending.get(id);
        return p != null && !expired(p, clock.millis());
    }

    /** Challenges held (expired ones may linger until the next purge). */
    public int pendingCount() {
        return pending.size();
    }

    // ------------------------------------------------------------------ package-private

    /** See {@link AuthResult.Authenticated#bind}. */
    static void bindToAnswer(AbstractResponse response, ChallengeAnswerRequest answer) throws HandleException {
        if (answer == null) {
            return;
        }
        response.requestId = answer.requestId;
        if (response.returnRequestDigest) {
            response.takeDigestOfRequest(answer);
        }
        response.clearBuffers();
    }

    // ------------------------------------------------------------------ internals

    private AuthResult reject(Pending p, ChallengeAnswerRequest answer, int rc, String message) throws HandleException {
        ErrorResponse error = new ErrorResponse(p.original(), rc, message == null ? null : Util.encodeString(message));
        bindToAnswer(error, answer);
        return new AuthResult.Reply(error);
    }

    private boolean expired(Pending p, long now) {
        return now - p.issuedMillis() > settings.maxAuthTime().toMillis();
    }

    private void release(Pending p) {
        pendingBytes.addAndGet(-p.cost());
        if (p.ownsId()) {
            sessions.ids().release(p.id());
        }
    }

    private boolean haveRoomFor(long cost, long now) {
        if (now - lastPurge.get() >= PURGE_INTERVAL_MILLIS) {
            purgeExpired(now);
        }
        if (pending.size() < settings.maxPending() && pendingBytes.get() + cost <= settings.maxPendingBytes()) {
            return true;
        }
        purgeExpired(now);
        return pending.size() < settings.maxPending() && pendingBytes.get() + cost <= settings.maxPendingBytes();
    }

    private void purgeExpired(long now) {
        lastPurge.set(now);
        for (Pending p : pending.values()) {
            if (expired(p, now) && pending.remove(p.id(), p)) {
                release(p);
            }
        }
    }
}
