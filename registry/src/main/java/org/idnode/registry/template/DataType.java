package org.idnode.registry.template;

import java.util.Locale;

/**
 * The data type of a template item (IDHub {@code dataType} 1 string, 2 number, 3 date, 5 reference). A
 * value's data is always UTF-8 text; the type says how that text must look.
 */
public enum DataType {
    /** Any text, within the item's length limits (counted in Unicode code points). */
    STRING,
    /** A plain decimal number such as {@code 12}, {@code -0.5} or {@code 0.0021}: no exponent, no sign {@code +}. */
    NUMBER,
    /** A calendar date written {@code YYYY-MM-DD}. */
    DATE,
    /** The handle of another identifier, a genealogy edge; the item's type starts with {@code REF.}. */
    REFERENCE;

    /** The name used in template files: {@code string}, {@code number}, {@code date}, {@code reference}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The type with this {@link #jsonName()} (ASCII case-insensitive).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static DataType fromJsonName(String name) {
        for (DataType t : values()) {
            if (t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a data type; use string, number, date or reference");
    }
}
