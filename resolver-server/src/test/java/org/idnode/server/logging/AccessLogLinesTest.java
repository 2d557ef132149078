package org.idnode.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.idnode.server.config.NodeConfig;
import org.idnode.server.metrics.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Access log lines as formatted on the calling thread (read back from the {@code idnode.access} logger), and the
 * encoder that writes them: handles written from their UTF-8 bytes as from their text, the client address of each
 * line its own when clients alternate, and {@link MessageLineEncoder} writing the bytes of {@code %msg%n}.
 */
class AccessLogLinesTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void attach() {
        lines.setContext(logger.getLoggerContext());
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(lines);
    }

    private String last() {
        return lines.list.get(lines.list.size() - 1).getFormattedMessage();
    }

    /** The last field of the last CNRI line (the handle or path), after the elapsed milliseconds. */
    private String lastTarget() {
        String line = last();
        return line.substring(line.indexOf("ms ") + 3);
    }

    @Test
    void aHandlesBytesArePercentEncodedAsItsTextIs() throws Exception {
        AccessLog log = AccessLog.of(NodeConfig.AccessLogFormat.CNRI);
        InetSocketAddress client = new InetSocketAddress(InetAddress.getByName("127.0.0.9"), 4000);
        for (String handle : List.of("88.999.1/LOT-1", "88.999.1/a b\"c%d\te\u007f", "88.999.1/板-é 1", "88.999.1/\uD83D\uDE00")) {
            log.handle(Protocol.UDP, client, 2, 11, 1, 1, 0, handle.getBytes(StandardCharsets.UTF_8));
            String fromBytes = lastTarget();
            log.rest(client, org.idnode.server.metrics.Operation.RESOLVE, "GET", "/api/handles/x", handle, 200, 0);
            assertThat(fromBytes).as(handle).isEqualTo(lastTarget());
            assertThat(fromBytes).doesNotContain(" ", "\"", "\t").contains(handle.contains("%") ? "%25" : "");
        }
        log.handle(Protocol.UDP, client, 2, 11, 1, 1, 0, null);
        assertThat(lastTarget()).isEqualTo("-");
        assertThat(last()).startsWith("127.0.0.9 UDP:HDL(2.11) \"");
    }

    @Test
    void eachLineNamesItsOwnClientWhenClientsAlternate() throws Exception {
        AccessLog log = AccessLog.of(NodeConfig.AccessLogFormat.CNRI);
        InetAddress[] clients = {InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.3"), InetAddress.getByName("::1"), null};
        for (int i = 0; i < 12; i++) {
            InetAddress a = clients[i % clients.length];
            log.handle(Protocol.TCP, a == null ? null : new InetSocketAddress(a, 1000 + i), 2, 11, 1, 1, 0, "88.999.1/x".getBytes(StandardCharsets.UTF_8));
            assertThat(last()).startsWith((a == null ? "-" : a.getHostAddress()) + " TCP:HDL");
        }
        AccessLog json = AccessLog.of(NodeConfig.AccessLogFormat.JSON);
        json.handle(Protocol.UDP, new InetSocketAddress(clients[1], 1), 2, 11, 1, 1, 0, null);
        assertThat(last()).contains("\"client\":\"127.0.0.3\"");
    }

    @Test
    void messageLineEncoderWritesWhatMsgNewlineWrites() {
        LoggerContext context = logger.getLoggerContext();
        PatternLayoutEncoder pattern = new PatternLayoutEncoder();
        pattern.setContext(context);
        pattern.setPattern("%msg%n");
        pattern.start();
        MessageLineEncoder encoder = new MessageLineEncoder();
        encoder.setContext(context);
        encoder.start();
        for (String message : List.of("", "127.0.0.1 UDP:HDL(2.11) \"2026-11-22 10:00:00.123Z\" 1 1 0ms 88.999.1/LOT-1",
                "{\"handle\":\"88.999.1/板-é\"}", "\uD83D\uDE00 tail", "ascii then é")) {
            LoggingEvent event = new LoggingEvent("test", logger, ch.qos.logback.classic.Level.INFO, message, null, null);
            assertThat(encoder.encode(event)).as(message).isEqualTo(pattern.encode(event));
        }
        assertThat(encoder.headerBytes()).isNull();
        assertThat(encoder.footerBytes()).isNull();
    }
}
