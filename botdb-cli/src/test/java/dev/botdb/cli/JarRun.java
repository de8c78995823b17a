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

    /**
     * Starts {@code java -jar botdb.jar ARGS} in the background, as an operator would, with only {@code env}'s
     * database settings (the caller's DATABASE_URL, PG* and BOTDB_* variables removed); output goes to {@code log}.
     */
    static Process start(Map<String, String> env, Path log, String... args) throws java.io.IOException {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.equals("DATABASE_URL") || k.startsWith("PG") || k.startsWith("BOTDB_"));
        pb.environment().putAll(env);
        return pb.start();
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
