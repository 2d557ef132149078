package org.idnode.bench;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import picocli.CommandLine;

/**
 * Parses durations as {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}, {@code 1.5s}, a bare number
 * of seconds, or ISO-8601 ({@code PT10S}). Stateless.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("pt") || v.startsWith("p")) {
                return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
            }
            double scale;
            String number;
            if (v.endsWith("ms")) {
                scale = 1e6;
                number = v.substring(0, v.length() - 2);
            } else if (v.endsWith("us")) {
                scale = 1e3;
                number = v.substring(0, v.length() - 2);
            } else if (v.endsWith("s")) {
                scale = 1e9;
                number = v.substring(0, v.length() - 1);
            } else if (v.endsWith("m")) {
                scale = 60e9;
                number = v.substring(0, v.length() - 1);
            } else if (v.endsWith("h")) {
                scale = 3600e9;
                number = v.substring(0, v.length() - 1);
            } else {
                scale = 1e9;
                number = v;
            }
            double amount = Double.parseDouble(number.trim());
            if (amount < 0 || Double.isNaN(amount) || Double.isInfinite(amount)) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos(Math.round(amount * scale));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; use e.g. 10s, 500ms, 2m");
        }
    }
}
