package dev.botdb.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.TestPostgres;
import dev.botdb.backup.RestoreRequest;
import dev.botdb.backup.RestoreResult;
import dev.botdb.backup.archive.AppendSession;
import dev.botdb.backup.archive.ArchiveReader;
import dev.botdb.backup.archive.BackupKey;
import dev.botdb.backup.rows.RowArchiveFile;
import dev.botdb.backup.schema.SchemaRoundTrip;
import dev.botdb.config.Engine;
import dev.botdb.copy.BatchFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** botdb archive --to FILE and botdb restore FILE, on the real test PostgreSQL and real SQLite files. */
class ArchiveFileTest {
    @TempDir
    Path dir;

    private static final String KEY = "archive file test passphrase, long enough";

    private static long one(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every built-in kind of value, NULLs, and text that trips CSV: the rows must come back exactly. */
    private static String activities(int rows) {
        return """
                CREATE TYPE mood AS ENUM ('calm', 'happy');
                CREATE TABLE activities (id bigserial PRIMARY KEY, user_id bigint NOT NULL, minutes int,
                  note text, score numeric(10,3), ratio double precision, done boolean, tags text[],
                  meta jsonb, photo bytea, uid uuid, at timestamptz, took interval, mood mood,
                  activity_date date NOT NULL, doubled int GENERATED ALWAYS AS (minutes * 2) STORED);
                INSERT INTO activities (user_id, minutes, note, score, ratio, done, tags, meta, photo, uid, at, took,
                                        mood, activity_date)
                  SELECT g % 100, CASE WHEN g % 7 = 0 THEN NULL ELSE g % 60 END,
                         CASE g % 4 WHEN 0 THEN 'line one' || chr(10) || 'line "two", ok' WHEN 1 THEN '' WHEN 2 THEN NULL
                                    ELSE 'run 🏃 ' || g END,
                         g / 7.0, g / 3.0, g % 2 = 0, ARRAY['a,b', 'c"d', NULL], jsonb_build_object('g', g, 'n', NULL),
                         CASE WHEN g % 5 = 0 THEN NULL ELSE decode(lpad(to_hex(g), 8, '0'), 'hex') END,
                         md5(g::text)::uuid, timestamptz '2024-01-01 12:00+02' + g * interval '1 minute',
                         g * interval '1 second', CASE WHEN g % 2 = 0 THEN 'calm' ELSE 'happy' END::mood,
                         current_date - (g % 730)
                    FROM generate_series(1, ROWS) g;""".replace("ROWS", Integer.toString(rows));
    }

    private static final String OLD = "activity_date < now() - interval '365 days'";

    /** The old rows of activities (count and hash) and all its rows. */
    private record Counts(long old, long oldHash, long total) {
    }

    private static Counts oldRows(String database) throws Exception {
        try (Connection c = TestPostgres.superuser(database)) {
            return new Counts(one(c, "SELECT count(*) FROM activities WHERE " + OLD),
                    one(c, "SELECT sum(hashtext(a::text)) FROM activities a WHERE " + OLD),
                    one(c, "SELECT count(*) FROM activities"));
        }
    }

    @Test
    void archivesToAFileWhileTheBotInsertsThenRestoresIntoANewTableAndBack() throws Exception {
        String database = SchemaRoundTrip.freshDatabase("archive_file");
        SchemaRoundTrip.exec(database, activities(20_000));
        Counts counts = oldRows(database);
        long old = counts.old();
        long oldHash = counts.oldHash();
        long total = counts.total();
        Path file = dir.resolve("activities-2025.botdb");
        Bots bots = Bots.start(database, 3);
        Map<String, String> env = TestPostgres.env(TestPostgres.url(database), "BACKUP_ENCRYPTION_KEY", KEY);
        ArchiveResult r;
        try (BotDb db = BotDb.fromEnv(env)) {
            ArchiveRequest request = new ArchiveRequest("activities", "activity_date", Duration.ofDays(365), null, null,
                    1500, false, false, file);
            r = db.archive(request, l -> { });
        } finally {
            bots.stop();
        }
        assertThat(bots.failures()).isEmpty();
        assertThat(bots.inserted()).isPositive();
        assertThat(r.rows()).isEqualTo(old);
        assertThat(r.created()).isTrue();
        assertThat(r.remaining()).isZero();
        assertThat(r.batches()).isEqualTo((int) ((old + 1499) / 1500));
        assertThat(Files.size(AppendSession.journalOf(file))).as("nothing pending").isZero();
        try (Connection c = TestPostgres.superuser(database)) {
            assertThat(one(c, "SELECT count(*) FROM activities WHERE " + OLD)).isZero();
            assertThat(one(c, "SELECT count(*) FROM activities")).isEqualTo(total - old + bots.inserted());
            assertThat(one(c, "SELECT count(*) FROM botdb_archive_batches")).isEqualTo(r.batches());
            assertThat(one(c, "SELECT sum(rows) FROM botdb_archive_batches")).isEqualTo(old);
        }
        // the file is encrypted: without the key nothing but its header can be read
        assertThatThrownBy(() -> ArchiveReader.open(file, Optional.empty())).isInstanceOf(BotDbException.class)
                .hasMessageContaining("encrypted");
        assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).doesNotContain("line one");

        try (BotDb db = BotDb.fromEnv(env)) {
            dev.botdb.backup.VerifyResult verified = db.backups().verify(file);
            assertThat(verified.problems()).isEmpty();
            assertThat(verified.rows()).isEqualTo(old);
            RestoreResult into = db.backups().restore(file, new RestoreRequest(db.target(), List.of("activities"), false,
                    false, "activities_2025"));
            assertThat(into.rows()).isEqualTo(old);
            try (Connection c = TestPostgres.superuser(database)) {
                assertThat(one(c, "SELECT sum(hashtext(a::text)) FROM activities_2025 a")).as("every archived row,"
                        + " exactly as it was (generated column recomputed)").isEqualTo(oldHash);
                assertThat(one(c, "SELECT count(*) FROM pg_indexes WHERE tablename = 'activities_2025'"))
                        .as("created like the live table").isOne();
            }
            RestoreResult back = db.backups().restore(file, new RestoreRequest(db.target(), List.of(), false));
            assertThat(back.rows()).isEqualTo(old);
            try (Connection c = TestPostgres.superuser(database)) {
                assertThat(one(c, "SELECT sum(hashtext(a::text)) FROM activities a WHERE " + OLD)).isEqualTo(oldHash);
                assertThat(one(c, "SELECT count(*) FROM activities")).isEqualTo(total + bots.inserted());
                // the sequence was ahead of the restored ids: an insert still works
                assertThat(one(c, "INSERT INTO activities (user_id, activity_date) VALUES (1, current_date) RETURNING id"))
                        .isGreaterThan(total);
            }
            assertThatThrownBy(() -> db.backups().restore(file, new RestoreRequest(db.target(), List.of(), false)))
                    .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.RESTORE_REFUSED))
                    .hasMessageContaining("already").hasMessageContaining("--into").hasMessageContaining("Key (id)=(");
            try (Connection c = TestPostgres.superuser(database)) {
                assertThat(one(c, "SELECT count(*) FROM activities WHERE " + OLD)).as("the refused restore kept nothing")
                        .isEqualTo(old);
            }

            // archived again into the same file: the batches are appended, numbered on
            ArchiveResult again = db.archive(new ArchiveRequest("activities", "activity_date", Duration.ofDays(365), null,
                    null, 5000, false, false, file), l -> { });
            assertThat(again.rows()).isEqualTo(old);
            assertThat(again.created()).isFalse();
            try (ArchiveReader reader = ArchiveReader.open(file, BackupKey.fromEnv(env))) {
                reader.verifyIntegrity();
                assertThat(reader.entries()).hasSize(r.batches() + again.batches());
            }
            try (Connection c = TestPostgres.superuser(database)) {
                assertThat(one(c, "SELECT max(batch) FROM botdb_archive_batches")).isEqualTo(r.batches() + again.batches());
            }
        }
    }

    @Test
    void withChildrenTheReferencingRowsGoIntoTheSameFileAndComeBackFirstParentThenChild() throws Exception {
        String database = SchemaRoundTrip.freshDatabase("archive_file_fk");
        SchemaRoundTrip.exec(database, """
                CREATE TABLE competitions (id int PRIMARY KEY, ended date NOT NULL);
                CREATE TABLE entries (id int PRIMARY KEY, competition_id int NOT NULL REFERENCES competitions(id),
                                      points int);
                INSERT INTO competitions VALUES (1, '2020-01-01'), (2, '2020-02-01'), (3, current_date);
                INSERT INTO entries VALUES (1, 1, 10), (2, 1, NULL), (3, 3, 30), (4, 2, 40);""");
        Path file = dir.resolve("competitions.botdb");
        try (BotDb db = BotDb.fromEnv(TestPostgres.env(TestPostgres.url(database)))) {
            assertThatThrownBy(() -> db.archive(new ArchiveRequest("competitions", "ended", Duration.ofDays(30), null,
                    null, 1, false, false, file), l -> { }))
                    .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.ARCHIVE_REFUSED))
                    .hasMessageContaining("entries_competition_id_fkey");
            ArchiveResult r = db.archive(new ArchiveRequest("competitions", "ended", Duration.ofDays(30), null, null, 1,
                    false, true, file), l -> { });
            assertThat(r.rows()).isEqualTo(2);
            assertThat(r.children()).containsEntry("entries", 3L);
            try (Connection c = TestPostgres.superuser(database)) {
                assertThat(one(c, "SELECT count(*) FROM entries")).isOne();
                assertThat(one(c, "SELECT count(*) FROM competitions")).isOne();
            }
            assertThatThrownBy(() -> db.backups().restore(file, new RestoreRequest(db.target(), List.of(), false, false,
                    "x"))).satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.USAGE))
                    .hasMessageContaining("holds 2 tables");
            // --table in child-first order: restored parent first all the same, so the foreign key holds
            RestoreResult back = db.backups().restore(file, new RestoreRequest(db.target(), List.of("entries",
                    "competitions"), false));
            assertThat(back.rows()).isEqualTo(5);
            try (Connection c = TestPostgres.superuser(database)) {
                assertThat(one(c, "SELECT count(*) FROM entries WHERE points IS NULL")).isOne();
                assertThat(one(c, "SELECT sum(points) FROM entries")).isEqualTo(80);
                assertThat(one(c, "SELECT count(*) FROM competitions")).isEqualTo(3);
            }
        }
    }

    /** The process dies at a chosen step of a batch: a kill in-process, without the catch blocks running. */
    private static final class Killed extends Error {
        Killed() {
            super("killed");
        }
    }

    /** A batch file that dies after the n-th batch is durable, before (or after) the database commits. */
    private static BatchFile.Opener dying(Optional<BackupKey> key, int batch, boolean afterCommit) {
        return (file, source) -> {
            BatchFile real = RowArchiveFile.open(file, source, key);
            return new BatchFile() {
                public String archiveId() {
                    return real.archiveId();
                }

                public long batches() {
                    return real.batches();
                }

                public OptionalLong pending() {
                    return real.pending();
                }

                public void keep() {
                    if (afterCommit && real.pending().orElse(-1) == batch) {
                        throw new Killed();
                    }
                    real.keep();
                }

                public void drop() {
                    real.drop();
                }

                public void write(long number, List<Rows> rows) {
                    real.write(number, rows);
                    if (!afterCommit && number == batch) {
                        throw new Killed();
                    }
                }

                public void close() {
                    real.close();
                }
            };
        };
    }

    @Test
    void aKillBetweenTheFileAndTheCommitIsSettledByTheNextRunEitherWay() throws Exception {
        String database = SchemaRoundTrip.freshDatabase("archive_file_kill");
        SchemaRoundTrip.exec(database, activities(5_000));
        Counts counts = oldRows(database);
        long old = counts.old();
        long oldHash = counts.oldHash();
        Path file = dir.resolve("killed.botdb");
        ArchiveRequest request = new ArchiveRequest("activities", "activity_date", Duration.ofDays(365), null, null, 400,
                false, false, file);
        for (boolean afterCommit : new boolean[] {false, true}) {
            try (Connection c = TestPostgres.superuser(database)) {
                Archiver archiver = Archiver.of(c, Engine.POSTGRESQL, l -> { }, dying(Optional.empty(), 3, afterCommit));
                assertThatThrownBy(() -> archiver.run(request)).isInstanceOf(Killed.class);
            }
            assertThat(AppendSession.pendingWithoutLock(file)).as("batch 3 pending in the file").isPresent();
            try (BotDb db = BotDb.fromEnv(TestPostgres.env(TestPostgres.url(database)))) {
                assertThatThrownBy(() -> db.backups().restore(file, new RestoreRequest(db.target(), List.of(), false,
                        false, "peek"))).satisfies(e -> assertThat(((BotDbException) e).code())
                        .isEqualTo(ErrorCode.RESTORE_REFUSED)).hasMessageContaining("Run the same botdb archive command");
                List<String> log = new ArrayList<>();
                db.archive(request, log::add);
                assertThat(log).as(String.join("\n", log)).anyMatch(l -> l.contains(afterCommit ? "had left the table; kept it"
                        : "was still in the table; removed it"));
                RestoreResult peek = db.backups().restore(file, new RestoreRequest(db.target(), List.of(), false, false,
                        "peek_" + afterCommit));
                assertThat(peek.rows()).as("every old row in the file once").isEqualTo(old);
            }
            try (Connection c = TestPostgres.superuser(database)) {
                assertThat(one(c, "SELECT sum(hashtext(a::text)) FROM peek_" + afterCommit + " a")).isEqualTo(oldHash);
                assertThat(one(c, "SELECT count(*) FROM activities WHERE " + OLD)).isZero();
                // put them back for the second round
                Statement s = c.createStatement();
                s.execute("INSERT INTO activities OVERRIDING SYSTEM VALUE SELECT id, user_id, minutes, note, score, ratio,"
                        + " done, tags, meta, photo, uid, at, took, mood, activity_date FROM peek_" + afterCommit);
                s.execute("DROP TABLE botdb_archive_batches");
            }
            Files.delete(file);
            Files.delete(AppendSession.journalOf(file));
        }
    }

    @Test
    void onSqliteTooAKillBetweenTheFileAndTheCommitIsSettledByTheNextRun() throws Exception {
        Path dbFile = dir.resolve("killed.db");
        Path file = dir.resolve("killed-sqlite.botdb");
        String old = "activity_date < datetime('now', '-365 days')";
        ArchiveRequest request = new ArchiveRequest("activities", "activity_date", Duration.ofDays(365), null, null, 100,
                false, false, file);
        try (BotDb db = BotDb.fromEnv(TestPostgres.env("sqlite:///" + dbFile))) {
            String before;
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE activities (id INTEGER PRIMARY KEY, note TEXT, activity_date TEXT NOT NULL)");
                s.execute("WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 3000)"
                        + " INSERT INTO activities SELECT i, 'note ' || i, date('now', '-' || (i % 800) || ' days') FROM g");
                before = ids(c, "activities", old);
            }
            for (boolean afterCommit : new boolean[] {false, true}) {
                try (Connection c = db.dataSource().getConnection()) {
                    Archiver archiver = Archiver.of(c, Engine.SQLITE, l -> { }, dying(Optional.empty(), 2, afterCommit));
                    assertThatThrownBy(() -> archiver.run(request)).isInstanceOf(Killed.class);
                }
                assertThat(AppendSession.pendingWithoutLock(file)).isPresent();
                List<String> log = new ArrayList<>();
                db.archive(request, log::add);
                assertThat(log).as(String.join("\n", log)).anyMatch(l -> l.contains(afterCommit
                        ? "had left the table; kept it" : "was still in the table; removed it"));
                String peek = "peek_" + afterCommit;
                db.backups().restore(file, new RestoreRequest(db.target(), List.of(), false, false, peek));
                try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                    assertThat(ids(c, peek, "1")).as("every old row in the file once").isEqualTo(before);
                    assertThat(one(c, "SELECT count(*) FROM activities WHERE " + old)).isZero();
                    s.execute("INSERT INTO activities SELECT * FROM " + peek);
                    s.execute("DROP TABLE botdb_archive_batches");
                }
                Files.delete(file);
                Files.delete(AppendSession.journalOf(file));
            }
        }
    }

    /** The ids and notes of a table's rows, in id order. */
    private static String ids(Connection c, String table, String where) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, note FROM " + table + " WHERE "
                + where + " ORDER BY id")) {
            while (rs.next()) {
                out.append(rs.getLong(1)).append(':').append(rs.getString(2)).append('\n');
            }
        }
        return out.toString();
    }

    @Test
    void aRoleThatMayNotCreateTheBatchesTableIsGivenTheStatementsAndTheyWork() throws Exception {
        String database = SchemaRoundTrip.freshDatabase("archive_file_role");
        SchemaRoundTrip.exec(database, activities(300));
        TestPostgres.exec("DROP ROLE IF EXISTS archive_app", "CREATE ROLE archive_app LOGIN PASSWORD 'app-pw'");
        SchemaRoundTrip.exec(database, """
                REVOKE CREATE ON SCHEMA public FROM PUBLIC;
                GRANT USAGE ON SCHEMA public TO archive_app;
                GRANT SELECT, UPDATE, DELETE ON activities TO archive_app;""");
        Path file = dir.resolve("role.botdb");
        ArchiveRequest request = new ArchiveRequest("activities", "activity_date", Duration.ofDays(365), null, null, 100,
                false, false, file);
        String appUrl = "postgres://archive_app:app-pw@localhost:" + TestPostgres.port() + "/" + database + "?sslmode=disable";
        long old = oldRows(database).old();
        String fix;
        try (BotDb db = BotDb.fromEnv(TestPostgres.env(appUrl))) {
            BotDbException e = (BotDbException) org.assertj.core.api.Assertions.catchThrowable(() -> db.archive(request,
                    l -> { }));
            assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            assertThat(e.getMessage()).contains("\"archive_app\" may not create it").contains("Nothing was archived")
                    .doesNotContain("app-pw");
            fix = e.getMessage().substring(e.getMessage().indexOf("CREATE TABLE"));
        }
        assertThat(oldRows(database).old()).isEqualTo(old);
        SchemaRoundTrip.exec(database, fix);
        try (BotDb db = BotDb.fromEnv(TestPostgres.env(appUrl))) {
            assertThat(db.archive(request, l -> { }).rows()).isEqualTo(old);
        }
    }

    @Test
    void refusesABackupOrAFileOfAnotherTableAndSaysWhatToDo() throws Exception {
        String database = SchemaRoundTrip.freshDatabase("archive_file_refuse");
        SchemaRoundTrip.exec(database, activities(100) + """
                CREATE TABLE messages (id int PRIMARY KEY, sent date NOT NULL);
                INSERT INTO messages VALUES (1, '2020-01-01');""");
        try (BotDb db = BotDb.fromEnv(TestPostgres.env(TestPostgres.url(database), "BACKUP_DIR", dir.toString()))) {
            Path backup = db.backups().backup().file();
            assertThatThrownBy(() -> db.archive(new ArchiveRequest("messages", "sent", Duration.ofDays(1), null, null, 10,
                    false, false, backup), l -> { }))
                    .isInstanceOf(BotDbException.class).hasMessageContaining("is a backup");
            Path file = dir.resolve("messages.botdb");
            db.archive(new ArchiveRequest("messages", "sent", Duration.ofDays(1), null, null, 10, false, false, file),
                    l -> { });
            // kept in the backups folder, it is listed for what it is and never pruned as a backup
            assertThat(db.backups().list()).filteredOn(b -> b.file().equals(file)).singleElement()
                    .satisfies(b -> assertThat(b.kind()).isEqualTo("archive")).satisfies(b -> assertThat(b.usable()).isFalse());
            assertThatThrownBy(() -> db.archive(new ArchiveRequest("activities", "activity_date", Duration.ofDays(1), null,
                    null, 10, false, false, file), l -> { }))
                    .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.ARCHIVE_REFUSED))
                    .hasMessageContaining("holds archived rows of public.messages (id integer, sent date)")
                    .hasMessageContaining("archive into a new file");
            try (Connection c = TestPostgres.superuser(database)) {
                assertThat(one(c, "SELECT count(*) FROM activities")).as("nothing moved").isEqualTo(100);
            }
            assertThatThrownBy(() -> db.backups().restore(backup, new RestoreRequest(db.target(), List.of("messages"),
                    false, false, "m2"))).satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.USAGE))
                    .hasMessageContaining("--into is for the archive files");
        }
    }

    @Test
    void sqliteArchivesToAFileAndRestoresEveryStorageClassExactly() throws Exception {
        Path dbFile = dir.resolve("bot.db");
        Path file = dir.resolve("activities.botdb");
        try (BotDb db = BotDb.fromEnv(TestPostgres.env("sqlite:///" + dbFile))) {
            String all;
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE activities (id INTEGER PRIMARY KEY AUTOINCREMENT, minutes INTEGER,"
                        + " ratio REAL, note TEXT, photo BLOB, anything, activity_date TEXT NOT NULL)");
                s.execute("WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 1000)"
                        + " INSERT INTO activities (minutes, ratio, note, photo, anything, activity_date)"
                        + " SELECT CASE WHEN i % 7 = 0 THEN NULL ELSE i END, i / 3.0,"
                        + " CASE i % 3 WHEN 0 THEN 'a ' || char(10) || '🏃 \"q\"' WHEN 1 THEN '' ELSE NULL END,"
                        + " CASE WHEN i % 2 = 0 THEN randomblob(8) END, CASE i % 3 WHEN 0 THEN 1 WHEN 1 THEN 'one' ELSE 1.5 END,"
                        + " date('now', '-' || (i % 800) || ' days') FROM g");
                all = dump(c, "activities", "activity_date < datetime('now', '-365 days')");
            }
            ArchiveResult r = db.archive(new ArchiveRequest("activities", "activity_date", Duration.ofDays(365), null,
                    null, 100, false, false, file), l -> { });
            assertThat(r.rows()).isPositive();
            try (Connection c = db.dataSource().getConnection()) {
                assertThat(one(c, "SELECT count(*) FROM activities WHERE activity_date < datetime('now', '-365 days')")).isZero();
                assertThat(one(c, "SELECT sum(rows) FROM botdb_archive_batches")).isEqualTo(r.rows());
            }
            assertThat(db.backups().verify(file).rows()).isEqualTo(r.rows());
            RestoreResult peek = db.backups().restore(file, new RestoreRequest(db.target(), List.of("activities"), false,
                    false, "activities_old"));
            assertThat(peek.rows()).isEqualTo(r.rows());
            RestoreResult back = db.backups().restore(file, new RestoreRequest(db.target(), List.of(), false));
            assertThat(back.rows()).isEqualTo(r.rows());
            try (Connection c = db.dataSource().getConnection()) {
                assertThat(dump(c, "activities_old", "1")).isEqualTo(all);
                assertThat(dump(c, "activities", "activity_date < datetime('now', '-365 days')")).isEqualTo(all);
            }
            assertThatThrownBy(() -> db.backups().restore(file, new RestoreRequest(db.target(), List.of(), false)))
                    .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.RESTORE_REFUSED));
        }
    }

    /** Every value with its storage class, in id order. */
    private static String dump(Connection c, String table, String where) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, minutes, typeof(minutes),"
                + " ratio, typeof(ratio), note, typeof(note), hex(photo), typeof(photo), anything, typeof(anything),"
                + " activity_date FROM " + table + " WHERE " + where + " ORDER BY id")) {
            while (rs.next()) {
                for (int i = 1; i <= 12; i++) {
                    out.append(rs.getString(i)).append('|');
                }
                out.append('\n');
            }
        }
        return out.toString();
    }
}
