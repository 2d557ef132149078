package org.idnode.server.handler;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.idnode.registry.model.HandleName;

/**
 * The prefixes this node answers for: the configured ones with every prefix derived from them, and the
 * prefixes homed here ({@code OC_HOME_NA}), each exactly (as CNRI's server homes a prefix, not its derived
 * ones).
 *
 * <p>Thread-safe. The homed set is an immutable snapshot replaced as a whole on every change, so
 * {@link #serves}, on the resolution hot path, takes no lock and allocates nothing while no prefix is homed.
 */
final class ServedNamespace {
    private final List<String> prefixes;
    private final List<String> upperCasePrefixes;
    /** ASCII upper-cased homed prefixes. */
    private volatile Set<String> homed = Set.of();

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
        Set<String> h = homed;
        return !h.isEmpty() && h.contains(key.substring(start, end));
    }

    /**
     * True when {@code prefix} is one of the node's own prefixes (not a derived one): a configured prefix,
     * or a homed one. The node answers such a prefix's handle {@code 0.NA/<prefix>} even when nothing is stored.
     */
    boolean isConfigured(String prefix) {
        for (String p : prefixes) {
            if (HandleName.isSameOrDerivedPrefix(prefix, p) && prefix.length() == p.length()) {
                return true;
            }
        }
        return homed.contains(HandleName.asciiUpperCase(prefix));
    }

    /** True when {@code prefix} is served through a configured prefix (itself or one it is derived from). */
    boolean isServedByConfiguration(String prefix) {
        for (String p : prefixes) {
            if (HandleName.isSameOrDerivedPrefix(prefix, p)) {
                return true;
            }
        }
        return false;
    }

    /** The configured prefixes, as configured. */
    List<String> configured() {
        return prefixes;
    }

    /** Replaces the homed prefixes. */
    void setHomed(Set<String> prefixes) {
        Set<String> upper = new HashSet<>();
        prefixes.forEach(p -> upper.add(HandleName.asciiUpperCase(p)));
        homed = Set.copyOf(upper);
    }
}
