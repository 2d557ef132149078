package org.idnode.bench.load;

import com.google.rpc.ErrorInfo;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.idnode.api.v1.IdentifierServiceGrpc;
import org.idnode.api.v1.ResolveRequest;
import org.idnode.api.v1.ResolveResponse;

/**
 * The node's gRPC API, unary {@code IdentifierService/Resolve}, over one HTTP/2 connection per worker
 * with every lane a concurrent stream on it. The channel runs on the worker's own event loop with a
 * direct executor, so calls start and complete on that loop like the other transports' requests.
 * An {@code OK} status is a success; a failure is recorded under the Handle response code from the
 * status's {@code ErrorInfo} ({@code "100"} for an identifier that does not exist), else under
 * {@code grpc_<STATUS>}. When verifying, an answer for another identifier is a {@code mismatch}.
 */
final class GrpcWorker extends Worker {
    private final ManagedChannel channel;

    GrpcWorker(LoadSpec spec, RunControl run, EventLoop loop, KeySet keys, int laneCount, int workerIndex, int workerCount) {
        super(spec, run, loop, keys, laneCount, workerIndex, workerCount);
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(spec.target());
        if (spec.bind() != null) {
            builder.localSocketPicker(new NettyChannelBuilder.LocalSocketPicker() {
                @Override
                public java.net.SocketAddress createSocketAddress(java.net.SocketAddress remote, io.grpc.Attributes attrs) {
                    return spec.localAddress();
                }
            });
        }
        channel = builder
                .eventLoopGroup(loop)
                .channelType(spec.io().socketChannel())
                .directExecutor()
                .usePlaintext()
                .maxInboundMessageSize(4 << 20)
                .build();
    }

    @Override
    Future<?> open() {
        Promise<Void> ready = loop.newPromise();
        awaitReady(ready, channel.getState(true));
        return ready;
    }

    private void awaitReady(Promise<Void> ready, ConnectivityState state) {
        if (state == ConnectivityState.READY) {
            ready.trySuccess(null);
            return;
        }
        if (state == ConnectivityState.TRANSIENT_FAILURE || state == ConnectivityState.SHUTDOWN) {
            ready.tryFailure(new LoadException("gRPC channel to " + spec.target() + " is " + state));
            return;
        }
        channel.notifyWhenStateChanged(state, () -> awaitReady(ready, channel.getState(true)));
    }

    @Override
    void send(Lane lane) {
        int generation = ++lane.generation;
        ClientCall<ResolveRequest, ResolveResponse> call =
                channel.newCall(IdentifierServiceGrpc.getResolveMethod(), CallOptions.DEFAULT);
        lane.grpcCall = call;
        call.start(new ClientCall.Listener<>() {
            private boolean mismatch;

            @Override
            public void onMessage(ResolveResponse message) {
                mismatch = spec.verify() && !message.getRecord().getHandle().equals(keys.handle(lane.key));
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                if (lane.generation != generation) {
                    return;
                }
                lane.grpcCall = null;
                answered(lane, !status.isOk() ? errorCode(status, trailers) : mismatch ? "mismatch" : null);
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage(ResolveRequest.newBuilder().setHandle(keys.handle(lane.key)).build());
        call.halfClose();
    }

    private String errorCode(Status status, Metadata trailers) {
        com.google.rpc.Status details = StatusProto.fromStatusAndTrailers(status, trailers);
        if (details != null) {
            for (com.google.protobuf.Any any : details.getDetailsList()) {
                if (any.is(ErrorInfo.class)) {
                    try {
                        String code = any.unpack(ErrorInfo.class).getMetadataMap().get("response_code");
                        if (code != null) {
                            return Recorder.handleCode(Integer.parseInt(code));
                        }
                    } catch (com.google.protobuf.InvalidProtocolBufferException | NumberFormatException e) {
                        break;
                    }
                }
            }
        }
        return "grpc_" + status.getCode();
    }

    @Override
    void abandon(Lane lane) {
        ClientCall<?, ?> call = lane.grpcCall;
        lane.generation++;
        lane.grpcCall = null;
        if (call != null) {
            call.cancel("timed out", null);
        }
        laneAvailable(lane);
    }

    @Override
    void closeChannels() {
        channel.shutdownNow();
    }
}
