package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code botdb restore --force} stopped with SIGTERM while it loads: it puts back what the
 * target held from its safety backup, says so, and exits 143.
 */
class RestoreSigtermIT {
    private static final Path JAR = Path.of("target", "botdb.jar").toAbsolutePath();
    private static final String SRC = "restore_term_src";
    private static final String DST = "restore_term_dst";

    @TempDir
    Path dir;

    private Map<String, String> env(String db) {
        return TestPostgres.env("postgres://postgres@localhost:" + TestPostgres.port() + "/" + db + "?sslmode=disable",
                "BACKUP_DIR", dir.resolve("backups").toString());
    }

    private static long count(String db, String sql) throws Exception {
        try (Connection c = TestPostgres.superuser(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aRestoreStoppedWithSigtermWhileItLoadsPutsTheTargetBackAndExits143() throws Exception {
        TestPostgres.exec("DROP DATABASE IF EXISTS " + SRC + " WITH (FORCE)", "CREATE DATABASE " + SRC,
                "DROP DATABASE IF EXISTS " + DST + " WITH (FORCE)", "CREATE DATABASE " + DST);
        try (Connection c = TestPostgres.superuser(SRC); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE messages (id bigint PRIMARY KEY, text text NOT NULL)");
            st.execute("INSERT INTO messages SELECT g, 'message ' || g || md5(g::text) FROM generate_series(1, 700000) g");
        }
        try (Connection c = TestPostgres.superuser(DST); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE precious (id int)");
            st.execute("INSERT INTO precious VALUES (42)");
        }
        CliRun backup = CliRun.of(env(SRC), "backup");
        assertThat(backup.exitCode()).as(backup.all()).isZero();
        String file = backup.out().lines().findFirst().orElseThrow();

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-jar", JAR.toString(), "restore", file, "--force"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile());
        pb.environment().keySet().removeIf(k -> k.equals("DATABASE_URL") || k.startsWith("PG") || k.startsWith("POSTGRES_")
                || k.startsWith("PSQL_DB_") || k.startsWith("BOTDB_") || k.startsWith("BACKUP_"));
        pb.environment().putAll(env(DST));
        Process restore = pb.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        // the rows are loading (watched from another database: a session on the target would be refused)
        while (count("postgres", "SELECT count(*) FROM pg_stat_progress_copy WHERE datname = '" + DST + "'"
                + " AND command = 'COPY FROM'") == 0) {
            assertThat(restore.isAlive()).as(log()).isTrue();
            assertThat(System.nanoTime()).as("no load within 5 minutes: " + log()).isLessThan(deadline);
            Thread.sleep(10);
        }
        restore.destroy(); // SIGTERM
        assertThat(restore.waitFor(3, TimeUnit.MINUTES)).isTrue();

        assertThat(restore.exitValue()).as(log()).isEqualTo(143);
        assertThat(log()).contains("stopped while restoring into " + DST).contains("put back from the safety backup");
        assertThat(count(DST, "SELECT count(*) FROM precious")).isEqualTo(1);
        assertThat(count(DST, "SELECT count(*) FROM pg_class WHERE relname = 'messages'")).isZero();
        assertThat(count("postgres", "SELECT datconnlimit FROM pg_database WHERE datname = '" + DST + "'")).isEqualTo(-1);
    }

    @Test
    void aVerifyStoppedWithSigtermWhileItLoadsDropsItsScratchDatabase() throws Exception {
        String src = "verify_term_src";
        TestPostgres.exec("DROP DATABASE IF EXISTS " + src + " WITH (FORCE)", "CREATE DATABASE " + src);
        try (Connection c = TestPostgres.superuser(src); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE messages (id bigint PRIMARY KEY, text text NOT NULL)");
            st.execute("INSERT INTO messages SELECT g, 'message ' || g || md5(g::text) FROM generate_series(1, 700000) g");
        }
        CliRun backup = CliRun.of(env(src), "backup");
        assertThat(backup.exitCode()).as(backup.all()).isZero();
        String file = backup.out().lines().findFirst().orElseThrow();
        long scratchBefore = count("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'botdb\\_verify\\_%'");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-jar", JAR.toString(), "backup", "verify", file))
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile());
        pb.environment().keySet().removeIf(k -> k.equals("DATABASE_URL") || k.startsWith("PG") || k.startsWith("POSTGRES_")
                || k.startsWith("PSQL_DB_") || k.startsWith("BOTDB_") || k.startsWith("BACKUP_"));
        pb.environment().putAll(env(src));
        Process verify = pb.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (count("postgres", "SELECT count(*) FROM pg_stat_progress_copy WHERE datname LIKE 'botdb\\_verify\\_%'"
                + " AND command = 'COPY FROM'") == 0) {
            assertThat(verify.isAlive()).as(log()).isTrue();
            assertThat(System.nanoTime()).as("no load within 5 minutes: " + log()).isLessThan(deadline);
            Thread.sleep(10);
        }
        assertThat(count("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'botdb\\_verify\\_%'"))
                .isEqualTo(scratchBefore + 1);
        verify.destroy(); // SIGTERM, as `timeout` sends
        assertThat(verify.waitFor(3, TimeUnit.MINUTES)).isTrue();

        assertThat(verify.exitValue()).as(log()).isEqualTo(143);
        assertThat(log()).contains("dropped the scratch database botdb_verify_");
        assertThat(count("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'botdb\\_verify\\_%'"))
                .isEqualTo(scratchBefore);
    }

    private String log() throws Exception {
        return Files.readString(dir.resolve("child.log"), StandardCharsets.UTF_8);
    }
}
