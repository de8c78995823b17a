package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command as a user runs it: the {@code ./botdb} launcher at the repository
 * root, the fat jar, the embedded default, in a fresh working directory with no database variables.
 */
class LauncherIT {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path workDir;

    private record Result(int code, String output) {
    }

    private Result launch(String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().add(REPO.resolve("botdb").toString());
        pb.command().addAll(List.of(args));
        pb.directory(workDir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        List.of("DATABASE_URL", "POSTGRES_HOST", "POSTGRES_DB", "PSQL_DB_HOST", "PSQL_DB_NAME", "PGHOST",
                "PGDATABASE", "BOTDB_ENV", "BOTDB_DATA_DIR").forEach(env::remove);
        Process p = pb.start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void demoRunsOnTheEmbeddedDefaultAndKeepsDataInTheWorkingDirectory() throws Exception {
        Result r = launch("demo");
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(r.output()).contains("Using embedded PostgreSQL")
                .contains(workDir.resolve(".botdb/postgres").toString())
                .contains("Demo complete - PostgreSQL");
        assertThat(workDir.resolve(".botdb/postgres/PG_VERSION")).exists();
        assertThat(workDir.resolve(".botdb/postgres/postmaster.pid")).as("server stopped on exit").doesNotExist();
    }

    @Test
    void versionAndHelpWork() throws Exception {
        assertThat(launch("--version").output()).startsWith("botdb ");
        Result help = launch("--help");
        assertThat(help.code()).isZero();
        assertThat(help.output()).contains("config").contains("wait").contains("demo");
    }

    @Test
    void theCrontabExampleRunsAsWritten() throws Exception {
        String line = Files.readAllLines(REPO.resolve("docs/examples/crontab")).stream()
                .filter(l -> l.matches("^\\d.*")).findFirst().orElseThrow();
        String command = line.split(" ", 6)[5] // after the five schedule fields
                .replace("cd /srv/mybot", "cd " + workDir)
                .replace("/var/log/botdb-nightly.log", workDir.resolve("nightly.log").toString())
                .replaceAll("(?<![\\w/.-])botdb(?= )", REPO.resolve("botdb").toString());
        Files.writeString(workDir.resolve(".env"), "BACKUP_DIR=./nightly\n");

        ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).directory(workDir.toFile()).redirectErrorStream(true);
        List.of("DATABASE_URL", "POSTGRES_HOST", "POSTGRES_DB", "PGHOST", "PGDATABASE", "BACKUP_DIR", "BOTDB_DATA_DIR")
                .forEach(pb.environment()::remove);
        Process p = pb.start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String log = Files.readString(workDir.resolve("nightly.log"));

        assertThat(p.exitValue()).as(log).isZero();
        assertThat(log).contains("verified").doesNotContain("\r");
        try (var files = Files.list(workDir.resolve("nightly"))) {
            assertThat(files.map(f -> f.getFileName().toString())).anyMatch(n -> n.endsWith(".botdb"));
        }
    }
}
