package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The built fat jar run as its own process, as an operator runs botdb: output merged, exit code checked. */
final class JarRun {
    static final Path JAR = Path.of("target", "botdb.jar").toAbsolutePath();

    private JarRun() {
    }

    /** Runs {@code command} (which starts the jar somewhere) with {@code env} added; fails unless it exits 0. */
    static String ok(List<String> command, Map<String, String> env, List<String> removed) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().keySet().removeIf(k -> removed.stream().anyMatch(k::startsWith));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
