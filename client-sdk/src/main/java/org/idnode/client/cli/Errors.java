package org.idnode.client.cli;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.List;

import io.grpc.Status;
import org.idnode.api.v1.Error;
import org.idnode.api.v1.FieldError;
import org.idnode.client.IdNodeException;

/** How failures are told: one line with the identifier, the reason and the message, then one per template field. */
final class Errors {
    private Errors() {
    }

    static void print(PrintWriter err, IdNodeException e, List<String> nodes) {
        Status.Code code = e.code();
        if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
            err.println("idctl: node " + String.join(", ", nodes) + " " + (code == Status.Code.UNAVAILABLE
                    ? "unreachable or unavailable" : "did not answer in time (--timeout)") + ": " + e.getMessage()
                    + (refused(e) ? " (connection refused: is the node running, with gRPC on that port?)" : ""));
            return;
        }
        if (code == Status.Code.UNIMPLEMENTED) {
            err.println("idctl: node " + String.join(", ", nodes) + " does not offer this call (" + e.getMessage()
                    + "); it may run an older idnode");
        } else if (code == Status.Code.UNAUTHENTICATED) {
            err.println("idctl: " + describe(e) + " (give a token with --token, IDCTL_TOKEN or the config file)");
        } else if (!e.fieldErrors().isEmpty()) {
            // The message repeats the field problems on one line: list them one per line instead.
            err.println("idctl: " + prefix(e) + "refused, field by field:");
            for (FieldError f : e.fieldErrors()) {
                err.println("  " + f.getField() + ": " + f.getMessage());
            }
        } else {
            err.println("idctl: " + describe(e));
        }
    }

    private static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    /** {@code handle: REASON: message}, leaving out what is missing or already said. */
    static String describe(IdNodeException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        return prefix(e) + (message.isEmpty() ? String.valueOf(e.code()) : message);
    }

    /** {@code handle: REASON: }, leaving out what the message says already. */
    private static String prefix(IdNodeException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        StringBuilder b = new StringBuilder();
        if (e.handle() != null && !e.handle().isEmpty() && !message.contains(e.handle())) {
            b.append(e.handle()).append(": ");
        }
        if (e.reason() != null && !e.reason().isEmpty() && !message.contains(e.reason())) {
            b.append(e.reason()).append(": ");
        }
        return b.toString();
    }

    /**
     * One item's error of a batch: {@code REASON: message}, or for a record that breaks its template
     * {@code REASON: FIELD: message; FIELD: message} (the node's message only repeats them).
     */
    static String describe(Error e) {
        StringBuilder b = new StringBuilder(e.getReason());
        if (e.getFieldErrorsCount() > 0) {
            for (int i = 0; i < e.getFieldErrorsCount(); i++) {
                FieldError f = e.getFieldErrors(i);
                b.append(i > 0 ? "; " : b.length() > 0 ? ": " : "").append(f.getField()).append(": ").append(f.getMessage());
            }
        } else if (!e.getMessage().isEmpty()) {
            b.append(b.length() > 0 ? ": " : "").append(e.getMessage());
        }
        return b.toString();
    }

    /** The exit code for one item's error of a batch, from its Handle reason. */
    static int exitCode(Error e) {
        switch (e.getReason()) {
            case "HANDLE_NOT_FOUND":
            case "VALUES_NOT_FOUND":
                return Exit.NOT_FOUND;
            case "INSUFFICIENT_PERMISSIONS":
            case "AUTHENTICATION_NEEDED":
            case "AUTHENTICATION_FAILED":
            case "INVALID_CREDENTIAL":
            case "INVALID_ADMIN":
                return Exit.DENIED;
            case "SERVER_TOO_BUSY":
            case "SERVER_BACKUP":
            case "ERROR":
                return Exit.UNAVAILABLE;
            default:
                return Exit.REFUSED;
        }
    }

    static String ioMessage(Exception e) {
        Throwable t = e.getCause() != null && !(e instanceof NoSuchFileException) ? e.getCause() : e;
        if (t instanceof NoSuchFileException) {
            return "no such file: " + t.getMessage();
        }
        if (t instanceof AccessDeniedException) {
            return "cannot read " + t.getMessage() + ": permission denied";
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
