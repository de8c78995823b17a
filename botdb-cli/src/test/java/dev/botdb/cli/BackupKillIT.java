package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.TestPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code botdb backup} process that dies half way: killed with SIGKILL (only a {@code .partial}
 * is left, and nothing takes it for a backup), or cut off by the server (it says so, exits 14 and
 * leaves nothing).
 */
class BackupKillIT {
    private static final Path JAR = Path.of("target", "botdb.jar").toAbsolutePath();
    private static final String DB = "backup_kill";
    /** Past the header and schema.json (under 1 KiB): at least one chunk of rows is in the file. */
    private static final long MID_COPY_BYTES = 64 << 10;

    @TempDir
    Path dir;

    /**
     * 700,000 chat messages, about 90 MiB as COPY text: the copy takes a few seconds on two busy
     * cores, so the kill lands long before the end.
     */
    @BeforeAll
    static void bigDatabase() throws Exception {
        TestPostgres.exec("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)", "CREATE DATABASE " + DB);
        try (Connection c = TestPostgres.superuser(DB); Statement st = c.createStatement()) {
            st.execute("""
                    CREATE TABLE messages (id bigint PRIMARY KEY, chat_id bigint NOT NULL, user_id bigint NOT NULL,
                        sent_at timestamptz NOT NULL, text text NOT NULL)""");
            st.execute("""
                    INSERT INTO messages
                    SELECT g, g % 5000, g % 97531, timestamptz '2026-01-01' + g * interval '1 second',
                           'message ' || g || ' in chat ' || g % 5000 || ': ' || md5(g::text)
                           || ' ok, see you at the standup; the deploy is done'
                    FROM generate_series(1, 700000) g""");
            st.execute("CREATE TABLE settings (chat_id bigint PRIMARY KEY, language text)");
            st.execute("INSERT INTO settings VALUES (1, 'en'), (2, 'de')");
        }
    }

    private Path backups() {
        return dir.resolve("backups");
    }

    private Map<String, String> env() {
        return TestPostgres.env("postgres://postgres@localhost:" + TestPostgres.port() + "/" + DB + "?sslmode=disable",
                "BACKUP_DIR", backups().toString());
    }

    /** {@code java -jar botdb.jar backup} with only this test's database variables; output goes to child.log. */
    private Process startBackup() throws IOException {
        return startBackup(0);
    }

    /** As {@link #startBackup()}; with {@code maxFileKb > 0} no file the child writes may grow past that (a full disk). */
    private Process startBackup(long maxFileKb) throws IOException {
        Files.createDirectories(backups());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = maxFileKb > 0
                ? List.of("bash", "-c", "ulimit -f " + maxFileKb + " && exec '" + java + "' -jar '" + JAR + "' backup")
                : new ArrayList<>(List.of(java, "-jar", JAR.toString(), "backup"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.equals("DATABASE_URL") || k.startsWith("PG") || k.startsWith("POSTGRES_")
                || k.startsWith("PSQL_DB_") || k.startsWith("BOTDB_") || k.startsWith("BACKUP_"));
        env.putAll(env());
        return pb.start();
    }

    private String childLog() throws IOException {
        return Files.readString(dir.resolve("child.log"), StandardCharsets.UTF_8);
    }

    /** Polls the backups folder until the child's {@code .partial} is past {@link #MID_COPY_BYTES}, i.e. rows are being copied. */
    private Path awaitMidCopy(Process child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            Optional<Path> partial = grownPartial();
            if (partial.isPresent()) {
                return partial.get();
            }
            assertThat(child.isAlive()).as("the backup ended (exit %s) before its .partial passed %d bytes:%n%s",
                    child.isAlive() ? "-" : child.exitValue(), MID_COPY_BYTES, childLog()).isTrue();
            Thread.sleep(10);
        }
        throw new AssertionError("no .partial past " + MID_COPY_BYTES + " bytes within 5 minutes: " + files() + "\n"
                + childLog());
    }

    private Optional<Path> grownPartial() throws IOException {
        for (Path f : files()) {
            try {
                if (f.getFileName().toString().endsWith(".botdb.partial") && Files.size(f) > MID_COPY_BYTES) {
                    return Optional.of(f);
                }
            } catch (NoSuchFileException e) {
                // renamed or deleted since the listing: the next round sees what it became
            }
        }
        return Optional.empty();
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(backups())) {
            return s.sorted().toList();
        }
    }

    private static int count(String sql) throws Exception {
        try (Connection c = TestPostgres.superuser("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aBackupKilledWithSigkillLeavesOnlyAPartialThatNothingTakesForABackup() throws Exception {
        TestPostgres.exec("DROP DATABASE IF EXISTS backup_kill_never");
        Process victim = startBackup();
        Path partial = awaitMidCopy(victim);
        victim.destroyForcibly(); // SIGKILL: no finally block, no shutdown hook runs
        assertThat(victim.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(victim.exitValue()).as("killed by SIGKILL, not finished: %s", childLog()).isEqualTo(137);
        assertThat(files()).as("only the unfinished file, never a complete-looking one").containsExactly(partial);
        assertThat(Files.size(partial)).isGreaterThan(MID_COPY_BYTES);

        CliRun list = CliRun.of(env(), "backup", "list");
        assertThat(list.exitCode()).as(list.all()).isZero();
        assertThat(list.out().lines().filter(l -> l.startsWith(partial.getFileName().toString())))
                .singleElement().asString().contains("incomplete").contains("an interrupted backup");

        CliRun verify = CliRun.of(env(), "backup", "verify");
        assertThat(verify.exitCode()).as(verify.all()).isEqualTo(15);
        assertThat(verify.err()).contains("There is no backup to verify");

        CliRun restore = CliRun.of(env(), "restore", partial.toString(), "--to", "backup_kill_never");
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(15);
        assertThat(restore.err()).contains("is an unfinished backup");
        assertThat(count("SELECT count(*) FROM pg_database WHERE datname = 'backup_kill_never'"))
                .as("refused before creating the target").isZero();

        CliRun again = CliRun.of(env(), "backup");
        assertThat(again.exitCode()).as(again.all()).isZero();
        Path file = Path.of(again.out().lines().findFirst().orElseThrow());
        assertThat(file.getFileName().toString()).endsWith(".botdb").isNotEqualTo(partial.getFileName().toString());
        assertThat(files()).containsExactlyInAnyOrder(partial, file);

        CliRun verifyAgain = CliRun.of(env(), "backup", "verify");
        assertThat(verifyAgain.exitCode()).as(verifyAgain.all()).isZero();
        assertThat(verifyAgain.out()).startsWith(file.toString()).contains("verified").contains("700002 rows");
    }

    @Test
    void aBackupWhoseConnectionTheServerEndsSaysSoAndLeavesNoFile() throws Exception {
        Process child = startBackup();
        Path partial = awaitMidCopy(child);
        int terminated = count("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '" + DB
                + "' AND backend_type = 'client backend' AND pid <> pg_backend_pid()");
        assertThat(terminated).isPositive();
        assertThat(child.waitFor(3, TimeUnit.MINUTES)).isTrue();
        String out = childLog();
        assertThat(child.exitValue()).as(out).isEqualTo(14);
        assertThat(out).contains("Backup of").contains("failed").contains("No backup file was written");
        assertThat(partial).doesNotExist();
        assertThat(files()).as("neither a .botdb nor a .partial").isEmpty();
    }

    @Test
    void aBackupThatRunsOutOfSpaceSaysSoAndLeavesNoFile() throws Exception {
        // RLIMIT_FSIZE: every write past 8 MiB fails with EFBIG, as on a full disk (the JVM ignores SIGXFSZ)
        Process child = startBackup(8 * 1024);
        assertThat(child.waitFor(3, TimeUnit.MINUTES)).isTrue();
        String out = childLog();
        assertThat(child.exitValue()).as(out).isEqualTo(14);
        assertThat(out).contains("could not be written").contains("free space").contains("no backup file was left");
        assertThat(files()).as("neither a .botdb nor a .partial").isEmpty();
    }
}
