package org.idnode.server.site;

import java.net.InetAddress;
import java.net.UnknownHostException;

import net.handle.hdllib.Attribute;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ServerInfo;
import net.handle.hdllib.SiteInfo;
import net.handle.hdllib.Util;
import org.idnode.server.config.ConfigException;

/**
 * The node's own site info (the {@code HS_SITE} record clients use to reach it): one primary server at
 * the advertised address, with the node's public key and its Handle TCP, UDP and HTTP interfaces.
 * Built once the listeners are bound, since ports may be ephemeral.
 *
 * <p>Immutable and thread-safe.
 */
public final class NodeSite {
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
        SiteInfo site = new SiteInfo();
        site.serialNumber = serial;
        site.isPrimary = true;
        site.multiPrimary = false;
        site.hashOption = SiteInfo.HASH_TYPE_BY_ALL;
        site.hashFilter = new byte[0];
        site.attributes = new Attribute[] {new Attribute(Util.encodeString("desc"), Util.encodeString(description))};
        ServerInfo server = new ServerInfo();
        server.serverId = 1;
        server.ipAddress = sixteenByteAddress(address);
        server.publicKey = publicKey;
        server.interfaces = new Interface[] {
            new Interface(Interface.ST_ADMIN_AND_QUERY, Interface.SP_HDL_TCP, handlePort),
            new Interface(Interface.ST_QUERY, Interface.SP_HDL_UDP, handlePort),
            new Interface(Interface.ST_ADMIN_AND_QUERY, Interface.SP_HDL_HTTP, httpPort)
        };
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
