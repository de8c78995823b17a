package dev.botdb.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.TestPostgres;
import dev.botdb.backup.schema.SchemaRoundTrip;
import dev.botdb.config.ConnectionTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** botdb transfer from real SQLite files into the real test PostgreSQL. */
class TransferTest {
    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();
    private BotDb db;
    private String database;

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }

    /** A fresh PostgreSQL database, botdb connected to it, and {@code ddl} run there. */
    private BotDb target(String... ddl) {
        database = SchemaRoundTrip.freshDatabase("transfer");
        SchemaRoundTrip.exec(database, ddl);
        db = BotDb.fromEnv(TestPostgres.env(TestPostgres.url(database), "BACKUP_DIR", dir.resolve("backups").toString()));
        return db;
    }

    static Path sqlite(Path file, String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
        return file;
    }

    private TransferResult transfer(TransferRequest request) {
        return db.transfer(db.target(), request, log::add, (t, d, n) -> { });
    }

    private List<String> rows(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = TestPostgres.superuser(database); Statement s = c.createStatement()) {
            s.execute("SET TIME ZONE 'UTC'");
            ResultSet rs = s.executeQuery(sql);
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    b.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(b.toString());
            }
        }
        return out;
    }

    @Test
    void everyValueFormBecomesItsTargetType() throws Exception {
        Path src = sqlite(dir.resolve("bot.db"), """
                CREATE TABLE v (id INTEGER PRIMARY KEY, flag BOOLEAN, n INTEGER, small INTEGER, r REAL, price NUMERIC,
                  name TEXT, code CHAR(4), doc JSON, docb JSON, raw BLOB, u TEXT, d DATE, ts DATETIME, tz TIMESTAMP, t TEXT)""",
                "INSERT INTO v VALUES (1, 1, 42, 7, 1.5, '12.345', 'héllo 👋', 'ab', '{\"a\": 1}', '{\"b\": [1, 2.50], \"a\": {\"z\": null}}',"
                        + " x'00ff', '123e4567-e89b-12d3-a456-426614174000', '2024-02-29', '2024-05-01 12:34:56.789',"
                        + " '2024-05-01T12:00:00+02:00', '23:59:59.5')",
                "INSERT INTO v VALUES (2, 'false', '17', 0, 2, 3, '', 'abcd', '[]', '\"x\"', 'text', '{123E4567E89B12D3A456426614174000}',"
                        + " '2024-01-01 00:00:00', 1714566896, '2024-05-01T10:00:00Z', '08:00')",
                "INSERT INTO v VALUES (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
                "INSERT INTO v VALUES (4, 't', 9007199254740993, -32768, '1e3', 0.1, 'x', NULL, 'null', '1.0', NULL, NULL,"
                        + " NULL, '2024-05-01 12:34', 2460432.0, NULL)");
        target("""
                CREATE TABLE v (id bigint PRIMARY KEY, flag boolean, n bigint, small smallint, r double precision,
                  price numeric(10, 2), name text, code char(4), doc json, docb jsonb, raw bytea, u uuid, d date,
                  ts timestamp, tz timestamptz, t time)""");
        TransferResult r = transfer(TransferRequest.from(src));
        assertThat(r.rows()).isEqualTo(4);
        assertThat(r.tables()).allMatch(TransferResult.TableResult::matches);
        List<String> got = rows("SELECT id, flag, n, small, r, price, name, code, doc, docb, encode(raw, 'hex'), u, d, ts, tz, t FROM v ORDER BY id");
        assertThat(got).containsExactly(
                "1|t|42|7|1.5|12.35|héllo 👋|ab  |{\"a\": 1}|{\"a\": {\"z\": null}, \"b\": [1, 2.50]}|00ff|123e4567-e89b-12d3-a456-426614174000|2024-02-29|2024-05-01 12:34:56.789|2024-05-01 10:00:00+00|23:59:59.5",
                "2|f|17|0|2|3.00||abcd|[]|\"x\"|74657874|123e4567-e89b-12d3-a456-426614174000|2024-01-01|2024-05-01 12:34:56|2024-05-01 10:00:00+00|08:00:00",
                "3|null|null|null|null|null|null|null|null|null|null|null|null|null|null|null",
                // JSON has NUMERIC affinity: SQLite itself stored '1.0' as the integer 1; numbers are Unix seconds by default
                "4|t|9007199254740993|-32768|1000|0.10|x|null|null|1|null|null|null|2024-05-01 12:34:00|1970-01-29 11:27:12+00|null");
    }

    @Test
    void julianDayNumbersAreReadWhenAsked() throws Exception {
        Path src = sqlite(dir.resolve("j.db"), "CREATE TABLE e (at REAL, ms INTEGER)", "INSERT INTO e VALUES (2460432.0, 1714564800000)");
        target("CREATE TABLE e (at timestamptz, ms timestamptz)");
        assertThatThrownBy(() -> transfer(TransferRequest.from(src).withNumericDates(NumericDates.JULIAN)))
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.TRANSFER_FAILED))
                .hasMessageContaining("e, rowid 1, column ms").hasMessageContaining("--numeric-dates");
        SchemaRoundTrip.exec(database, "ALTER TABLE e ALTER COLUMN ms TYPE bigint USING NULL");
        transfer(TransferRequest.from(src).withNumericDates(NumericDates.JULIAN));
        assertThat(rows("SELECT at, ms FROM e")).containsExactly("2024-05-01 12:00:00+00|1714564800000");
    }

    @Test
    void namesKeysCyclesAndAutoincrementSequences() throws Exception {
        Path src = sqlite(dir.resolve("k.db"),
                "CREATE TABLE \"Users\" (id INTEGER PRIMARY KEY AUTOINCREMENT, \"Name\" TEXT NOT NULL, \"order\" INTEGER,"
                        + " referrer INTEGER REFERENCES \"Users\"(id), team INTEGER REFERENCES teams(id))",
                "CREATE TABLE teams (id INTEGER PRIMARY KEY, captain INTEGER REFERENCES \"Users\"(id))",
                "CREATE TABLE settings (chat_id INTEGER, key TEXT, value TEXT, PRIMARY KEY (chat_id, key)) WITHOUT ROWID",
                "INSERT INTO teams VALUES (1, 2)",
                "INSERT INTO \"Users\" VALUES (1, 'a', 1, 2, 1), (2, 'b', 2, NULL, 1), (5, 'c', 3, 1, NULL)",
                "DELETE FROM \"Users\" WHERE id = 5", // AUTOINCREMENT never hands out 5 again
                "INSERT INTO settings VALUES (10, 'lang', 'en'), (3, 'tz', 'UTC')");
        target("""
                CREATE TABLE users (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text NOT NULL,
                  "order" int, referrer bigint REFERENCES users(id), team bigint);
                CREATE TABLE teams (id serial PRIMARY KEY, captain bigint REFERENCES users(id));
                ALTER TABLE users ADD FOREIGN KEY (team) REFERENCES teams(id);
                CREATE TABLE settings (chat_id bigint, key text, value text, PRIMARY KEY (chat_id, key));""");
        TransferResult r = transfer(TransferRequest.from(src));
        assertThat(r.tables()).extracting(TransferResult.TableResult::source).containsExactlyInAnyOrder("Users", "teams", "settings");
        assertThat(rows("SELECT id, name, \"order\", referrer, team FROM users ORDER BY id")).containsExactly("1|a|1|2|1", "2|b|2|null|1");
        assertThat(rows("SELECT chat_id, key, value FROM settings ORDER BY chat_id")).containsExactly("3|tz|UTC", "10|lang|en");
        assertThat(rows("INSERT INTO users (name) VALUES ('next') RETURNING id")).containsExactly("6");
        assertThat(rows("INSERT INTO teams DEFAULT VALUES RETURNING id")).containsExactly("2");
        assertThat(rows("SELECT count(*) FROM pg_constraint WHERE contype = 'f'")).containsExactly("3");
        assertThat(r.sequences()).hasSize(2);
        // the test server runs on this machine: its index builds got a sixteenth of the RAM, 256 MB to 1 GB
        long expected = Math.max(Transfer.SORT_MEMORY, Math.min(Transfer.SORT_MEMORY_MAX, Transfer.machineMemory() / 16));
        assertThat(log).anyMatch(l -> l.startsWith("Built ") && l.contains("(maintenance_work_mem "
                + Math.round(expected / 1048576.0) + " MB)"));
        assertThat(rows("SHOW maintenance_work_mem")).as("only for the transfer's transaction").doesNotContain("1GB");
    }

    @Test
    void aBadValueInTheMiddleCommitsNothingOrGoesToTheRejectsFile() throws Exception {
        List<String> inserts = new ArrayList<>();
        inserts.add("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
        inserts.add("CREATE TABLE messages (id INTEGER PRIMARY KEY, user_id INTEGER, body TEXT, sent DATETIME)");
        inserts.add("INSERT INTO users VALUES (1, 'a')");
        inserts.add("WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 100000)"
                + " INSERT INTO messages SELECT i, 1, 'message ' || i, '2024-05-01 10:00:00' FROM g");
        inserts.add("UPDATE messages SET user_id = 'abc' WHERE id = 50000");
        inserts.add("UPDATE messages SET sent = '2024-02-30 10:00' WHERE id = 70000");
        inserts.add("UPDATE messages SET body = CAST(x'41ff42' AS TEXT) WHERE id = 80000");
        inserts.add("UPDATE messages SET body = 'a' || char(0) || 'b' WHERE id = 90000");
        Path src = sqlite(dir.resolve("bad.db"), inserts.toArray(String[]::new));
        target("CREATE TABLE users (id bigint PRIMARY KEY, name text)",
                "CREATE TABLE messages (id bigint PRIMARY KEY, user_id bigint REFERENCES users(id), body text, sent timestamptz)");
        assertThatThrownBy(() -> transfer(TransferRequest.from(src)))
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.TRANSFER_FAILED))
                .hasMessageContaining("messages, rowid 50000, column user_id: 'abc' is text that is not a whole number")
                .hasMessageContaining("Nothing was committed").hasMessageContaining("--on-bad-row skip");
        assertThat(rows("SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM messages)")).containsExactly("0");

        Path rejects = dir.resolve("rejects.csv");
        TransferResult r = transfer(TransferRequest.from(src).skippingBadRows(rejects));
        assertThat(r.rejected()).isEqualTo(4);
        assertThat(r.rows()).isEqualTo(1 + 100000 - 4);
        assertThat(r.rejects()).contains(rejects);
        List<String> lines = Files.readAllLines(rejects, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo("table,row,column,reason,value,source_row");
        assertThat(lines).hasSize(5);
        assertThat(lines.get(1)).startsWith("messages,rowid 50000,user_id,");
        assertThat(lines.get(2)).contains("rowid 70000,sent,").contains("2024-02-30");
        assertThat(lines.get(3)).contains("rowid 80000,body,is not valid UTF-8");
        assertThat(lines.get(4)).contains("rowid 90000,body,\"holds a NUL character");
        assertThat(rows("SELECT count(*) FROM messages WHERE id IN (50000, 70000, 80000, 90000)")).containsExactly("0");
    }

    @Test
    void aConstraintTheRowsBreakRollsEverythingBack() throws Exception {
        Path src = sqlite(dir.resolve("orphans.db"),
                "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)",
                "CREATE TABLE messages (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), body TEXT)",
                "INSERT INTO users VALUES (1, 'a')",
                "INSERT INTO messages VALUES (1, 1, 'ok'), (2, 99, 'orphan')");
        target("CREATE TABLE users (id bigint PRIMARY KEY, name text)",
                "CREATE TABLE messages (id bigint PRIMARY KEY, user_id bigint REFERENCES users(id), body text NOT NULL)");
        assertThatThrownBy(() -> transfer(TransferRequest.from(src)))
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.TRANSFER_FAILED))
                .hasMessageContaining("(user_id)=(99)").hasMessageContaining("foreign_key_check");
        assertThat(rows("SELECT count(*) FROM users")).containsExactly("0");
        assertThat(rows("SELECT count(*) FROM pg_constraint WHERE contype = 'f'")).containsExactly("1");

        sqlite(src, "DELETE FROM messages WHERE id = 2", "INSERT INTO messages VALUES (3, 1, NULL)");
        assertThatThrownBy(() -> transfer(TransferRequest.from(src)))
                .hasMessageContaining("messages, rowid 3: null value in column \"body\"").hasMessageContaining("23502");
        assertThat(rows("SELECT count(*) FROM users")).containsExactly("0");
    }

    @Test
    void badSourcesAndTargetsAreRefusedBeforeAnythingIsWritten() throws Exception {
        target("CREATE TABLE users (id bigint PRIMARY KEY, name text, joined timestamptz NOT NULL)");
        assertThatThrownBy(() -> transfer(TransferRequest.from(dir.resolve("missing.db"))))
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.TRANSFER_SOURCE_INVALID))
                .hasMessageContaining("does not exist");
        Path text = Files.writeString(dir.resolve("notes.db"), "hello, not a database");
        assertThatThrownBy(() -> transfer(TransferRequest.from(text)))
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.TRANSFER_SOURCE_INVALID))
                .hasMessageContaining("not a SQLite database");
        Path corrupt = sqlite(dir.resolve("corrupt.db"), "PRAGMA page_size = 1024",
                "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)",
                "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 5000)"
                        + " INSERT INTO users SELECT i, printf('%0100d', i) FROM g");
        byte[] bytes = Files.readAllBytes(corrupt);
        for (int i = 3 * 1024 + 200; i < 3 * 1024 + 900; i++) {
            bytes[i] = (byte) 0x5a;
        }
        Files.write(corrupt, bytes);
        assertThatThrownBy(() -> transfer(TransferRequest.from(corrupt)))
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.TRANSFER_SOURCE_INVALID))
                .hasMessageContaining("quick_check");

        Path src = sqlite(dir.resolve("ok.db"), "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, nick TEXT)",
                "CREATE TABLE extra (x INTEGER)", "INSERT INTO users VALUES (1, 'a', 'b')");
        assertThatThrownBy(() -> transfer(TransferRequest.from(src)))
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.TRANSFER_REFUSED))
                .hasMessageContaining("Table extra is not on the target").hasMessageContaining("--create-schema")
                .hasMessageContaining("Column users.nick (TEXT) has no column on the target")
                .hasMessageContaining("Column users.joined is NOT NULL without a default");
        TransferPlan plan = db.transferPlan(db.target(), TransferRequest.from(src));
        assertThat(plan.problems()).hasSize(3);

        ConnectionTarget sqliteTarget = dev.botdb.config.BotDbConfig.fromEnv(java.util.Map.of("DATABASE_URL",
                "sqlite:///" + dir.resolve("t.db"))).target();
        assertThatThrownBy(() -> db.transfer(sqliteTarget, TransferRequest.from(src), log::add, (t, d, n) -> { }))
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.TRANSFER_REFUSED))
                .hasMessageContaining("is SQLite");
        assertThat(rows("SELECT count(*) FROM users")).containsExactly("0");
    }

    @Test
    void aTargetWithRowsIsRefusedUnlessTruncateWhichBacksItUpFirst() throws Exception {
        Path src = sqlite(dir.resolve("t.db"), "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)",
                "INSERT INTO users VALUES (1, 'new')");
        target("CREATE TABLE users (id bigint PRIMARY KEY, name text)", "INSERT INTO users VALUES (1, 'old'), (2, 'old')");
        assertThatThrownBy(() -> transfer(TransferRequest.from(src)))
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.TRANSFER_REFUSED))
                .hasMessageContaining("users already holds rows").hasMessageContaining("--truncate");
        TransferResult r = transfer(TransferRequest.from(src).truncating());
        assertThat(rows("SELECT id, name FROM users")).containsExactly("1|new");
        assertThat(r.safetyBackup()).isPresent();
        assertThat(r.safetyBackup().get()).exists();
    }

    @Test
    void theSourceIsReadAsOfOneMomentWhileTheBotWritesToIt() throws Exception {
        Path src = sqlite(dir.resolve("live.db"), "PRAGMA journal_mode = WAL",
                "CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT)",
                "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 200000)"
                        + " INSERT INTO messages SELECT i, 'm' || i FROM g");
        target("CREATE TABLE messages (id bigint PRIMARY KEY, body text)");
        AtomicBoolean wrote = new AtomicBoolean();
        try (Connection bot = DriverManager.getConnection("jdbc:sqlite:" + src)) {
            TransferResult r = db.transfer(db.target(), TransferRequest.from(src), log::add, (t, done, total) -> {
                if (!wrote.get() && done < total) {
                    try (PreparedStatement ps = bot.prepareStatement("INSERT INTO messages (body) VALUES (?)")) {
                        for (int i = 0; i < 100; i++) {
                            ps.setString(1, "written while transferring");
                            ps.executeUpdate();
                        }
                        wrote.set(true);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            assertThat(wrote).isTrue();
            assertThat(r.rows()).isEqualTo(200000);
            assertThat(r.plan().journalMode()).isEqualToIgnoringCase("wal");
        }
        assertThat(rows("SELECT count(*), max(id) FROM messages")).containsExactly("200000|200000");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + src); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM messages")) {
            assertThat(rs.getLong(1)).isEqualTo(200100);
        }
    }
}
