package org.idnode.client.cli;

import org.idnode.api.v1.HandleRecord;

/**
 * One record read from an import file, or why it could not be: its line number (the first line of a multi-line CSV
 * record), the identifier when known, and either the record or the reason it is refused.
 */
record InputLine(long number, String handle, HandleRecord record, String refusal) {
    static InputLine ok(long number, HandleRecord record) {
        return new InputLine(number, record.getHandle(), record, null);
    }

    static InputLine refused(long number, String handle, String reason) {
        return new InputLine(number, handle, null, reason);
    }
}
