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
import net.jqwik.api.Example;
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

    /**
     * Found by the long run of {@link #decodersRefuseBadMessagesCleanly}: a resolution request whose header says its
     * body is empty, followed by a handle, indexes and a type count of 775,501,113 where the credential goes. CNRI's
     * reader ignores the body length, so it allocated an array of gigabytes and took 30 s to refuse a 112-byte
     * datagram; now the body's fields are checked within the body first.
     */
    @Example
    void aShortResolutionBodyCannotSizeAGiantArray() {
        int[] found = {2, 10, 2, 11, 0, 0, 0, 0, -1, -1, -1, 86, 0, 0, 0, 0, 0, 0, 0, 89, 0, 0, 0, 1, 0, 0, 0, 0, 16,
                -128, 0, 0, -1, -1, 0, 0, 107, 2, 4, -101, 0, 0, 0, 0, 0, 0, 0, 9, 56, 56, 46, 57, 57, 57, 46,
                50, 47, 0, 0, 0, 3, -1, -1, -1, -27, -1, -1, -45, 0, 0, 9, 56, 56, 46, 57, 57, 57, 46, 50, 47,
                0, 0, 0, 3, -1, -1, -1, -27, -1, -1, -45, 42, 127, -1, -1, -1, 0, 0, 8, 4, 0, 0, 0, 1, 65, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11, 110, 113, 113, 97, 85, 66, 115, 119, 69, 102, 71, 0, 0, 0, 0};
        byte[] input = new byte[found.length];
        for (int i = 0; i < found.length; i++) {
            input[i] = (byte) found[i];
        }
        PerTry.Outcome<Object> o = PerTry.run(() -> {
            MessageEnvelope env = HandleMessageCodec.decodeEnvelope(Arrays.copyOf(input, HandleMessageCodec.ENVELOPE_SIZE));
            return HandleMessageCodec.decodeRequest(env, Arrays.copyOfRange(input, HandleMessageCodec.ENVELOPE_SIZE,
                    HandleMessageCodec.ENVELOPE_SIZE + env.messageLength));
        });
        assertThat(o.thrown()).isInstanceOfSatisfying(MalformedMessageException.class, e -> {
            assertThat(e.getMessage()).isEqualTo("resolution request body ends before its handle length");
            assertThat(e.responseCode()).isEqualTo(AbstractMessage.RC_PROTOCOL_ERROR);
        });

        // The same shape built on purpose: an empty body, then a handle and a type count of Integer.MAX_VALUE.
        ResolutionRequest r = new ResolutionRequest("88.999.1/X".getBytes(java.nio.charset.StandardCharsets.UTF_8), null, null, null);
        byte[] valid = HandleMessages.message(r);
        byte[] message = Arrays.copyOf(valid, valid.length + 4);
        message[20] = message[21] = message[22] = message[23] = 0; // body length 0
        int typeCount = 24 + 4 + r.handle.length + 4;
        message[typeCount] = 0x7f;
        message[typeCount + 1] = message[typeCount + 2] = message[typeCount + 3] = (byte) 0xff;
        MessageEnvelope env = HandleMessages.envelope(r, message.length);
        assertThat(PerTry.run(() -> HandleMessageCodec.decodeRequest(env, message)).thrown()).isInstanceOf(MalformedMessageException.class);
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
