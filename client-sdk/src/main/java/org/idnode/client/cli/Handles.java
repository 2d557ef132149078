package org.idnode.client.cli;

import java.nio.charset.StandardCharsets;

/** The client-side check of an identifier's syntax, so that a typo is refused before anything is sent. */
final class Handles {
    private static final int MAX_BYTES = 255;

    private Handles() {
    }

    /** @throws IllegalArgumentException unless {@code handle} is {@code prefix/suffix} within 255 UTF-8 bytes */
    static String check(String handle) {
        int slash = handle.indexOf('/');
        if (slash <= 0 || slash == handle.length() - 1) {
            throw new IllegalArgumentException("'" + handle + "' is not an identifier (PREFIX/SUFFIX, e.g. 88.999.1/LOT.1)");
        }
        if (handle.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalArgumentException("identifier longer than " + MAX_BYTES + " bytes");
        }
        for (int i = 0; i < handle.length(); i++) {
            if (Character.isISOControl(handle.charAt(i)) || Character.isWhitespace(handle.charAt(i))) {
                throw new IllegalArgumentException("'" + Text.escape(handle) + "' is not an identifier: it holds white space or a control character");
            }
        }
        return handle;
    }
}
