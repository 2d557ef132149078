package org.idnode.server.logging;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.idnode.server.config.NodeConfig;
import org.idnode.server.metrics.Operation;
import org.idnode.server.metrics.Protocol;
import org.idnode.server.metrics.ResponseCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one line per answered request, on every interface, written to the logger {@value #LOGGER} at
 * INFO, whose appender (in {@code conf/logback.xml}: asynchronous, never blocking the caller) puts it in the access
 * log file. Two line formats ({@code logging.access}):
 * <ul>
 *   <li>{@code cnri}, the layout of CNRI's Handle server access log:
 *   {@code <client> <interface> "<yyyy-MM-dd HH:mm:ss.SSS±hhmm>" <op code> <response code> <elapsed>ms <handle>},
 *   e.g. {@code 127.0.0.1 UDP:HDL(2.11) "2026-05-01 10:00:00.123+0800" 1 1 0ms 88.999.1/LOT-1}. The interface is
 *   {@code UDP:HDL}, {@code TCP:HDL} or {@code HTTP:HDL} with the request's protocol version for Handle messages,
 *   {@code HTTP:REST} for the REST API and {@code GRPC} for gRPC; the op code is the Handle op code of the operation
 *   (0 when the Handle protocol has none); the response code is the Handle response code, the HTTP status for REST
 *   and the gRPC status code for gRPC; the last field is the handle, else the path (REST) or method (gRPC), with
 *   spaces, control characters, {@code "} and {@code %} percent-encoded;</li>
 *   <li>{@code json}, one object per line: {@code time} (ISO-8601 with offset), {@code client}, {@code protocol},
 *   {@code operation}, {@code code} (as the metrics label it), {@code micros}, and {@code handle} when known; Handle
 *   messages add {@code version}, {@code opCode} and {@code rc}, REST adds {@code method}, {@code path} and
 *   {@code status}, gRPC adds {@code method} and {@code status}.</li>
 * </ul>
 * The line is formatted on the calling thread (an event loop or a store thread) into a builder kept per thread,
 * which also keeps the text of the last client address it wrote (a client usually sends many requests in a row);
 * only the write is asynchronous.
 *
 * <p>Thread-safe.
 */
public final class AccessLog {
    /** The logger the lines go to. */
    public static final String LOGGER = "idnode.access";
    /** An access log that writes nothing. */
    public static final AccessLog OFF = new AccessLog(NodeConfig.AccessLogFormat.OFF);

    private static final Logger log = LoggerFactory.getLogger(LOGGER);
    private static final ThreadLocal<Line> LINE = ThreadLocal.withInitial(Line::new);

    private final boolean cnri;
    private final boolean enabled;

    private AccessLog(NodeConfig.AccessLogFormat format) {
        this.cnri = format == NodeConfig.AccessLogFormat.CNRI;
        this.enabled = format != NodeConfig.AccessLogFormat.OFF;
    }

    /** The access log in this format ({@link #OFF} for {@code OFF}). */
    public static AccessLog of(NodeConfig.AccessLogFormat format) {
        return format == NodeConfig.AccessLogFormat.OFF ? OFF : new AccessLog(format);
    }

    /** False when nothing is written; callers may skip gathering what a line needs. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * A Handle message answered (over UDP, TCP, or HTTP as a native message).
     *
     * @param handle the handle as sent (UTF-8), or null when the request carried none or could not be read
     */
    public void handle(Protocol protocol, InetSocketAddress client, int majorVersion, int minorVersion, int opCode, int rc,
                       long nanos, byte[] handle) {
        if (!enabled) {
            return;
        }
        Line line = start(client);
        StringBuilder b = line.text;
        if (cnri) {
            b.append(' ').append(protocol.name()).append(":HDL(").append(majorVersion).append('.').append(minorVersion).append(')');
            cnriTime(line, opCode, rc, nanos);
            if (handle == null) {
                b.append('-');
            } else {
                percentEncode(b, handle);
            }
        } else {
            String name = handle == null ? null : new String(handle, StandardCharsets.UTF_8);
            json(b, protocol, Operation.forHandleOpCode(opCode), ResponseCodes.handle(rc), nanos, name);
            b.append(",\"version\":\"").append(majorVersion).append('.').append(minorVersion).append('"');
            b.append(",\"opCode\":").append(opCode).append(",\"rc\":").append(rc).append('}');
        }
        write(b);
    }

    /** A REST request answered with {@code status}; {@code handle} null when the path names none. */
    public void rest(InetSocketAddress client, Operation operation, String method, String path, String handle, int status, long nanos) {
        if (!enabled) {
            return;
        }
        Line line = start(client);
        StringBuilder b = line.text;
        if (cnri) {
            b.append(" HTTP:REST");
            cnriTail(line, operation.handleOpCode(), status, nanos, handle != null ? handle : path);
        } else {
            json(b, Protocol.HTTP, operation, ResponseCodes.http(status), nanos, handle);
            b.append(",\"method\":");
            jsonString(b, method);
            b.append(",\"path\":");
            jsonString(b, path);
            b.append(",\"status\":").append(status).append('}');
        }
        write(b);
    }

    /** A gRPC call closed with status {@code code}; {@code handle} null when its first message named none. */
    public void grpc(InetSocketAddress client, Operation operation, String fullMethod, String handle, int code, long nanos) {
        if (!enabled) {
            return;
        }
        Line line = start(client);
        StringBuilder b = line.text;
        if (cnri) {
            b.append(" GRPC");
            cnriTail(line, operation.handleOpCode(), code, nanos, handle != null ? handle : fullMethod);
        } else {
            json(b, Protocol.GRPC, operation, ResponseCodes.grpc(code), nanos, handle);
            b.append(",\"method\":");
            jsonString(b, fullMethod);
            b.append(",\"status\":").append(code).append('}');
        }
        write(b);
    }

    private Line start(InetSocketAddress client) {
        Line line = LINE.get();
        StringBuilder b = line.text;
        b.setLength(0);
        String address = line.address(client == null ? null : client.getAddress());
        if (cnri) {
            b.append(address);
        } else {
            b.append("{\"time\":\"");
            line.clock.appendIso(b, System.currentTimeMillis());
            b.append("\",\"client\":\"").append(address).append('"');
        }
        return line;
    }

    private static void cnriTail(Line line, int opCode, int code, long nanos, String target) {
        cnriTime(line, opCode, code, nanos);
        if (target == null) {
            line.text.append('-');
        } else {
            percentEncode(line.text, target);
        }
    }

    /** The CNRI line's fields from the time to the elapsed milliseconds, and the space before the target. */
    private static void cnriTime(Line line, int opCode, int code, long nanos) {
        StringBuilder b = line.text;
        b.append(" \"");
        line.clock.appendCnri(b, System.currentTimeMillis());
        b.append("\" ").append(opCode).append(' ').append(code).append(' ').append(nanos / 1_000_000).append("ms ");
    }

    private static void json(StringBuilder b, Protocol protocol, Operation operation, String code, long nanos, String handle) {
        b.append(",\"protocol\":\"").append(protocol.label()).append("\",\"operation\":\"").append(operation.label())
                .append("\",\"code\":\"").append(code).append("\",\"micros\":").append(nanos / 1000);
        if (handle != null) {
            b.append(",\"handle\":");
            jsonString(b, handle);
        }
    }

    private static void write(StringBuilder b) {
        log.info(b.toString());
    }

    private static void percentEncode(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            percentEncode(b, s.charAt(i));
        }
    }

    /** As {@link #percentEncode(StringBuilder, String)} of the UTF-8 text, without making a string of ASCII. */
    private static void percentEncode(StringBuilder b, byte[] utf8) {
        int start = b.length();
        for (byte c : utf8) {
            if (c < 0) {
                b.setLength(start);
                percentEncode(b, new String(utf8, StandardCharsets.UTF_8));
                return;
            }
            percentEncode(b, (char) c);
        }
    }

    private static void percentEncode(StringBuilder b, char c) {
        if (c <= ' ' || c == '"' || c == '%' || c == 0x7f) {
            b.append('%').append(Character.forDigit(c >> 4 & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
        } else {
            b.append(c);
        }
    }

    private static void jsonString(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < ' ' || c == 0x7f) {
                b.append("\\u00").append(Character.forDigit(c >> 4 & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }

    /** What one thread keeps for its lines. */
    private static final class Line {
        final StringBuilder text = new StringBuilder(256);
        final LogClock clock = new LogClock();
        private InetAddress lastAddress;
        private String lastAddressText = "-";

        String address(InetAddress address) {
            if (address == null) {
                return "-";
            }
            // An IPv6 address's text also names its scope, which equals() does not compare.
            if (!(address instanceof Inet4Address) || !address.equals(lastAddress)) {
                lastAddressText = address.getHostAddress();
                lastAddress = address;
            }
            return lastAddressText;
        }
    }
}
