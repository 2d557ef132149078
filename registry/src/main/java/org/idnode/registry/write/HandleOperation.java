package org.idnode.registry.write;

import java.util.List;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleValue;

/**
 * One change a client asks for, with the semantics of the Handle protocol's admin operations.
 * Immutable.
 */
public sealed interface HandleOperation {
    /** The handle the operation changes. */
    HandleName handle();

    /** Short name written to the audit log. */
    String auditName();

    /**
     * Create a handle with these values ({@code OC_CREATE_HANDLE}). With {@code overwrite} an existing
     * handle is replaced; without, it is refused with {@link WriteStatus#HANDLE_ALREADY_EXISTS}.
     */
    record Create(HandleName handle, List<HandleValue> values, boolean overwrite) implements HandleOperation {
        public Create {
            values = List.copyOf(values);
        }

        @Override
        public String auditName() {
            return "create";
        }
    }

    /** Delete a handle ({@code OC_DELETE_HANDLE}). */
    record Delete(HandleName handle) implements HandleOperation {
        @Override
        public String auditName() {
            return "delete";
        }
    }

    /**
     * Add values ({@code OC_ADD_VALUE}). An index already in use is refused with
     * {@link WriteStatus#VALUE_ALREADY_EXISTS}, unless {@code overwrite} replaces it.
     */
    record AddValues(HandleName handle, List<HandleValue> values, boolean overwrite) implements HandleOperation {
        public AddValues {
            values = List.copyOf(values);
        }

        @Override
        public String auditName() {
            return "add-values";
        }
    }

    /** Replace values at their indexes ({@code OC_MODIFY_VALUE}); every index must exist. */
    record ModifyValues(HandleName handle, List<HandleValue> values) implements HandleOperation {
        public ModifyValues {
            values = List.copyOf(values);
        }

        @Override
        public String auditName() {
            return "modify-values";
        }
    }

    /** Remove the values at these indexes ({@code OC_REMOVE_VALUE}); at least one must exist. */
    record RemoveValues(HandleName handle, List<Integer> indexes) implements HandleOperation {
        public RemoveValues {
            indexes = List.copyOf(indexes);
        }

        @Override
        public String auditName() {
            return "remove-values";
        }
    }
}
