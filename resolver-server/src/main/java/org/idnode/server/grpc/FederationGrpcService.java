package org.idnode.server.grpc;

import java.util.concurrent.Executor;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import org.idnode.api.v1.FederationServiceGrpc;
import org.idnode.api.v1.FilingAck;
import org.idnode.api.v1.FilingBatch;
import org.idnode.api.v1.FilingStatusRequest;
import org.idnode.server.federation.FilingReceiver;
import org.idnode.server.federation.FilingRefusedException;

/**
 * {@code idnode.v1.FederationService} of a node in the top-level role (a secondary node does not serve it: its calls
 * end {@code UNIMPLEMENTED}), on the {@link FilingReceiver}. Needs no API token: a batch is authenticated by its
 * signature. Refusals: {@code INVALID_ARGUMENT} (malformed, more than {@value FilingReceiver#MAX_FILINGS} filings),
 * {@code UNAUTHENTICATED} (unknown secondary prefix, unsigned, unsupported algorithm, bad signature),
 * {@code FAILED_PRECONDITION} for a sequence gap; {@code Status} of an unknown prefix is {@code NOT_FOUND}. Every
 * refusal carries a {@code google.rpc.ErrorInfo} with domain {@value GrpcErrors#DOMAIN} and reason
 * {@code FILING_<kind>} ({@code FILING_UNAUTHENTICATED}, {@code FILING_INVALID}, {@code FILING_NOT_FOUND},
 * {@value #GAP_REASON}); a gap's metadata {@code expected_sequence} and {@code applied_through} say where to resume. Calls run on the blocking-work executor (signature checks and synced writes).
 *
 * <p>Thread-safe.
 */
final class FederationGrpcService extends FederationServiceGrpc.FederationServiceImplBase {
    /** The ErrorInfo reason of a sequence gap. */
    static final String GAP_REASON = "FILING_SEQUENCE_GAP";

    private final FilingReceiver receiver;
    private final Executor blockingWork;

    FederationGrpcService(FilingReceiver receiver, Executor blockingWork) {
        this.receiver = receiver;
        this.blockingWork = blockingWork;
    }

    @Override
    public void file(FilingBatch request, StreamObserver<FilingAck> observer) {
        Answers.later(blockingWork, observer, () -> {
            try {
                return FilingAck.newBuilder().setAppliedThrough(receiver.file(request)).build();
            } catch (FilingRefusedException e) {
                throw refusal(e);
            }
        });
    }

    @Override
    public void status(FilingStatusRequest request, StreamObserver<FilingAck> observer) {
        Answers.later(blockingWork, observer, () -> {
            try {
                return FilingAck.newBuilder().setAppliedThrough(receiver.appliedThrough(request.getSecondaryPrefix())).build();
            } catch (FilingRefusedException e) {
                throw refusal(e);
            }
        });
    }

    private static StatusRuntimeException refusal(FilingRefusedException e) {
        Status.Code code = switch (e.kind()) {
            case UNAUTHENTICATED -> Status.Code.UNAUTHENTICATED;
            case INVALID -> Status.Code.INVALID_ARGUMENT;
            case SEQUENCE_GAP -> Status.Code.FAILED_PRECONDITION;
            case NOT_FOUND -> Status.Code.NOT_FOUND;
        };
        ErrorInfo.Builder info = ErrorInfo.newBuilder().setDomain(GrpcErrors.DOMAIN).setReason("FILING_" + e.kind().name());
        if (e.kind() == FilingRefusedException.Kind.SEQUENCE_GAP) {
            info.putMetadata("expected_sequence", Long.toString(e.expectedSequence()))
                    .putMetadata("applied_through", Long.toString(e.appliedThrough()));
        }
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                .setCode(code.value())
                .setMessage(e.getMessage())
                .addDetails(Any.pack(info.build()))
                .build());
    }
}
