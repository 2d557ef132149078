package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The node's JVM options are written in three places that must agree: the systemd unit's {@code JAVA_OPTS}, the
 * benchmark scripts' {@code SHIPPED_JVM_OPTS} (so that the published figures are the shipped node's), and the Docker
 * image's entry point (the same collector options, with the heap sized from the container's memory instead).
 */
class ShippedJvmOptionsTest {
    private static final Path ROOT = Path.of(System.getProperty("idnode.project.root"));

    @Test
    void systemdUnitBenchmarksAndDockerImageShipTheSameOptions() throws IOException {
        List<String> unit = options(find("packaging/systemd/idnode.service", "^Environment=JAVA_OPTS=\"([^\"]+)\"$"));
        List<String> benchmarks = options(find("benchmarks/node-lib.sh", "^SHIPPED_JVM_OPTS=\"([^\"]+)\"$"));
        List<String> docker = Arrays.stream(find("packaging/docker/Dockerfile", "^ENTRYPOINT \\[(.+)\\]$").split(","))
                .map(s -> s.strip().replace("\"", "")).toList();

        assertThat(unit).contains("-XX:+UseG1GC", "-Xmx1g");
        assertThat(benchmarks).isEqualTo(unit);
        assertThat(docker).containsSequence(unit.stream().filter(o -> !o.startsWith("-Xm")).toList());
    }

    private static List<String> options(String line) {
        return List.of(line.trim().split("\\s+"));
    }

    private static String find(String file, String regex) throws IOException {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(Files.readString(ROOT.resolve(file)));
        assertThat(m.find()).as("%s has a line matching %s", file, regex).isTrue();
        return m.group(1);
    }
}
