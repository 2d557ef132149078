package org.idnode.registry.write;

import java.util.List;

import org.idnode.registry.model.HandleName;

/**
 * The result of one operation: its status and, for refusals, a message fit for the client.
 *
 * @param fieldProblems for a record its validator refused ({@link WriteStatus#INVALID}): one entry per offending
 *                      value or template item, in the order of {@link #message()}; empty otherwise
 * @param created       true when the operation created a handle that did not exist before
 */
public record WriteOutcome(HandleName handle, WriteStatus status, String message, List<FieldProblem> fieldProblems, boolean created) {
    public WriteOutcome {
        fieldProblems = List.copyOf(fieldProblems);
    }

    /** A refusal without field problems. */
    public WriteOutcome(HandleName handle, WriteStatus status, String message) {
        this(handle, status, message, List.of(), false);
    }

    static WriteOutcome ok(HandleName handle, boolean created) {
        return new WriteOutcome(handle, WriteStatus.OK, "", List.of(), created);
    }

    /** A record its validator refused, with one problem per offending field. */
    static WriteOutcome invalid(HandleName handle, List<FieldProblem> problems) {
        return new WriteOutcome(handle, WriteStatus.INVALID,
                String.join("; ", problems.stream().map(FieldProblem::text).toList()), problems, false);
    }

    public boolean isOk() {
        return status == WriteStatus.OK;
    }
}
