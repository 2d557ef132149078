package org.idnode.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.util.FileSize;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log's asynchronous appender in a logback context of its own: lines reach the attached appender in
 * order and a stop writes out what is still queued; a full queue drops lines (counted) instead of making the caller
 * wait; a buffered file appender's lines reach the file while the node runs.
 */
class PollingAsyncAppenderTest {

    /** A logback context of the test's own, as logback's start-up makes one. */
    static LoggerContext context() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.start();
        return context;
    }

    static PollingAsyncAppender appender(LoggerContext context, int queueSize, ch.qos.logback.core.Appender<ILoggingEvent> target) {
        PollingAsyncAppender async = new PollingAsyncAppender();
        async.setContext(context);
        async.setName("ACCESS");
        async.setQueueSize(queueSize);
        async.addAppender(target);
        async.start();
        Logger logger = context.getLogger("idnode.access");
        logger.setAdditive(false);
        logger.setLevel(Level.INFO);
        logger.addAppender(async);
        return async;
    }

    @Test
    void linesArriveInOrderAndAStopWritesOutWhatIsQueued() {
        LoggerContext context = context();
        ListAppender<ILoggingEvent> list = new ListAppender<>();
        list.setContext(context);
        list.start();
        PollingAsyncAppender async = appender(context, 10_000, list);
        Logger logger = context.getLogger("idnode.access");
        for (int i = 0; i < 5000; i++) {
            logger.info("line " + i);
        }
        async.stop();
        assertThat(list.list).hasSize(5000);
        for (int i = 0; i < 5000; i++) {
            assertThat(list.list.get(i).getFormattedMessage()).isEqualTo("line " + i);
        }
        assertThat(list.isStarted()).as("attached appenders are stopped with it").isFalse();
    }

    @Test
    void aFullQueueDropsLinesAndCountsThemWithoutBlockingTheCaller() throws Exception {
        LoggerContext context = context();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch writing = new CountDownLatch(1);
        AppenderBase<ILoggingEvent> stuckDisk = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                writing.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        stuckDisk.setContext(context);
        stuckDisk.start();
        PollingAsyncAppender async = appender(context, 4, stuckDisk);
        Logger logger = context.getLogger("idnode.access");
        logger.info("first");
        assertThat(writing.await(30, TimeUnit.SECONDS)).as("the writer thread took the first line").isTrue();
        long before = PollingAsyncAppender.dropped();
        for (int i = 0; i < 100; i++) {
            logger.info("line " + i);
        }
        assertThat(PollingAsyncAppender.dropped() - before).as("4 queued, the rest dropped").isEqualTo(96);
        release.countDown();
        async.stop();
    }

    @Test
    void aBufferedFileAppendersLinesReachTheFileOnceTheQueueIsEmptiedWithoutAStop(@TempDir Path dir) throws Exception {
        LoggerContext context = context();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setContext(context);
        file.setName("ACCESS_FILE");
        Path access = dir.resolve("access.log");
        file.setFile(access.toString());
        file.setEncoder(encoder);
        file.setImmediateFlush(false);
        file.setBufferSize(new FileSize(64 * 1024));
        file.start();
        PollingAsyncAppender async = appender(context, 10_000, file);
        Logger logger = context.getLogger("idnode.access");
        for (int i = 0; i < 100; i++) {
            logger.info("line " + i);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> lines = Files.readAllLines(access, StandardCharsets.UTF_8);
        while (lines.size() < 100 && System.nanoTime() < deadline) {
            Thread.sleep(10);
            lines = Files.readAllLines(access, StandardCharsets.UTF_8);
        }
        assertThat(lines).as("100 lines, far less than the 64 KB buffer, written while running").hasSize(100);
        assertThat(lines.get(99)).isEqualTo("line 99");
        logger.info("after");
        async.stop();
        assertThat(Files.readAllLines(access, StandardCharsets.UTF_8)).hasSize(101);
    }
}
