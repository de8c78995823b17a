package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.TestPostgres;
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
 * A {@code botdb archive --to-table} process killed with SIGKILL between and inside batches: live table plus
 * archive hold every original row exactly once, and the same command run again finishes the job.
 */
class ArchiveKillIT {

    @TempDir
    Path dir;

    private static long one(String database, String sql) throws Exception {
        try (Connection c = TestPostgres.superuser(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A fresh database with 300,000 activities spread over 1,000 days. */
    private static void freshActivities(String db) throws Exception {
        TestPostgres.exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)", "CREATE DATABASE " + db);
        try (Connection c = TestPostgres.superuser(db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE activities (id bigserial PRIMARY KEY, user_id bigint NOT NULL, note text,"
                    + " activity_date date NOT NULL)");
            s.execute("INSERT INTO activities (user_id, note, activity_date) SELECT g % 100, md5(g::text),"
                    + " current_date - (g % 1000) FROM generate_series(1, 300000) g");
        }
    }

    /** SIGKILL, then wait until the server has ended the dead process's session (and rolled back its batch). */
    private static void kill(Process child, String db) throws Exception {
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (one("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db + "'") > 0
                && System.nanoTime() < gone) {
            Thread.sleep(50);
        }
    }

    @Test
    void aKilledArchiveLosesAndDuplicatesNothingAndTheNextRunFinishes() throws Exception {
        String db = "archive_kill";
        freshActivities(db);
        long total = one(db, "SELECT count(*) FROM activities");
        long old = one(db, "SELECT count(*) FROM activities WHERE activity_date < now() - interval '365 days'");
        long checksum = one(db, "SELECT sum(hashtext(a::text)) FROM activities a");
        Map<String, String> env = TestPostgres.env(TestPostgres.url(db));
        List<String> args = List.of("archive", "activities", "--older-than", "365d", "--column", "activity_date",
                "--to-table", "activities_archive", "--batch", "500");
        Process child = JarRun.start(env, dir.resolve("child.log"), args.toArray(String[]::new));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        long archived = 0;
        while (archived < 20_000) {
            assertThat(child.isAlive()).as("the archive ended before the kill").isTrue();
            assertThat(System.nanoTime()).as("no batch arrived").isLessThan(deadline);
            try {
                archived = one(db, "SELECT count(*) FROM activities_archive");
            } catch (Exception notYetCreated) {
                archived = 0;
            }
            Thread.sleep(5);
        }
        kill(child, db);
        long moved = one(db, "SELECT count(*) FROM activities_archive");
        assertThat(moved).isBetween(20_000L, old - 1);
        assertThat(one(db, "SELECT count(*) FROM activities") + moved).isEqualTo(total);
        assertThat(one(db, "SELECT count(*) FROM activities a JOIN activities_archive b USING (id)")).isZero();
        assertThat(one(db, "SELECT sum(hashtext(a::text)) FROM (SELECT * FROM activities UNION ALL"
                + " SELECT * FROM activities_archive) a")).isEqualTo(checksum);

        CliRun again = CliRun.of(env, args.toArray(String[]::new));
        assertThat(again.exitCode()).as(again.all()).isZero();
        assertThat(again.out()).contains("Archived").contains("botdb maintain vacuum --table activities");
        assertThat(one(db, "SELECT count(*) FROM activities_archive")).isEqualTo(old);
        assertThat(one(db, "SELECT count(*) FROM activities")).isEqualTo(total - old);
        assertThat(one(db, "SELECT sum(hashtext(a::text)) FROM (SELECT * FROM activities UNION ALL"
                + " SELECT * FROM activities_archive) a")).isEqualTo(checksum);
    }

    /**
     * {@code botdb archive --to FILE} killed three times: each kill leaves the file either settled or with one batch
     * pending, the next run settles it from botdb_archive_batches, and in the end the file holds every old row
     * exactly once (restored into a new table and compared) while the live table holds none of them.
     */
    @Test
    void aKilledArchiveToAFileLosesAndDuplicatesNothingAndTheNextRunFinishes() throws Exception {
        String db = "archive_file_kill";
        freshActivities(db);
        String oldRows = "activity_date < now() - interval '365 days'";
        long total = one(db, "SELECT count(*) FROM activities");
        long old = one(db, "SELECT count(*) FROM activities WHERE " + oldRows);
        long oldHash = one(db, "SELECT sum(hashtext(a::text)) FROM activities a WHERE " + oldRows);
        Map<String, String> env = TestPostgres.env(TestPostgres.url(db), "BACKUP_ENCRYPTION_KEY", "kill test passphrase for the archive file");
        Path file = dir.resolve("activities-2025.botdb");
        List<String> args = List.of("archive", "activities", "--older-than", "365d", "--column", "activity_date",
                "--to", file.toString(), "--batch", "500");
        for (int kill = 1; kill <= 3; kill++) {
            Process child = JarRun.start(env, dir.resolve("child" + kill + ".log"), args.toArray(String[]::new));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            long target = kill * 15L;
            long batches = 0;
            while (batches < target) {
                assertThat(child.isAlive()).as("the archive ended before the kill").isTrue();
                assertThat(System.nanoTime()).as("no batch arrived").isLessThan(deadline);
                try {
                    batches = one(db, "SELECT count(*) FROM botdb_archive_batches");
                } catch (Exception notYetCreated) {
                    batches = 0;
                }
                Thread.sleep(3 + kill);
            }
            kill(child, db);
            long journal = java.nio.file.Files.size(dir.resolve("activities-2025.botdb.journal"));
            System.out.printf("kill %d after %d batches: %s%n", kill, one(db, "SELECT count(*) FROM botdb_archive_batches"),
                    journal == 0 ? "file settled" : "a batch pending in the file (" + journal + " journal bytes)");
            assertThat(one(db, "SELECT count(*) FROM activities")).as("no row came back or went twice")
                    .isEqualTo(total - one(db, "SELECT coalesce(sum(rows), 0) FROM botdb_archive_batches"));
        }
        CliRun again = CliRun.of(env, args.toArray(String[]::new));
        assertThat(again.exitCode()).as(again.all()).isZero();
        assertThat(again.out()).contains("Archived").contains("botdb restore " + file + " --table activities");
        assertThat(one(db, "SELECT count(*) FROM activities WHERE " + oldRows)).isZero();
        assertThat(one(db, "SELECT count(*) FROM activities")).isEqualTo(total - old);

        CliRun restore = CliRun.of(env, "restore", file.toString(), "--table", "activities", "--into", "activities_2025");
        assertThat(restore.exitCode()).as(restore.all()).isZero();
        assertThat(restore.out()).contains(old + " rows");
        assertThat(one(db, "SELECT count(*) FROM activities_2025")).isEqualTo(old);
        assertThat(one(db, "SELECT sum(hashtext(a::text)) FROM activities_2025 a")).as("every old row exactly once")
                .isEqualTo(oldHash);
    }
}
