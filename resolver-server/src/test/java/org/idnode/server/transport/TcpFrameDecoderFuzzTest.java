package org.idnode.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.MessageEnvelope;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.fuzz.HandleMessages;
import org.idnode.server.fuzz.Mutations;
import org.idnode.server.fuzz.PerTry;
import org.idnode.server.fuzz.TrackingAllocator;

/**
 * Property-based fuzzing of the TCP framing ({@link HandleTcpFrameDecoder}) in Netty's {@code EmbeddedChannel}, with a
 * {@link TrackingAllocator} that remembers every buffer and Netty's leak detector at {@code PARANOID}: byte streams
 * made of valid requests, mutated requests and random bytes, cut into chunks of random sizes, with huge and negative
 * length fields among the mutations. Properties: the pipeline never throws; every frame that comes out is one
 * envelope and exactly the message length it announces; a refused envelope gets an addressed {@code PROTOCOL_ERROR}
 * answer (when it can be addressed) and the connection is closed; every buffer is released in the end; valid
 * requests come out byte for byte, however the stream is cut; every try ends within {@link PerTry#LIMIT}.
 */
@Tag("fuzz")
class TcpFrameDecoderFuzzTest {
    private static ResourceLeakDetector.Level savedLevel;

    @BeforeContainer
    static void paranoid() {
        savedLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterContainer
    static void restore() {
        ResourceLeakDetector.setLevel(savedLevel);
    }

    @Provide
    Arbitrary<List<byte[]>> streams() {
        return Mutations.inputs(HandleMessages.wholeMessages(), 300).list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<List<AbstractRequest>> requestLists() {
        return HandleMessages.requests().list().ofMinSize(1).ofMaxSize(5);
    }

    @Provide
    Arbitrary<List<Integer>> chunkSizes() {
        return Arbitraries.integers().between(1, 700).list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<Integer> badLengths() {
        return Arbitraries.oneOf(Arbitraries.integers().lessOrEqual(-1),
                Arbitraries.integers().greaterOrEqual(HandleMessageCodec.MAX_MESSAGE_LENGTH + 1));
    }

    /** What a channel did with a stream. */
    private record Result(List<byte[]> frames, List<byte[]> answers, boolean open) {
    }

    /** Writes {@code stream} in chunks of the given sizes (cycled) until it is all written or the channel closes. */
    private static Result feed(byte[] stream, List<Integer> chunks, TrackingAllocator alloc) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(new HandleTcpFrameDecoder(HandleMessageCodec.MAX_MESSAGE_LENGTH));
        List<byte[]> frames = new ArrayList<>();
        List<byte[]> answers = new ArrayList<>();
        int p = 0;
        for (int i = 0; p < stream.length && ch.isOpen(); i++) {
            int n = Math.min(chunks.get(i % chunks.size()), stream.length - p);
            ch.writeInbound(alloc.buffer(n).writeBytes(stream, p, n));
            p += n;
            drain(ch.inboundMessages(), frames);
            drain(ch.outboundMessages(), answers);
        }
        boolean open = ch.isOpen();
        ch.finishAndReleaseAll();
        return new Result(frames, answers, open);
    }

    private static void drain(java.util.Queue<Object> queue, List<byte[]> into) {
        for (Object m = queue.poll(); m != null; m = queue.poll()) {
            ByteBuf b = (ByteBuf) m;
            into.add(ByteBufUtil.getBytes(b));
            b.release();
        }
    }

    @Property
    void anyStreamIsFramedOrRefusedWithoutLeaks(@ForAll("streams") List<byte[]> parts, @ForAll("chunkSizes") List<Integer> chunks) {
        byte[] stream = concat(parts);
        TrackingAllocator alloc = new TrackingAllocator();
        Result r = PerTry.run(() -> feed(stream, chunks, alloc)).valueOrAllowed();
        int framed = 0;
        for (byte[] frame : r.frames()) {
            assertThat(frame.length).isGreaterThanOrEqualTo(HandleMessageCodec.ENVELOPE_SIZE);
            int announced = readInt(frame, 16);
            assertThat(frame.length).as("a frame is its envelope and the message length it announces")
                    .isEqualTo(HandleMessageCodec.ENVELOPE_SIZE + announced);
            assertThat(frame).isEqualTo(Arrays.copyOfRange(stream, framed, framed + frame.length));
            framed += frame.length;
        }
        for (byte[] answer : r.answers()) {
            assertThat(r.open()).as("an error answer closes the connection").isFalse();
            checkProtocolError(answer, Arrays.copyOfRange(stream, framed, Math.min(stream.length, framed + HandleMessageCodec.ENVELOPE_SIZE)));
        }
        assertThat(r.answers()).hasSizeLessThanOrEqualTo(1);
        assertThat(alloc.unreleased()).as("buffers not released").isEmpty();
    }

    @Property
    void validRequestsComeOutByteForByteHoweverTheStreamIsCut(@ForAll("requestLists") List<AbstractRequest> requests,
                                                              @ForAll("chunkSizes") List<Integer> chunks) {
        List<byte[]> sent = requests.stream().map(HandleMessages::whole).toList();
        TrackingAllocator alloc = new TrackingAllocator();
        Result r = PerTry.run(() -> feed(concat(sent), chunks, alloc)).valueOrAllowed();
        assertThat(r.frames()).containsExactlyElementsOf(sent);
        assertThat(r.answers()).isEmpty();
        assertThat(r.open()).isTrue();
        assertThat(alloc.unreleased()).isEmpty();
    }

    @Property
    void aLengthBeyondTheLimitIsAnsweredAndClosed(@ForAll("requests") AbstractRequest request, @ForAll("badLengths") int length,
                                                 @ForAll("chunkSizes") List<Integer> chunks) {
        byte[] whole = HandleMessages.whole(request);
        whole[16] = (byte) (length >>> 24);
        whole[17] = (byte) (length >>> 16);
        whole[18] = (byte) (length >>> 8);
        whole[19] = (byte) length;
        TrackingAllocator alloc = new TrackingAllocator();
        Result r = PerTry.run(() -> feed(whole, chunks, alloc)).valueOrAllowed();
        assertThat(r.frames()).isEmpty();
        assertThat(r.open()).isFalse();
        assertThat(r.answers()).hasSize(1);
        checkProtocolError(r.answers().get(0), Arrays.copyOf(whole, HandleMessageCodec.ENVELOPE_SIZE));
        assertThat(alloc.unreleased()).isEmpty();
    }

    @Provide
    Arbitrary<AbstractRequest> requests() {
        return HandleMessages.requests();
    }

    /** The answer is a whole PROTOCOL_ERROR message addressed to the request whose envelope is {@code requestEnvelope}. */
    private static void checkProtocolError(byte[] answer, byte[] requestEnvelope) {
        try {
            MessageEnvelope env = new MessageEnvelope();
            Encoder.decodeEnvelope(answer, env);
            assertThat(env.messageLength).isEqualTo(answer.length - HandleMessageCodec.ENVELOPE_SIZE);
            AbstractMessage m = Encoder.decodeMessage(Arrays.copyOfRange(answer, HandleMessageCodec.ENVELOPE_SIZE, answer.length), 0, env);
            assertThat(m).isInstanceOf(ErrorResponse.class);
            assertThat(m.responseCode).isEqualTo(AbstractMessage.RC_PROTOCOL_ERROR);
            if (requestEnvelope.length == HandleMessageCodec.ENVELOPE_SIZE) {
                assertThat(env.requestId).as("addressed to the request").isEqualTo(readInt(requestEnvelope, 8));
            }
        } catch (net.handle.hdllib.HandleException e) {
            throw new AssertionError("the error answer does not decode: " + e, e);
        }
    }

    private static byte[] concat(List<byte[]> parts) {
        int n = parts.stream().mapToInt(b -> b.length).sum();
        byte[] out = new byte[n];
        int p = 0;
        for (byte[] b : parts) {
            System.arraycopy(b, 0, out, p, b.length);
            p += b.length;
        }
        return out;
    }

    private static int readInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }
}
