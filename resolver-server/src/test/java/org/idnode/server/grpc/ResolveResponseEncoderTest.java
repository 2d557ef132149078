package org.idnode.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.ByteString;
import org.idnode.api.v1.ResolveResponse;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.model.ValueReference;
import org.idnode.server.codec.HandleValueConverter;
import org.idnode.server.handler.ValueBlocks;
import org.junit.jupiter.api.Test;

/**
 * The encoder's bytes are exactly what protobuf writes for the message the general path builds from the same values
 * ({@link RecordMessages#record}), for every field's edge values.
 */
class ResolveResponseEncoderTest {
    private static final String HANDLE = "88.999.2/PCB.87.01.01.A2.250601.000123";

    /** The Handle wire value block of {@code values}, as the record cache keeps it. */
    private static byte[] block(List<HandleValue> values) {
        return ValueBlocks.of(values.stream().map(HandleValueConverter::toWire).toList());
    }

    private static void assertSameAsGeneralPath(String handle, List<HandleValue> values) throws Exception {
        byte[] expected = ResolveResponse.newBuilder().setRecord(RecordMessages.record(handle, values)).build().toByteArray();
        byte[] actual = ResolveResponseEncoder.encode(ByteString.copyFromUtf8(handle), block(values));
        assertThat(actual).as("encoding of %s", values).isEqualTo(expected);
        assertThat(ResolveResponse.parseFrom(actual).getRecord().getValuesCount()).isEqualTo(values.size());
    }

    private static HandleValue value(int index, String type, byte[] data, HandleValue.TtlType ttlType, int ttl, int timestamp,
                                     List<ValueReference> references, Permissions permissions) {
        return new HandleValue(index, type, data, ttlType, ttl, timestamp, references, permissions);
    }

    @Test
    void aTypicalRecordEncodesAsTheGeneralPathDoes() throws Exception {
        assertSameAsGeneralPath(HANDLE, List.of(
                value(1, "URL", "https://example.com/pcb/lot/A2-000123".getBytes(StandardCharsets.UTF_8), HandleValue.TtlType.RELATIVE,
                        86400, 1_750_000_000, List.of(), Permissions.PUBLIC_READ),
                value(1000, "TEMPLATE_ID", "88.999/TPL.PCB_LOT".getBytes(StandardCharsets.UTF_8), HandleValue.TtlType.RELATIVE,
                        86400, 1_750_000_000, List.of(), Permissions.PUBLIC_READ),
                value(2019, "REF.CCL_LOT", "88.999.1/CCL.28.01.01.FR4S1141.250601.000123".getBytes(StandardCharsets.UTF_8),
                        HandleValue.TtlType.RELATIVE, 86400, 1_750_000_000,
                        List.of(new ValueReference("88.999.1/CCL.28.01.01.FR4S1141.250601.000123", 1)), Permissions.PUBLIC_READ)));
    }

    @Test
    void edgeValuesOfEveryFieldEncodeAsTheGeneralPathDoes() throws Exception {
        List<HandleValue> values = new ArrayList<>();
        // Every permission combination (proto3 leaves false flags out).
        for (int bits = 0; bits < 16; bits++) {
            values.add(value(bits + 1, "FLAGS", new byte[] {(byte) bits}, HandleValue.TtlType.RELATIVE, 0, 0, List.of(), Permissions.fromBits(bits)));
        }
        // TTL negative (ten-byte varint), absolute, a timestamp past 2^31 (unsigned), empty data, index past 2^28.
        values.add(value(Integer.MAX_VALUE, "EMPTY", new byte[0], HandleValue.TtlType.ABSOLUTE, -1, 0xF0000000, List.of(), Permissions.PUBLIC_READ));
        values.add(value(300, "TTL.MAX", new byte[] {0}, HandleValue.TtlType.RELATIVE, Integer.MAX_VALUE, 1, List.of(), Permissions.RESTRICTED));
        // Non-ASCII text, and data long enough for two- and three-byte length prefixes.
        values.add(value(2001, "名称", "覆铜板 FR-4".getBytes(StandardCharsets.UTF_8), HandleValue.TtlType.RELATIVE, 60, 5, List.of(),
                Permissions.PUBLIC_READ));
        values.add(value(2002, "BLOB", new byte[200], HandleValue.TtlType.RELATIVE, 60, 5, List.of(), Permissions.PUBLIC_READ));
        values.add(value(2003, "BIG", new byte[20_000], HandleValue.TtlType.RELATIVE, 60, 5, List.of(), Permissions.PUBLIC_READ));
        // References with index 0 (left out), a large index and a non-ASCII handle.
        values.add(value(2004, "REF.PARTS", new byte[] {1}, HandleValue.TtlType.RELATIVE, 60, 5,
                List.of(new ValueReference("88.999.1/A", 0), new ValueReference("88.999.1/批次-7", 1 << 30)), Permissions.PUBLIC_READ));
        assertSameAsGeneralPath(HANDLE, values);
    }

    @Test
    void theHandleIsWrittenAsAskedForAndARecordWithoutValuesHasOnlyIt() throws Exception {
        HandleValue url = value(1, "URL", "x".getBytes(StandardCharsets.UTF_8), HandleValue.TtlType.RELATIVE, 86400, 7, List.of(),
                Permissions.PUBLIC_READ);
        assertSameAsGeneralPath("88.999.2/pcb.87.01.01.a2.250601.000123", List.of(url));
        assertSameAsGeneralPath("88.999.2/批次", List.of(url));
        assertSameAsGeneralPath(HANDLE, List.of());
    }
}
