package org.idnode.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.ValueReference;
import org.idnode.server.handler.ValueBlocks;
import org.junit.jupiter.api.Test;

/**
 * The REST JSON written straight from a value block ({@link RestJson#directTail}) is byte for byte what CNRI's Gson
 * serialiser writes for the same values ({@link RestJson#gsonTail}), over many seeded random records full of strings
 * that need escaping, binary data, odd TTLs, timestamps, references and permission bits; and the types CNRI writes
 * as structures are left to the Gson path.
 */
class RestJsonDirectTest {
    /** Characters that JSON or Gson's HTML-safe escaping treat specially, and multi-byte ones. */
    private static final String[] PIECES = {"\"", "\\", "<", ">", "&", "=", "'", "/", "\u0000", "\u0001", "\t", "\n", "\r",
            "\u0013", "\u001f", "\u007f", "\u0080", "é", "中文", "\u2028", "\u2029", "😀", "\uFEFF", "\uFFFD", "a", "Z", "0", " ",
            "88.999/x", "https://example.com/?a=1&b=<2>"};
    private static final String[] TYPES = {"URL", "EMAIL", "DESC", "HS_SECKEY", "HS_CERT", "HS_SIGNATURE", "HS_SERV", "HS_ALIAS",
            "HS_ADMINX", "HS_SITEX", "REF.CCL_LOT", "名称", ""};
    private static final String[] STRUCTURED = {"HS_ADMIN", "hs_admin", "HS_ADMIN.sub", "HS_VLIST", "Hs_VList.x", "HS_SITE",
            "HS_SITE.PREFIX", "HS_SITE.6", "HS_PUBKEY", "hs_pubkey.2"};

    @Test
    void randomRecordsMatchCnriGsonOutputByteForByte() {
        Random random = new Random(20261121L);
        for (int record = 0; record < 3000; record++) {
            HandleValue[] values = new HandleValue[1 + random.nextInt(6)];
            for (int i = 0; i < values.length; i++) {
                values[i] = randomValue(random, randomType(random));
            }
            assertSame(values);
        }
    }

    @Test
    void edgeValuesMatchCnriGsonOutput() {
        HandleValue empty = value("URL", new byte[0]);
        HandleValue negativeTtl = value("DESC", bytes("ttl"));
        negativeTtl.setTTL(-1);
        HandleValue absoluteTtl = value("DESC", bytes("absolute"));
        absoluteTtl.setTTLType(HandleValue.TTL_TYPE_ABSOLUTE);
        absoluteTtl.setTTL(Integer.MIN_VALUE);
        absoluteTtl.setTimestamp(-1);
        HandleValue restricted = value("EMAIL", bytes("ops@example.com"));
        restricted.setAnyoneCanRead(false);
        restricted.setAdminCanWrite(false);
        HandleValue referenced = value("REF", bytes("88.999.1/A"));
        referenced.setReferences(new ValueReference[] {new ValueReference(bytes("88.999.1/A<\"&'>"), 1),
                new ValueReference(new byte[0], -7)});
        HandleValue invalidUtf8 = value("BLOB", new byte[] {(byte) 0xc3, (byte) 0x28, 'a'});
        HandleValue controls = value("DESC", new byte[] {9, 10, 13, 19, 'x'});
        HandleValue escape = value("DESC", new byte[] {27});
        HandleValue delete = value("DESC", new byte[] {0x7f});
        HandleValue invalidType = value("URL", bytes("x"));
        invalidType.setType(new byte[] {(byte) 0xff, 'T'});
        for (HandleValue v : new HandleValue[] {empty, negativeTtl, absoluteTtl, restricted, referenced, invalidUtf8, controls, escape,
                delete, invalidType}) {
            assertSame(v);
        }
        assertSame(empty, negativeTtl, absoluteTtl, restricted, referenced, invalidUtf8, controls, escape, delete, invalidType);
    }

    @Test
    void structuredTypesAreLeftToTheGsonPath() {
        Random random = new Random(7);
        for (String type : STRUCTURED) {
            byte[] block = block(value("URL", bytes("https://example.com/")), randomValue(random, type));
            assertThat(RestJson.directTail(block)).as("type %s", type).isNull();
            assertThat(RestJson.gsonTail(encoded(value("URL", bytes("x")), randomValue(random, type)))).isNotNull();
        }
    }

    private static void assertSame(HandleValue... values) {
        String expected = RestJson.gsonTail(encoded(values));
        assertThat(expected).isNotNull().startsWith(",\"values\":[");
        assertThat(RestJson.directTail(block(values))).as("JSON of %s", (Object) values).isEqualTo(expected);
    }

    private static String randomType(Random random) {
        switch (random.nextInt(4)) {
            case 0:
                return randomText(random);
            default:
                return TYPES[random.nextInt(TYPES.length)];
        }
    }

    private static HandleValue randomValue(Random random, String type) {
        byte[] data;
        switch (random.nextInt(4)) {
            case 0:
                data = new byte[random.nextInt(40)];
                random.nextBytes(data);
                break;
            case 1:
                data = new byte[0];
                break;
            default:
                data = bytes(randomText(random));
        }
        HandleValue v = value(type, data);
        v.setIndex(random.nextInt(8) == 0 ? random.nextInt() : random.nextInt(3000));
        v.setTTLType(random.nextBoolean() ? HandleValue.TTL_TYPE_RELATIVE : HandleValue.TTL_TYPE_ABSOLUTE);
        v.setTTL(random.nextInt(4) == 0 ? 86400 : random.nextInt());
        v.setTimestamp(random.nextInt(4) == 0 ? 0 : random.nextInt());
        int bits = random.nextInt(3) == 0 ? random.nextInt(16) : 0x0e;
        v.setAdminCanRead((bits & 8) != 0);
        v.setAdminCanWrite((bits & 4) != 0);
        v.setAnyoneCanRead((bits & 2) != 0);
        v.setAnyoneCanWrite((bits & 1) != 0);
        ValueReference[] references = new ValueReference[random.nextInt(3) == 0 ? 1 + random.nextInt(3) : 0];
        for (int i = 0; i < references.length; i++) {
            references[i] = new ValueReference(bytes("88.999.1/" + randomText(random)), random.nextInt());
        }
        v.setReferences(references);
        return v;
    }

    private static String randomText(Random random) {
        StringBuilder out = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            out.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return out.toString();
    }

    private static HandleValue value(String type, byte[] data) {
        HandleValue v = new HandleValue(1, bytes(type), data);
        v.setTimestamp(1_750_000_000);
        return v;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[][] encoded(HandleValue... values) {
        byte[][] out = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            out[i] = Encoder.encodeHandleValue(values[i]);
        }
        return out;
    }

    /** The value block of {@code values}, as the record cache keeps it. */
    private static byte[] block(HandleValue... values) {
        return ValueBlocks.of(List.of(values));
    }
}
