package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.botdb.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --json} on the commands that report: stdout holds exactly one JSON document (progress goes
 * to stderr), keys without spaces, typed values.
 */
class JsonOutputTest {
    @TempDir
    Path dir;

    private Map<String, String> env;

    @BeforeEach
    void database() throws Exception {
        TestPostgres.exec("DROP DATABASE IF EXISTS json_db WITH (FORCE)", "DROP DATABASE IF EXISTS json_copy WITH (FORCE)",
                "CREATE DATABASE json_db");
        Path migrations = Files.createDirectories(dir.resolve("migrations"));
        Files.writeString(migrations.resolve("001_users.sql"), "CREATE TABLE users (id bigint PRIMARY KEY);"
                + " INSERT INTO users VALUES (1), (2), (3);");
        env = TestPostgres.env("postgres://postgres@localhost:" + TestPostgres.port() + "/json_db",
                "MIGRATIONS_PATH", migrations.toString(), "BACKUP_DIR", dir.resolve("backups").toString());
    }

    private Map<String, Object> object(String... args) throws Exception {
        CliRun r = CliRun.of(env, args);
        assertThat(r.exitCode()).as(r.all()).isZero();
        Map<String, Object> m = JSON.std.mapFrom(r.out());
        assertThat(m.keySet()).as(String.join(" ", args)).allMatch(k -> !k.contains(" "));
        return m;
    }

    @Test
    void migrateValidateBackupVerifyPruneAndRestore() throws Exception {
        List<Object> plan = JSON.std.listFrom(CliRun.of(env, "migrate", "--dry-run", "--json").out());
        assertThat(plan).singleElement().asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("file", "001_users.sql").containsEntry("outside_transaction", false);

        Map<String, Object> migrate = object("migrate", "--json");
        assertThat(migrate).containsEntry("found", 1).containsEntry("applied", List.of("001_users.sql"))
                .containsEntry("skipped", 0).containsKey("duration_ms");

        assertThat(object("validate", "--json")).containsEntry("files", 1).containsEntry("history", "consistent");

        Map<String, Object> backup = object("backup", "--json", "--verify");
        assertThat(backup).containsKeys("file", "bytes").containsEntry("rows", 4); // 3 users + the history row
        @SuppressWarnings("unchecked")
        Map<String, Object> verification = (Map<String, Object>) backup.get("verification");
        assertThat(verification).containsEntry("ok", true).containsEntry("problems", List.of());
        String file = (String) backup.get("file");

        assertThat(object("backup", "verify", "--json", file)).containsEntry("file", file).containsEntry("ok", true);

        Map<String, Object> prune = object("backup", "prune", "--keep-last", "1", "--dry-run", "--json");
        assertThat(prune).containsEntry("dry_run", true).containsEntry("deleted", List.of());
        assertThat(prune.get("kept")).asList().hasSize(1);

        Map<String, Object> restore = object("restore", file, "--to", "json_copy", "--json");
        assertThat(restore).containsEntry("target", "postgresql://postgres@localhost:" + TestPostgres.port()
                + "/json_copy").containsEntry("rows", 4).containsEntry("created_database", true)
                .containsEntry("safety_backup", null);
    }
}
