package org.idnode.server.logging;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.AppenderAttachableImpl;

/**
 * An asynchronous logback appender for the access log: the calling thread (a network event loop) only puts the event
 * in a bounded queue, and one worker thread writes what has queued up to the attached appenders, waking every
 * {@code pollMillis} (default 5). Unlike logback's {@code AsyncAppender}, whose worker sleeps on the queue so that every
 * event wakes it with a system call paid by the caller, nothing here signals the worker, which keeps logging a line
 * cheap enough for the event loop. When the queue ({@code queueSize}, default 8192) is full the event is dropped,
 * never waited for; {@link #dropped()} counts them. An attached file or stream appender configured with
 * {@code immediateFlush} false is flushed by the worker each time it has emptied the queue, so that its lines reach
 * the file in one system call per full buffer or per emptied queue instead of one per line: on a quiet node within a
 * poll of being logged. On {@link #stop()} the worker writes what is queued (for up to {@code maxFlushMillis}, default 2000)
 * and stops the attached appenders.
 *
 * <p>Configured in {@code conf/logback.xml}; thread-safe as logback appenders are.
 */
public final class PollingAsyncAppender extends UnsynchronizedAppenderBase<ILoggingEvent> implements AppenderAttachable<ILoggingEvent> {
    private static final LongAdder DROPPED = new LongAdder();
    private static final int BATCH = 1024;

    private final AppenderAttachableImpl<ILoggingEvent> appenders = new AppenderAttachableImpl<>();
    private int queueSize = 8192;
    private int pollMillis = 5;
    private int maxFlushMillis = 2000;
    private ArrayBlockingQueue<ILoggingEvent> queue;
    private Thread worker;
    private volatile boolean stopping;

    /** Events dropped because a queue was full, since the process started (all instances). */
    public static long dropped() {
        return DROPPED.sum();
    }

    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    public void setPollMillis(int pollMillis) {
        this.pollMillis = pollMillis;
    }

    public void setMaxFlushMillis(int maxFlushMillis) {
        this.maxFlushMillis = maxFlushMillis;
    }

    @Override
    public void start() {
        if (isStarted()) {
            return;
        }
        if (queueSize < 1 || pollMillis < 1) {
            addError("queueSize and pollMillis must be at least 1");
            return;
        }
        queue = new ArrayBlockingQueue<>(queueSize);
        stopping = false;
        worker = new Thread(this::drain, "idnode-log-" + getName());
        worker.setDaemon(true);
        worker.start();
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing();
        if (!queue.offer(event)) {
            DROPPED.increment();
        }
    }

    private void drain() {
        List<ILoggingEvent> batch = new ArrayList<>(BATCH);
        boolean unflushed = false;
        while (true) {
            boolean last = stopping;
            if (queue.drainTo(batch, BATCH) > 0) {
                for (ILoggingEvent e : batch) {
                    appenders.appendLoopOnAppenders(e);
                }
                batch.clear();
                unflushed = true;
                continue;
            }
            if (unflushed) {
                flushBufferedAppenders();
                unflushed = false;
            }
            if (last) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pollMillis));
        }
    }

    /** Runs on the worker, the only thread that writes to the attached appenders. */
    private void flushBufferedAppenders() {
        for (Iterator<Appender<ILoggingEvent>> it = appenders.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out && out.isStarted() && !out.isImmediateFlush()) {
                OutputStream stream = out.getOutputStream();
                try {
                    if (stream != null) {
                        stream.flush();
                    }
                } catch (IOException e) {
                    addError("Could not flush " + out.getName(), e);
                }
            }
        }
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        stopping = true;
        LockSupport.unpark(worker);
        try {
            worker.join(maxFlushMillis);
            if (worker.isAlive()) {
                addWarn(queue.size() + " events still queued after " + maxFlushMillis + " ms; they are lost");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        appenders.detachAndStopAllAppenders();
    }

    @Override
    public void addAppender(Appender<ILoggingEvent> appender) {
        appenders.addAppender(appender);
    }

    @Override
    public Iterator<Appender<ILoggingEvent>> iteratorForAppenders() {
        return appenders.iteratorForAppenders();
    }

    @Override
    public Appender<ILoggingEvent> getAppender(String name) {
        return appenders.getAppender(name);
    }

    @Override
    public boolean isAttached(Appender<ILoggingEvent> appender) {
        return appenders.isAttached(appender);
    }

    @Override
    public void detachAndStopAllAppenders() {
        appenders.detachAndStopAllAppenders();
    }

    @Override
    public boolean detachAppender(Appender<ILoggingEvent> appender) {
        return appenders.detachAppender(appender);
    }

    @Override
    public boolean detachAppender(String name) {
        return appenders.detachAppender(name);
    }
}
