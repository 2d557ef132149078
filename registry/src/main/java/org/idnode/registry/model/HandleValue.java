package org.idnode.registry.model;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One value of a handle record, with the fields of the Handle data model (RFC 3651):
 * index, type, data, TTL (relative seconds or absolute Unix time), timestamp (Unix seconds of the
 * last change), references and permissions.
 *
 * <p>Immutable and thread-safe: the data array is copied in and out.
 */
public final class HandleValue {
    /** Largest type length in UTF-8 bytes. */
    public static final int MAX_TYPE_BYTES = 255;
    /** TTL given to a value when none is stated. */
    public static final int DEFAULT_TTL = 86400;

    /** How the TTL is to be read. */
    public enum TtlType {
        /** Seconds a client may cache the value. */
        RELATIVE,
        /** Unix time until which a client may cache the value. */
        ABSOLUTE
    }

    private final int index;
    private final String type;
    private final byte[] data;
    private final TtlType ttlType;
    private final int ttl;
    private final int timestamp;
    private final List<ValueReference> references;
    private final Permissions permissions;

    /**
     * @throws IllegalArgumentException when the index is not positive or the type is missing or too long
     */
    public HandleValue(int index, String type, byte[] data, TtlType ttlType, int ttl, int timestamp,
                       List<ValueReference> references, Permissions permissions) {
        if (index <= 0) {
            throw new IllegalArgumentException("value index must be a positive integer, got " + index);
        }
        if (type == null) {
            throw new IllegalArgumentException("value " + index + " has no type");
        }
        // A char takes at most three UTF-8 bytes: short types need no encoding to be checked.
        if (type.length() > MAX_TYPE_BYTES / 3 && type.getBytes(StandardCharsets.UTF_8).length > MAX_TYPE_BYTES) {
            throw new IllegalArgumentException("value " + index + " has a type longer than " + MAX_TYPE_BYTES + " bytes");
        }
        this.index = index;
        this.type = type;
        this.data = data == null ? new byte[0] : data.clone();
        this.ttlType = ttlType == null ? TtlType.RELATIVE : ttlType;
        this.ttl = ttl;
        this.timestamp = timestamp;
        this.references = references == null ? List.of() : List.copyOf(references);
        this.permissions = permissions == null ? Permissions.PUBLIC_READ : permissions;
    }

    /**
     * A copy of {@code v} with another timestamp and permissions; its fields were checked when {@code v} was made,
     * and its data is shared.
     */
    private HandleValue(HandleValue v, int timestamp, Permissions permissions) {
        this.index = v.index;
        this.type = v.type;
        this.data = v.data;
        this.ttlType = v.ttlType;
        this.ttl = v.ttl;
        this.timestamp = timestamp;
        this.references = v.references;
        this.permissions = permissions;
    }

    /** This value with {@code timestamp} as its timestamp (what a write stamps on the values it stores). */
    public HandleValue withTimestamp(int timestamp) {
        return timestamp == this.timestamp ? this : new HandleValue(this, timestamp, permissions);
    }

    /** This value with {@code permissions} (not null) instead of its own. */
    public HandleValue withPermissions(Permissions permissions) {
        return permissions.equals(this.permissions) ? this : new HandleValue(this, timestamp, Objects.requireNonNull(permissions));
    }

    /** A public-read value with a string payload, the default TTL and the given timestamp. */
    public static HandleValue ofString(int index, String type, String data, int timestamp) {
        return new HandleValue(index, type, data.getBytes(StandardCharsets.UTF_8), TtlType.RELATIVE, DEFAULT_TTL,
                timestamp, List.of(), Permissions.PUBLIC_READ);
    }

    public int index() {
        return index;
    }

    public String type() {
        return type;
    }

    /** A copy of the value's data. */
    public byte[] data() {
        return data.clone();
    }

    /** Length of the data in bytes, without copying it. */
    public int dataLength() {
        return data.length;
    }

    /**
     * Puts the data at {@code out}'s position, without an intermediate copy.
     *
     * @throws java.nio.BufferOverflowException when {@code out} has fewer than {@link #dataLength()} bytes remaining
     */
    public void copyDataTo(ByteBuffer out) {
        out.put(data);
    }

    public TtlType ttlType() {
        return ttlType;
    }

    public int ttl() {
        return ttl;
    }

    public int timestamp() {
        return timestamp;
    }

    public List<ValueReference> references() {
        return references;
    }

    public Permissions permissions() {
        return permissions;
    }

    /**
     * The identifier this value points at when it is a reference item: its type starts with
     * {@link HandleRecord#REFERENCE_TYPE_PREFIX} (ASCII case-insensitive) and its data is a valid handle.
     */
    public Optional<HandleName> referencedHandle() {
        String prefix = HandleRecord.REFERENCE_TYPE_PREFIX;
        if (!type.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return Optional.empty();
        }
        try {
            return Optional.of(HandleName.parse(new String(data, StandardCharsets.UTF_8)));
        } catch (InvalidHandleException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HandleValue v
                && v.index == index && v.ttl == ttl && v.timestamp == timestamp
                && v.type.equals(type) && Arrays.equals(v.data, data) && v.ttlType == ttlType
                && v.references.equals(references) && v.permissions.equals(permissions);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * index + type.hashCode()) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return index + ":" + type + "=" + new String(data, StandardCharsets.UTF_8) + " perms=" + permissions.flags();
    }
}
