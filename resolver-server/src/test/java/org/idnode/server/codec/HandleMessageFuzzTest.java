package org.idnode.server.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.Common;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.ResolutionRequest;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import org.idnode.server.fuzz.HandleMessages;
import org.idnode.server.fuzz.Mutations;
import org.idnode.server.fuzz.PerTry;
import org.idnode.server.fuzz.TrackingAllocator;

/**
 * Property-based fuzzing of the Handle message decoders with jqwik: {@link HandleMessageCodec#decodeEnvelope},
 * {@link HandleMessageCodec#decodeRequest} and the fast resolution reader {@link ResolutionQuery#decode}, fed with valid
 * requests of every operation as CNRI's client encodes them, those requests mutated (bit flips, boundary values in
 * length and count fields, insertions, deletions, truncation) and random bytes. Properties: only
 * {@link MalformedMessageException} comes out (an error answer, when one can be addressed, encodes), never another
 * exception; every try ends within {@link PerTry#LIMIT}; valid requests decode to what was encoded; whatever the fast
 * reader accepts, CNRI's decoder reads the same way; the fast reader leaves its buffer as it found it. The number of
 * tries is {@code jqwik.tries.default} (see docs/fuzzing.md).
 */
@Tag("fuzz")
class HandleMessageFuzzTest {

    @Provide
    Arbitrary<byte[]> wholeMessages() {
        return Mutations.inputs(HandleMessages.wholeMessages(), 600);
    }

    @Provide
    Arbitrary<byte[]> resolutionMessages() {
        Arbitrary<byte[]> seeds = HandleMessages.requests().filter(r -> r instanceof ResolutionRequest).map(HandleMessages::whole);
        return Mutations.inputs(seeds, 200);
    }

    @Provide
    Arbitrary<AbstractRequest> requests() {
        return HandleMessages.requests();
    }

    @Property
    void decodersRefuseBadMessagesCleanly(@ForAll("wholeMessages") byte[] input) {
        PerTry.run(() -> {
            decodeAsTransportsDo(input);
            return null;
        }).valueOrAllowed();
    }

    /** As TCP and HTTP decode: the envelope, then exactly the message length it announces (when that many bytes came). */
    private static void decodeAsTransportsDo(byte[] input) throws Exception {
        MessageEnvelope env;
        try {
            env = HandleMessageCodec.decodeEnvelope(Arrays.copyOf(input, Math.min(input.length, HandleMessageCodec.ENVELOPE_SIZE)));
        } catch (MalformedMessageException e) {
            answerEncodes(e);
            return;
        }
        assertThat(env.messageLength).isBetween(0, HandleMessageCodec.MAX_MESSAGE_LENGTH);
        int available = input.length - HandleMessageCodec.ENVELOPE_SIZE;
        byte[] message = Arrays.copyOfRange(input, HandleMessageCodec.ENVELOPE_SIZE,
                HandleMessageCodec.ENVELOPE_SIZE + Math.min(available, env.messageLength));
        try {
            AbstractRequest req = HandleMessageCodec.decodeRequest(env, message);
            assertThat(req).isNotNull();
            assertThat(req.responseCode).isEqualTo(AbstractMessage.RC_RESERVED);
        } catch (MalformedMessageException e) {
            assertThat(e.canAnswer()).as("an error about a readable envelope can be answered").isTrue();
            answerEncodes(e);
        }
    }

    private static void answerEncodes(MalformedMessageException e) throws HandleException, MalformedMessageException {
        if (e.canAnswer()) {
            byte[] answer = HandleMessageCodec.encodeWhole(e.toErrorResponse());
            assertThat(HandleMessageCodec.decodeEnvelope(Arrays.copyOf(answer, HandleMessageCodec.ENVELOPE_SIZE)).messageLength)
                    .isEqualTo(answer.length - HandleMessageCodec.ENVELOPE_SIZE);
        }
    }

    @Property
    void validRequestsDecodeToWhatWasEncoded(@ForAll("requests") AbstractRequest sent) throws HandleException {
        byte[] message = HandleMessages.message(sent);
        AbstractRequest got = PerTry.run(() -> HandleMessageCodec.decodeRequest(
                HandleMessageCodec.decodeEnvelope(Arrays.copyOf(HandleMessages.whole(sent), HandleMessageCodec.ENVELOPE_SIZE)), message))
                .valueOrAllowed();
        assertThat(got.opCode).isEqualTo(sent.opCode);
        assertThat(got.requestId).isEqualTo(sent.requestId);
        got.clearBuffers();
        assertThat(HandleMessages.message(got)).as("re-encoding the decoded request").isEqualTo(message);
    }

    @Property
    void fastResolutionReaderAgreesWithCnrisDecoder(@ForAll("resolutionMessages") byte[] input) {
        TrackingAllocator alloc = new TrackingAllocator();
        ByteBuf frame = alloc.buffer(input.length).writeBytes(input);
        ResolutionQuery q = PerTry.run(() -> ResolutionQuery.decode(frame)).valueOrAllowed();
        assertThat(frame.readerIndex()).isZero();
        assertThat(frame.writerIndex()).isEqualTo(input.length);
        frame.release();
        assertThat(alloc.unreleased()).isEmpty();
        if (q == null) {
            return;
        }
        // Whatever the fast path answers, the general path must read identically.
        AbstractRequest general = PerTry.run(() -> HandleMessageCodec.decodeRequest(
                        HandleMessageCodec.decodeEnvelope(Arrays.copyOf(input, HandleMessageCodec.ENVELOPE_SIZE)),
                        Arrays.copyOfRange(input, HandleMessageCodec.ENVELOPE_SIZE, input.length)))
                .valueOrAllowed();
        assertThat(general).as("CNRI's decoder reads what the fast reader accepted").isInstanceOf(ResolutionRequest.class);
        ResolutionRequest r = (ResolutionRequest) general;
        assertThat(r.requestId).isEqualTo(q.requestId());
        assertThat(r.handle).isEqualTo(q.handle());
        assertThat(r.requestedIndexes == null ? new int[0] : r.requestedIndexes).isEqualTo(q.indexes());
        assertThat(r.requestedTypes == null ? new byte[0][] : r.requestedTypes).isDeepEqualTo(q.types());
        assertThat(r.ignoreRestrictedValues).isEqualTo(q.publicOnly());
        assertThat(r.certify).isFalse();
    }

    @Property
    void plainResolutionRequestsTakeTheFastPath(@ForAll("requests") AbstractRequest sent) {
        if (!(sent instanceof ResolutionRequest r) || r.certify || r.handle.length == 0
                || r.returnRequestDigest && r.minorProtocolVersion < 7) {
            return;
        }
        ResolutionQuery q = ResolutionQuery.decode(Unpooled.wrappedBuffer(HandleMessages.whole(sent)));
        assertThat(q).as("a plain resolution request is read by the fast reader").isNotNull();
        assertThat(q.handle()).isEqualTo(r.handle);
        assertThat(q.requestId()).isEqualTo(r.requestId);
        assertThat(q.answerMinorVersion()).isEqualTo((byte) Math.min(Common.MINOR_VERSION, HandleMessageCodec.MAX_MINOR_VERSION));
    }
}
