package org.idnode.server.logging;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.EncoderBase;

/**
 * A logback encoder that writes each event's message and a line separator in UTF-8, nothing else: the bytes that
 * {@code PatternLayoutEncoder} with the pattern {@code %msg%n} writes, made with one array per line instead of a
 * layout's builder, its string and that string's bytes. The access log's lines are whole when logged, so the shipped
 * {@code conf/logback.xml} writes them with it.
 *
 * <p>Stateless; thread-safe.
 */
public final class MessageLineEncoder extends EncoderBase<ILoggingEvent> {
    private static final byte[] SEPARATOR = CoreConstants.LINE_SEPARATOR.getBytes(StandardCharsets.UTF_8);

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        int length = message.length();
        byte[] line = new byte[length + SEPARATOR.length];
        for (int i = 0; i < length; i++) {
            char c = message.charAt(i);
            if (c >= 0x80) {
                byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);
                line = Arrays.copyOf(utf8, utf8.length + SEPARATOR.length);
                length = utf8.length;
                break;
            }
            line[i] = (byte) c;
        }
        System.arraycopy(SEPARATOR, 0, line, length, SEPARATOR.length);
        return line;
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }
}
