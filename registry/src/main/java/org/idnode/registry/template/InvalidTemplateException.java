package org.idnode.registry.template;

/**
 * Thrown when a template or template item breaks a rule. {@link #field()} names the offending field
 * ({@code index}, {@code items[3].type}, …) and {@link #problem()} says what is wrong with it; the message
 * is {@code field: problem}.
 */
public final class InvalidTemplateException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String problem;

    public InvalidTemplateException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
        this.problem = problem;
    }

    /** The offending field, as a JSON path relative to the template or item ({@code items[3].maxLength}). */
    public String field() {
        return field;
    }

    /** What is wrong with the field. */
    public String problem() {
        return problem;
    }

    /** The same problem with {@code parent.} put in front of the field name. */
    InvalidTemplateException under(String parent) {
        return new InvalidTemplateException(parent + "." + field, problem);
    }
}
