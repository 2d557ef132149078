package org.idnode.server.handler;

import java.util.ArrayList;
import java.util.List;

import net.handle.hdllib.AbstractMessage;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.write.FieldProblem;
import org.idnode.registry.write.HandleOperation;
import org.idnode.server.auth.AdminIdentity;

/**
 * Batch registration, one meaning for every interface that offers it (REST {@code POST /api/batch}, gRPC
 * {@code BatchRegister}, each chunk of gRPC {@code BulkRegister}): at most {@value #MAX_RECORDS} records, each
 * created or replaced (so a replayed batch gives the same state) and authorised like any other write; the accepted
 * ones are committed together in one durable batch, and every record gets its own result, in order. A record the
 * interface could not read is refused with the code and message the interface gives.
 *
 * <p>Thread-safe. {@link #register} blocks (store reads, a durable write): call it on a blocking-work thread.
 */
public final class BatchRegistration {
    /** Most records one batch may carry. */
    public static final int MAX_RECORDS = 2000;

    /**
     * One record of a batch as the interface read it: the record, or why it could not be read.
     *
     * @param handle the handle as written in the request, null when there was none
     * @param record the record, null when it could not be read
     */
    public record Item(String handle, HandleRecord record, int responseCode, String message) {
        public static Item of(HandleRecord record) {
            return new Item(record.handle().toString(), record, AbstractMessage.RC_SUCCESS, null);
        }

        /** A record that could not be read: {@code responseCode} is usually INVALID_HANDLE or INVALID_VALUE. */
        public static Item unreadable(String handle, int responseCode, String message) {
            return new Item(handle, null, responseCode, message);
        }
    }

    /**
     * The result for one record.
     *
     * @param handle        the record's handle, null when the request named none
     * @param message       why it was refused; null when it was accepted
     * @param fieldProblems for a record that breaks its template, one entry per offending value or item
     */
    public record Outcome(String handle, int responseCode, String message, List<FieldProblem> fieldProblems) {
        public boolean isOk() {
            return responseCode == AbstractMessage.RC_SUCCESS;
        }
    }

    private final AuthorizedWriter writes;

    BatchRegistration(AuthorizedWriter writes) {
        this.writes = writes;
    }

    /** Why a batch of {@code count} records is refused as a whole, or null when its size is fine. */
    public static String sizeProblem(int count) {
        return count > MAX_RECORDS ? "a batch carries at most " + MAX_RECORDS + " records, this one has " + count : null;
    }

    /**
     * Registers the readable items on behalf of {@code who}.
     *
     * @param items at most {@value #MAX_RECORDS} (see {@link #sizeProblem})
     * @return one outcome per item, in order
     */
    public List<Outcome> register(AdminIdentity who, List<Item> items) {
        Outcome[] out = new Outcome[items.size()];
        List<HandleOperation> ops = new ArrayList<>(items.size());
        List<Integer> positions = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            if (item.record() == null) {
                out[i] = new Outcome(item.handle(), item.responseCode(), item.message(), List.of());
            } else {
                ops.add(new HandleOperation.Create(item.record().handle(), item.record().values(), true));
                positions.add(i);
            }
        }
        List<AuthorizedWriter.Result> applied = writes.applyAll(who, ops);
        for (int i = 0; i < applied.size(); i++) {
            AuthorizedWriter.Result r = applied.get(i);
            out[positions.get(i)] = new Outcome(r.handle().toString(), r.responseCode(), r.isOk() ? null : r.message(), r.fieldProblems());
        }
        return List.of(out);
    }
}
