package org.idnode.server.handler;

import java.util.List;

import net.handle.hdllib.AbstractMessage;
import org.idnode.registry.model.HandleValue;

/**
 * The answer of a recursive resolution: the handle's public values as its authoritative node gave them, "not found",
 * or a {@link RecursionFailure} with a message saying what went wrong where.
 *
 * <p>Immutable and thread-safe; the encoded values are prepared once, on first use.
 */
public final class ForeignAnswer {
    private final int responseCode;
    private final String message;
    private final List<HandleValue> values;
    private final RecursionFailure failure;
    private volatile PreparedRecord prepared;

    private ForeignAnswer(int responseCode, String message, List<HandleValue> values, RecursionFailure failure) {
        this.responseCode = responseCode;
        this.message = message == null ? "" : message;
        this.values = List.copyOf(values);
        this.failure = failure;
    }

    /** The handle's values (public ones only are kept). */
    public static ForeignAnswer found(List<HandleValue> values) {
        return new ForeignAnswer(AbstractMessage.RC_SUCCESS, "", values.stream().filter(v -> v.permissions().publicRead()).toList(), null);
    }

    /** The authoritative node says the handle does not exist. */
    public static ForeignAnswer notFound(String message) {
        return new ForeignAnswer(AbstractMessage.RC_HANDLE_NOT_FOUND, message, List.of(), null);
    }

    /** No answer could be had. */
    public static ForeignAnswer failed(RecursionFailure failure, String message) {
        return new ForeignAnswer(failure.responseCode(), message, List.of(), failure);
    }

    /** {@code RC_SUCCESS}, {@code RC_HANDLE_NOT_FOUND}, or the failure's code. */
    public int responseCode() {
        return responseCode;
    }

    public String message() {
        return message;
    }

    public List<HandleValue> values() {
        return values;
    }

    /** Why there is no answer, or null for a found or not-found answer. */
    public RecursionFailure failure() {
        return failure;
    }

    public boolean isFound() {
        return responseCode == AbstractMessage.RC_SUCCESS;
    }

    PreparedRecord prepared() {
        PreparedRecord p = prepared;
        if (p == null) {
            p = PreparedRecord.of(values, false);
            prepared = p;
        }
        return p;
    }
}
