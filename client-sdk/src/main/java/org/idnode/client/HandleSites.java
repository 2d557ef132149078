package org.idnode.client;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.Attribute;
import net.handle.hdllib.ErrorResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.ResolutionResponse;
import net.handle.hdllib.ServerInfo;
import net.handle.hdllib.SimpleConfiguration;
import net.handle.hdllib.SiteInfo;
import net.handle.hdllib.Util;
import net.handle.hdllib.ValueReference;
import org.idnode.api.v1.HandleRecord;
import org.idnode.api.v1.HandleValue;
import org.idnode.api.v1.ResolveRequest;

/**
 * Resolution over the Handle protocol, through CNRI's {@link HandleResolver}, for the prefixes given to
 * {@link IdClient.Builder#handleSite(String, String)}: nodes that are not ours, or ours with gRPC switched off.
 *
 * <p>Each site gets its own resolver whose configuration never touches the global Handle root: root-info auto-update is
 * off, the site answers for its prefix directly, and it stands in for the global service ({@code 0.NA/0.NA}), so that a
 * prefix derived from the configured one is looked up there ({@code 0.NA/<derived>}) and its {@code HS_SITE} followed,
 * as a resolver given only a top-level node does. CNRI's own caches are off: the client's cache is in front. The blocking
 * CNRI calls run on a small executor of daemon threads.
 *
 * <p>Thread-safe (CNRI's resolver is safe for concurrent requests).
 */
final class HandleSites implements AutoCloseable {
    /** Threads for blocking CNRI calls. */
    private static final int THREADS = 4;

    /** One configured site: the prefix it answers for (upper case) and its resolver. */
    private record Site(String prefix, String address, HandleResolver resolver) {
    }

    /** A configuration that knows only one site, for its prefix and as the global service; never updates root info. */
    private static final class OneSiteConfiguration extends SimpleConfiguration {
        private final String prefixHandle;
        private final SiteInfo[] site;

        OneSiteConfiguration(String prefix, SiteInfo site) {
            this.prefixHandle = "0.NA/" + prefix;
            this.site = new SiteInfo[] {site};
        }

        @Override
        public boolean isAutoUpdateRootInfo() {
            return false;
        }

        @Override
        public SiteInfo[] getLocalSites(String na) {
            return na.equalsIgnoreCase(prefixHandle) || na.equalsIgnoreCase("0.NA/0.NA") ? site : null;
        }

        @Override
        public SiteInfo[] getGlobalSites() {
            return site;
        }
    }

    private final List<Site> sites;
    private final ExecutorService executor;

    /**
     * @param prefixToAddress in order of configuration: prefix, then {@code host:port} of the node's Handle TCP/UDP port
     */
    HandleSites(List<String[]> prefixToAddress, Duration timeout) {
        List<Site> list = new ArrayList<>();
        for (String[] pa : prefixToAddress) {
            String prefix = pa[0].toUpperCase(Locale.ROOT);
            HostPort hp = HostPort.parse(pa[1], "handleSite");
            InetAddress address;
            try {
                address = InetAddress.getByName(hp.host());
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("handleSite: cannot resolve host '" + hp.host() + "' of " + pa[1], e);
            }
            HandleResolver r = new HandleResolver();
            r.setConfiguration(new OneSiteConfiguration(prefix, siteInfo(address, hp.port())));
            r.setCache(null);
            r.setCertifiedCache(null);
            r.setTcpTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            list.add(new Site(prefix, pa[1], r));
        }
        list.sort(Comparator.comparingInt((Site s) -> s.prefix().length()).reversed());
        this.sites = List.copyOf(list);
        AtomicInteger n = new AtomicInteger();
        this.executor = sites.isEmpty() ? null : Executors.newFixedThreadPool(THREADS, task -> {
            Thread t = new Thread(task, "idnode-handle-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A site of one server with TCP (query and admin) and UDP (query) on {@code port}. */
    private static SiteInfo siteInfo(InetAddress address, int port) {
        SiteInfo site = new SiteInfo();
        site.serialNumber = 1;
        site.isPrimary = true;
        site.hashOption = SiteInfo.HASH_TYPE_BY_ALL;
        site.hashFilter = new byte[0];
        site.attributes = new Attribute[0];
        ServerInfo server = new ServerInfo();
        server.serverId = 1;
        server.ipAddress = new byte[16];
        byte[] raw = address.getAddress();
        System.arraycopy(raw, 0, server.ipAddress, 16 - raw.length, raw.length);
        server.publicKey = new byte[0];
        server.interfaces = new Interface[] {
            new Interface(Interface.ST_ADMIN_AND_QUERY, Interface.SP_HDL_TCP, port),
            new Interface(Interface.ST_QUERY, Interface.SP_HDL_UDP, port)};
        site.servers = new ServerInfo[] {server};
        return site;
    }

    /** Whether {@code handle} is resolved over the Handle protocol. */
    boolean routes(String handle) {
        return siteFor(handle) != null;
    }

    private Site siteFor(String handle) {
        if (sites.isEmpty()) {
            return null;
        }
        int slash = handle.indexOf('/');
        String prefix = (slash < 0 ? handle : handle.substring(0, slash)).toUpperCase(Locale.ROOT);
        if (prefix.equals("0.NA") && slash >= 0) {
            prefix = handle.substring(slash + 1).toUpperCase(Locale.ROOT);
        }
        for (Site s : sites) {
            if (prefix.equals(s.prefix()) || prefix.startsWith(s.prefix() + ".")) {
                return s;
            }
        }
        return null;
    }

    CompletableFuture<HandleRecord> resolve(ResolveRequest request) {
        try {
            return CompletableFuture.supplyAsync(() -> resolveNow(request), executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(Errors.of(Status.Code.CANCELLED, "the client is closed", e));
        }
    }

    private HandleRecord resolveNow(ResolveRequest request) {
        String handle = request.getHandle();
        Site site = siteFor(handle);
        byte[][] types = request.getTypesCount() == 0 ? null
                : request.getTypesList().stream().map(Util::encodeString).toArray(byte[][]::new);
        int[] indexes = request.getIndexesCount() == 0 ? null : request.getIndexesList().stream().mapToInt(Integer::intValue).toArray();
        ResolutionRequest req = new ResolutionRequest(Util.encodeString(handle), types, indexes, null);
        AbstractResponse resp;
        try {
            resp = site.resolver().processRequest(req);
        } catch (HandleException e) {
            if (e.getCode() == HandleException.HANDLE_DOES_NOT_EXIST) {
                throw Errors.fromHandle(AbstractMessage.RC_HANDLE_NOT_FOUND, handle, e.getMessage());
            }
            throw Errors.unavailable("Handle site " + site.address() + " for " + site.prefix() + ": " + e.getMessage(), e);
        }
        if (resp instanceof ResolutionResponse) {
            try {
                return toRecord(handle, ((ResolutionResponse) resp).getHandleValues());
            } catch (HandleException e) {
                throw Errors.of(Status.Code.INTERNAL, "undecodable values from " + site.address() + ": " + e.getMessage(), e);
            }
        }
        String message = resp instanceof ErrorResponse && ((ErrorResponse) resp).message != null
                ? Util.decodeString(((ErrorResponse) resp).message) : null;
        throw Errors.fromHandle(resp.responseCode, handle, message);
    }

    static HandleRecord toRecord(String handle, net.handle.hdllib.HandleValue[] values) {
        HandleRecord.Builder b = HandleRecord.newBuilder().setHandle(handle);
        for (net.handle.hdllib.HandleValue v : values) {
            HandleValue.Builder hv = HandleValue.newBuilder()
                    .setIndex(v.getIndex())
                    .setType(v.getTypeAsString())
                    .setData(ByteString.copyFrom(v.getData()))
                    .setTtl(v.getTTL())
                    .setTtlAbsolute(v.getTTLType() == net.handle.hdllib.HandleValue.TTL_TYPE_ABSOLUTE)
                    .setTimestamp(Integer.toUnsignedLong(v.getTimestamp()))
                    .setPublicRead(v.getAnyoneCanRead())
                    .setAdminRead(v.getAdminCanRead())
                    .setAdminWrite(v.getAdminCanWrite())
                    .setPublicWrite(v.getAnyoneCanWrite());
            ValueReference[] refs = v.getReferences();
            if (refs != null) {
                for (ValueReference r : refs) {
                    hv.addReferences(org.idnode.api.v1.ValueReference.newBuilder().setHandle(r.getHandleAsString()).setIndex(r.index));
                }
            }
            b.addValues(hv);
        }
        return b.build();
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
