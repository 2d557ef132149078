package org.idnode.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import org.idnode.server.handler.RecursionErrorResponse;

/** The HTTP status for a Handle response code, as CNRI's REST API maps them (handle-protocol.md §1.9). */
final class HttpStatusMapping {
    private HttpStatusMapping() {
    }

    /** For writes: as for resolutions, except that {@code VALUES_NOT_FOUND} is a client error. */
    static HttpResponseStatus forWrite(int responseCode) {
        return responseCode == AbstractMessage.RC_VALUES_NOT_FOUND ? HttpResponseStatus.BAD_REQUEST : forResolution(responseCode);
    }

    /**
     * For a resolution answer: by its response code, except a failed recursive resolution (a handle not served here):
     * 502 when the top level or the node it referred to failed or referrals looped, 504 when there was no answer in
     * time, 503 when too many were in flight.
     */
    static HttpResponseStatus forResolution(AbstractResponse response) {
        if (response instanceof RecursionErrorResponse r) {
            return switch (r.failure()) {
                case LOOP, UPSTREAM -> HttpResponseStatus.BAD_GATEWAY;
                case TIMEOUT -> HttpResponseStatus.GATEWAY_TIMEOUT;
                case BUSY -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            };
        }
        return forResolution(response.responseCode);
    }

    static HttpResponseStatus forResolution(int responseCode) {
        return switch (responseCode) {
            case AbstractMessage.RC_SUCCESS, AbstractMessage.RC_VALUES_NOT_FOUND -> HttpResponseStatus.OK;
            case AbstractMessage.RC_HANDLE_NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
            case AbstractMessage.RC_HANDLE_ALREADY_EXISTS, AbstractMessage.RC_VALUE_ALREADY_EXISTS -> HttpResponseStatus.CONFLICT;
            case AbstractMessage.RC_INVALID_HANDLE, AbstractMessage.RC_INVALID_VALUE, AbstractMessage.RC_PROTOCOL_ERROR,
                    AbstractMessage.RC_SERVER_NOT_RESP -> HttpResponseStatus.BAD_REQUEST;
            case AbstractMessage.RC_SERVICE_REFERRAL, AbstractMessage.RC_PREFIX_REFERRAL -> HttpResponseStatus.MULTIPLE_CHOICES;
            case AbstractMessage.RC_AUTHENTICATION_NEEDED -> HttpResponseStatus.UNAUTHORIZED;
            case AbstractMessage.RC_INVALID_ADMIN, AbstractMessage.RC_INSUFFICIENT_PERMISSIONS,
                    AbstractMessage.RC_AUTHENTICATION_FAILED, AbstractMessage.RC_INVALID_CREDENTIAL -> HttpResponseStatus.FORBIDDEN;
            case AbstractMessage.RC_SERVER_TOO_BUSY, AbstractMessage.RC_SERVER_BACKUP -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            case AbstractMessage.RC_OPERATION_NOT_SUPPORTED -> HttpResponseStatus.NOT_IMPLEMENTED;
            default -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
        };
    }
}
