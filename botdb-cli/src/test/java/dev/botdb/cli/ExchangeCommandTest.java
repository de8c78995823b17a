package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.botdb.TestPostgres;
import dev.botdb.backup.schema.SchemaRoundTrip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** botdb export, import and archive from the command line, the Activity Challenge page's way. */
class ExchangeCommandTest {
    @TempDir
    Path dir;

    private Map<String, String> env() {
        String db = SchemaRoundTrip.freshDatabase("cli_exchange");
        SchemaRoundTrip.exec(db, """
                CREATE TABLE users (id serial PRIMARY KEY, username text, points int NOT NULL DEFAULT 0);
                CREATE TABLE activities (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES users(id),
                  activity_type text NOT NULL, duration int NOT NULL, activity_date date NOT NULL);
                INSERT INTO users (username) VALUES ('a'), ('b');
                INSERT INTO activities (user_id, activity_type, duration, activity_date)
                  SELECT 1 + g % 2, 'run', g, current_date - g FROM generate_series(1, 800) g;""");
        Map<String, String> env = new HashMap<>(TestPostgres.env(TestPostgres.url(db), "BACKUP_DIR", dir.resolve("backups").toString()));
        return env;
    }

    @Test
    void exportImportAndArchiveAsTheActivityChallengePageDoesThem() throws Exception {
        Map<String, String> env = env();
        Path file = dir.resolve("exports/activities-" + LocalDate.now().format(DateTimeFormatter.BASIC_ISO_DATE) + ".csv");
        CliRun export = CliRun.of(env, "export", "activities", "--out", file.toString());
        assertThat(export.exitCode()).as(export.all()).isZero();
        assertThat(export.err()).contains("Exported 800 rows");
        assertThat(Files.readAllLines(file)).hasSize(801).first().isEqualTo("id,user_id,activity_type,duration,activity_date");
        CliRun again = CliRun.of(env, "export", "activities", "--out", file.toString());
        assertThat(again.exitCode()).isEqualTo(26);
        assertThat(again.err()).contains("already exists").contains("--force");
        CliRun stdout = CliRun.of(env, "export", "--query", "SELECT username, points FROM users ORDER BY 1", "--format",
                "jsonl", "--out", "-");
        assertThat(stdout.out()).isEqualTo("{\"username\":\"a\",\"points\":0}\n{\"username\":\"b\",\"points\":0}\n");

        Path imports = Files.writeString(dir.resolve("activities.csv"),
                "user_id,activity_type,duration,activity_date\n1,swim,30,2025-12-01\n2,\"yoga\nclass\",45,2025-12-02\n");
        CliRun in = CliRun.of(env, "import", "activities", imports.toString(), "--json");
        assertThat(in.exitCode()).as(in.all()).isZero();
        assertThat(JSON.std.mapFrom(in.out())).containsEntry("rows", 2).containsEntry("inserted", 2);
        Path bad = Files.writeString(dir.resolve("bad.csv"), "user_id,activity_type,duration,activity_date\n9,x,1,2025-01-01\n");
        CliRun refused = CliRun.of(env, "import", "activities", bad.toString());
        assertThat(refused.exitCode()).isEqualTo(28);
        assertThat(refused.err()).contains("bad.csv").contains("activities_user_id_fkey").contains("Nothing was imported");
        Path wrong = Files.writeString(dir.resolve("wrong.csv"), "who,what\n1,2\n");
        assertThat(CliRun.of(env, "import", "activities", wrong.toString()).exitCode()).isEqualTo(27);

        CliRun archive = CliRun.of(env, "archive", "activities", "--older-than", "365d", "--column", "activity_date",
                "--to-table", "activities_archive", "--batch", "100");
        assertThat(archive.exitCode()).as(archive.all()).isZero();
        // 436 generated rows (the day exactly 365 days ago is older than now() - 365 days) + the 2 imported from 2025
        assertThat(archive.out()).contains("Archived 438 rows").contains("botdb maintain vacuum --table activities");
        CliRun noColumn = CliRun.of(env, "archive", "activities", "--older-than", "30d", "--column", "created",
                "--to-table", "activities_archive");
        assertThat(noColumn.exitCode()).isEqualTo(2);
        assertThat(noColumn.err()).contains("--column created is not a column of activities")
                .contains("id, user_id, activity_type, duration, activity_date");
    }

    @Test
    void archiveToAFileAndRestoreItFromTheCommandLine() throws Exception {
        Map<String, String> env = env();
        Path file = dir.resolve("archives/activities-2025.botdb");
        Files.createDirectories(file.getParent());
        String[] archive = {"archive", "activities", "--older-than", "365d", "--column", "activity_date", "--to",
                file.toString(), "--batch", "100"};
        CliRun dry = CliRun.of(env, concat(archive, "--dry-run"));
        assertThat(dry.exitCode()).as(dry.all()).isZero();
        assertThat(dry.out()).contains("436 rows of activities would move to " + file);
        assertThat(file).doesNotExist();
        CliRun run = CliRun.of(env, archive);
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("Archived 436 rows").contains("into " + file + " in 5 batches")
                .contains("botdb restore " + file + " --table activities")
                .contains("botdb maintain vacuum --table activities");
        CliRun json = CliRun.of(env, concat(archive, "--json"));
        assertThat(JSON.std.mapFrom(json.out())).containsEntry("rows", 0).containsEntry("to_file", file.toString());

        CliRun peek = CliRun.of(env, "restore", file.toString(), "--into", "activities_2025", "--json");
        assertThat(peek.exitCode()).as(peek.all()).isZero();
        assertThat(JSON.std.mapFrom(peek.out())).containsEntry("rows", 436).containsEntry("tables", 1);
        CliRun back = CliRun.of(env, "restore", file.toString(), "--table", "activities");
        assertThat(back.exitCode()).as(back.all()).isZero();
        assertThat(back.out()).contains("436 rows");
        CliRun twice = CliRun.of(env, "restore", file.toString(), "--table", "activities");
        assertThat(twice.exitCode()).isEqualTo(16);
        assertThat(twice.err()).contains("already").contains("--into NAME").contains("Nothing was restored");
        CliRun unknown = CliRun.of(env, "restore", file.toString(), "--table", "users");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("holds no rows of users; it holds public.activities");

        CliRun neither = CliRun.of(env, "archive", "activities", "--older-than", "365d", "--column", "activity_date");
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.err()).contains("--to-table NAME").contains("--to FILE");
        CliRun both = CliRun.of(env, concat(archive, "--to-table", "x"));
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("not both");
        CliRun backup = CliRun.of(env, "backup");
        assertThat(backup.exitCode()).as(backup.all()).isZero();
        try (var files = Files.list(dir.resolve("backups"))) {
            Path taken = files.filter(f -> f.toString().endsWith(".botdb")).findFirst().orElseThrow();
            CliRun intoBackup = CliRun.of(env, "archive", "activities", "--older-than", "1d", "--column", "activity_date",
                    "--to", taken.toString());
            assertThat(intoBackup.exitCode()).isEqualTo(29);
            assertThat(intoBackup.err()).contains("is a backup, not an archive file").contains("Archive into a new file");
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
