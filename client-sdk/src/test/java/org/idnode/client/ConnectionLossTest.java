package org.idnode.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

/**
 * grpc-java reports a connection that closed under a call as {@code UNKNOWN: channel closed} (grpc-java issue 10120);
 * the client treats it as the node being unavailable, so that it fails over ({@link Errors#connectionLossAsUnavailable}).
 * {@link FailoverTest} kills nodes under real calls, which hits this only when the kill falls mid-call.
 */
class ConnectionLossTest {
    /** What grpc-netty hands the call listener when the connection closes while the call's headers are written. */
    private static Throwable channelClosed() {
        return Status.UNKNOWN.withDescription("channel closed").withCause(new ClosedChannelException()).asRuntimeException();
    }

    @Test
    void aConnectionClosedUnderTheCallIsUnavailable() {
        Throwable original = channelClosed();
        Throwable seen = Errors.connectionLossAsUnavailable(original);
        assertThat(Status.fromThrowable(seen).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(seen.getCause()).isSameAs(original);
        assertThat(Errors.from(seen, null).code()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void soIsOneWrappedByACompletion() {
        Throwable seen = Errors.connectionLossAsUnavailable(new CompletionException(channelClosed()));
        assertThat(Status.fromThrowable(seen).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void otherFailuresAreLeftAsTheyAre() {
        Throwable unknown = Status.UNKNOWN.withDescription("handler threw").asRuntimeException();
        Throwable closedButInternal = Status.INTERNAL.withCause(new ClosedChannelException()).asRuntimeException();
        assertThat(Errors.connectionLossAsUnavailable(unknown)).isSameAs(unknown);
        assertThat(Errors.connectionLossAsUnavailable(closedButInternal)).isSameAs(closedButInternal);
        assertThat(Errors.connectionLossAsUnavailable(null)).isNull();
    }
}
