package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.botdb.TestPostgres;
import dev.botdb.backup.schema.SchemaRoundTrip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code botdb transfer} from the command line: output, JSON, exit codes, refused inputs. */
class TransferCommandTest {
    @TempDir
    Path dir;

    private Path source(String... sql) throws Exception {
        Path file = dir.resolve("bot_database.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, age INTEGER)");
            s.execute("INSERT INTO users (name, age) VALUES ('alex', 30), ('bo', 'abc'), ('cy', NULL)");
            for (String q : sql) {
                s.execute(q);
            }
        }
        return file;
    }

    private Map<String, String> target() {
        String db = SchemaRoundTrip.freshDatabase("cli_transfer");
        SchemaRoundTrip.exec(db, "CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, age int)");
        return TestPostgres.env(TestPostgres.url(db),
                "BACKUP_DIR", dir.resolve("backups").toString());
    }

    @Test
    void dryRunPrintsThePlanAndABadValueStopsWithExit24() throws Exception {
        Path src = source();
        Map<String, String> env = target();
        CliRun plan = CliRun.of(env, "transfer", "--from", "sqlite+aiosqlite:///" + src, "--dry-run");
        assertThat(plan.exitCode()).as(plan.all()).isZero();
        assertThat(plan.out()).contains("Plan: 1 table, 3 rows from").contains("users -> users, 3 rows")
                .contains("age INTEGER -> age integer").contains("Nothing is in the way");

        CliRun bad = CliRun.of(env, "transfer", "--from", src.toString());
        assertThat(bad.exitCode()).isEqualTo(24);
        assertThat(bad.err()).contains("users, rowid 2, column age: 'abc' is text that is not a whole number")
                .contains("Nothing was committed");

        Path rejects = dir.resolve("out/rejects.csv");
        CliRun skip = CliRun.of(env, "transfer", "--from", src.toString(), "--on-bad-row", "skip", "--rejects",
                rejects.toString(), "--json");
        assertThat(skip.exitCode()).as(skip.all()).isEqualTo(25);
        Map<String, Object> json = JSON.std.mapFrom(skip.out());
        assertThat(json).containsEntry("rows", 2).containsEntry("rejected", 1)
                .containsEntry("rejects_file", rejects.toString());
        assertThat((List<?>) json.get("tables")).hasSize(1);
        assertThat(Files.readAllLines(rejects)).hasSize(2).last().asString()
                .isEqualTo("users,rowid 2,age,\"is text that is not a whole number, so it cannot be an integer\",abc,"
                        + "\"{\"\"id\"\":2,\"\"name\"\":\"\"bo\"\",\"\"age\"\":\"\"abc\"\"}\"");

        CliRun again = CliRun.of(env, "transfer", "--from", src.toString());
        assertThat(again.exitCode()).isEqualTo(23);
        assertThat(again.err()).contains("already holds rows").contains("--truncate");
    }

    @Test
    void badSourcesTargetsAndFlagsEachHaveTheirMessageAndExitCode() throws Exception {
        Map<String, String> env = target();
        CliRun missing = CliRun.of(env, "transfer", "--from", "sqlite:///" + dir.resolve("nope.db"));
        assertThat(missing.exitCode()).isEqualTo(22);
        assertThat(missing.err()).contains("does not exist");

        Path notSqlite = Files.writeString(dir.resolve("dump.sql"), "CREATE TABLE x (id int);");
        CliRun wrong = CliRun.of(env, "transfer", "--from", notSqlite.toString());
        assertThat(wrong.exitCode()).isEqualTo(22);
        assertThat(wrong.err()).contains("is not a SQLite database").contains("botdb restore");

        Path src = source("UPDATE users SET age = 1 WHERE id = 2");
        CliRun pgSource = CliRun.of(env, "transfer", "--from", "postgres://bot@localhost/bot");
        assertThat(pgSource.exitCode()).isEqualTo(2);
        assertThat(pgSource.err()).contains("is not a SQLite file");

        CliRun password = CliRun.of(env, "transfer", "--from", src.toString(), "--to", "postgres://bot:s3cret@localhost/bot");
        assertThat(password.exitCode()).isEqualTo(2);
        assertThat(password.all()).contains("--to has a password in it").doesNotContain("s3cret");

        CliRun sqliteTarget = CliRun.of(env, "transfer", "--from", src.toString(), "--to", "sqlite:///" + dir.resolve("t.db"));
        assertThat(sqliteTarget.exitCode()).isEqualTo(23);
        assertThat(sqliteTarget.err()).contains("is SQLite");

        Map<String, String> once = new java.util.HashMap<>(env);
        once.put("BOTDB_CONNECT_ATTEMPTS", "1");
        CliRun unreachable = CliRun.of(once, "transfer", "--from", src.toString(), "--to",
                "postgres://postgres@127.0.0.1:" + TestPostgres.closedPort() + "/x?sslmode=disable&connect_timeout=2");
        assertThat(unreachable.exitCode()).as(unreachable.all()).isEqualTo(4);

        CliRun rejectsAlone = CliRun.of(env, "transfer", "--from", src.toString(), "--rejects", "r.csv");
        assertThat(rejectsAlone.exitCode()).isEqualTo(2);
        assertThat(rejectsAlone.err()).contains("--on-bad-row skip");

        CliRun ok = CliRun.of(env, "transfer", "--from", src.toString());
        assertThat(ok.exitCode()).as(ok.all()).isZero();
        assertThat(ok.out()).contains("users").contains("✓ 3:").contains("Transferred 3 rows in 1 table")
                .contains("users_id_seq = 3");
    }
}
