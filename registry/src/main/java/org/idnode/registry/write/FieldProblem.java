package org.idnode.registry.write;

/**
 * One reason a record may not be stored, tied to the value (or template item) it is about: the index and type,
 * and what is wrong. {@link #index()} is 0 and {@link #type()} empty for a problem of the record as a whole.
 *
 * <p>Immutable and thread-safe.
 *
 * @param index   the value's or item's index, or 0
 * @param type    the value's or item's type (e.g. {@code LAYER_COUNT}), or empty
 * @param message what is wrong, without the index and type
 */
public record FieldProblem(int index, String type, String message) {
    public FieldProblem {
        type = type == null ? "" : type;
        if (message == null) {
            throw new IllegalArgumentException("a field problem needs a message");
        }
    }

    /** A problem of the whole record, not of one value. */
    public static FieldProblem ofRecord(String message) {
        return new FieldProblem(0, "", message);
    }

    /** True when the problem names a value or item. */
    public boolean namesField() {
        return index > 0 || !type.isEmpty();
    }

    /** The problem as one line: {@code 2005 LAYER_COUNT: "four" is not a number}, or just the message. */
    public String text() {
        return namesField() ? index + " " + type + ": " + message : message;
    }
}
