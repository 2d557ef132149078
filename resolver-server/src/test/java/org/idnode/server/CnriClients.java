package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import net.handle.apps.simple.LocalInfoConverter;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.AbstractResponse;
import net.handle.hdllib.Common;
import net.handle.hdllib.GenericRequest;
import net.handle.hdllib.GetSiteInfoResponse;
import net.handle.hdllib.HandleException;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.SimpleConfiguration;
import net.handle.hdllib.SiteInfo;

/**
 * CNRI's own client, pointed at a node on 127.0.0.1 and never at the internet: every resolver made
 * here has root-info auto-update off (handle-protocol.md §3.2), and the JVM-wide
 * {@code net.handle.configDir} holds a {@code config.dct} saying the same before any CNRI class reads it.
 */
final class CnriClients {
    static final Path CONFIG_DIR;

    static {
        try {
            CONFIG_DIR = Files.createTempDirectory("hdlcfg");
            Files.writeString(CONFIG_DIR.resolve("config.dct"), "{ \"auto_update_root_info\" = \"no\" }\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setProperty("net.handle.configDir", CONFIG_DIR.toString());
    }

    private CnriClients() {
    }

    /** A resolution method that never consults the global root. */
    static final class LocalConfig extends SimpleConfiguration {
        @Override
        public boolean isAutoUpdateRootInfo() {
            return false;
        }
    }

    /**
     * A resolver that sends handles under {@code prefix} (and {@code 0.NA/...} handles) to {@code site},
     * with caching off and short timeouts.
     */
    static HandleResolver resolver(SiteInfo site, String prefix, int... preferredProtocols) {
        LocalConfig cfg = new LocalConfig();
        cfg.setLocalSites("0.NA/" + prefix, new SiteInfo[] {site});
        cfg.setLocalSites("0.NA/0.NA", new SiteInfo[] {site});
        HandleResolver r = new HandleResolver();
        r.setConfiguration(cfg);
        r.setCache(null);
        r.setCertifiedCache(null);
        r.setTcpTimeout(5000);
        r.setUdpRetryScheme(new int[] {300, 600, 1200});
        if (preferredProtocols.length > 0) {
            r.setPreferredProtocols(preferredProtocols);
        }
        return r;
    }

    /**
     * A resolver that only knows the node as the global root ("root emulation"): it must find
     * {@code 0.NA/<prefix>} on the node and follow its HS_SITE.
     */
    static HandleResolver rootOnlyResolver(SiteInfo site) {
        LocalConfig cfg = new LocalConfig();
        cfg.setLocalSites("0.NA/0.NA", new SiteInfo[] {site});
        HandleResolver r = new HandleResolver();
        r.setConfiguration(cfg);
        r.setCache(null);
        r.setCertifiedCache(null);
        r.setTcpTimeout(5000);
        r.setUdpRetryScheme(new int[] {300, 600, 1200});
        return r;
    }

    /**
     * A resolver that knows no site at all, for requests sent straight to an address and port
     * ({@code sendHdlTcpRequest}, {@code sendHdlUdpRequest}), with caching off and short timeouts.
     */
    static HandleResolver rawResolver() {
        HandleResolver r = new HandleResolver();
        r.setConfiguration(new LocalConfig());
        r.setCache(null);
        r.setCertifiedCache(null);
        r.setTcpTimeout(5000);
        r.setUdpRetryScheme(new int[] {300, 600, 1200});
        return r;
    }

    /** The site info of the node on 127.0.0.1:{@code handlePort}, asked for over Handle TCP (OC_GET_SITE_INFO). */
    static SiteInfo fetchSiteInfo(int handlePort) throws HandleException {
        GenericRequest req = new GenericRequest(Common.BLANK_HANDLE, AbstractMessage.OC_GET_SITE_INFO, null);
        req.majorProtocolVersion = 2;
        req.minorProtocolVersion = 11;
        AbstractResponse resp = rawResolver().sendHdlTcpRequest(req, InetAddress.getLoopbackAddress(), handlePort);
        assertThat(resp).isInstanceOf(GetSiteInfoResponse.class);
        SiteInfo site = ((GetSiteInfoResponse) resp).siteInfo;
        assertThat(site).isNotNull();
        return site;
    }

    /**
     * A {@code net.handle.configDir} for a separate JVM running CNRI's command-line tools: config.dct
     * with auto-update off and local_info.json sending {@code 0.NA/<prefix>} and {@code 0.NA/0.NA} to the node.
     */
    static Path toolConfigDir(Path dir, SiteInfo site, String... prefixes) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.dct"), "{ \"auto_update_root_info\" = \"no\" }\n");
        Map<String, SiteInfo[]> local = new java.util.LinkedHashMap<>();
        for (String p : prefixes) {
            local.put("0.NA/" + p, new SiteInfo[] {site});
        }
        local.put("0.NA/0.NA", new SiteInfo[] {site});
        Files.writeString(dir.resolve("local_info.json"), LocalInfoConverter.convertToJson(local), StandardCharsets.UTF_8);
        return dir;
    }
}
