package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.TestPostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running progress line appears only for a person at a terminal: the jar is run under a real
 * pseudo-terminal ({@code script}, util-linux) and through a pipe, as cron would.
 */
class ProgressIT {
    @TempDir
    Path dir;

    @BeforeAll
    static void database() {
        TestPostgres.exec("DROP DATABASE IF EXISTS progress_db WITH (FORCE)", "CREATE DATABASE progress_db");
        try (var c = TestPostgres.superuser("progress_db"); var st = c.createStatement()) {
            for (int i = 0; i < 5; i++) {
                st.execute("CREATE TABLE t" + i + " AS SELECT g AS id FROM generate_series(1, 1000) g");
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private String run(boolean terminal, String... extra) throws Exception {
        List<String> botdb = new ArrayList<>(List.of("java", "-jar", JarRun.JAR.toString(), "backup", "--out",
                dir.toString()));
        botdb.addAll(List.of(extra));
        List<String> command = terminal ? List.of("script", "-qec", String.join(" ", botdb), "/dev/null") : botdb;
        return JarRun.ok(command, Map.of("DATABASE_URL", "postgres://postgres@localhost:" + TestPostgres.port()
                + "/progress_db"), List.of("BOTDB_NO_PROGRESS"));
    }

    @Test
    void aTerminalGetsTheRunningLineAPipeOnlyTheSummary() throws Exception {
        String tty = run(true);
        assertThat(tty).containsPattern("\r\\d/5 tables, ").contains("[Backup] 5/5 tables");

        String piped = run(false);
        assertThat(piped).doesNotContain("\r").contains("[Backup] 5/5 tables");

        String quiet = run(true, "--no-progress");
        assertThat(quiet).doesNotContainPattern("\r\\d/5 tables").contains("[Backup] 5/5 tables");
    }
}
