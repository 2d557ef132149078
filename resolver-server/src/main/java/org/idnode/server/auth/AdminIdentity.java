package org.idnode.server.auth;

import java.nio.charset.StandardCharsets;

import net.handle.hdllib.Util;
import org.idnode.registry.model.HandleName;

/**
 * An administrator identity or an admin reference, {@code index:handle} as the Handle system writes
 * it ({@code 300:0.NA/88.999.1}): the handle holding the key (or the group) and the index of the
 * value. In an {@code HS_ADMIN} or {@code HS_VLIST} reference, index 0 stands for any index of
 * that handle ({@link #isMatchedBy}).
 *
 * <p>Handles are compared ASCII case-insensitively, the way this node looks handles up (CNRI's
 * server compares only the prefix case-insensitively; with this node's case-insensitive storage
 * the two cannot name different records).
 *
 * <p>Immutable and thread-safe.
 */
public record AdminIdentity(String handle, int index) {
    public AdminIdentity {
        if (handle == null) {
            throw new IllegalArgumentException("identity handle is null");
        }
    }

    /** An identity from the UTF-8 handle bytes of a message. */
    public static AdminIdentity of(byte[] handleUtf8, int index) {
        return new AdminIdentity(handleUtf8 == null ? "" : Util.decodeString(handleUtf8), index);
    }

    /**
     * Parses {@code index:handle}, e.g. {@code 300:0.NA/88.999.1}.
     *
     * @throws IllegalArgumentException when the text is not of that form
     */
    public static AdminIdentity parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon > 0 && colon < text.length() - 1) {
            try {
                int index = Integer.parseInt(text.substring(0, colon));
                if (index >= 0) {
                    return new AdminIdentity(text.substring(colon + 1), index);
                }
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("an identity must be index:handle, e.g. 300:0.NA/88.999.1; got '" + text + "'");
    }

    /** The identity an {@code HS_ADMIN} value's payload names, or empty when the payload cannot be read. */
    public static java.util.Optional<AdminIdentity> namedByAdminValue(byte[] data) {
        net.handle.hdllib.AdminRecord record = AdminAuthorizer.decodeAdminRecord(data);
        return record == null ? java.util.Optional.empty() : java.util.Optional.of(of(record.adminId, record.adminIdIndex));
    }

    /**
     * True when {@code candidate} is what this reference names: the same handle, and the same index
     * unless this reference's index is 0 (any index).
     */
    public boolean isMatchedBy(AdminIdentity candidate) {
        return candidate != null && sameHandle(candidate.handle) && (index == 0 || index == candidate.index);
    }

    /** True when both name the same handle and the same index (index 0 is not a wildcard here). */
    public boolean sameAs(AdminIdentity other) {
        return other != null && other.index == index && sameHandle(other.handle);
    }

    /** ASCII case-insensitive handle comparison. */
    public boolean sameHandle(String other) {
        return other != null && HandleName.asciiUpperCase(handle).equals(HandleName.asciiUpperCase(other));
    }

    /** The handle as UTF-8 bytes (a new array on every call). */
    public byte[] handleUtf8() {
        return handle.getBytes(StandardCharsets.UTF_8);
    }

    /** A key for sets of references: the index and the ASCII upper-cased handle. */
    String lookupKey() {
        return index + ":" + HandleName.asciiUpperCase(handle);
    }

    /** {@code index:handle}. */
    @Override
    public String toString() {
        return index + ":" + handle;
    }
}
