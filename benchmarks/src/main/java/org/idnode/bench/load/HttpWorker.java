package org.idnode.bench.load;

import java.nio.charset.StandardCharsets;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * CNRI's REST API, {@code GET /api/handles/{handle}}, over keep-alive HTTP/1.1 connections, one request
 * in flight per connection. Requests are written as bytes ({@code GET}, the percent-encoded handle,
 * {@code Host} and {@code Accept} headers; nothing per request but the path differs), and answers are
 * parsed by Netty's HTTP client-side decoder ({@link HttpResponseDecoder}, the decoding half of
 * {@code HttpClientCodec}) without header validation. Status 200 is a success. For any other status
 * the JSON body is read and its {@code responseCode} becomes the error code ({@code "100"} for a handle
 * that does not exist), or {@code http_<status>} when the body has none. The body of a 200 answer is
 * not read unless verifying.
 */
final class HttpWorker extends StreamWorker {
    private static final String API = "/api/handles/";
    private static final int MAX_BODY = 1 << 20;
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private final Inbound inbound = new Inbound(this);
    private final byte[] head = ("GET " + API).getBytes(StandardCharsets.US_ASCII);
    private final byte[] tail;

    HttpWorker(LoadSpec spec, RunControl run, EventLoop loop, KeySet keys, int laneCount, int workerIndex, int workerCount) {
        super(spec, run, loop, keys, laneCount, workerIndex, workerCount);
        String host = spec.target().getAddress().getHostAddress() + ":" + spec.target().getPort();
        tail = (" HTTP/1.1\r\nHost: " + host + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    void initPipeline(Channel ch) {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(4096)
                .setMaxHeaderSize(8192)
                .setMaxChunkSize(65536)
                .setValidateHeaders(false);
        ch.pipeline().addLast(new HttpResponseDecoder(config), inbound);
    }

    @Override
    void send(Lane lane) {
        lane.httpStatus = 0;
        if (lane.body != null) {
            lane.body.clear();
        }
        int len = keys.length(lane.key);
        ByteBuf buf = lane.channel.alloc().directBuffer(head.length + 3 * len + tail.length);
        buf.writeBytes(head);
        writePath(buf, keys.data(), keys.offset(lane.key), len);
        buf.writeBytes(tail);
        lane.channel.writeAndFlush(buf, lane.channel.voidPromise());
    }

    /** Appends the handle, percent-encoding every byte except unreserved characters and '/'. */
    static void writePath(ByteBuf out, byte[] data, int off, int len) {
        for (int i = off; i < off + len; i++) {
            int b = data[i] & 0xff;
            if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                    || b == '-' || b == '.' || b == '_' || b == '~' || b == '/') {
                out.writeByte(b);
            } else {
                out.writeByte('%').writeByte(HEX[b >>> 4]).writeByte(HEX[b & 15]);
            }
        }
    }

    private String complete(Lane lane) {
        int status = lane.httpStatus;
        if (status == 200 && !spec.verify()) {
            return null;
        }
        JsonObject json = null;
        if (lane.body != null && lane.body.isReadable()) {
            try {
                JsonElement e = JsonParser.parseString(lane.body.toString(StandardCharsets.UTF_8));
                json = e.isJsonObject() ? e.getAsJsonObject() : null;
            } catch (RuntimeException e) {
                json = null;
            }
        }
        if (status == 200) {
            if (json == null || !json.has("handle") || !json.get("handle").getAsString().equals(keys.handle(lane.key))
                    || !json.has("responseCode") || json.get("responseCode").getAsInt() != 1) {
                return "mismatch";
            }
            return null;
        }
        if (json != null && json.has("responseCode") && json.get("responseCode").isJsonPrimitive()) {
            try {
                return Recorder.handleCode(json.get("responseCode").getAsInt());
            } catch (NumberFormatException e) {
                // fall through to the HTTP status
            }
        }
        return "http_" + status;
    }

    private boolean wantsBody(Lane lane) {
        return lane.httpStatus != 200 || spec.verify();
    }

    @ChannelHandler.Sharable
    private static final class Inbound extends SimpleChannelInboundHandler<HttpObject> {
        private final HttpWorker worker;

        Inbound(HttpWorker worker) {
            this.worker = worker;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            Lane lane = ctx.channel().attr(LANE).get();
            if (lane == null || !lane.busy || lane.channel != ctx.channel()) {
                return;
            }
            if (msg.decoderResult().isFailure()) {
                worker.answered(lane, "malformed");
                ctx.close();
                return;
            }
            if (msg instanceof HttpResponse r) {
                lane.httpStatus = r.status().code();
            }
            if (msg instanceof HttpContent c && worker.wantsBody(lane) && c.content().isReadable()) {
                if (lane.body == null) {
                    lane.body = Unpooled.buffer(1024);
                }
                if (lane.body.readableBytes() + c.content().readableBytes() <= MAX_BODY) {
                    lane.body.writeBytes(c.content(), c.content().readerIndex(), c.content().readableBytes());
                }
            }
            if (msg instanceof LastHttpContent) {
                worker.answered(lane, worker.complete(lane));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            Lane lane = ctx.channel().attr(LANE).get();
            if (lane != null) {
                worker.connectionLost(lane, ctx.channel());
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
