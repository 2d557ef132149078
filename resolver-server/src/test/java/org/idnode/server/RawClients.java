package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Common;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.Util;

/**
 * Byte-level Handle and HTTP clients bound to a chosen loopback source address (127.0.0.2, 127.0.0.3, ...), so that
 * one test can be several clients as the node's per-address limits see them, and the bytes of Handle messages, valid
 * or deliberately broken (an envelope with any length). Requests are encoded with CNRI's encoder; answers decoded
 * with CNRI's decoder and checked to be whole. Every socket has a read timeout.
 */
final class RawClients {
    static final int TIMEOUT_MS = 5000;

    private RawClients() {
    }

    /** A UDP socket bound to {@code from} (an ephemeral port). */
    static DatagramSocket udp(String from) throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.setSoTimeout(TIMEOUT_MS);
        s.setSendBufferSize(256 * 1024);
        return s;
    }

    /** A TCP connection from {@code from} to 127.0.0.1:{@code port}. */
    static Socket tcp(String from, int port) throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(TIMEOUT_MS);
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MS);
        return s;
    }

    /** Envelope and message of a v2.11 resolution request for {@code handle}, as CNRI's client encodes it. */
    static byte[] resolutionRequest(String handle, int requestId) throws Exception {
        return whole(resolutionMessage(Util.encodeString(handle), requestId), requestId);
    }

    /** Header, body and credential of a v2.11 resolution request for raw handle bytes (valid UTF-8 or not). */
    static byte[] resolutionMessage(byte[] handle, int requestId) throws Exception {
        ResolutionRequest req = new ResolutionRequest(handle, null, null, null);
        req.majorProtocolVersion = 2;
        req.minorProtocolVersion = 11;
        req.suggestMajorProtocolVersion = 2;
        req.suggestMinorProtocolVersion = 11;
        req.requestId = requestId;
        return req.getEncodedMessage();
    }

    /** A v2.11 envelope; {@code messageLength} is written as given, even when invalid. */
    static byte[] envelope(int requestId, int messageLength) {
        MessageEnvelope env = new MessageEnvelope();
        env.protocolMajorVersion = 2;
        env.protocolMinorVersion = 11;
        env.suggestMajorProtocolVersion = 2;
        env.suggestMinorProtocolVersion = 11;
        env.requestId = requestId;
        env.messageLength = messageLength;
        byte[] out = new byte[Common.MESSAGE_ENVELOPE_SIZE];
        Encoder.encodeEnvelope(env, out);
        // encodeEnvelope writes messageLength as given; make sure of it for the invalid values.
        ByteBuffer.wrap(out).putInt(16, messageLength);
        return out;
    }

    /** Envelope (length = message length) and message. */
    static byte[] whole(byte[] message, int requestId) {
        byte[] out = new byte[Common.MESSAGE_ENVELOPE_SIZE + message.length];
        System.arraycopy(envelope(requestId, message.length), 0, out, 0, Common.MESSAGE_ENVELOPE_SIZE);
        System.arraycopy(message, 0, out, Common.MESSAGE_ENVELOPE_SIZE, message.length);
        return out;
    }

    /** Sends one datagram to 127.0.0.1:{@code port}. */
    static void send(DatagramSocket s, int port, byte[] datagram) throws IOException {
        s.send(new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), port));
    }

    /** Receives one datagram. */
    static byte[] receive(DatagramSocket s) throws IOException {
        byte[] buf = new byte[65536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        return Arrays.copyOf(buf, p.getLength());
    }

    /**
     * Sends {@code count} resolution requests for {@code handle} from {@code from} at once, as separate datagrams, and
     * returns the response codes of the answers that come back (read until none comes for a second): a node answers
     * every request it admits, and refusals of its rate limit only at the client's own rate.
     */
    static List<Integer> udpBurst(String from, int port, String handle, int count) throws Exception {
        List<Integer> codes = new ArrayList<>();
        try (DatagramSocket s = udp(from)) {
            s.setReceiveBufferSize(1 << 20);
            for (int i = 1; i <= count; i++) {
                send(s, port, resolutionRequest(handle, i));
            }
            for (int i = 1; i <= count; i++) {
                try {
                    codes.add(decode(receive(s)).responseCode);
                } catch (SocketTimeoutException e) {
                    break;
                }
                s.setSoTimeout(1000);
            }
        }
        return codes;
    }

    /** Decodes envelope + message (one whole message, or a single-packet UDP answer) with CNRI's decoder. */
    static AbstractMessage decode(byte[] bytes) throws Exception {
        assertThat(bytes.length).as("answer bytes").isGreaterThanOrEqualTo(Common.MESSAGE_ENVELOPE_SIZE);
        MessageEnvelope env = new MessageEnvelope();
        Encoder.decodeEnvelope(bytes, env);
        assertThat(env.truncated).as("single-packet answer").isFalse();
        assertThat(bytes.length - Common.MESSAGE_ENVELOPE_SIZE).as("message bytes after the envelope").isEqualTo(env.messageLength);
        AbstractMessage m = Encoder.decodeMessage(bytes, Common.MESSAGE_ENVELOPE_SIZE, env);
        assertThat(m).as("decodable answer").isNotNull();
        assertThat(m.requestId).as("envelope and message agree").isEqualTo(env.requestId);
        return m;
    }

    /** The message of an error answer. */
    static String errorText(AbstractMessage m) {
        assertThat(m).isInstanceOf(ErrorResponse.class);
        byte[] text = ((ErrorResponse) m).message;
        return text == null ? "" : new String(text, StandardCharsets.UTF_8);
    }

    /** Reads one TCP-framed message: the envelope, then messageLength bytes. */
    static byte[] readOneMessage(InputStream in) throws IOException {
        byte[] env = in.readNBytes(Common.MESSAGE_ENVELOPE_SIZE);
        if (env.length < Common.MESSAGE_ENVELOPE_SIZE) {
            throw new EOFException("connection closed inside the envelope");
        }
        int length = ByteBuffer.wrap(env, 16, 4).getInt();
        assertThat(length).isBetween(0, Common.MAX_MESSAGE_LENGTH);
        byte[] msg = in.readNBytes(length);
        if (msg.length < length) {
            throw new EOFException("connection closed inside the message");
        }
        byte[] out = Arrays.copyOf(env, Common.MESSAGE_ENVELOPE_SIZE + length);
        System.arraycopy(msg, 0, out, Common.MESSAGE_ENVELOPE_SIZE, length);
        return out;
    }

    /** An HTTP response. */
    record HttpReply(int status, Map<String, String> headers, byte[] body) {
        /** A header's value; {@code name} in lower case. */
        String header(String name) {
            return headers.get(name);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonObject json() {
            return JsonParser.parseString(text()).getAsJsonObject();
        }
    }

    /** Writes a keep-alive {@code GET path} on the connection. */
    static void writeGet(Socket s, String path) throws IOException {
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    /** Reads one HTTP/1.1 response with a Content-Length body (the only kind the node sends). */
    static HttpReply readHttpReply(InputStream in) throws IOException {
        String statusLine = readLine(in);
        String[] parts = statusLine.split(" ", 3);
        assertThat(parts[0]).as("status line '%s'", statusLine).startsWith("HTTP/1.");
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line; !(line = readLine(in)).isEmpty(); ) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        int status = Integer.parseInt(parts[1]);
        String length = headers.get("content-length");
        assertThat(length).as("Content-Length of a %d reply", status).isNotNull();
        byte[] body = in.readNBytes(Integer.parseInt(length));
        assertThat(body).as("body of a %d reply", status).hasSize(Integer.parseInt(length));
        return new HttpReply(status, headers, body);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b == -1) {
                throw new EOFException("connection closed inside the HTTP response head: '" + line + "'");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** True when the peer closed the connection (end of stream or reset) within the socket's read timeout. */
    static boolean closedByPeer(Socket s) throws IOException {
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (true) {
                if (in.read(buf) == -1) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    /** The response code of an answer read from a TCP connection. */
    static int responseCode(Socket s) throws Exception {
        return decode(readOneMessage(s.getInputStream())).responseCode;
    }

    /** {@code AbstractMessage.RC_SERVER_TOO_BUSY}, for readability in assertions. */
    static final int TOO_BUSY = AbstractMessage.RC_SERVER_TOO_BUSY;
}
