package org.idnode.server.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sessions of the REST API's {@code Handle} authentication scheme ({@code POST /api/sessions}, as CNRI's
 * server): each has a random id and a 16-byte server nonce; a client proves an identity by signing
 * {@code nonce || cnonce} (see {@link HttpAuthenticator}), and the session then acts as that identity until it
 * is deleted or expires.
 *
 * <p>A session ends when it has not been used for {@link SessionLimits#idleTimeout}, or {@link SessionLimits#maxLifetime}
 * after it was opened, whichever comes first. At most {@link SessionLimits#maxSessions} live at once. When the table
 * is full, opening a session evicts sessions that were never authenticated (those unused for a minute, else the
 * least recently used one), so that a flood of unauthenticated sessions cannot lock out clients that proved
 * who they are; when every session is authenticated, {@link #open} returns empty.
 *
 * <p>Thread-safe; nothing here blocks.
 */
public final class HttpSessions {
    private static final long PURGE_INTERVAL_MILLIS = 10_000;
    /** An unauthenticated session unused this long is the first to go when the table is full. */
    private static final long UNAUTHENTICATED_GRACE_MILLIS = 60_000;

    /** One session. Its authentication changes when a client proves an identity in it. */
    public static final class Session {
        /** Who the session acts as, and the {@code Authorization} header that proved it. */
        private record Proof(AdminIdentity identity, String header) {
        }

        private final String id;
        private final byte[] nonce;
        private final long openedMillis;
        private volatile long lastUsedMillis;
        private volatile Proof proof;

        private Session(String id, byte[] nonce, long now) {
            this.id = id;
            this.nonce = nonce;
            this.openedMillis = now;
            this.lastUsedMillis = now;
        }

        public String id() {
            return id;
        }

        /** The server nonce (a copy). */
        public byte[] nonce() {
            return nonce.clone();
        }

        /** The server nonce, base64 as CNRI's server writes it. */
        public String nonceBase64() {
            return Base64.getEncoder().encodeToString(nonce);
        }

        /** The identity the session acts as, or null while it is not authenticated. */
        public AdminIdentity identity() {
            Proof p = proof;
            return p == null ? null : p.identity();
        }

        byte[] rawNonce() {
            return nonce;
        }

        /** True when {@code header} is the very header that authenticated this session. */
        boolean provedBy(String header) {
            Proof p = proof;
            return p != null && p.header().equals(header);
        }

        void authenticate(AdminIdentity identity, String header) {
            proof = new Proof(identity, header);
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SessionLimits settings;
    private final Clock clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicLong lastPurge;

    public HttpSessions(SessionLimits settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.lastPurge = new AtomicLong(clock.millis());
    }

    /** A new session with a fresh nonce; empty when {@link SessionLimits#maxSessions} are alive. */
    public Optional<Session> open() {
        long now = clock.millis();
        if (now - lastPurge.get() >= PURGE_INTERVAL_MILLIS || sessions.size() >= settings.maxSessions()) {
            purgeExpired(now);
        }
        if (sessions.size() >= settings.maxSessions() && !evictUnauthenticated(now)) {
            return Optional.empty();
        }
        byte[] idBytes = new byte[18];
        RANDOM.nextBytes(idBytes);
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        Session s = new Session(Base64.getUrlEncoder().withoutPadding().encodeToString(idBytes), nonce, now);
        sessions.put(s.id(), s);
        return Optional.of(s);
    }

    /** The live session {@code id} (its idle time restarts), or empty when it is unknown or over. */
    public Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        long now = clock.millis();
        if (expired(s, now)) {
            sessions.remove(id, s);
            return Optional.empty();
        }
        s.lastUsedMillis = now;
        return Optional.of(s);
    }

    /** Ends session {@code id}; false when it was unknown or already over. */
    public boolean close(String id) {
        return find(id).map(s -> sessions.remove(s.id(), s)).orElse(false);
    }

    /** Sessions held (expired ones may linger until the next purge). */
    public int size() {
        return sessions.size();
    }

    private boolean expired(Session s, long now) {
        return now - s.lastUsedMillis > settings.idleTimeout().toMillis() || now - s.openedMillis > settings.maxLifetime().toMillis();
    }

    /** Evicts sessions nobody authenticated; false when there are none. */
    private boolean evictUnauthenticated(long now) {
        Session oldest = null;
        boolean evicted = false;
        for (Session s : sessions.values()) {
            if (s.identity() != null) {
                continue;
            }
            if (now - s.lastUsedMillis > UNAUTHENTICATED_GRACE_MILLIS) {
                evicted |= sessions.remove(s.id(), s);
            } else if (oldest == null || s.lastUsedMillis < oldest.lastUsedMillis) {
                oldest = s;
            }
        }
        if (!evicted && oldest != null) {
            evicted = sessions.remove(oldest.id(), oldest);
        }
        return evicted;
    }

    private void purgeExpired(long now) {
        lastPurge.set(now);
        sessions.values().removeIf(s -> expired(s, now));
    }
}
