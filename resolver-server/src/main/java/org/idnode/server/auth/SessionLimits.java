package org.idnode.server.auth;

import java.time.Duration;

/**
 * The limits of authenticated sessions, the same for the Handle protocol's sessions ({@link SessionManager}) and the
 * REST API's ({@link HttpSessions}): a session ends when it has not been used for {@code idleTimeout}, or
 * {@code maxLifetime} after it was opened, whichever comes first, and at most {@code maxSessions} live at once.
 *
 * <p>Immutable.
 *
 * @param idleTimeout a session unused this long ends
 * @param maxLifetime the longest a session lives, however busy (CNRI's {@code max_session_time})
 * @param maxSessions most sessions alive at once
 */
public record SessionLimits(Duration idleTimeout, Duration maxLifetime, int maxSessions) {
    public SessionLimits {
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()
                || maxLifetime == null || maxLifetime.isNegative() || maxLifetime.isZero() || maxSessions < 1) {
            throw new IllegalArgumentException("session limits must be positive");
        }
    }

    /** 30 minutes idle, 24 hours at most, 50 000 sessions. */
    public static SessionLimits defaults() {
        return new SessionLimits(Duration.ofMinutes(30), Duration.ofHours(24), 50_000);
    }
}
