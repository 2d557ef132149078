package org.idnode.client.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.idnode.api.v1.PrefixState;
import picocli.CommandLine;

/** Prefix states as people write them: {@code applied}, {@code under-review}, {@code enabled}, ... */
final class PrefixStates implements CommandLine.ITypeConverter<PrefixState> {
    private static final String PREFIX = "PREFIX_STATE_";

    static String text(PrefixState s) {
        if (s == PrefixState.UNRECOGNIZED || !s.name().startsWith(PREFIX)) {
            return "unknown";
        }
        return s.name().substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String known() {
        return Arrays.stream(PrefixState.values())
                .filter(s -> s != PrefixState.UNRECOGNIZED && s != PrefixState.PREFIX_STATE_UNSPECIFIED)
                .map(PrefixStates::text).collect(Collectors.joining(", "));
    }

    @Override
    public PrefixState convert(String value) {
        String name = PREFIX + value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (PrefixState s : PrefixState.values()) {
            if (s != PrefixState.UNRECOGNIZED && s != PrefixState.PREFIX_STATE_UNSPECIFIED && s.name().equals(name)) {
                return s;
            }
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not a prefix state (" + known() + ")");
    }
}
