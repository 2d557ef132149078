package org.idnode.server.handler;

import java.util.List;

import org.idnode.registry.model.HandleName;

/**
 * The prefixes this node answers for: the configured ones and every prefix derived from them.
 * Immutable and thread-safe.
 */
final class ServedNamespace {
    private final List<String> prefixes;

    private final List<String> upperCasePrefixes;

    ServedNamespace(List<String> prefixes) {
        this.prefixes = List.copyOf(prefixes);
        this.upperCasePrefixes = this.prefixes.stream().map(p -> HandleName.ofPrefix(p).lookupKey().substring(HandleName.PREFIX_HANDLE_PREFIX.length() + 1)).toList();
    }

    /** True when the handle's prefix (or, for {@code 0.NA/P}, P) is served here. */
    boolean serves(HandleName handle) {
        // The lookup key is already ASCII upper-cased: compare it with the upper-cased prefixes in place.
        String key = handle.lookupKey();
        int start = handle.isPrefixHandle() ? HandleName.PREFIX_HANDLE_PREFIX.length() + 1 : 0;
        int end = handle.isPrefixHandle() ? key.length() : key.indexOf('/');
        for (String p : upperCasePrefixes) {
            int len = end - start;
            if (len >= p.length() && key.startsWith(p, start) && (len == p.length() || key.charAt(start + p.length()) == '.')) {
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
}
