package org.idnode.server.auth;

import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.ChallengeAnswerRequest;
import net.handle.hdllib.HandleException;

/**
 * What {@link ChallengeManager#authenticate} and {@link ChallengeManager#answer} decided: either the
 * requester is {@link Authenticated} (run the request as that identity) or the caller must send a
 * {@link Reply} as is (a challenge, RC 402, or an error).
 *
 * <p>Values are immutable apart from the CNRI message objects they carry, which belong to the
 * caller from then on.
 */
public sealed interface AuthResult permits AuthResult.Authenticated, AuthResult.Reply {

    /**
     * The requester proved to be {@code identity}; run {@code request} (the request itself, or the
     * original request a challenge was answered for) as that identity, authorise it with
     * {@link AdminAuthorizer}, build the response from {@code request} ({@code new XxxResponse(request, ...)}),
     * then call {@link #bind} before signing and encoding it.
     *
     * @param identity the verified identity; its index is the index of the key that verified, so an
     *                 answer naming index 0 ("any HS_PUBKEY") comes back with the real index
     * @param request  the request to run
     * @param answer   the challenge answer that authenticated it, or null when the request came in an
     *                 already authenticated session
     */
    record Authenticated(AdminIdentity identity, AbstractRequest request, ChallengeAnswerRequest answer) implements AuthResult {
        /**
         * Addresses a response to the client that is waiting for it. After a challenge the client waits
         * for the answer's {@code requestId} (handle-protocol.md §3.4 step 5), and it checks a request
         * digest against the answer it sent, so both are taken from the answer here. No-op when the
         * request came in an authenticated session. Call before signing: the signature covers both.
         */
        public void bind(AbstractResponse response) throws HandleException {
            ChallengeManager.bindToAnswer(response, answer);
        }
    }

    /** Send {@code response} to the client as is (after the usual signing and encoding). */
    record Reply(AbstractResponse response) implements AuthResult {
    }
}
