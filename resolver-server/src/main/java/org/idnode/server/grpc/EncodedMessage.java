package org.idnode.server.grpc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

import com.google.protobuf.MessageLite;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;

/**
 * A response message already in its protobuf encoding, sent as it is: what a method answers when it can write its
 * answer's bytes more cheaply than by building the message ({@link ResolveResponseEncoder}). Clients see an
 * ordinary message of the method's declared type.
 *
 * <p>Immutable; the bytes must not be modified once wrapped.
 */
final class EncodedMessage {
    /** Writes the bytes as they are; reads a message's bytes whole (the server never reads its own responses). */
    static final MethodDescriptor.Marshaller<EncodedMessage> MARSHALLER = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(EncodedMessage value) {
            return new Stream(value.bytes);
        }

        @Override
        public EncodedMessage parse(InputStream stream) {
            try {
                return new EncodedMessage(stream.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read a message", e);
            }
        }
    };

    private final byte[] bytes;

    EncodedMessage(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A message's encoding. */
    static EncodedMessage of(MessageLite message) {
        return new EncodedMessage(message.toByteArray());
    }

    /** The bytes as a stream whose length gRPC knows and which it drains into its frame buffer in one copy. */
    private static final class Stream extends ByteArrayInputStream implements KnownLength, Drainable {
        Stream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int n = count - pos;
            target.write(buf, pos, n);
            pos = count;
            return n;
        }
    }
}
