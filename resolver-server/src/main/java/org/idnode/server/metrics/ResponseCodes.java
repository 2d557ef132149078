package org.idnode.server.metrics;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import io.grpc.Status;
import net.handle.hdllib.AbstractMessage;

/**
 * The {@code code} label values: a Handle response code by its name without {@code RC_} ({@code SUCCESS},
 * {@code HANDLE_NOT_FOUND}), an HTTP status as its number ({@code 200}), a gRPC status by its name ({@code OK},
 * {@code UNAVAILABLE}). Codes without a name are written as their number. Also used by the access log. Stateless.
 */
public final class ResponseCodes {
    /** Handle response codes are below this bound (the highest defined is 505). */
    static final int HANDLE_CODES = 1024;
    /** HTTP statuses are below this bound. */
    static final int HTTP_CODES = 600;
    static final int GRPC_CODES = Status.Code.values().length;

    private static final String[] HANDLE_NAMES = handleNames();

    private ResponseCodes() {
    }

    public static String handle(int rc) {
        return rc >= 0 && rc < HANDLE_CODES && HANDLE_NAMES[rc] != null ? HANDLE_NAMES[rc] : Integer.toString(rc);
    }

    public static String http(int status) {
        return Integer.toString(status);
    }

    public static String grpc(int code) {
        return code >= 0 && code < GRPC_CODES ? Status.Code.values()[code].name() : Integer.toString(code);
    }

    private static String[] handleNames() {
        String[] names = new String[HANDLE_CODES];
        for (Field f : AbstractMessage.class.getFields()) {
            if (f.getName().startsWith("RC_") && f.getType() == int.class && Modifier.isStatic(f.getModifiers())) {
                try {
                    int rc = f.getInt(null);
                    if (rc >= 0 && rc < HANDLE_CODES && names[rc] == null) {
                        names[rc] = f.getName().substring(3);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return names;
    }
}
