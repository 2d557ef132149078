package org.idnode.server.handler;

import java.util.Arrays;
import java.util.function.Function;

import net.handle.hdllib.AbstractMessage;

/**
 * The answer to an anonymous resolution found in the record cache ({@link HandleRequestProcessor#cachedAnswer}):
 * a response code and, for {@code RC_SUCCESS}, the selected public values in their wire encoding. The
 * answer to an unfiltered resolution is made once per cached record and shared by every request for
 * it, so a transport can keep its own encoding of it alongside ({@link #view}).
 *
 * <p>Immutable apart from the view slot; thread-safe.
 */
public final class CachedAnswer {
    /** The handle is cached as not existing. */
    public static final CachedAnswer HANDLE_NOT_FOUND = new CachedAnswer(AbstractMessage.RC_HANDLE_NOT_FOUND, null);
    /** The record exists but no public value passes the request's filters. */
    public static final CachedAnswer VALUES_NOT_FOUND = new CachedAnswer(AbstractMessage.RC_VALUES_NOT_FOUND, null);

    private final int responseCode;
    private final byte[] valueBlock;
    private volatile Object view;

    private CachedAnswer(int responseCode, byte[] valueBlock) {
        this.responseCode = responseCode;
        this.valueBlock = valueBlock;
    }

    /** A successful answer over a value block ({@code I n, V*n}, n at least 1), which it keeps. */
    static CachedAnswer ofBlock(byte[] valueBlock) {
        return new CachedAnswer(AbstractMessage.RC_SUCCESS, valueBlock);
    }

    /** {@code RC_SUCCESS}, {@code RC_HANDLE_NOT_FOUND} or {@code RC_VALUES_NOT_FOUND}. */
    public int responseCode() {
        return responseCode;
    }

    /** The encoded values, each in a new array; null unless {@code RC_SUCCESS}. */
    public byte[][] values() {
        if (valueBlock == null) {
            return null;
        }
        ValueBlockReader value = new ValueBlockReader(valueBlock);
        byte[][] out = new byte[value.count()][];
        for (int i = 0; value.next(); i++) {
            out[i] = Arrays.copyOfRange(valueBlock, value.offset(), value.offset() + value.length());
        }
        return out;
    }

    /**
     * The body part after the handle as a resolution response encodes it: the value count, then the
     * encoded values (shared: do not modify); null unless {@code RC_SUCCESS}.
     */
    public byte[] valueBlock() {
        return valueBlock;
    }

    /**
     * A value derived from this answer by {@code compute} (such as its REST JSON), computed on first use
     * and kept with the answer. One kind per answer: a call with another {@code type} recomputes and
     * replaces it. {@code compute} must be a pure function of the answer; under a race it may run twice.
     * Only meaningful for {@code RC_SUCCESS} answers, which belong to one record.
     */
    public <T> T view(Class<T> type, Function<CachedAnswer, T> compute) {
        Object v = view;
        if (type.isInstance(v)) {
            return type.cast(v);
        }
        T fresh = compute.apply(this);
        view = fresh;
        return fresh;
    }
}
