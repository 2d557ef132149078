package org.idnode.registry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.model.ValueReference;
import org.junit.jupiter.api.Test;

class RecordCodecTest {
    private static final String ALPHABET = "abcXYZ019-_.:é中文批次\uD83D\uDE00ß";

    // ---------------------------------------------------------------- generators

    private static String randomText(Random rnd, int maxChars) {
        int n = rnd.nextInt(maxChars + 1);
        StringBuilder sb = new StringBuilder();
        int[] cps = ALPHABET.codePoints().toArray();
        for (int i = 0; i < n; i++) {
            sb.appendCodePoint(cps[rnd.nextInt(cps.length)]);
        }
        return sb.toString();
    }

    private static int interestingInt(Random rnd) {
        return switch (rnd.nextInt(8)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Integer.MAX_VALUE;
            case 3 -> Integer.MIN_VALUE;
            case 4 -> 127;
            case 5 -> 128;
            case 6 -> rnd.nextInt(100_000);
            default -> rnd.nextInt();
        };
    }

    private static HandleName randomHandle(Random rnd, int n) {
        String prefix = "88.999." + (1 + rnd.nextInt(50));
        String suffix = "h" + n + "-" + randomText(rnd, 30);
        return HandleName.parse(prefix + "/" + suffix);
    }

    private static HandleRecord randomRecord(Random rnd, int n) {
        int count = rnd.nextInt(8);
        Set<Integer> indexes = new LinkedHashSet<>();
        while (indexes.size() < count) {
            indexes.add(rnd.nextBoolean() ? 1 + rnd.nextInt(300) : 1 + rnd.nextInt(Integer.MAX_VALUE));
        }
        List<HandleValue> values = new ArrayList<>();
        for (int index : indexes) {
            byte[] data = new byte[rnd.nextInt(4) == 0 ? rnd.nextInt(5000) : rnd.nextInt(64)];
            rnd.nextBytes(data);
            if (data.length > 0 && rnd.nextBoolean()) {
                data[rnd.nextInt(data.length)] = 0;
            }
            List<ValueReference> refs = new ArrayList<>();
            int nRefs = rnd.nextInt(3);
            for (int r = 0; r < nRefs; r++) {
                refs.add(new ValueReference(randomText(rnd, 20), interestingInt(rnd)));
            }
            values.add(new HandleValue(index, randomText(rnd, 40), data,
                    rnd.nextBoolean() ? HandleValue.TtlType.ABSOLUTE : HandleValue.TtlType.RELATIVE,
                    interestingInt(rnd), interestingInt(rnd), refs, Permissions.fromBits(rnd.nextInt(16))));
        }
        return new HandleRecord(randomHandle(rnd, n), values);
    }

    private static HandleRecord sample() {
        return new HandleRecord(HandleName.parse("88.999.1/Sample-批次"), List.of(
                new HandleValue(1, "URL", "https://example.com".getBytes(StandardCharsets.UTF_8), HandleValue.TtlType.ABSOLUTE,
                        -1, Integer.MAX_VALUE, List.of(new ValueReference("0.NA/88.999", 300)), Permissions.RESTRICTED),
                new HandleValue(200, "类型", new byte[] {0, 0, 1}, HandleValue.TtlType.RELATIVE, 86400, 0, List.of(),
                        Permissions.PUBLIC_READ)));
    }

    // ---------------------------------------------------------------- round trips

    @Test
    void randomRecordsRoundTrip() {
        Random rnd = new Random(20240611L);
        for (int n = 0; n < 200; n++) {
            HandleRecord r = randomRecord(rnd, n);
            byte[] encoded = RecordCodec.encode(r);
            HandleRecord decoded = RecordCodec.decode(encoded);

            assertThat(decoded).as("record %d: %s", n, r).isEqualTo(r);
            assertThat(decoded.handle().toString()).isEqualTo(r.handle().toString());
            for (int i = 0; i < r.values().size(); i++) {
                HandleValue a = decoded.values().get(i);
                HandleValue e = r.values().get(i);
                assertThat(a.index()).isEqualTo(e.index());
                assertThat(a.type()).isEqualTo(e.type());
                assertThat(a.data()).isEqualTo(e.data());
                assertThat(a.ttlType()).isEqualTo(e.ttlType());
                assertThat(a.ttl()).isEqualTo(e.ttl());
                assertThat(a.timestamp()).isEqualTo(e.timestamp());
                assertThat(a.references()).isEqualTo(e.references());
                assertThat(a.permissions()).isEqualTo(e.permissions());
            }
            // encoding is deterministic
            assertThat(RecordCodec.encode(decoded)).isEqualTo(encoded);
        }
    }

    /** A lone surrogate is written as String.getBytes writes it ('?'), and the size computed ahead counts it so. */
    @Test
    void unpairedSurrogateInATypeIsWrittenAsAQuestionMarkAndSizedSo() {
        HandleRecord r = new HandleRecord(HandleName.parse("88.999.1/lone"), List.of(new HandleValue(1, "T\uD800x\uDC00",
                new byte[] {1}, HandleValue.TtlType.RELATIVE, 0, 0, List.of(), Permissions.PUBLIC_READ)));
        byte[] encoded = RecordCodec.encode(r);
        assertThat(RecordCodec.encodedSize(r)).isEqualTo(encoded.length);
        assertThat(RecordCodec.decode(encoded).values().get(0).type()).isEqualTo("T?x?");
    }

    @Test
    void encodingStartsWithFormatByteAndHandleAsWritten() {
        byte[] encoded = RecordCodec.encode(new HandleRecord(HandleName.parse("88.999/aB"), List.of()));
        // format 1, varint length 9, "88.999/aB", varint 0 values
        byte[] expected = new byte[12];
        expected[0] = RecordCodec.FORMAT_V1;
        expected[1] = 9;
        System.arraycopy("88.999/aB".getBytes(StandardCharsets.US_ASCII), 0, expected, 2, 9);
        expected[11] = 0;
        assertThat(encoded).isEqualTo(expected);
    }

    @Test
    void negativeIntegersTakeFiveVarintBytes() {
        HandleRecord small = new HandleRecord(HandleName.parse("88.999/x"),
                List.of(new HandleValue(1, "T", new byte[0], HandleValue.TtlType.RELATIVE, 1, 1, List.of(), Permissions.PUBLIC_READ)));
        HandleRecord negative = new HandleRecord(HandleName.parse("88.999/x"),
                List.of(new HandleValue(1, "T", new byte[0], HandleValue.TtlType.RELATIVE, -1, -1, List.of(), Permissions.PUBLIC_READ)));
        assertThat(RecordCodec.encode(negative).length - RecordCodec.encode(small).length).isEqualTo(8);
        assertThat(RecordCodec.decode(RecordCodec.encode(negative))).isEqualTo(negative);
    }

    // ---------------------------------------------------------------- corrupt input

    @Test
    void everyTruncationThrowsStoreException() {
        Random rnd = new Random(7L);
        List<HandleRecord> records = new ArrayList<>(List.of(sample()));
        while (records.size() < 30) {
            HandleRecord r = randomRecord(rnd, records.size());
            if (!r.values().isEmpty() && RecordCodec.encode(r).length < 2000) { // keep the quadratic loop cheap
                records.add(r);
            }
        }
        for (HandleRecord r : records) {
            byte[] full = RecordCodec.encode(r);
            for (int len = 0; len < full.length; len++) {
                byte[] cut = Arrays.copyOf(full, len);
                int l = len;
                assertThatThrownBy(() -> RecordCodec.decode(cut))
                        .as("%s cut to %d of %d bytes", r.handle(), l, full.length)
                        .isInstanceOf(StoreException.class);
            }
        }
    }

    @Test
    void trailingBytesThrowStoreException() {
        byte[] full = RecordCodec.encode(sample());
        byte[] longer = Arrays.copyOf(full, full.length + 3);
        assertThatThrownBy(() -> RecordCodec.decode(longer))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("3 trailing bytes");
    }

    @Test
    void unknownFormatThrowsStoreException() {
        byte[] full = RecordCodec.encode(sample());
        for (int format : new int[] {0, 2, 0x7F, 0xFF}) {
            full[0] = (byte) format;
            assertThatThrownBy(() -> RecordCodec.decode(full))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("unknown format " + format);
        }
    }

    @Test
    void overlongVarintThrowsStoreException() {
        byte[] garbage = {RecordCodec.FORMAT_V1, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01};
        assertThatThrownBy(() -> RecordCodec.decode(garbage))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("malformed varint");
    }

    @Test
    void lengthBeyondTheBufferThrowsStoreException() {
        // handle length 0x7FFFFFFF (varint FF FF FF FF 07) with only 2 bytes following
        byte[] huge = {RecordCodec.FORMAT_V1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 'a', 'b'};
        assertThatThrownBy(() -> RecordCodec.decode(huge)).isInstanceOf(StoreException.class).hasMessageContaining("truncated");
        // handle length -1 (varint FF FF FF FF 0F)
        byte[] negative = {RecordCodec.FORMAT_V1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F, 'a', 'b'};
        assertThatThrownBy(() -> RecordCodec.decode(negative)).isInstanceOf(StoreException.class).hasMessageContaining("truncated");
    }

    private static byte[] header(String handleBytesHex, int... rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(RecordCodec.FORMAT_V1);
        byte[] h = java.util.HexFormat.of().parseHex(handleBytesHex);
        out.write(h.length);
        out.write(h, 0, h.length);
        for (int b : rest) {
            out.write(b);
        }
        return out.toByteArray();
    }

    private static final String VALID_HANDLE_HEX = "38382e3939392f78"; // "88.999/x"

    /*
     * The tests below describe the documented contract (StoreException: "a stored record is corrupt") for
     * corruptions that today escape as other exceptions. See the report: RecordCodec.decode lets
     * InvalidHandleException / IllegalArgumentException / OutOfMemoryError through.
     */

    @Test
    void corruptHandleBytesThrowStoreException() {
        byte[] badUtf8 = header("38382e3939392fc328", 0);        // "88.999/" C3 28
        byte[] noSlash = header("3838", 0);                      // "88"
        assertThatThrownBy(() -> RecordCodec.decode(badUtf8)).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> RecordCodec.decode(noSlash)).isInstanceOf(StoreException.class);
    }

    @Test
    void corruptCountsThrowStoreException() {
        // value count 0x7FFFFFFF: new ArrayList<>(n) throws OutOfMemoryError before truncation is noticed
        byte[] hugeCount = header(VALID_HANDLE_HEX, 0xFF, 0xFF, 0xFF, 0xFF, 0x07);
        // value count -1: new ArrayList<>(-1) throws IllegalArgumentException
        byte[] negativeCount = header(VALID_HANDLE_HEX, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F);
        assertThatThrownBy(() -> RecordCodec.decode(hugeCount)).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> RecordCodec.decode(negativeCount)).isInstanceOf(StoreException.class);
    }

    @Test
    void corruptValuesThrowStoreException() {
        // one value with index 0: flags 0x0E, ttl 0, timestamp 0, type "", data "", 0 refs
        byte[] indexZero = header(VALID_HANDLE_HEX, 1, 0, 0x0E, 0, 0, 0, 0, 0);
        // two values both with index 1
        byte[] duplicate = header(VALID_HANDLE_HEX, 2, 1, 0x0E, 0, 0, 0, 0, 0, 1, 0x0E, 0, 0, 0, 0, 0);
        assertThatThrownBy(() -> RecordCodec.decode(indexZero)).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> RecordCodec.decode(duplicate)).isInstanceOf(StoreException.class);
    }

    @Test
    void randomGarbageThrowsOnlyStoreException() {
        Random rnd = new Random(99L);
        for (int n = 0; n < 2000; n++) {
            byte[] garbage = new byte[1 + rnd.nextInt(40)];
            rnd.nextBytes(garbage);
            garbage[0] = RecordCodec.FORMAT_V1;
            try {
                RecordCodec.decode(garbage);
            } catch (StoreException expected) {
                // fine
            } catch (Throwable t) {
                throw new AssertionError("garbage " + java.util.HexFormat.of().formatHex(garbage) + " threw " + t, t);
            }
        }
    }

    @Test
    void flippedDataBytesDecodeToTheFlippedData() {
        // Data bytes are opaque: a flip inside them decodes to a valid record carrying the flipped byte.
        HandleRecord r = new HandleRecord(HandleName.parse("88.999/x"),
                List.of(new HandleValue(1, "T", new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, HandleValue.TtlType.RELATIVE, 5, 6,
                        List.of(), Permissions.PUBLIC_READ)));
        byte[] full = RecordCodec.encode(r);
        // the 8 data bytes are followed by the reference count (1 byte) at the end
        int dataStart = full.length - 1 - 8;
        for (int i = dataStart; i < full.length - 1; i++) {
            byte[] flipped = full.clone();
            flipped[i] ^= (byte) 0xFF;
            HandleRecord decoded = RecordCodec.decode(flipped);
            assertThat(decoded.handle()).isEqualTo(r.handle());
            assertThat(decoded.values().get(0).data()[i - dataStart]).isEqualTo((byte) ~(i - dataStart + 1));
        }
    }
}
