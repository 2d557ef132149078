package org.idnode.registry.template;

import java.io.IOException;

/**
 * A template file that cannot be loaded: not JSON, a missing or malformed field, a broken rule, or a
 * second file for the same template version. The message names the file and the field, e.g.
 * {@code pcb-lot.json: items[5].index: 1001 is reserved …}.
 */
public final class TemplateLoadException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String field;

    public TemplateLoadException(String file, String field, String problem) {
        super(file + ": " + (field == null ? "" : field + ": ") + problem);
        this.file = file;
        this.field = field;
    }

    /** The file name. */
    public String file() {
        return file;
    }

    /** The offending field as a JSON path ({@code items[5].index}), or null when the whole file is at fault. */
    public String field() {
        return field;
    }
}
