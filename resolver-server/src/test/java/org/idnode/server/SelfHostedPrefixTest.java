package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import net.handle.apps.simple.SiteInfoConverter;
import net.handle.hdllib.AbstractMessage;
import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.Interface;
import net.handle.hdllib.ResolutionRequest;
import net.handle.hdllib.Util;
import org.idnode.server.cli.IdnodeCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A self-hosted enterprise prefix: the secondary node answers its prefix handle with the enterprise
 * node's site, and CNRI's client, knowing only the secondary node as root, follows it to the enterprise node.
 */
class SelfHostedPrefixTest {
    @TempDir
    Path dir;

    @Test
    void clientsAreSentToTheEnterprisesOwnNode() throws Exception {
        String lot = "{\"handle\":\"88.999.5/LOT-1\",\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/enterprise-node\"}}]}";
        try (TestNode enterpriseNode = TestNode.start(dir.resolve("enterprise"), List.of(lot))) {
            Path siteFile = dir.resolve("siteinfo.json");
            Files.writeString(siteFile, SiteInfoConverter.convertToJson(enterpriseNode.site()));
            assertThat(IdnodeCommand.run("prefix", "add", "88.999.5", "--enterprise", "Self-hosting Co.", "--admin-secret", "x",
                    "--self-hosted-site", siteFile.toString(), "--data-dir", dir.resolve("secondary").toString())).isZero();

            try (TestNode secondary = TestNode.start(dir.resolve("secondary"), List.of())) {
                HandleValue[] prefix = CnriClients.resolver(secondary.site(), "88.999.5", Interface.SP_HDL_TCP)
                        .resolveHandle("0.NA/88.999.5", new String[] {"HS_SITE"}, null);
                assertThat(prefix).hasSize(1);
                assertThat(Encoder.encodeSiteInfoRecord(Encoder.decodeSiteInfoRecord(prefix[0].getData(), 0)))
                        .isEqualTo(Encoder.encodeSiteInfoRecord(enterpriseNode.site()));

                assertThat(CnriClients.resolver(secondary.site(), "88.999.5", Interface.SP_HDL_TCP)
                        .processRequest(new ResolutionRequest(Util.encodeString("88.999.5/LOT-1"), null, null, null)).responseCode)
                        .as("the secondary node does not hold the enterprise's identifiers").isEqualTo(AbstractMessage.RC_HANDLE_NOT_FOUND);

                HandleValue[] values = CnriClients.rootOnlyResolver(secondary.site()).resolveHandle("88.999.5/LOT-1", null, null);
                assertThat(Arrays.stream(values).map(HandleValue::getDataAsString)).containsExactly("https://example.com/enterprise-node");
            }
        }
    }

    @Test
    void aSiteFileThatIsNoSiteInfoIsRefused() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"not\": \"a site\"}");
        assertThat(IdnodeCommand.run("prefix", "add", "88.999.6", "--enterprise", "E", "--admin-secret", "x",
                "--self-hosted-site", bad.toString(), "--data-dir", dir.resolve("d").toString())).isNotZero();
    }
}
