package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.idnode.server.config.ConfigException;
import org.idnode.server.config.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateLoadingTest {
    @TempDir
    Path dir;

    private static NodeConfig withTemplates(Path templates) throws Exception {
        Path yaml = Files.createTempFile("node", ".yaml");
        Files.writeString(yaml, "templates:\n  dir: " + templates.toAbsolutePath() + "\n");
        return NodeConfig.load(yaml);
    }

    @Test
    void loadsTheShippedPcbTemplates() throws Exception {
        Path shipped = Path.of(System.getProperty("idnode.project.root"), "conf", "templates");
        assertThat(IdentifierNode.loadTemplates(withTemplates(shipped)).size()).isEqualTo(5);
    }

    @Test
    void aMissingConfiguredFolderOrABadFileStopsStartWithTheKeyAndFile() throws Exception {
        assertThatThrownBy(() -> IdentifierNode.loadTemplates(withTemplates(dir.resolve("nope"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("templates.dir").hasMessageContaining("does not exist");
        Files.writeString(dir.resolve("broken.json"), "{\"id\": \"88.999/TPL.X\"}");
        assertThatThrownBy(() -> IdentifierNode.loadTemplates(withTemplates(dir)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("templates.dir").hasMessageContaining("broken.json");
    }
}
