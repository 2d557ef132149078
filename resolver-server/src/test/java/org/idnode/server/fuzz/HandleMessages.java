package org.idnode.server.fuzz;

import java.nio.charset.StandardCharsets;

import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.AddValueRequest;
import net.handle.hdllib.ChallengeAnswerRequest;
import net.handle.hdllib.Common;
import net.handle.hdllib.CreateHandleRequest;
import net.handle.hdllib.DeleteHandleRequest;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.GenericRequest;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.ListHandlesRequest;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.ModifyValueRequest;
import net.handle.hdllib.RemoveValueRequest;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.SessionSetupRequest;
import net.handle.hdllib.ValueReference;
import net.handle.hdllib.VerifyAuthRequest;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Valid Handle protocol requests as CNRI's client builds and encodes them ({@link Encoder}): every operation the node
 * decodes a body for, with random handles (UTF-8 under {@code 88.999}, and arbitrary bytes), values, indexes, types,
 * flags, protocol versions and request ids. The seeds of the message fuzzers and the inputs of their round-trip
 * properties.
 *
 * <p>Stateless and thread-safe.
 */
public final class HandleMessages {
    private HandleMessages() {
    }

    /** A handle: mostly well-formed names under 88.999, sometimes arbitrary bytes. */
    public static Arbitrary<byte[]> handles() {
        Arbitrary<byte[]> named = Combinators.combine(
                        Arbitraries.of("88.999", "88.999.1", "88.999.2", "0.NA", "88.998.7"),
                        Arbitraries.strings().withCharRange('!', '~').withChars('中', '文', 'Ä', '批', ' ').ofMaxLength(40))
                .as((p, s) -> (p.equals("0.NA") ? "0.NA/88.999." + s.length() : p + "/" + s).getBytes(StandardCharsets.UTF_8));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, named),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(64)));
    }

    /** A handle value with random fields. */
    public static Arbitrary<HandleValue> values() {
        Arbitrary<ValueReference[]> refs = Combinators.combine(handles(), Arbitraries.integers())
                .as(ValueReference::new).array(ValueReference[].class).ofMaxSize(3);
        return Combinators.combine(
                        Arbitraries.integers().between(1, 1 << 20),
                        Arbitraries.of("URL", "DESC", "HS_ADMIN", "EMAIL", "REF.CCL_LOT", "类型", ""),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(200),
                        Arbitraries.of(HandleValue.TTL_TYPE_RELATIVE, HandleValue.TTL_TYPE_ABSOLUTE),
                        Arbitraries.integers(),
                        Arbitraries.integers(),
                        refs,
                        Arbitraries.integers().between(0, 15))
                .as((index, type, data, ttlType, ttl, timestamp, r, perms) -> new HandleValue(index, type.getBytes(StandardCharsets.UTF_8), data,
                        ttlType, ttl, timestamp, r, (perms & 8) != 0, (perms & 4) != 0, (perms & 2) != 0, (perms & 1) != 0));
    }

    /** A request of any operation the node decodes, with random envelope-level fields. */
    public static Arbitrary<AbstractRequest> requests() {
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(80);
        Arbitrary<byte[]> exchangeKey = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(80);
        Arbitrary<HandleValue[]> values = values().array(HandleValue[].class).ofMaxSize(4);
        Arbitrary<byte[][]> types = Arbitraries.strings().alpha().ofMaxLength(12).map(s -> s.getBytes(StandardCharsets.UTF_8))
                .array(byte[][].class).ofMaxSize(4);
        Arbitrary<int[]> indexes = Arbitraries.integers().array(int[].class).ofMaxSize(4);
        Arbitrary<AbstractRequest> resolution = Combinators.combine(handles(), types, indexes)
                .as((h, t, i) -> new ResolutionRequest(h, t.length == 0 ? null : t, i.length == 0 ? null : i, null));
        Arbitrary<AbstractRequest> request = Arbitraries.oneOf(
                resolution, resolution, resolution,
                handles().map(h -> new GenericRequest(h, AbstractMessage.OC_GET_SITE_INFO, null)),
                Combinators.combine(handles(), values).as((h, v) -> new CreateHandleRequest(h, v, null)),
                Combinators.combine(handles(), values).as((h, v) -> new AddValueRequest(h, v, null)),
                Combinators.combine(handles(), values).as((h, v) -> new ModifyValueRequest(h, v, null)),
                Combinators.combine(handles(), indexes).as((h, i) -> new RemoveValueRequest(h, i, null)),
                handles().map(h -> new DeleteHandleRequest(h, null)),
                handles().map(h -> new ListHandlesRequest(h, null)),
                handles().map(h -> new GenericRequest(h, AbstractMessage.OC_HOME_NA, null)),
                handles().map(h -> new GenericRequest(h, AbstractMessage.OC_UNHOME_NA, null)),
                Combinators.combine(exchangeKey, Arbitraries.integers().between(0, 86400), handles(), Arbitraries.integers())
                        .as((key, timeout, identity, index) -> {
                            SessionSetupRequest s = new SessionSetupRequest(Common.KEY_EXCHANGE_DH, key);
                            s.timeout = timeout;
                            s.identityHandle = identity;
                            s.identityIndex = index;
                            return s;
                        }),
                Combinators.combine(handles(), Arbitraries.integers(), bytes)
                        .as((h, i, signed) -> new ChallengeAnswerRequest(Common.PUBLIC_KEY_TYPE, h, i, signed, null)),
                Combinators.combine(handles(), bytes, Arbitraries.bytes().array(byte[].class).ofSize(32), bytes, Arbitraries.integers())
                        .as((h, nonce, digest, signed, i) -> new VerifyAuthRequest(h, nonce, digest, Common.HASH_CODE_SHA256, signed, i, null)));
        return Combinators.combine(request, Arbitraries.integers(), Arbitraries.integers().between(0, Common.MINOR_VERSION),
                        Arbitraries.integers().between(0, 31))
                .as((r, requestId, minor, flags) -> {
                    r.requestId = requestId;
                    r.majorProtocolVersion = Common.MAJOR_VERSION;
                    r.minorProtocolVersion = (byte) (int) minor;
                    r.suggestMajorProtocolVersion = Common.MAJOR_VERSION;
                    r.suggestMinorProtocolVersion = Common.MINOR_VERSION;
                    r.certify = (flags & 1) != 0;
                    r.ignoreRestrictedValues = (flags & 2) != 0;
                    r.recursive = (flags & 4) != 0;
                    r.cacheCertify = (flags & 8) != 0;
                    r.returnRequestDigest = (flags & 16) != 0;
                    return r;
                });
    }

    /** The message bytes (without envelope) of a request, with its (empty) credential, as CNRI's client sends it. */
    public static byte[] message(AbstractRequest r) {
        try {
            return r.getEncodedMessage();
        } catch (HandleException e) {
            throw new IllegalStateException("CNRI's encoder refused a generated request: " + e, e);
        }
    }

    /** The envelope a client sends in front of {@code message}. */
    public static MessageEnvelope envelope(AbstractRequest r, int messageLength) {
        MessageEnvelope env = new MessageEnvelope();
        env.protocolMajorVersion = r.majorProtocolVersion;
        env.protocolMinorVersion = r.minorProtocolVersion;
        env.suggestMajorProtocolVersion = r.suggestMajorProtocolVersion;
        env.suggestMinorProtocolVersion = r.suggestMinorProtocolVersion;
        env.requestId = r.requestId;
        env.sessionId = r.sessionId;
        env.messageLength = messageLength;
        return env;
    }

    /** Envelope and message, as sent over TCP, HTTP, or in one UDP datagram. */
    public static byte[] whole(AbstractRequest r) {
        byte[] msg = message(r);
        byte[] out = new byte[Common.MESSAGE_ENVELOPE_SIZE + msg.length];
        Encoder.encodeEnvelope(envelope(r, msg.length), out);
        System.arraycopy(msg, 0, out, Common.MESSAGE_ENVELOPE_SIZE, msg.length);
        return out;
    }

    /** Whole encoded requests of every kind. */
    public static Arbitrary<byte[]> wholeMessages() {
        return requests().map(HandleMessages::whole);
    }
}
