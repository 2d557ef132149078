package org.idnode.server.federation;

import net.handle.hdllib.HandleException;

/** Readable text for CNRI's exceptions, whose messages alone are often just an address. Stateless. */
final class HandleErrors {
    private HandleErrors() {
    }

    /** {@code <code name>: <message> (<cause>)}, leaving out what is empty. */
    static String describe(HandleException e) {
        StringBuilder b = new StringBuilder(HandleException.getCodeStr(e.getCode()).toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
        if (e.getMessage() != null && !e.getMessage().isBlank()) {
            b.append(": ").append(e.getMessage());
        }
        Throwable cause = e.getCause();
        if (cause != null && cause != e) {
            b.append(" (").append(cause.getClass().getSimpleName());
            if (cause.getMessage() != null) {
                b.append(": ").append(cause.getMessage());
            }
            b.append(')');
        }
        return b.toString();
    }
}
