package org.idnode.client.cli;

/** A template named as {@code ID} (the latest version) or {@code ID@VERSION}. */
record TemplateRef(String id, String version) {
    static TemplateRef parse(String text) {
        String t = text.trim();
        int at = t.lastIndexOf('@');
        String id = at < 0 ? t : t.substring(0, at);
        String version = at < 0 ? null : t.substring(at + 1);
        if (id.isEmpty() || id.indexOf('/') <= 0 || (version != null && version.isEmpty())) {
            throw new IllegalArgumentException("'" + text + "' is not a template (ID or ID@VERSION, e.g. 88.999/TPL.PCB_LOT@1.0)");
        }
        return new TemplateRef(id, version);
    }

    /** The version to ask the node for: empty for the latest. */
    String versionOrLatest() {
        return version == null ? "" : version;
    }

    @Override
    public String toString() {
        return version == null ? id : id + "@" + version;
    }
}
