package org.idnode.server.metrics;

import net.handle.hdllib.AbstractMessage;

/**
 * What a request asked for, across interfaces: the {@code operation} label of the request metrics and the operation
 * field of the access log. Handle messages map by their op code ({@link #forHandleOpCode}); REST paths and gRPC
 * methods are mapped by their interfaces onto the same names.
 */
public enum Operation {
    RESOLVE("resolve", AbstractMessage.OC_RESOLUTION),
    BATCH_RESOLVE("batch-resolve", AbstractMessage.OC_RESERVED),
    SITE_INFO("site-info", AbstractMessage.OC_GET_SITE_INFO),
    CREATE("create", AbstractMessage.OC_CREATE_HANDLE),
    DELETE("delete", AbstractMessage.OC_DELETE_HANDLE),
    ADD_VALUES("add-values", AbstractMessage.OC_ADD_VALUE),
    MODIFY_VALUES("modify-values", AbstractMessage.OC_MODIFY_VALUE),
    REMOVE_VALUES("remove-values", AbstractMessage.OC_REMOVE_VALUE),
    LIST("list", AbstractMessage.OC_LIST_HANDLES),
    SESSION("session", AbstractMessage.OC_SESSION_SETUP),
    CHALLENGE_RESPONSE("challenge-response", AbstractMessage.OC_RESPONSE_TO_CHALLENGE),
    VERIFY_CHALLENGE("verify-challenge", AbstractMessage.OC_VERIFY_CHALLENGE),
    HOME_PREFIX("home-prefix", AbstractMessage.OC_HOME_NA),
    BATCH("batch", AbstractMessage.OC_RESERVED),
    BULK_REGISTER("bulk-register", AbstractMessage.OC_RESERVED),
    TRACE("trace", AbstractMessage.OC_RESERVED),
    AUDIT("audit", AbstractMessage.OC_RESERVED),
    TEMPLATE("template", AbstractMessage.OC_RESERVED),
    ADMIN("admin", AbstractMessage.OC_RESERVED),
    FEDERATION("federation", AbstractMessage.OC_RESERVED),
    HEALTH("health", AbstractMessage.OC_RESERVED),
    METRICS("metrics", AbstractMessage.OC_RESERVED),
    REFLECTION("reflection", AbstractMessage.OC_RESERVED),
    OTHER("other", AbstractMessage.OC_RESERVED);

    private static final Operation[] VALUES = values();

    private final String label;
    private final int handleOpCode;

    Operation(String label, int handleOpCode) {
        this.label = label;
        this.handleOpCode = handleOpCode;
    }

    /**
     * The Handle op code of the operation ({@code OC_RESOLUTION} for resolve, {@code OC_CREATE_HANDLE} for create,
     * ...), for the access log's op-code column; 0 ({@code OC_RESERVED}) for operations the Handle protocol does not have.
     */
    public int handleOpCode() {
        return handleOpCode;
    }

    /** The label value, lower case with dashes. */
    public String label() {
        return label;
    }

    static int count() {
        return VALUES.length;
    }

    /** The operation of a Handle message with this op code; {@link #OTHER} for codes without a name here. */
    public static Operation forHandleOpCode(int opCode) {
        switch (opCode) {
            case AbstractMessage.OC_RESOLUTION:
                return RESOLVE;
            case AbstractMessage.OC_GET_SITE_INFO:
                return SITE_INFO;
            case AbstractMessage.OC_CREATE_HANDLE:
                return CREATE;
            case AbstractMessage.OC_DELETE_HANDLE:
                return DELETE;
            case AbstractMessage.OC_ADD_VALUE:
                return ADD_VALUES;
            case AbstractMessage.OC_MODIFY_VALUE:
                return MODIFY_VALUES;
            case AbstractMessage.OC_REMOVE_VALUE:
                return REMOVE_VALUES;
            case AbstractMessage.OC_LIST_HANDLES:
            case AbstractMessage.OC_LIST_HOMED_NAS:
                return LIST;
            case AbstractMessage.OC_SESSION_SETUP:
            case AbstractMessage.OC_SESSION_TERMINATE:
            case AbstractMessage.OC_SESSION_EXCHANGEKEY:
                return SESSION;
            case AbstractMessage.OC_RESPONSE_TO_CHALLENGE:
                return CHALLENGE_RESPONSE;
            case AbstractMessage.OC_VERIFY_CHALLENGE:
                return VERIFY_CHALLENGE;
            case AbstractMessage.OC_HOME_NA:
            case AbstractMessage.OC_UNHOME_NA:
                return HOME_PREFIX;
            default:
                return OTHER;
        }
    }
}
