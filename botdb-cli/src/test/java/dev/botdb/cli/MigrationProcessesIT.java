package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.TestPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Separate botdb processes migrating one database: several at once, and one killed with SIGKILL. */
class MigrationProcessesIT {
    private static final Path JAR = Path.of("target", "botdb.jar").toAbsolutePath();

    @TempDir
    Path dir;

    private ProcessBuilder botdb(String database, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DATABASE_URL", "postgres://postgres@localhost:" + TestPostgres.port() + "/" + database
                + "?sslmode=disable");
        pb.environment().put("MIGRATIONS_PATH", dir.toString());
        return pb;
    }

    private static String output(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static int count(String database, String sql) throws Exception {
        try (Connection c = TestPostgres.superuser(database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void eightProcessesStartingTogetherApplyEachFileExactlyOnce() throws Exception {
        TestPostgres.exec("DROP DATABASE IF EXISTS eight_procs", "CREATE DATABASE eight_procs");
        Files.writeString(dir.resolve("000_log.sql"), "CREATE TABLE applied_log (file text, pid int DEFAULT pg_backend_pid());");
        for (int i = 1; i <= 15; i++) {
            Files.writeString(dir.resolve(String.format("%03d_step.sql", i)),
                    "INSERT INTO applied_log (file) VALUES ('" + i + "');");
        }
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            processes.add(botdb("eight_procs", "migrate").start());
        }
        int appliedLines = 0;
        for (Process p : processes) {
            String out = output(p);
            assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            appliedLines += (int) out.lines().filter(l -> l.startsWith("[Migrations] Successfully applied")).count();
        }
        assertThat(appliedLines).isEqualTo(16);
        assertThat(count("eight_procs", "SELECT count(*) FROM applied_log")).isEqualTo(15);
        assertThat(count("eight_procs", "SELECT count(DISTINCT file) FROM applied_log")).isEqualTo(15);
    }

    @Test
    void aMigrationKilledWithSigkillLeavesNothingAndTheNextStartProceedsAlone() throws Exception {
        TestPostgres.exec("DROP DATABASE IF EXISTS killed_proc", "CREATE DATABASE killed_proc");
        Files.writeString(dir.resolve("001_slow.sql"), """
                CREATE TABLE half_done (id int);
                INSERT INTO half_done VALUES (1);
                SELECT pg_sleep(8);
                CREATE TABLE never_reached (id int);
                """);
        Files.writeString(dir.resolve("002_after.sql"), "CREATE TABLE after_slow (id int);");
        Process victim = botdb("killed_proc", "migrate").start();
        StringBuilder seen = new StringBuilder();
        var in = victim.inputReader(StandardCharsets.UTF_8);
        String line;
        while ((line = in.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.contains("Applying 001_slow.sql")) {
                break;
            }
        }
        assertThat(seen.toString()).contains("Applying 001_slow.sql");
        Thread.sleep(1000); // inside pg_sleep, with the lease row written
        new ProcessBuilder("kill", "-9", Long.toString(victim.pid())).start().waitFor();
        assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(victim.exitValue()).isEqualTo(137);
        assertThat(count("killed_proc", "SELECT count(*) FROM botdb_lock")).as("the dead holder's lease is still there")
                .isEqualTo(1);

        Process next = botdb("killed_proc", "migrate").start();
        String out = output(next);
        assertThat(next.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(next.exitValue()).as(out).isZero();
        assertThat(out).contains("Waiting for another instance to finish migrating")
                .contains("Migration complete - Applied: 2, Skipped: 0");
        assertThat(count("killed_proc", "SELECT count(*) FROM half_done")).as("applied once, by the second process").isEqualTo(1);
        assertThat(count("killed_proc", "SELECT count(*) FROM schema_migrations")).isEqualTo(2);
        assertThat(count("killed_proc", "SELECT count(*) FROM botdb_lock")).isZero();
    }
}
