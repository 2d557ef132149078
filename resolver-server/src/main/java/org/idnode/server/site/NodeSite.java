package org.idnode.server.site;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.OptionalInt;

import net.handle.hdllib.Attribute;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ServerInfo;
import net.handle.hdllib.SiteInfo;
import net.handle.hdllib.Util;
import org.idnode.server.config.ConfigException;

/**
 * The node's own site info (the {@code HS_SITE} record clients use to reach it): one primary server at
 * the advertised address, with the node's public key and its Handle TCP, UDP and HTTP interfaces, and site attributes
 * {@code desc} and, when gRPC is enabled, {@value #GRPC_PORT_ATTRIBUTE} (the gRPC port on the same address, so that a
 * node that knows another only by its Handle address finds its gRPC services, e.g. a top level's FederationService).
 * Built once the listeners are bound, since ports may be ephemeral.
 *
 * <p>Immutable and thread-safe.
 */
public final class NodeSite {
    /** The site attribute whose value is the node's gRPC port, in decimal. */
    public static final String GRPC_PORT_ATTRIBUTE = "grpc-port";

    private final SiteInfo siteInfo;
    private final byte[] encoded;

    private NodeSite(SiteInfo siteInfo) {
        this.siteInfo = siteInfo;
        this.encoded = Encoder.encodeSiteInfoRecord(siteInfo);
    }

    /**
     * Builds the site info.
     *
     * @param description  published as the site's {@code desc} attribute
     * @param address      the address clients connect to
     * @param publicKey    the node's public key in the {@code HS_PUBKEY} encoding
     * @param handlePort   the bound Handle port (TCP and UDP)
     * @param httpPort     the bound HTTP port
     */
    public static NodeSite of(String description, String address, int serial, byte[] publicKey, int handlePort, int httpPort) {
        return of(description, address, serial, publicKey, handlePort, httpPort, 0);
    }

    /**
     * Builds the site info.
     *
     * @param description  published as the site's {@code desc} attribute
     * @param address      the address clients connect to
     * @param publicKey    the node's public key in the {@code HS_PUBKEY} encoding
     * @param handlePort   the Handle port (TCP and UDP)
     * @param httpPort     the HTTP port; 0 for a site without the HTTP interface
     * @param grpcPort     the gRPC port, published as the {@value #GRPC_PORT_ATTRIBUTE} attribute; 0 for none
     */
    public static NodeSite of(String description, String address, int serial, byte[] publicKey, int handlePort, int httpPort, int grpcPort) {
        SiteInfo site = new SiteInfo();
        site.serialNumber = serial;
        site.isPrimary = true;
        site.multiPrimary = false;
        site.hashOption = SiteInfo.HASH_TYPE_BY_ALL;
        site.hashFilter = new byte[0];
        Attribute desc = new Attribute(Util.encodeString("desc"), Util.encodeString(description));
        site.attributes = grpcPort == 0 ? new Attribute[] {desc}
                : new Attribute[] {desc, new Attribute(Util.encodeString(GRPC_PORT_ATTRIBUTE), Util.encodeString(Integer.toString(grpcPort)))};
        ServerInfo server = new ServerInfo();
        server.serverId = 1;
        server.ipAddress = sixteenByteAddress(address);
        server.publicKey = publicKey;
        Interface tcp = new Interface(Interface.ST_ADMIN_AND_QUERY, Interface.SP_HDL_TCP, handlePort);
        Interface udp = new Interface(Interface.ST_QUERY, Interface.SP_HDL_UDP, handlePort);
        server.interfaces = httpPort == 0 ? new Interface[] {tcp, udp}
                : new Interface[] {tcp, udp, new Interface(Interface.ST_ADMIN_AND_QUERY, Interface.SP_HDL_HTTP, httpPort)};
        site.servers = new ServerInfo[] {server};
        return new NodeSite(site);
    }

    /** The site info, shared: CNRI's {@link SiteInfo} is mutable, and callers must not modify it. */
    public SiteInfo siteInfo() {
        return siteInfo;
    }

    /** The site info in the {@code HS_SITE} value encoding (a copy). */
    public byte[] encoded() {
        return encoded.clone();
    }

    public int serialNumber() {
        return siteInfo.serialNumber;
    }

    /**
     * The {@value #GRPC_PORT_ATTRIBUTE} a site publishes, if it publishes a valid one.
     */
    public static OptionalInt grpcPort(SiteInfo site) {
        byte[] value = site.getAttribute(Util.encodeString(GRPC_PORT_ATTRIBUTE));
        if (value == null) {
            return OptionalInt.empty();
        }
        try {
            int port = Integer.parseInt(Util.decodeString(value).trim());
            return port > 0 && port <= 65535 ? OptionalInt.of(port) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static byte[] sixteenByteAddress(String address) {
        byte[] raw;
        try {
            raw = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new ConfigException("site.advertised-address: cannot resolve '" + address + "'");
        }
        byte[] out = new byte[16];
        System.arraycopy(raw, 0, out, 16 - raw.length, raw.length);
        return out;
    }
}
