package org.idnode.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;

/**
 * The access log's asynchronous appender in a logback context of its own: lines reach the attached appender in
 * order and a stop writes out what is still queued; a full queue drops lines (counted) instead of making the caller
 * wait.
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
}
