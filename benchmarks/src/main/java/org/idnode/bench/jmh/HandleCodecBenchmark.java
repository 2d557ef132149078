package org.idnode.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractRequest;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.server.codec.HandleMessageCodec;
import org.idnode.server.codec.HandleValueConverter;
import org.idnode.server.codec.MalformedMessageException;
import org.idnode.server.codec.ResolutionQuery;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost of the Handle protocol codec on its own, for one PCB lot record (24 public values, a 1,280-byte
 * answer message in three UDP packets; a 98-byte request datagram), in nanoseconds per operation:
 * <ul>
 *   <li>{@link #decodeRequest}: a resolution request datagram to an {@link AbstractRequest}, as the UDP
 *       handler does it ({@link HandleMessageCodec#decodeEnvelope}, copy, {@link HandleMessageCodec#decodeRequest});</li>
 *   <li>{@link #encodeUdpPackets} and {@link #encodeWhole}: a {@link ResolutionResponse} over already
 *       encoded values to UDP packets or to one TCP/HTTP frame. The response is built anew on every
 *       operation because CNRI's message caches its encoding;</li>
 *   <li>{@link #encodeValuesAndUdpPackets}: the same plus converting and encoding each public value
 *       ({@link HandleValueConverter#toWire}, {@link Encoder#encodeHandleValue}), which the node does once
 *       per cached record;</li>
 *   <li>{@link #decodeQuery}: the fast path's decoder, {@link ResolutionQuery#decode} of the datagram in a
 *       direct buffer;</li>
 *   <li>{@link #writeAnswerPackets}: the fast path's encoder, the answer's UDP packets written from the
 *       record's value block ({@link HandleMessageCodec#writeResolutionAnswerPackets}) into one pooled buffer.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=org.idnode.bench.jmh.NettyThreadExecutor"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class HandleCodecBenchmark {
    private byte[] requestDatagram;
    private ResolutionRequest request;
    private List<HandleValue> publicValues;
    private byte[][] encodedValues;
    private ByteBuf requestBuffer;
    private ResolutionQuery query;
    private byte[] valueBlock;

    /** Builds the record, the request datagram and the encoded values. */
    @Setup
    public void setUp() throws MalformedMessageException {
        HandleRecord record = BenchData.lot(123);
        requestDatagram = BenchData.udpResolutionRequest(record.handle().toString(), 42);
        request = (ResolutionRequest) BenchData.decodeUdp(requestDatagram);
        publicValues = new ArrayList<>();
        for (HandleValue v : record.values()) {
            if (v.permissions().publicRead()) {
                publicValues.add(v);
            }
        }
        encodedValues = encode(publicValues);
        requestBuffer = Unpooled.directBuffer(requestDatagram.length).writeBytes(requestDatagram);
        query = ResolutionQuery.decode(requestBuffer);
        int size = 4;
        for (byte[] v : encodedValues) {
            size += v.length;
        }
        ByteBuf block = Unpooled.buffer(size).writeInt(encodedValues.length);
        for (byte[] v : encodedValues) {
            block.writeBytes(v);
        }
        valueBlock = block.array();
    }

    /** Releases the request buffer. */
    @TearDown
    public void tearDown() {
        requestBuffer.release();
    }

    private static byte[][] encode(List<HandleValue> values) {
        byte[][] out = new byte[values.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Encoder.encodeHandleValue(HandleValueConverter.toWire(values.get(i)));
        }
        return out;
    }

    /** Request datagram to request object. */
    @Benchmark
    public AbstractRequest decodeRequest() throws MalformedMessageException {
        return BenchData.decodeUdp(requestDatagram);
    }

    /** Response over encoded values to UDP packets. */
    @Benchmark
    public List<byte[]> encodeUdpPackets() throws HandleException {
        return HandleMessageCodec.encodeUdpPackets(new ResolutionResponse(request, request.handle, encodedValues));
    }

    /** Response over encoded values to one envelope-plus-message frame (TCP, HTTP). */
    @Benchmark
    public byte[] encodeWhole() throws HandleException {
        return HandleMessageCodec.encodeWhole(new ResolutionResponse(request, request.handle, encodedValues));
    }

    /** Registry values to wire values to encoded values to a response to UDP packets. */
    @Benchmark
    public List<byte[]> encodeValuesAndUdpPackets() throws HandleException {
        return HandleMessageCodec.encodeUdpPackets(new ResolutionResponse(request, request.handle, encode(publicValues)));
    }

    /** Request datagram (direct buffer) to the fast path's request. */
    @Benchmark
    public ResolutionQuery decodeQuery() {
        return ResolutionQuery.decode(requestBuffer);
    }

    /** Value block to the answer's UDP packets in one pooled buffer, taken as slices and released here, as after sending. */
    @Benchmark
    public void writeAnswerPackets(Blackhole bh) {
        ByteBuf packets = HandleMessageCodec.writeResolutionAnswerPackets(ByteBufAllocator.DEFAULT, query, AbstractMessage.RC_SUCCESS,
                valueBlock, 1, HandleMessageCodec.defaultExpiration());
        int count = HandleMessageCodec.udpPacketCount(packets);
        for (int i = 0; i < count; i++) {
            ByteBuf p = HandleMessageCodec.udpPacket(packets, i);
            bh.consume(p.readableBytes());
            p.release();
        }
        packets.release();
    }
}
