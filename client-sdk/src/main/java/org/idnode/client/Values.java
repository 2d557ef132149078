package org.idnode.client;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import com.google.protobuf.ByteString;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;

/**
 * Helpers to build and read {@link HandleValue}s and {@link HandleRecord}s. Built values are UTF-8 text with a relative
 * TTL of {@link #DEFAULT_TTL} seconds, readable and writable by the identifier's admins, never writable by the public;
 * change anything else with {@code toBuilder()}.
 *
 * <p>Stateless and thread-safe.
 */
public final class Values {
    /** The TTL of the values built here, in seconds (one day). */
    public static final int DEFAULT_TTL = 86_400;

    private Values() {
    }

    /** A public-read UTF-8 text value. */
    public static HandleValue text(int index, String type, String text) {
        return value(index, type, text, true);
    }

    /** A restricted UTF-8 text value: only the owning enterprise and the identities it granted read it. */
    public static HandleValue restrictedText(int index, String type, String text) {
        return value(index, type, text, false);
    }

    /** A public-read reference to another identifier (e.g. type {@code "REF.CCL_LOT"}): its data is that handle. */
    public static HandleValue reference(int index, String type, String handle) {
        return value(index, type, handle, true);
    }

    /** A record of these values. */
    public static HandleRecord record(String handle, HandleValue... values) {
        return HandleRecord.newBuilder().setHandle(handle).addAllValues(List.of(values)).build();
    }

    /** The value's data as UTF-8 text. */
    public static String text(HandleValue v) {
        return v.getData().toStringUtf8();
    }

    /** The first value of {@code type} in the record (exact type match), if any. */
    public static Optional<HandleValue> find(HandleRecord r, String type) {
        return r.getValuesList().stream().filter(v -> v.getType().equals(type)).findFirst();
    }

    private static HandleValue value(int index, String type, String text, boolean publicRead) {
        if (index <= 0) {
            throw new IllegalArgumentException("index must be positive, not " + index);
        }
        return HandleValue.newBuilder()
                .setIndex(index)
                .setType(type)
                .setData(ByteString.copyFrom(text, StandardCharsets.UTF_8))
                .setTtl(DEFAULT_TTL)
                .setPublicRead(publicRead)
                .setAdminRead(true)
                .setAdminWrite(true)
                .build();
    }
}
