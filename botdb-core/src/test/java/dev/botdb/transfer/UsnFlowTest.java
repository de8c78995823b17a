package dev.botdb.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.BotDb;
import dev.botdb.TestPostgres;
import dev.botdb.backup.schema.SchemaRoundTrip;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The USN bot's move, end to end: develop on SQLite with the example migrations
 * (docs/examples/usn-bot/migrations, .sqlite.sql and .postgres.sql variants), botdb migrate on PostgreSQL,
 * botdb transfer, and the bot's queries answer the same on both. And --create-schema on an empty database
 * gives the schema the PostgreSQL migrations make: same columns, types, NOT NULL, keys, UNIQUE, CHECK and
 * foreign key actions, and the same index.
 */
class UsnFlowTest {
    static final Path MIGRATIONS = Path.of("../docs/examples/usn-bot/migrations").toAbsolutePath().normalize();

    /** What the bot asks its database, written so both engines print the same text. */
    private static final List<String> BOT_QUERIES = List.of(
            "SELECT u.full_name, count(r.id) FROM users u LEFT JOIN registrations r ON r.user_id = u.id"
                    + " GROUP BY u.full_name ORDER BY u.full_name",
            "SELECT title, CASE WHEN is_active THEN 'open' ELSE 'closed' END, starts_at FROM competitions ORDER BY id",
            "SELECT count(*) FROM registrations WHERE is_confirmed AND entry_fee > 10",
            "SELECT b.text, b.status, count(br.user_id) FROM broadcasts b JOIN broadcast_recipients br"
                    + " ON br.broadcast_id = b.id WHERE br.delivered GROUP BY b.text, b.status",
            "SELECT username FROM users WHERE telegram_id = 123456789012");

    @TempDir
    Path dir;

    private static Map<String, String> env(String url) {
        return TestPostgres.env(url, "MIGRATIONS_PATH", MIGRATIONS.toString());
    }

    private static List<String> answers(Connection c, List<String> queries) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            for (String q : queries) {
                try (ResultSet rs = s.executeQuery(q)) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        StringBuilder b = new StringBuilder();
                        for (int i = 1; i <= n; i++) {
                            String v = rs.getString(i);
                            b.append(i > 1 ? "|" : "") // a time as SQLite's text or PostgreSQL's, to the minute
                                    .append(v != null && v.matches("\\d{4}-.*") ? v.substring(0, 16).replace('T', ' ') : v);
                        }
                        out.add(b.toString());
                    }
                }
            }
        }
        return out;
    }

    @Test
    void developOnSqliteMigratePostgresTransferAndTheBotSeesTheSameData() throws Exception {
        Path file = dir.resolve("bot_database.db");
        List<String> onSqlite;
        try (BotDb sqlite = BotDb.fromEnv(env("sqlite+aiosqlite:///" + file))) {
            sqlite.migrate();
            try (Connection c = sqlite.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO users (telegram_id, username, full_name) VALUES (123456789012, 'alex', 'Alex'),"
                        + " (42, NULL, 'Боб'), (7, 'cy', 'Cy')");
                s.execute("INSERT INTO competitions (title, starts_at, is_active, settings) VALUES"
                        + " ('Spring', '2025-03-01 10:00:00', 1, '{\"max\": 10}'), ('Old', '2024-01-01T09:30:00Z', 0, NULL)");
                s.execute("INSERT INTO registrations (user_id, competition_id, is_confirmed, entry_fee) VALUES"
                        + " (1, 1, 1, 12.5), (2, 1, 0, NULL), (3, 2, 1, '15')");
                s.execute("INSERT INTO broadcasts (author_id, text, sent_at, status) VALUES (1, 'Hello 👋', datetime('now'), 'sent')");
                s.execute("INSERT INTO broadcast_recipients VALUES (1, 1, 1), (1, 2, 1), (1, 3, 0)");
                s.execute("DELETE FROM users WHERE id = 3"); // PRAGMA foreign_keys is on in botdb's pool: cascades
                onSqlite = answers(c, BOT_QUERIES);
            }
        }
        String database = SchemaRoundTrip.freshDatabase("usn");
        try (BotDb pg = BotDb.fromEnv(env("postgresql+asyncpg://postgres@localhost:" + TestPostgres.port() + "/" + database
                + "?sslmode=disable"))) {
            pg.migrate();
            TransferResult r = pg.transfer(pg.target(), TransferRequest.from(file), line -> { }, (t, d, n) -> { });
            assertThat(r.tables()).hasSize(5).allMatch(TransferResult.TableResult::matches);
            try (Connection c = pg.dataSource().getConnection()) {
                assertThat(answers(c, BOT_QUERIES)).isEqualTo(onSqlite).hasSizeGreaterThan(5);
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "INSERT INTO users (telegram_id, full_name) VALUES (1, 'next') RETURNING id")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("AUTOINCREMENT never reuses 3; nor does the sequence").isEqualTo(4);
                }
            }
        }
    }

    private static final String COLUMNS = """
            SELECT table_name, column_name, data_type, is_nullable, character_maximum_length, numeric_precision,
                   numeric_scale FROM information_schema.columns WHERE table_schema = 'public'
               AND table_name NOT IN ('schema_migrations', 'botdb_lock') ORDER BY 1, 2""";
    private static final String CONSTRAINTS = """
            SELECT conrelid::regclass::text, contype, pg_get_constraintdef(oid) FROM pg_constraint
             WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT IN ('schema_migrations', 'botdb_lock')
             ORDER BY 1, 2, 3""";
    private static final String INDEXES = """
            SELECT regexp_replace(indexdef, ' USING btree', '') FROM pg_indexes WHERE schemaname = 'public'
               AND indexname NOT LIKE '%pkey' AND indexname NOT LIKE '%key' ORDER BY 1""";

    @Test
    void createSchemaMakesWhatTheMigrationsMake() throws Exception {
        Path file = dir.resolve("bot_database.db");
        try (BotDb sqlite = BotDb.fromEnv(env("sqlite:///" + file))) {
            sqlite.migrate();
        }
        String migrated = SchemaRoundTrip.freshDatabase("usn_migrated");
        String created = SchemaRoundTrip.freshDatabase("usn_created");
        try (BotDb pg = BotDb.fromEnv(env(TestPostgres.url(migrated)))) {
            pg.migrate();
        }
        TransferResult r;
        try (BotDb pg = BotDb.fromEnv(TestPostgres.env(TestPostgres.url(created)))) {
            r = pg.transfer(pg.target(), TransferRequest.from(file).creatingSchema(), line -> { }, (t, d, n) -> { });
        }
        assertThat(r.plan().notes()).isEmpty();
        assertThat(r.plan().created()).hasSizeGreaterThan(5);
        for (String query : List.of(COLUMNS, CONSTRAINTS, INDEXES)) {
            assertThat(rows(created, query)).as(query).isEqualTo(rows(migrated, query)).isNotEmpty();
        }
    }

    static List<String> rows(String database, String sql) throws SQLException {
        try (Connection c = TestPostgres.superuser(database)) {
            return answers(c, List.of(sql));
        }
    }
}
