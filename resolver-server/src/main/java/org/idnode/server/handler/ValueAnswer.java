package org.idnode.server.handler;

import java.util.List;

import net.handle.hdllib.AbstractMessage;
import org.idnode.registry.model.HandleValue;

/**
 * The answer to a {@link ValueQuery}: the values the caller may read that pass the filters, or the Handle
 * response code saying why there are none ({@code INVALID_HANDLE}, {@code SERVER_NOT_RESP} for a prefix not
 * served here, {@code HANDLE_NOT_FOUND}, {@code VALUES_NOT_FOUND} when the filters left nothing,
 * {@code SERVER_TOO_BUSY}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param handle       the handle as asked for
 * @param responseCode {@code RC_SUCCESS} or the reason there are no values
 * @param message      why, for a refusal; empty on success
 * @param values       the values, empty on a refusal
 * @param recursion    for a handle not served here, why its recursive resolution failed; null otherwise
 */
public record ValueAnswer(String handle, int responseCode, String message, List<HandleValue> values, RecursionFailure recursion) {
    public ValueAnswer {
        values = List.copyOf(values);
        message = message == null ? "" : message;
    }

    static ValueAnswer found(ValueQuery query, List<HandleValue> values) {
        return new ValueAnswer(query.handle(), AbstractMessage.RC_SUCCESS, "", values, null);
    }

    static ValueAnswer refused(ValueQuery query, int responseCode, String message) {
        return new ValueAnswer(query.handle(), responseCode, message, List.of(), null);
    }

    static ValueAnswer failed(ValueQuery query, RecursionFailure failure, String message) {
        return new ValueAnswer(query.handle(), failure.responseCode(), message, List.of(), failure);
    }

    public boolean isOk() {
        return responseCode == AbstractMessage.RC_SUCCESS;
    }
}
