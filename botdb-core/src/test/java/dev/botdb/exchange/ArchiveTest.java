package dev.botdb.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.TestPostgres;
import dev.botdb.backup.schema.SchemaRoundTrip;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** botdb archive --to-table on the real test PostgreSQL and a real SQLite file. */
class ArchiveTest {
    @TempDir
    Path dir;

    private static long one(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void movesOldRowsInBatchesWhileTheBotKeepsInsertingFromSeveralThreads() throws Exception {
        String database = SchemaRoundTrip.freshDatabase("archive");
        SchemaRoundTrip.exec(database, """
                CREATE TABLE activities (id bigserial PRIMARY KEY, user_id bigint NOT NULL, minutes int,
                  activity_date date NOT NULL);
                INSERT INTO activities (user_id, minutes, activity_date)
                  SELECT g % 100, g % 60, current_date - (g % 730) FROM generate_series(1, 60000) g;""");
        long old;
        long total;
        long checksum;
        try (Connection c = TestPostgres.superuser(database)) {
            old = one(c, "SELECT count(*) FROM activities WHERE activity_date < now() - interval '365 days'");
            total = one(c, "SELECT count(*) FROM activities");
            checksum = one(c, "SELECT sum(hashtext(a::text)) FROM activities a");
        }
        Bots bots = Bots.start(database, 3);
        ArchiveResult r;
        try (BotDb db = BotDb.fromEnv(TestPostgres.env(TestPostgres.url(database)))) {
            Thread.sleep(200);
            r = db.archive(new ArchiveRequest("activities", "activity_date", Duration.ofDays(365), null,
                    "activities_archive_2025", 2000, false), line -> { });
        } finally {
            bots.stop();
        }
        assertThat(bots.failures()).isEmpty();
        assertThat(bots.inserted()).as("the bot kept inserting").isPositive();
        System.out.printf("archive: %,d rows in %d batches, %d ms; %,d bot inserts meanwhile, slowest %.1f ms%n",
                r.rows(), r.batches(), r.millis(), bots.inserted(), bots.slowestMicros() / 1000.0);
        assertThat(r.rows()).isEqualTo(old);
        assertThat(r.batches()).isGreaterThanOrEqualTo((int) (old / 2000));
        assertThat(r.created()).isTrue();
        assertThat(r.remaining()).isZero();
        try (Connection c = TestPostgres.superuser(database)) {
            assertThat(one(c, "SELECT count(*) FROM activities_archive_2025")).isEqualTo(old);
            assertThat(one(c, "SELECT count(*) FROM activities")).isEqualTo(total - old + bots.inserted());
            assertThat(one(c, "SELECT count(*) FROM activities WHERE activity_date < now() - interval '365 days'")).isZero();
            assertThat(one(c, "SELECT sum(hashtext(a::text)) FROM (SELECT * FROM activities WHERE id <= " + total
                    + " UNION ALL SELECT * FROM activities_archive_2025) a")).as("every original row, once").isEqualTo(checksum);
            assertThat(one(c, "SELECT count(*) FROM pg_indexes WHERE tablename = 'activities_archive_2025'")).isOne();
        }
    }

    @Test
    void rowsOtherTablesStillReferenceAreRefusedWithTheConstraintNamed() throws Exception {
        String database = SchemaRoundTrip.freshDatabase("archive_fk");
        SchemaRoundTrip.exec(database, """
                CREATE TABLE competitions (id int PRIMARY KEY, ended date NOT NULL);
                CREATE TABLE entries (id int PRIMARY KEY, competition_id int REFERENCES competitions(id));
                INSERT INTO competitions VALUES (1, '2020-01-01'), (2, '2020-02-01'), (3, current_date);
                INSERT INTO entries VALUES (1, 1), (2, 3);""");
        try (BotDb db = BotDb.fromEnv(TestPostgres.env(TestPostgres.url(database)))) {
            ArchiveRequest all = new ArchiveRequest("competitions", "ended", Duration.ofDays(30), null, "old_competitions",
                    10, false);
            assertThatThrownBy(() -> db.archive(all, l -> { }))
                    .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.ARCHIVE_REFUSED))
                    .hasMessageContaining("1 rows of entries").hasMessageContaining("entries_competition_id_fkey");
            ArchiveResult r = db.archive(new ArchiveRequest("competitions", "ended", Duration.ofDays(30),
                    "id NOT IN (SELECT competition_id FROM entries WHERE competition_id IS NOT NULL)", "old_competitions",
                    10, false), l -> { });
            assertThat(r.rows()).isOne();
            ArchiveResult along = db.archive(new ArchiveRequest("competitions", "ended", Duration.ofDays(30), null,
                    "competitions_archive_2020", 10, false, true), l -> { });
            assertThat(along.rows()).isOne();
            assertThat(along.children()).containsEntry("\"entries_archive_2020\"", 1L);
        }
        try (Connection c = TestPostgres.superuser(database)) {
            assertThat(one(c, "SELECT count(*) FROM entries_archive_2020 WHERE competition_id = 1")).isOne();
            assertThat(one(c, "SELECT count(*) FROM entries")).isOne();
            assertThat(one(c, "SELECT count(*) FROM competitions")).isOne();
        }
    }

    @Test
    void sqliteArchivesByRowidBatches() throws Exception {
        Path file = dir.resolve("bot.db");
        try (BotDb db = BotDb.fromEnv(TestPostgres.env("sqlite:///" + file))) {
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE activities (id INTEGER PRIMARY KEY AUTOINCREMENT, minutes INTEGER NOT NULL,"
                        + " activity_date TEXT NOT NULL)");
                s.execute("WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 1000)"
                        + " INSERT INTO activities (minutes, activity_date) SELECT i % 60, date('now', '-' || (i % 800) || ' days') FROM g");
            }
            ArchiveRequest req = new ArchiveRequest("activities", "activity_date", Duration.ofDays(365), null,
                    "activities_archive", 100, false);
            ArchiveResult dry = db.archive(new ArchiveRequest("activities", "activity_date", Duration.ofDays(365), null,
                    "activities_archive", 100, true), l -> { });
            ArchiveResult r = db.archive(req, l -> { });
            assertThat(r.rows()).isEqualTo(dry.rows()).isPositive();
            try (Connection c = db.dataSource().getConnection()) {
                assertThat(one(c, "SELECT count(*) FROM activities") + one(c, "SELECT count(*) FROM activities_archive"))
                        .isEqualTo(1000);
                assertThat(one(c, "SELECT count(*) FROM activities a JOIN activities_archive b ON a.id = b.id")).isZero();
            }
            assertThat(db.archive(req, l -> { }).rows()).as("a second run finds nothing left").isZero();
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE likes (activity_id INTEGER REFERENCES activities(id))");
                s.execute("INSERT INTO likes SELECT min(id) FROM activities");
                s.execute("UPDATE activities SET activity_date = '2000-01-01' WHERE id = (SELECT min(id) FROM activities)");
            }
            assertThatThrownBy(() -> db.archive(req, l -> { }))
                    .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.ARCHIVE_REFUSED))
                    .hasMessageContaining("1 rows of \"likes\"").hasMessageContaining("likes(\"activity_id\")");
        }
    }
}
