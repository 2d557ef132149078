package org.idnode.server.auth;

import net.handle.hdllib.SessionInfo;

/**
 * One Diffie-Hellman session on the server side: CNRI's {@link SessionInfo} for the key, the
 * encryption and the session counters, plus what the node tracks itself: the identity the client
 * claimed at setup, the identity it proved (set once a challenge in the session succeeded) and the
 * times that bound the session's life.
 *
 * <p>Thread-safe: {@link SessionInfo}'s counters are synchronised and its ciphers are made per call;
 * the mutable fields here are volatile.
 */
final class ServerSession {
    final int id;
    final SessionInfo crypto;
    /** The identity named in the session setup request; null for an anonymous session. */
    final AdminIdentity claimed;
    final long createdMillis;
    final long idleLimitMillis;
    private volatile long lastUsedMillis;
    private volatile AdminIdentity authenticated;

    ServerSession(int id, SessionInfo crypto, AdminIdentity claimed, long nowMillis, long idleLimitMillis) {
        this.id = id;
        this.crypto = crypto;
        this.claimed = claimed;
        this.createdMillis = nowMillis;
        this.lastUsedMillis = nowMillis;
        this.idleLimitMillis = idleLimitMillis;
    }

    byte[] key() {
        return crypto.getSessionKey();
    }

    boolean expired(long nowMillis, long maxLifetimeMillis) {
        return nowMillis - createdMillis > maxLifetimeMillis || nowMillis - lastUsedMillis > idleLimitMillis;
    }

    void touch(long nowMillis) {
        lastUsedMillis = nowMillis;
    }

    /** The identity proved by a challenge in this session, or null. */
    AdminIdentity authenticated() {
        return authenticated;
    }

    void markAuthenticated(AdminIdentity identity) {
        authenticated = identity;
    }
}
