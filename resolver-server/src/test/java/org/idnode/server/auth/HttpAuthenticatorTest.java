package org.idnode.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.util.Base64;

import net.handle.hdllib.AbstractMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code Handle} HTTP authentication scheme against the identities of a real store, with a clock the test
 * moves: proofs bind to their session's nonce, sessions end when idle or too old, and their number is bounded.
 */
class HttpAuthenticatorTest {
    @TempDir
    static Path dir;
    static AuthFixture fx;

    HttpSessions sessions;
    HttpAuthenticator auth;

    @BeforeAll
    static void open() throws Exception {
        fx = AuthFixture.create(dir);
    }

    @AfterAll
    static void close() {
        fx.close();
    }

    @BeforeEach
    void fresh() {
        sessions = new HttpSessions(new SessionLimits(Duration.ofMinutes(30), Duration.ofHours(2), 3), fx.clock);
        auth = new HttpAuthenticator(fx.lookup(), sessions);
    }

    static String proof(HttpSessions.Session s, String id, PrivateKey key, String sigAlg, String alg) throws Exception {
        byte[] cnonce = "client-nonce-123".getBytes(StandardCharsets.US_ASCII);
        Signature sig = Signature.getInstance(sigAlg);
        sig.initSign(key);
        sig.update(s.nonce());
        sig.update(cnonce);
        return "Handle version=\"0\", sessionId=\"" + s.id() + "\", id=\"" + id + "\", type=\"HS_PUBKEY\", cnonce=\""
                + Base64.getEncoder().encodeToString(cnonce) + "\", alg=\"" + alg + "\", signature=\""
                + Base64.getEncoder().encodeToString(sig.sign()) + "\"";
    }

    static String named(HttpSessions.Session s) {
        return "Handle sessionId=\"" + s.id() + "\"";
    }

    @Test
    void aProofAuthenticatesItsSessionOnly() throws Exception {
        HttpSessions.Session s = sessions.open().orElseThrow();
        HttpSessions.Session other = sessions.open().orElseThrow();
        assertThat(auth.authenticate(named(s))).isInstanceOf(HttpAuthenticator.Anonymous.class);

        // Index 0 means any HS_PUBKEY: the answer names the key that verified (the DSA key at 303).
        HttpAuthenticator.Outcome o = auth.authenticate(proof(s, "0:" + AuthFixture.PREFIX_HANDLE, fx.adminDsa.getPrivate(), "SHA256withDSA", "SHA-256"));
        assertThat(o).isInstanceOfSatisfying(HttpAuthenticator.Authenticated.class, a -> {
            assertThat(a.identity()).isEqualTo(new AdminIdentity(AuthFixture.PREFIX_HANDLE, 303));
            assertThat(a.session()).isSameAs(s);
        });
        assertThat(auth.authenticate(named(s))).isInstanceOfSatisfying(HttpAuthenticator.Authenticated.class,
                a -> assertThat(a.identity().index()).isEqualTo(303));
        assertThat(auth.authenticate(named(other))).isInstanceOf(HttpAuthenticator.Anonymous.class);

        // The same signature presented for another session is refused, offering that session again.
        String moved = proof(s, "300:" + AuthFixture.PREFIX_HANDLE, fx.adminKey(), "SHA256withRSA", "SHA256").replace(s.id(), other.id());
        assertThat(auth.authenticate(moved)).isInstanceOfSatisfying(HttpAuthenticator.Refused.class, r -> {
            assertThat(r.responseCode()).isEqualTo(AbstractMessage.RC_AUTHENTICATION_FAILED);
            assertThat(r.retryIn()).isSameAs(other);
        });
        // Basic keeps working alongside, and is refused without a session on offer (403, not 401).
        String basic = "Basic " + Base64.getEncoder().encodeToString(("301%3A0.NA%2F88.999.1:" + AuthFixture.SECRET).getBytes(StandardCharsets.UTF_8));
        assertThat(auth.authenticate(basic)).isInstanceOf(HttpAuthenticator.Authenticated.class);
        assertThat(auth.authenticate(basic.replace("Basic ", "Basic x"))).isInstanceOfSatisfying(HttpAuthenticator.Refused.class,
                r -> assertThat(r.retryIn()).isNull());
    }

    @Test
    void sessionsEndWhenIdleOrTooOldAndTheirProofDiesWithThem() throws Exception {
        HttpSessions.Session s = sessions.open().orElseThrow();
        String proof = proof(s, "300:" + AuthFixture.PREFIX_HANDLE, fx.adminKey(), "SHA256withRSA", "SHA256");
        assertThat(auth.authenticate(proof)).isInstanceOf(HttpAuthenticator.Authenticated.class);

        // Used every 20 minutes it stays alive past its idle timeout, but not past its lifetime.
        for (int i = 0; i < 5; i++) {
            fx.clock.advance(Duration.ofMinutes(20));
            assertThat(auth.authenticate(named(s))).as("after %d x 20 min", i + 1).isInstanceOf(HttpAuthenticator.Authenticated.class);
        }
        fx.clock.advance(Duration.ofMinutes(21));
        assertThat(auth.authenticate(named(s))).isInstanceOfSatisfying(HttpAuthenticator.Refused.class, r -> {
            assertThat(r.responseCode()).isEqualTo(AbstractMessage.RC_AUTHENTICATION_NEEDED);
            assertThat(r.reason()).contains("unknown or has expired");
            assertThat(r.retryIn()).isNotSameAs(s);
        });
        assertThat(auth.authenticate(proof)).as("a replayed proof of an ended session").isInstanceOf(HttpAuthenticator.Refused.class);

        HttpSessions.Session idle = sessions.open().orElseThrow();
        fx.clock.advance(Duration.ofMinutes(31));
        assertThat(sessions.find(idle.id())).isEmpty();
        assertThat(sessions.close(idle.id())).isFalse();
    }

    @Test
    void theNumberOfSessionsIsBoundedAndUnauthenticatedOnesGiveWayFirst() throws Exception {
        HttpSessions.Session a = sessions.open().orElseThrow();
        HttpSessions.Session b = sessions.open().orElseThrow();
        HttpSessions.Session c = sessions.open().orElseThrow();
        for (HttpSessions.Session s : new HttpSessions.Session[] {a, b, c}) {
            assertThat(auth.authenticate(proof(s, "300:" + AuthFixture.PREFIX_HANDLE, fx.adminKey(), "SHA256withRSA", "SHA256")))
                    .isInstanceOf(HttpAuthenticator.Authenticated.class);
        }
        assertThat(sessions.open()).as("every slot holds an authenticated session").isEmpty();
        assertThat(auth.open(null)).isEmpty();
        assertThat(sessions.close(c.id())).isTrue();

        // A flood of anonymous sessions only ever replaces itself: the authenticated ones stay.
        for (int i = 0; i < 10; i++) {
            assertThat(sessions.open()).isPresent();
        }
        assertThat(sessions.size()).isEqualTo(3);
        assertThat(sessions.find(a.id())).isPresent();
        assertThat(sessions.find(b.id())).isPresent();

        fx.clock.advance(Duration.ofMinutes(31));
        assertThat(sessions.open()).as("expired sessions are purged when the table is full").isPresent();
        assertThat(sessions.find(a.id())).isEmpty();
    }
}
