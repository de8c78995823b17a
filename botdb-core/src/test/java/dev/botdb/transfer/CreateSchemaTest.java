package dev.botdb.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDb;
import dev.botdb.TestPostgres;
import dev.botdb.backup.schema.SchemaRoundTrip;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --create-schema from SQLite schemas the way bots write them, into the real test PostgreSQL. */
class CreateSchemaTest {
    @TempDir
    Path dir;

    @Test
    void keepsConstraintsKeysAndIndexesAndReportsWhatItCannotTranslate() throws Exception {
        Path src = TransferTest.sqlite(dir.resolve("s.db"), """
                CREATE TABLE "Chats" (
                  chatId INTEGER PRIMARY KEY AUTOINCREMENT,
                  [Title] TEXT NOT NULL DEFAULT 'untitled',
                  "order" INTEGER NOT NULL DEFAULT 0 CHECK ("order" >= 0),
                  kind TEXT CHECK (typeof(kind) = 'text'),
                  muted BOOLEAN NOT NULL DEFAULT FALSE,
                  created DATETIME DEFAULT (datetime('now')),
                  token TEXT DEFAULT (lower(hex(randomblob(16)))),
                  parent INTEGER REFERENCES "Chats"(chatId) ON DELETE SET NULL ON UPDATE CASCADE
                )""",
                "CREATE TABLE `select` (chat INTEGER NOT NULL REFERENCES Chats ON DELETE CASCADE, `group` TEXT, score REAL,"
                        + " PRIMARY KEY (chat, `group`)) WITHOUT ROWID",
                "CREATE UNIQUE INDEX chats_title ON Chats (Title) WHERE muted = 0",
                "CREATE INDEX chats_lower ON Chats (lower(Title))",
                "CREATE INDEX chats_nocase ON Chats (Title COLLATE NOCASE)",
                "INSERT INTO Chats (chatId, Title, \"order\", kind, muted, parent) VALUES (1, 'a', 1, 'group', 0, NULL),"
                        + " (2, 'b', 2, 'private', 1, 1)",
                "INSERT INTO `select` VALUES (1, 'x', 1.5), (2, 'y', NULL)");
        String database = SchemaRoundTrip.freshDatabase("create");
        try (BotDb db = BotDb.fromEnv(TestPostgres.env(TestPostgres.url(database)))) {
            TransferPlan plan = db.transferPlan(db.target(), TransferRequest.from(src).creatingSchema());
            assertThat(plan.problems()).isEmpty();
            assertThat(UsnFlowTest.rows(database, "SELECT count(*) FROM pg_class WHERE relname = 'chats'"))
                    .as("the dry run created nothing").containsExactly("0");
            TransferResult r = db.transfer(db.target(), TransferRequest.from(src).creatingSchema(), l -> { }, (t, d, n) -> { });
            assertThat(r.rows()).isEqualTo(4);
            assertThat(r.plan().notes()).hasSize(3).anySatisfy(n -> assertThat(n).contains("typeof(kind)"))
                    .anySatisfy(n -> assertThat(n).contains("randomblob").contains("ALTER TABLE chats ALTER COLUMN token SET DEFAULT"))
                    .anySatisfy(n -> assertThat(n).contains("chats_nocase").contains("COLLATE NOCASE"));
        }
        assertThat(UsnFlowTest.rows(database, """
                SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
                 WHERE table_schema = 'public' ORDER BY table_name, ordinal_position""")).containsExactly(
                "chats|chatid|bigint|NO|null",
                "chats|title|text|NO|'untitled'::text",
                "chats|order|bigint|NO|0",
                "chats|kind|text|YES|null",
                "chats|muted|boolean|NO|false",
                "chats|created|timestamp without time zone|YES|(CURRENT_TIMESTAMP AT TIME ZONE 'UTC'::text)",
                "chats|token|text|YES|null",
                "chats|parent|bigint|YES|null",
                "select|chat|bigint|NO|null",
                "select|group|text|NO|null",
                "select|score|double precision|YES|null");
        assertThat(UsnFlowTest.rows(database, """
                SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint
                 WHERE connamespace = 'public'::regnamespace AND contype <> 'n' -- PostgreSQL 18 lists NOT NULL too""")).containsExactlyInAnyOrder(
                "chats|CHECK ((\"order\" >= 0))",
                "chats|FOREIGN KEY (parent) REFERENCES chats(chatid) ON UPDATE CASCADE ON DELETE SET NULL",
                "chats|PRIMARY KEY (chatid)",
                "\"select\"|FOREIGN KEY (chat) REFERENCES chats(chatid) ON DELETE CASCADE",
                "\"select\"|PRIMARY KEY (chat, \"group\")");
        assertThat(UsnFlowTest.rows(database, "SELECT indexdef FROM pg_indexes WHERE indexname LIKE 'chats\\_%' AND indexname NOT LIKE '%pkey' ORDER BY 1"))
                .containsExactly("CREATE INDEX chats_lower ON public.chats USING btree (lower(title))",
                        "CREATE UNIQUE INDEX chats_title ON public.chats USING btree (title) WHERE (NOT muted)");
        assertThat(UsnFlowTest.rows(database, "INSERT INTO chats (title) VALUES ('c') RETURNING chatid")).containsExactly("3");
        List<String> check = UsnFlowTest.rows(database, "SELECT title, parent FROM chats ORDER BY chatid");
        assertThat(check).containsExactly("a|null", "b|1", "c|null");
        assertThatThrownBy(() -> UsnFlowTest.rows(database, "INSERT INTO chats (title, \"order\") VALUES ('d', -1)"))
                .hasMessageContaining("check constraint");
    }
}
