package org.idnode.server.logging;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Formats access log timestamps in the system time zone, re-formatting the date and time only when the second
 * changes. One instance per thread.
 */
final class LogClock {
    private static final DateTimeFormatter CNRI_SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter ISO_SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    private final ZoneId zone = ZoneId.systemDefault();
    private long second = Long.MIN_VALUE;
    private String cnriSecond;
    private String isoSecond;
    private String cnriOffset;
    private String isoOffset;

    /** {@code yyyy-MM-dd HH:mm:ss.SSS} and the offset as {@code +hhmm}, or {@code Z} for UTC, as CNRI's server writes it. */
    void appendCnri(StringBuilder b, long epochMillis) {
        refresh(epochMillis);
        b.append(cnriSecond);
        millis(b, epochMillis);
        b.append(cnriOffset);
    }

    /** ISO-8601: {@code yyyy-MM-ddTHH:mm:ss.SSS+hh:mm}, or {@code Z} for UTC. */
    void appendIso(StringBuilder b, long epochMillis) {
        refresh(epochMillis);
        b.append(isoSecond);
        millis(b, epochMillis);
        b.append(isoOffset);
    }

    private void refresh(long epochMillis) {
        long s = Math.floorDiv(epochMillis, 1000);
        if (s == second) {
            return;
        }
        second = s;
        ZonedDateTime t = Instant.ofEpochSecond(s).atZone(zone);
        cnriSecond = CNRI_SECOND.format(t);
        isoSecond = ISO_SECOND.format(t);
        ZoneOffset offset = t.getOffset();
        isoOffset = offset.getId();
        cnriOffset = offset.getTotalSeconds() == 0 ? "Z" : offset.getId().replace(":", "");
    }

    private static void millis(StringBuilder b, long epochMillis) {
        int ms = (int) Math.floorMod(epochMillis, 1000L);
        b.append('.');
        if (ms < 100) {
            b.append('0');
        }
        if (ms < 10) {
            b.append('0');
        }
        b.append(ms);
    }
}
