package org.idnode.registry.model;

/**
 * The four permission flags of a handle value, in the order CNRI writes them:
 * admin read, admin write, public read, public write.
 *
 * <p>Immutable and thread-safe.
 */
public record Permissions(boolean adminRead, boolean adminWrite, boolean publicRead, boolean publicWrite) {
    /** Bit of admin read in the Handle wire permission byte ({@link #bits}), as hdllib's {@code Encoder.PERM_ADMIN_READ}. */
    public static final int ADMIN_READ_BIT = 0x08;
    /** Bit of admin write in the Handle wire permission byte. */
    public static final int ADMIN_WRITE_BIT = 0x04;
    /** Bit of public read in the Handle wire permission byte. */
    public static final int PUBLIC_READ_BIT = 0x02;
    /** Bit of public write in the Handle wire permission byte. */
    public static final int PUBLIC_WRITE_BIT = 0x01;
    /** One instance per combination, shared by every decoded value (records in the cache hold millions of values). */
    private static final Permissions[] CANONICAL = new Permissions[16];

    static {
        for (int bits = 0; bits < 16; bits++) {
            CANONICAL[bits] = new Permissions((bits & ADMIN_READ_BIT) != 0, (bits & ADMIN_WRITE_BIT) != 0, (bits & PUBLIC_READ_BIT) != 0,
                    (bits & PUBLIC_WRITE_BIT) != 0);
        }
    }

    /** The default of the Handle system: admins read and write, everyone reads ({@code "1110"}). */
    public static final Permissions PUBLIC_READ = fromBits(ADMIN_READ_BIT | ADMIN_WRITE_BIT | PUBLIC_READ_BIT);
    /** Admins read and write, nobody else reads ({@code "1100"}). */
    public static final Permissions RESTRICTED = fromBits(ADMIN_READ_BIT | ADMIN_WRITE_BIT);

    /**
     * Parses four flag characters, each {@code 0} or {@code 1}, e.g. {@code "1110"}.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    public static Permissions parse(String flags) {
        if (flags == null || flags.length() != 4 || !flags.chars().allMatch(c -> c == '0' || c == '1')) {
            throw new IllegalArgumentException("permissions must be four characters of 0 or 1 (adminRead, adminWrite, publicRead, publicWrite), got '" + flags + "'");
        }
        return fromBits((flags.charAt(0) == '1' ? ADMIN_READ_BIT : 0) | (flags.charAt(1) == '1' ? ADMIN_WRITE_BIT : 0)
                | (flags.charAt(2) == '1' ? PUBLIC_READ_BIT : 0) | (flags.charAt(3) == '1' ? PUBLIC_WRITE_BIT : 0));
    }

    /** Decodes the Handle wire permission byte (0x08 admin read … 0x01 public write). */
    public static Permissions fromBits(int bits) {
        return CANONICAL[bits & 0x0f];
    }

    /** The Handle wire permission byte. */
    public int bits() {
        return (adminRead ? ADMIN_READ_BIT : 0) | (adminWrite ? ADMIN_WRITE_BIT : 0) | (publicRead ? PUBLIC_READ_BIT : 0) | (publicWrite ? PUBLIC_WRITE_BIT : 0);
    }

    /** The four flag characters, e.g. {@code "1110"}. */
    public String flags() {
        return (adminRead ? "1" : "0") + (adminWrite ? "1" : "0") + (publicRead ? "1" : "0") + (publicWrite ? "1" : "0");
    }
}
