package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.botdb.TestPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code botdb sql}: psql -c without psql, read-only unless --write. */
class SqlCommandTest {
    private static final String PASSWORD = "Sq1-Pass";

    @TempDir
    Path dir;

    @BeforeAll
    static void database() {
        TestPostgres.createUserWithDatabase("sql_bot", PASSWORD, "sql_db");
        try (var c = TestPostgres.superuser("sql_db"); var st = c.createStatement()) {
            st.execute("CREATE TABLE notes (id int PRIMARY KEY, body text, at timestamptz, ok boolean)");
            st.execute("INSERT INTO notes VALUES (1, 'say \"hi\", then\nleave', '2026-12-05 10:00:00+00', true),"
                    + " (2, '', NULL, false), (3, NULL, NULL, NULL)");
            st.execute("ALTER TABLE notes OWNER TO sql_bot");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> env() {
        return TestPostgres.env("postgres://sql_bot:" + PASSWORD + "@localhost:" + TestPostgres.port() + "/sql_db");
    }

    @Test
    void rowsAsAnAlignedTable() {
        CliRun r = CliRun.of(env(), "sql", "SELECT id, body FROM notes WHERE id > 1 ORDER BY id");
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).isEqualTo(" id | body\n----+------\n 2  |\n 3  |\n(2 rows)\n".replace("\n", System.lineSeparator()));
        assertThat(r.all()).doesNotContain(PASSWORD);
    }

    @Test
    void jsonKeepsTypesAndNulls() throws Exception {
        CliRun r = CliRun.of(env(), "sql", "--json", "SELECT id, body, at, ok FROM notes ORDER BY id");
        assertThat(r.exitCode()).as(r.all()).isZero();
        List<Object> rows = JSON.std.listFrom(r.out());
        assertThat(rows).hasSize(3);
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) rows.get(0);
        assertThat(first).containsEntry("id", 1).containsEntry("ok", true)
                .containsEntry("at", "2026-12-05T10:00Z").containsEntry("body", "say \"hi\", then\nleave");
        @SuppressWarnings("unchecked")
        Map<String, Object> third = (Map<String, Object>) rows.get(2);
        assertThat(third).containsEntry("body", null).containsEntry("ok", null);
    }

    @Test
    void csvQuotesAndKeepsNullApartFromTheEmptyString() {
        CliRun r = CliRun.of(env(), "sql", "--csv", "SELECT id, body FROM notes ORDER BY id");
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).isEqualTo("\"id\",\"body\"\r\n1,\"say \"\"hi\"\", then\nleave\"\r\n2,\"\"\r\n3,\r\n");
    }

    @Test
    void aWriteIsRefusedUnlessAskedForAndThenCommitted() {
        CliRun refused = CliRun.of(env(), "sql", "INSERT INTO notes (id) VALUES (10)");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(21);
        assertThat(refused.err()).contains("[SQLSTATE 25006]").contains("add --write");
        assertThat(CliRun.of(env(), "sql", "--csv", "SELECT count(*) FROM notes WHERE id = 10").out())
                .endsWith("0\r\n");

        CliRun written = CliRun.of(env(), "sql", "--write", "INSERT INTO notes (id) VALUES (10)");
        assertThat(written.exitCode()).as(written.all()).isZero();
        assertThat(written.out()).contains("OK, 1 row(s)");
        assertThat(CliRun.of(env(), "sql", "--csv", "SELECT count(*) FROM notes WHERE id = 10").out())
                .endsWith("1\r\n");
        CliRun.of(env(), "sql", "--write", "DELETE FROM notes WHERE id = 10");
    }

    @Test
    void aFailingStatementExits21WithTheServersError() {
        CliRun r = CliRun.of(env(), "sql", "SELEC 1");
        assertThat(r.exitCode()).isEqualTo(21);
        assertThat(r.err()).contains("error: The statement failed [SQLSTATE 42601]").contains("syntax error");
    }

    @Test
    void sqliteToo() {
        Map<String, String> env = Map.of("DATABASE_URL", "sqlite:///" + dir.resolve("bot.db"));
        assertThat(CliRun.of(env, "sql", "--write", "CREATE TABLE t (x int)").exitCode()).isZero();
        CliRun refused = CliRun.of(env, "sql", "INSERT INTO t VALUES (1)");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(21);
        assertThat(refused.err()).contains("add --write");
        assertThat(CliRun.of(env, "sql", "--write", "INSERT INTO t VALUES (1)").exitCode()).isZero();
        assertThat(CliRun.of(env, "sql", "--json", "SELECT x FROM t").out()).contains("\"x\" : 1");
    }
}
