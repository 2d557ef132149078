/**
 * Server-side authentication for the Handle protocol (handle-protocol.md §1.10, §3.3–3.4): Diffie-Hellman
 * sessions ({@link org.idnode.server.auth.SessionManager}), challenge/response with HS_PUBKEY and
 * HS_SECKEY ({@link org.idnode.server.auth.ChallengeManager}), {@code OC_VERIFY_CHALLENGE}
 * ({@link org.idnode.server.auth.VerifyChallengeHandler}) and HS_ADMIN / HS_VLIST authorisation
 * ({@link org.idnode.server.auth.AdminAuthorizer}). Identity keys and groups are read from this node's
 * store through {@link org.idnode.server.auth.IdentityKeyLookup}; nothing here touches the network. The REST
 * API's schemes (Basic, Bearer API tokens, CNRI's {@code Handle} scheme with its sessions) are
 * {@link org.idnode.server.auth.HttpAuthenticator}, which checks keys with the same verifier.
 *
 * <h2>Wiring, in order</h2>
 * <ol>
 *   <li><b>Bytes in.</b> When the envelope has the EC flag, {@code plain = sessions.decrypt(env, message)}
 *       (it clears the flag and fixes {@code env.messageLength}), then
 *       {@code HandleMessageCodec.decodeRequest(env, plain)}. A {@code MalformedMessageException} from
 *       either is answered like any other ({@code RC_SESSION_TIMEOUT} / {@code RC_SESSION_FAILED}).</li>
 *   <li><b>Every request:</b> {@code challenges.checkSessionId(req)}; if present, send that error
 *       ({@code RC_SESSION_TIMEOUT} for a session id that is neither live nor a pending challenge).</li>
 *   <li><b>By opCode</b> (the blocking ones on the blocking-work executor):
 *     <ul>
 *       <li>{@code OC_SESSION_SETUP} (400): {@code sessions.setUp(req)} — blocking (DH).</li>
 *       <li>{@code OC_SESSION_TERMINATE} (401): {@code sessions.terminate(req)}.</li>
 *       <li>{@code OC_RESPONSE_TO_CHALLENGE} (200): {@code challenges.answer(req)} — blocking. An
 *           {@code Authenticated} result carries the <em>original</em> request: run it as below.</li>
 *       <li>{@code OC_VERIFY_CHALLENGE} (201): after the namespace check ({@code RC_SERVER_NOT_RESP}),
 *           {@code verifier.verify(req)} — blocking.</li>
 *       <li>Admin operations (100–105, 300, 301) and resolutions that ask for restricted values (PUBL
 *           flag clear, when restricted values would be returned): {@code challenges.authenticate(req)}.
 *           A {@code Reply} is sent as is (the challenge, or an error). An {@code Authenticated}
 *           result is run as below.</li>
 *       <li>Anything else is processed as today, whether in a session or not.</li>
 *     </ul></li>
 *   <li><b>Running an authenticated request</b> ({@code AuthResult.Authenticated r}): read the
 *       authority record (the handle's own, or {@code AdminAuthorizer.authorityForCreate} for create /
 *       list), {@code authorizer.authorize(r.identity(), record, permissions...)} — blocking when groups
 *       are involved; if refused, answer {@code new ErrorResponse(r.request(), d.responseCode(), d.reason())};
 *       else run {@code r.request()}. Build the response from {@code r.request()} (a create needs a
 *       {@code CreateHandleResponse}: CNRI's encoder casts by opCode), then {@code r.bind(response)}
 *       (after a challenge: the answer's requestId and digest) — also for the refusal.</li>
 *   <li><b>Every response, last:</b> set {@code siteInfoSerial}/{@code authoritative}; then if
 *       {@code response.certify && !sessions.signWithSessionKey(response)} sign it with the node key
 *       as today (session setups always take the node key); then
 *       {@code SessionManager.WireMessage w = sessions.encode(response)} and write the envelope with
 *       {@code encrypted = w.encrypted()}, {@code messageLength = w.message().length}, followed by
 *       {@code w.message()} (chunked for UDP). Nothing may change the response after signing.</li>
 * </ol>
 *
 * <p>All classes are thread-safe; each public type says which of its methods block.
 */
package org.idnode.server.auth;
