package org.idnode.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

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
 *       ({@link HandleValueConverter#toWire}, {@link Encoder#encodeHandleValue}), which is what the node
 *       does for every answer today.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class HandleCodecBenchmark {
    private byte[] requestDatagram;
    private ResolutionRequest request;
    private List<HandleValue> publicValues;
    private byte[][] encodedValues;

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
}
