package org.idnode.server.handler;

import java.util.List;

import org.idnode.registry.model.HandleName;

/**
 * The prefixes this node answers for: the configured ones and every prefix derived from them.
 * Immutable and thread-safe.
 */
final class ServedNamespace {
    private final List<String> prefixes;

    ServedNamespace(List<String> prefixes) {
        this.prefixes = List.copyOf(prefixes);
    }

    /** True when the handle's prefix (or, for {@code 0.NA/P}, P) is served here. */
    boolean serves(HandleName handle) {
        String named = handle.namedPrefix();
        for (String p : prefixes) {
            if (HandleName.isSameOrDerivedPrefix(named, p)) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code prefix} is one of the configured prefixes itself (not a derived one). */
    boolean isConfigured(String prefix) {
        for (String p : prefixes) {
            if (HandleName.isSameOrDerivedPrefix(prefix, p) && prefix.length() == p.length()) {
                return true;
            }
        }
        return false;
    }

    List<String> prefixes() {
        return prefixes;
    }
}
