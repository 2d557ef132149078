package org.idnode.client.cli;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import org.idnode.client.NodeProcess;

/** Runs idctl as users do: in this JVM through {@link IdctlCommand#run}, or as its own process. */
final class Idctl {
    /** One run: exit code, stdout and stderr. */
    record Result(int exit, String out, String err) {
        JsonElement json() {
            return JsonParser.parseString(out);
        }

        List<String> outLines() {
            return out.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private Idctl() {
    }

    /** idctl in this JVM with only {@code env} as its environment. */
    static Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = IdctlCommand.run(new PrintWriter(out), new PrintWriter(err), env, false, args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** idctl in its own JVM ({@code java -cp <test classpath> IdctlCommand ...}), with {@code env} added to this one's minus any IDCTL_*. */
    static Result process(Path workDir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "idctl", ".out");
        Path err = Files.createTempFile(workDir, "idctl", ".err");
        ProcessBuilder pb = new ProcessBuilder(java(IdctlCommand.class.getName(), args))
                .directory(workDir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> childEnv = pb.environment();
        childEnv.keySet().removeIf(k -> k.startsWith("IDCTL_"));
        childEnv.putAll(env);
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("idctl %s did not end within 5 minutes; stderr:%n%s", List.of(args), Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    /** {@code java <options> -cp <test classpath> <mainClass> <args>}, with CNRI's client kept off the global root. */
    private static List<String> java(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dnet.handle.configDir=" + NodeProcess.CNRI_CONFIG_DIR,
                "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** An environment naming only a config file that does not set anything, so that the user's own is never read. */
    static Map<String, String> env(Path emptyConfig, String... keyValues) {
        Map<String, String> env = new HashMap<>();
        env.put("IDCTL_CONFIG", emptyConfig.toString());
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return env;
    }
}
