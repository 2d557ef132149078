package org.idnode.server.federation;

import java.net.InetAddress;
import java.net.UnknownHostException;

import net.handle.hdllib.Attribute;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ServerInfo;
import net.handle.hdllib.SimpleConfiguration;
import net.handle.hdllib.SiteInfo;
import net.handle.hdllib.Util;
import org.idnode.server.config.NodeConfig.Federation.Address;

/**
 * CNRI's resolver pointed at the top-level node alone: the top level stands in for the global service
 * ({@code 0.NA/0.NA}) and root info is never fetched from the real global Handle root (handle-protocol.md §3.2).
 * Also reads the {@code grpc-port} attribute a node publishes in its site info.
 *
 * <p>Stateless and thread-safe.
 */
final class TopLevelSites {
    /** The site-info attribute in which every idnode node publishes its gRPC port. */
    static final String GRPC_PORT_ATTRIBUTE = "grpc-port";

    private TopLevelSites() {
    }

    /** A configuration whose only site, for every prefix and as the global service, is {@code topLevel}. */
    private static final class TopLevelConfiguration extends SimpleConfiguration {
        private final SiteInfo[] sites;

        TopLevelConfiguration(SiteInfo site) {
            this.sites = new SiteInfo[] {site};
        }

        @Override
        public boolean isAutoUpdateRootInfo() {
            return false;
        }

        @Override
        public SiteInfo[] getLocalSites(String na) {
            return na.equalsIgnoreCase("0.NA/0.NA") ? sites : null;
        }

        @Override
        public SiteInfo[] getGlobalSites() {
            return sites;
        }
    }

    /**
     * A resolver whose global service is the top level, without CNRI's own caches.
     *
     * @param timeoutMillis TCP connect and read timeout of each request
     */
    static HandleResolver resolver(Address topLevel, int timeoutMillis, int[] udpRetryMillis) {
        HandleResolver r = new HandleResolver();
        r.setConfiguration(new TopLevelConfiguration(site(topLevel)));
        r.setCache(null);
        r.setCertifiedCache(null);
        r.setSessionTracker(null);
        r.setTcpTimeout(timeoutMillis);
        r.setUdpRetryScheme(udpRetryMillis);
        return r;
    }

    /** A site of one primary server at {@code address} with Handle TCP (query and admin) and UDP (query) on its port. */
    static SiteInfo site(Address address) {
        SiteInfo site = new SiteInfo();
        site.serialNumber = 1;
        site.isPrimary = true;
        site.hashOption = SiteInfo.HASH_TYPE_BY_ALL;
        site.hashFilter = new byte[0];
        site.attributes = new Attribute[0];
        ServerInfo server = new ServerInfo();
        server.serverId = 1;
        server.ipAddress = sixteenBytes(address.host());
        server.publicKey = new byte[0];
        server.interfaces = new Interface[] {
            new Interface(Interface.ST_ADMIN_AND_QUERY, Interface.SP_HDL_TCP, address.port()),
            new Interface(Interface.ST_QUERY, Interface.SP_HDL_UDP, address.port())
        };
        site.servers = new ServerInfo[] {server};
        return site;
    }

    /** The {@value #GRPC_PORT_ATTRIBUTE} attribute of a site, or -1 when it has none (or not a port number). */
    static int grpcPort(SiteInfo site) {
        if (site == null || site.attributes == null) {
            return -1;
        }
        for (Attribute a : site.attributes) {
            if (GRPC_PORT_ATTRIBUTE.equals(Util.decodeString(a.name))) {
                try {
                    int port = Integer.parseInt(Util.decodeString(a.value).trim());
                    return port >= 1 && port <= 65535 ? port : -1;
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    static InetAddress inetAddress(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve " + host, e);
        }
    }

    private static byte[] sixteenBytes(String host) {
        byte[] raw = inetAddress(host).getAddress();
        byte[] out = new byte[16];
        System.arraycopy(raw, 0, out, 16 - raw.length, raw.length);
        return out;
    }
}
