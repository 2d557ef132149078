package org.idnode.registry.write;

import java.util.List;

import org.idnode.registry.model.HandleRecord;

/**
 * Checks a record as it would be after a write, before it is committed (for example against its
 * template). Implementations are thread-safe and do not block on the network.
 */
@FunctionalInterface
public interface RecordValidator {
    /** Accepts every record. */
    RecordValidator NONE = record -> List.of();

    /** The problems with the record, one message per offending field; empty when it may be stored. */
    List<String> problems(HandleRecord record);

    /**
     * The same problems, each tied to the value or template item it is about. Validators that know the field
     * override this; by default every message is a problem of the whole record.
     */
    default List<FieldProblem> fieldProblems(HandleRecord record) {
        return problems(record).stream().map(FieldProblem::ofRecord).toList();
    }
}
