package org.idnode.server.federation;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.Common;
import net.handle.hdllib.GenericRequest;
import net.handle.hdllib.GetSiteInfoResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.HandleResolver;
import org.idnode.api.v1.FederationServiceGrpc;
import org.idnode.server.config.ConfigException;
import org.idnode.server.config.NodeConfig.Federation;
import org.idnode.server.config.NodeConfig.Federation.Address;

/**
 * The top level's filing service (gRPC {@code FederationService}), reached at {@code federation.filing.address}, or
 * else at the top level's host and the {@code grpc-port} its site info publishes, asked for with
 * {@code OC_GET_SITE_INFO} at its Handle address the first time a filing is sent (and again after a failure, in case
 * the top level moved). TLS when {@code federation.filing.tls-ca-file} is set.
 *
 * <p>Used by the shipper's one thread; {@link #address()} may be read from any thread.
 */
final class FilingEndpoint implements AutoCloseable {
    private final Address topLevel;
    private final Federation.Filing settings;
    private final HandleResolver resolver;
    private final SslContext tls;
    private ManagedChannel channel;
    private volatile Address address;

    private FilingEndpoint(Address topLevel, Federation.Filing settings) {
        this.topLevel = topLevel;
        this.settings = settings;
        int timeout = (int) TimeUnit.SECONDS.toMillis(settings.callTimeoutSeconds());
        this.resolver = TopLevelSites.resolver(topLevel, timeout, new int[] {500, 1000});
        this.address = settings.address();
        if (settings.tlsCaFile() == null) {
            tls = null;
        } else {
            try {
                tls = GrpcSslContexts.forClient().trustManager(settings.tlsCaFile().toFile()).build();
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("federation.filing.tls-ca-file: cannot use " + settings.tlsCaFile() + " as PEM certificates to trust: "
                        + e.getMessage(), e);
            }
        }
    }

    /**
     * @throws ConfigException when {@code federation.filing.tls-ca-file} holds no usable certificates
     */
    static FilingEndpoint of(Address topLevel, Federation.Filing settings) {
        return new FilingEndpoint(topLevel, settings);
    }

    /** A stub on the filing channel, set up first when there is none. */
    FederationServiceGrpc.FederationServiceBlockingStub stub() throws FilingException {
        if (channel == null) {
            Address target = settings.address() != null ? settings.address() : lookUpFilingAddress();
            channel = open(target);
            address = target;
        }
        return FederationServiceGrpc.newBlockingStub(channel);
    }

    /** Drops the channel after a failure, so the next call looks the address up again (unless it is configured). */
    void reset() {
        if (channel != null) {
            channel.shutdownNow();
            channel = null;
        }
    }

    /** Where filings go, when known. */
    Address address() {
        return address;
    }

    private Address lookUpFilingAddress() throws FilingException {
        GenericRequest req = new GenericRequest(Common.BLANK_HANDLE, AbstractMessage.OC_GET_SITE_INFO, null);
        req.majorProtocolVersion = Common.MAJOR_VERSION;
        req.minorProtocolVersion = Common.MINOR_VERSION;
        req.certify = false;
        AbstractResponse resp;
        try {
            resp = resolver.sendHdlTcpRequest(req, TopLevelSites.inetAddress(topLevel.host()), topLevel.port());
        } catch (HandleException e) {
            throw new FilingException("cannot get the site info of the top-level node at " + topLevel + " (federation.top-level): "
                    + HandleErrors.describe(e));
        } catch (RuntimeException e) {
            throw new FilingException("cannot get the site info of the top-level node at " + topLevel + " (federation.top-level): " + e);
        }
        if (!(resp instanceof GetSiteInfoResponse site)) {
            throw new FilingException("the top-level node at " + topLevel + " answered the site-info request with " + resp);
        }
        int port = TopLevelSites.grpcPort(site.siteInfo);
        if (port < 0) {
            throw new FilingException("the top-level node at " + topLevel + " publishes no '" + TopLevelSites.GRPC_PORT_ATTRIBUTE
                    + "' in its site info; set federation.filing.address to its gRPC address");
        }
        return new Address(topLevel.host(), port);
    }

    private ManagedChannel open(Address target) {
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(target.host(), target.port());
        if (tls == null) {
            b.usePlaintext();
        } else {
            b.sslContext(tls);
        }
        return b.build();
    }

    @Override
    public void close() {
        reset();
    }

    /** The filing service cannot be reached or set up; the message says why. */
    static final class FilingException extends Exception {
        private static final long serialVersionUID = 1L;

        FilingException(String message) {
            super(message, null, false, false);
        }
    }
}
