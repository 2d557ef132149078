package org.idnode.bench.ceiling;

import java.nio.charset.StandardCharsets;

import net.handle.hdllib.Common;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.GsonUtility;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.MessageEnvelope;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.Util;

/**
 * The fixed, successful answer the ceiling responder sends to every request: a Handle
 * {@code ResolutionResponse} (protocol 2.11) for {@code 88.999.1/CEILING.000001} with six public values,
 * padded so the whole UDP datagram (envelope included) is {@link #DATAGRAM_SIZE} bytes, the answer size
 * of the performance anchors; and the same record as the REST API's JSON in a complete HTTP/1.1 200
 * response, and as the gRPC API's {@code ResolveResponse}. Encoded once by the Handle.net library; only
 * the requestId (envelope bytes 8-11) differs per answer.
 *
 * <p>Immutable and thread-safe; the arrays must not be modified.
 */
final class CannedResponse {
    /** Size of the answer datagram: envelope + message. */
    static final int DATAGRAM_SIZE = 378;
    static final String HANDLE = "88.999.1/CEILING.000001";

    /** Envelope + message, for UDP and TCP. */
    final byte[] handleMessage;
    /** Status line, headers and JSON body. */
    final byte[] httpResponse;
    /** The same record as the gRPC API's answer. */
    final org.idnode.api.v1.ResolveResponse grpcResponse;

    private CannedResponse(byte[] handleMessage, byte[] httpResponse, org.idnode.api.v1.ResolveResponse grpcResponse) {
        this.handleMessage = handleMessage;
        this.httpResponse = httpResponse;
        this.grpcResponse = grpcResponse;
    }

    static CannedResponse create() {
        try {
            ResolutionRequest req = new ResolutionRequest(Util.encodeString(HANDLE), null, null, null);
            req.majorProtocolVersion = Common.MAJOR_VERSION;
            req.minorProtocolVersion = Common.MINOR_VERSION;
            req.suggestMajorProtocolVersion = Common.MAJOR_VERSION;
            req.suggestMinorProtocolVersion = Common.MINOR_VERSION;
            int pad = 0;
            ResolutionResponse resp = response(req, pad);
            int size = Common.MESSAGE_ENVELOPE_SIZE + resp.getEncodedMessage().length;
            pad = DATAGRAM_SIZE - size;
            if (pad < 0) {
                throw new IllegalStateException("canned answer is already " + size + " bytes");
            }
            resp = response(req, pad);
            byte[] msg = resp.getEncodedMessage();
            MessageEnvelope env = new MessageEnvelope();
            env.protocolMajorVersion = resp.majorProtocolVersion;
            env.protocolMinorVersion = resp.minorProtocolVersion;
            env.suggestMajorProtocolVersion = resp.suggestMajorProtocolVersion;
            env.suggestMinorProtocolVersion = resp.suggestMinorProtocolVersion;
            env.messageLength = msg.length;
            byte[] whole = new byte[Common.MESSAGE_ENVELOPE_SIZE + msg.length];
            Encoder.encodeEnvelope(env, whole);
            System.arraycopy(msg, 0, whole, Common.MESSAGE_ENVELOPE_SIZE, msg.length);
            if (whole.length != DATAGRAM_SIZE) {
                throw new IllegalStateException("canned answer is " + whole.length + " bytes, expected " + DATAGRAM_SIZE);
            }
            byte[] json = GsonUtility.serializeResponseToRequest(req, resp).toString().getBytes(StandardCharsets.UTF_8);
            byte[] head = ("HTTP/1.1 200 OK\r\n"
                    + "content-type: application/json; charset=UTF-8\r\n"
                    + "content-length: " + json.length + "\r\n"
                    + "connection: keep-alive\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] http = new byte[head.length + json.length];
            System.arraycopy(head, 0, http, 0, head.length);
            System.arraycopy(json, 0, http, head.length, json.length);
            return new CannedResponse(whole, http, grpc(resp));
        } catch (HandleException e) {
            throw new IllegalStateException("the Handle.net library cannot encode the canned answer", e);
        }
    }

    private static ResolutionResponse response(ResolutionRequest req, int pad) throws HandleException {
        int ts = 1_750_000_000;
        HandleValue[] values = {
            value(1, "URL", "https://example.com/u/SN2506180411", ts),
            value(2, "SERIAL", "SN2506180411", ts),
            value(3, "WORK_ORDER", "WO-2506-B4", ts),
            value(4, "DATE", "2025-06-18", ts),
            value(5, "REF.PCB_LOT", "88.999.2/PCB.B4.000127", ts),
            value(6, "FCT_RESULT", "PASS" + " ".repeat(pad), ts),
        };
        ResolutionResponse resp = new ResolutionResponse(req, req.handle, values);
        resp.authoritative = true;
        return resp;
    }

    private static org.idnode.api.v1.ResolveResponse grpc(ResolutionResponse resp) throws HandleException {
        org.idnode.api.v1.HandleRecord.Builder record = org.idnode.api.v1.HandleRecord.newBuilder().setHandle(HANDLE);
        for (byte[] encoded : resp.values) {
            HandleValue v = new HandleValue();
            Encoder.decodeHandleValue(encoded, 0, v);
            record.addValues(org.idnode.api.v1.HandleValue.newBuilder()
                    .setIndex(v.getIndex())
                    .setType(v.getTypeAsString())
                    .setData(com.google.protobuf.ByteString.copyFrom(v.getData()))
                    .setTtl(v.getTTL())
                    .setTimestamp(v.getTimestamp())
                    .setPublicRead(true)
                    .setAdminRead(true)
                    .setAdminWrite(true));
        }
        return org.idnode.api.v1.ResolveResponse.newBuilder().setRecord(record).build();
    }

    private static HandleValue value(int index, String type, String data, int timestamp) {
        HandleValue v = new HandleValue(index, type, data);
        v.setTimestamp(timestamp);
        return v;
    }
}
