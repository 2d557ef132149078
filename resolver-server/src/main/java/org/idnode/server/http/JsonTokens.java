package org.idnode.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Base64;

import com.google.gson.Gson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import net.handle.hdllib.GsonUtility;

/**
 * Writes JSON strings, numbers and times as UTF-8 straight into a {@link ByteBuf}, exactly as CNRI's Gson
 * ({@link GsonUtility#getGson()}) writes them: the escape of each ASCII character is taken from that Gson when the
 * class loads, and of other characters Gson escapes only the line and paragraph separators (U+2028, U+2029).
 *
 * <p>Stateless and thread-safe.
 */
final class JsonTokens {
    /** For each ASCII character, its form inside a JSON string as Gson writes it; null where it is written as is. */
    private static final byte[][] ASCII_ESCAPES = new byte[128][];
    private static final byte[] LINE_SEPARATOR = escapeOf('\u2028');
    private static final byte[] PARAGRAPH_SEPARATOR = escapeOf('\u2029');
    private static final int SECONDS_PER_DAY = 86_400;

    static {
        for (char c = 0; c < 128; c++) {
            ASCII_ESCAPES[c] = escapeOf(c);
        }
    }

    private JsonTokens() {
    }

    /**
     * Writes the string whose UTF-8 is {@code length} bytes at {@code offset}, read in place; malformed UTF-8 is
     * decoded as CNRI's {@code Util.decodeString} decodes it (Java's decoder: each bad sequence becomes U+FFFD).
     */
    static void string(ByteBuf out, byte[] utf8, int offset, int length) {
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (utf8[i] < 0) {
                string(out, new String(utf8, offset, length, StandardCharsets.UTF_8));
                return;
            }
        }
        out.writeByte('"');
        int run = offset;
        for (int i = offset; i < end; i++) {
            byte[] escape = ASCII_ESCAPES[utf8[i]];
            if (escape != null) {
                out.writeBytes(utf8, run, i - run).writeBytes(escape);
                run = i + 1;
            }
        }
        out.writeBytes(utf8, run, end - run).writeByte('"');
    }

    /** Writes {@code text} as a JSON string. */
    static void string(ByteBuf out, String text) {
        out.writeByte('"');
        int run = 0;
        for (int i = 0; i < text.length(); i++) {
            byte[] escape = escape(text.charAt(i));
            if (escape != null) {
                ByteBufUtil.writeUtf8(out, text, run, i);
                out.writeBytes(escape);
                run = i + 1;
            }
        }
        ByteBufUtil.writeUtf8(out, text, run, text.length());
        out.writeByte('"');
    }

    /** Writes the standard Base64 (RFC 4648, padded, no line breaks) of {@code length} bytes at {@code offset} as a JSON string. */
    static void base64String(ByteBuf out, byte[] data, int offset, int length) {
        ByteBuffer base64 = Base64.getEncoder().encode(ByteBuffer.wrap(data, offset, length));
        string(out, base64.array(), base64.arrayOffset() + base64.position(), base64.remaining());
    }

    /** Writes {@code value} in decimal. */
    static void number(ByteBuf out, int value) {
        long rest = value;
        if (rest < 0) {
            out.writeByte('-');
            rest = -rest;
        }
        int digits = 1;
        for (long power = 10; power <= rest; power *= 10) {
            digits++;
        }
        out.ensureWritable(digits);
        int end = out.writerIndex() + digits;
        for (int i = end - 1; i >= out.writerIndex(); i--) {
            out.setByte(i, '0' + (int) (rest % 10));
            rest /= 10;
        }
        out.writerIndex(end);
    }

    /**
     * Writes the UTC time {@code seconds} after the epoch as a JSON string in the form CNRI's
     * {@code FastDateFormat.formatUtc} gives with {@code ISO8601_NO_MS}, {@code "yyyy-MM-ddTHH:mm:ssZ"} (an int's
     * seconds stay within the years 1901 to 2038).
     */
    static void utcTimeString(ByteBuf out, int seconds) {
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, SECONDS_PER_DAY));
        int time = Math.floorMod(seconds, SECONDS_PER_DAY);
        out.writeByte('"');
        digits(out, date.getYear(), 4);
        out.writeByte('-');
        digits(out, date.getMonthValue(), 2);
        out.writeByte('-');
        digits(out, date.getDayOfMonth(), 2);
        out.writeByte('T');
        digits(out, time / 3600, 2);
        out.writeByte(':');
        digits(out, time / 60 % 60, 2);
        out.writeByte(':');
        digits(out, time % 60, 2);
        out.writeByte('Z').writeByte('"');
    }

    /** Writes the last {@code count} decimal digits of {@code value} (not negative). */
    private static void digits(ByteBuf out, int value, int count) {
        for (int divisor = count == 4 ? 1000 : 10; divisor > 0; divisor /= 10) {
            out.writeByte('0' + value / divisor % 10);
        }
    }

    private static byte[] escape(char c) {
        if (c < 128) {
            return ASCII_ESCAPES[c];
        }
        return c == '\u2028' ? LINE_SEPARATOR : c == '\u2029' ? PARAGRAPH_SEPARATOR : null;
    }

    /** What Gson writes for {@code c} inside a string, or null when it writes the character itself. */
    private static byte[] escapeOf(char c) {
        Gson gson = GsonUtility.getGson();
        String quoted = gson.toJson(String.valueOf(c));
        String inner = quoted.substring(1, quoted.length() - 1);
        return inner.equals(String.valueOf(c)) ? null : inner.getBytes(StandardCharsets.UTF_8);
    }
}
