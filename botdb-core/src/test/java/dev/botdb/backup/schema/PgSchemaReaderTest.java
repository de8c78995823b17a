package dev.botdb.backup.schema;

import dev.botdb.dialect.QualifiedName;
import static dev.botdb.backup.schema.SchemaRoundTrip.apply;
import static dev.botdb.backup.schema.SchemaRoundTrip.freshDatabase;
import static dev.botdb.backup.schema.SchemaRoundTrip.read;
import static dev.botdb.backup.schema.SchemaRoundTrip.restore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PgSchemaReaderTest {
    /** The bot schema with ownership and grants; built once, only read by the tests. */
    private static String source;

    @BeforeAll
    static void buildSource() {
        SchemaRoundTrip.ensureRole();
        source = freshDatabase("schema_src");
        apply(source, "/backup/bot-schema.sql");
        apply(source, "/backup/bot-grants.sql");
        if (SchemaRoundTrip.serverMajor() >= 18) {
            apply(source, "/backup/bot-schema-18.sql");
        }
    }

    private static SchemaOptions withGrants() {
        return new SchemaOptions(Set.of(), true);
    }

    @Test
    void restoredDatabaseHasTheSourcesChecksumRowsAndSequenceValues() throws Exception {
        SchemaDump dump = read(source, withGrants());
        String target = freshDatabase("schema_dst");
        restore(dump, source, target);

        SchemaDump restored = read(target, withGrants());
        SchemaRoundTrip.keep(source + ".script.sql", dump.script());
        SchemaRoundTrip.keep(target + ".script.sql", restored.script());
        assertThat(restored.script()).isEqualTo(dump.script());
        assertThat(restored.checksum()).isEqualTo(dump.checksum());
        assertThat(SchemaRoundTrip.rows(target, dump)).isEqualTo(SchemaRoundTrip.rows(source, dump));
        assertThat(restored.sequenceValues()).isEqualTo(dump.sequenceValues());
    }

    @Test
    void withoutGrantsNoOwnerOrPrivilegeIsWrittenAndTheChecksumStillMatches() throws Exception {
        SchemaDump dump = read(source, SchemaOptions.all());
        assertThat(dump.statements()).noneMatch(s -> s.kind().equals("OWNER") || s.kind().contains("ACL"));
        String target = freshDatabase("schema_dst");
        restore(dump, source, target);

        assertThat(read(target, SchemaOptions.all()).checksum()).isEqualTo(dump.checksum());
    }

    @Test
    void pgDumpSeesTheRestoredDatabaseAsTheSource() throws Exception {
        assumeTrue(SchemaRoundTrip.pgDumpMajor() >= SchemaRoundTrip.serverMajor(),
                "pg_dump on the PATH can dump the test server");
        String withGrants = freshDatabase("schema_dst");
        restore(read(source, withGrants()), source, withGrants);
        assertThat(SchemaRoundTrip.pgDump(withGrants)).isEqualTo(SchemaRoundTrip.pgDump(source));

        String withoutGrants = freshDatabase("schema_dst");
        restore(read(source, SchemaOptions.all()), source, withoutGrants);
        assertThat(SchemaRoundTrip.pgDump(withoutGrants, "--no-owner", "--no-privileges"))
                .isEqualTo(SchemaRoundTrip.pgDump(source, "--no-owner", "--no-privileges"));
    }

    @Test
    void statementsAreSplitIntoSectionsAndPhasesTheRestorerCanRunInParallel() throws Exception {
        SchemaDump dump = read(source, withGrants());
        List<DdlStatement> pre = dump.statements(Section.PRE_DATA);

        assertThat(dump.preamble()).contains("SET check_function_bodies = false");
        assertThat(pre).extracting(DdlStatement::sql)
                .contains("CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public",
                        "CREATE SCHEMA IF NOT EXISTS \"Bot Data\"",
                        "ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id")
                .noneMatch(sql -> sql.contains("FUNCTION public.citext")) // extension members stay out
                .noneMatch(sql -> sql.contains("CREATE SCHEMA IF NOT EXISTS public"))
                .noneMatch(sql -> sql.contains("CREATE SEQUENCE public.chats_id_seq")); // identity: part of the table
        assertThat(sqlOf(pre, "TABLE", "chats")).contains("GENERATED ALWAYS AS IDENTITY (",
                "SEQUENCE NAME public.chats_id_seq", "START WITH 1000", "INCREMENT BY 2");
        assertThat(sqlOf(pre, "TABLE", "messages")).contains("GENERATED ALWAYS AS (length(body)) STORED",
                "DEFAULT public.message_score(1)");
        assertThat(sqlOf(pre, "TABLE", "events_2024")).contains("PARTITION OF public.events");
        assertThat(sqlOf(pre, "MATERIALIZED VIEW", "chat_stats")).endsWith("WITH NO DATA");
        // dependencies: the view over a view after it, the sequence before the function-free table default
        assertThat(indexOf(pre, "active_user_names")).isGreaterThan(indexOf(pre, "active_users"));
        assertThat(indexOf(pre, "busy_chats")).isGreaterThan(indexOf(pre, "chat_stats"));
        assertThat(indexOf(pre, "Order")).isGreaterThan(indexOf(pre, "Ticket Numbers"));

        List<DdlStatement> post = dump.statements(Section.POST_DATA);
        assertThat(phaseOf(post, "CONSTRAINT", "users_pkey")).isEqualTo(1);
        assertThat(phaseOf(post, "INDEX", "messages_live_idx")).isEqualTo(1);
        assertThat(phaseOf(post, "FK CONSTRAINT", "messages_chat_id_fkey")).isEqualTo(2);
        assertThat(phaseOf(post, "TRIGGER", "users_touch")).isEqualTo(3);
        assertThat(phaseOf(post, "POLICY", "messages_own")).isEqualTo(3);
        assertThat(phaseOf(post, "REFRESH MATERIALIZED VIEW", "chat_stats")).isEqualTo(4);
        assertThat(post).extracting(DdlStatement::phase).isSorted();
        // a partition's index and its ATTACH run in the lane of the partitioned root
        assertThat(post).filteredOn(s -> s.kind().equals("INDEX ATTACH"))
                .isNotEmpty().allMatch(s -> s.table().name().equals("events"));
        assertThat(sqlOf(post, "FK CONSTRAINT", "messages_chat_id_fkey"))
                .isEqualTo("ALTER TABLE ONLY public.messages ADD CONSTRAINT messages_chat_id_fkey FOREIGN KEY (chat_id)"
                        + " REFERENCES public.chats(id) ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED");
        assertThat(sqlOf(post, "POLICY", "messages_live"))
                .isEqualTo("CREATE POLICY messages_live ON public.messages AS RESTRICTIVE FOR INSERT WITH CHECK ((NOT deleted))");

        assertThat(dump.sequenceValues()).extracting(DdlStatement::sql)
                .contains("SELECT pg_catalog.setval('public.users_id_seq', 2, true)",
                        "SELECT pg_catalog.setval('public.chats_id_seq', 1002, true)",
                        "SELECT pg_catalog.setval('\"Bot Data\".\"Ticket Numbers\"', 1, true)");
        TableInfo messages = dump.tables().stream().filter(t -> t.name().name().equals("messages")).findFirst().orElseThrow();
        assertThat(messages.copyColumns()).contains("chat_id", "body").doesNotContain("body_length");
        assertThat(dump.tables()).filteredOn(TableInfo::partitionedParent).extracting(t -> t.name().name())
                .containsExactly("events", "events_2026");
        assertThat(sqlOf(pre, "TABLE", "events_2024")).contains("data WITH OPTIONS DEFAULT '{\"archived\": true}'::jsonb");
        assertThat(dump.tables()).extracting(t -> t.name().name()).contains("events_2024", "events_2025", "Order")
                .doesNotContain("chat_stats", "active_users");
        assertThat(dump.notes()).isEmpty();
    }

    @Test
    void aSelectedTableComesWithWhatItNeedsAndNotesWhatItLeavesOut() throws Exception {
        SchemaDump dump = read(source, new SchemaOptions(Set.of(QualifiedName.parse("messages")), false));

        assertThat(dump.tables()).extracting(TableInfo::name).containsExactly(new QualifiedName("public", "messages"));
        assertThat(dump.statements()).extracting(DdlStatement::kind).doesNotContain("FK CONSTRAINT");
        assertThat(dump.notes()).anyMatch(n -> n.contains("messages_chat_id_fkey") && n.contains("public.chats"))
                .anyMatch(n -> n.contains("messages_user_id_fkey"));
        assertThat(dump.statements()).extracting(DdlStatement::sql)
                .anyMatch(s -> s.startsWith("CREATE FUNCTION public.count_message()")
                        || s.startsWith("CREATE OR REPLACE FUNCTION public.count_message()"))
                .anyMatch(s -> s.startsWith("CREATE POLICY messages_own"))
                .noneMatch(s -> s.startsWith("CREATE TABLE public.users"))
                .noneMatch(s -> s.contains("analytics.chat_stats"));
        assertThat(dump.sequenceValues()).extracting(s -> s.object().name()).containsExactly("messages_id_seq");

        String target = freshDatabase("schema_one");
        restore(dump, source, target);
        assertThat(read(target, SchemaOptions.all()).tables()).extracting(t -> t.name().name()).containsExactly("messages");
        assertThat(SchemaRoundTrip.rows(target, dump)).isEqualTo(SchemaRoundTrip.rows(source, dump));
    }

    @Test
    void aTableTheSelectionNeedsComesEmptyAndWhatNeedsAnotherTableIsLeftOut() throws Exception {
        SchemaDump dump = read(source, new SchemaOptions(Set.of(QualifiedName.parse("audit_log_admin")), false));

        assertThat(dump.tables()).extracting(t -> t.name().name()).containsExactly("audit_log_admin");
        assertThat(dump.statements(Section.PRE_DATA)).extracting(s -> s.object().name())
                .contains("audit_log", "audit_log_admin", "audit_log_id_seq", "normalize_text(t text)")
                .doesNotContain("recent_messages(n integer)");
        assertThat(dump.notes())
                .anyMatch(n -> n.contains("public.audit_log is not in the selection but the selected tables need it"))
                .anyMatch(n -> n.contains("Left out public.recent_messages") && n.contains("public.messages"));
        String target = freshDatabase("schema_inh");
        restore(dump, source, target);
    }

    @Test
    void aSelectedPartitionedTableBringsItsPartitions() throws Exception {
        SchemaDump dump = read(source, new SchemaOptions(Set.of(QualifiedName.parse("public.events")), false));

        assertThat(dump.tables()).extracting(t -> t.name().name()).containsExactly("events", "events_2024", "events_2025",
                "events_2026", "events_2026_h1", "events_2026_rest");
        assertThat(dump.tables()).filteredOn(TableInfo::partitionedParent).extracting(t -> t.name().name())
                .containsExactly("events", "events_2026");
        assertThat(dump.notes()).anyMatch(n -> n.contains("events_chat_fk"));
        String target = freshDatabase("schema_part");
        restore(dump, source, target);
        assertThat(SchemaRoundTrip.rows(target, dump)).isEqualTo(SchemaRoundTrip.rows(source, dump));
    }

    @Test
    void mixedCaseAndReservedNamesAreQuotedAndFound() throws Exception {
        SchemaDump dump = read(source, new SchemaOptions(Set.of(QualifiedName.parse("\"Bot Data\".\"Order\"")), false));

        assertThat(dump.tables()).singleElement().satisfies(t -> {
            assertThat(t.name().sql()).isEqualTo("\"Bot Data\".\"Order\"");
            assertThat(t.copyColumns()).containsExactly("\"select\"", "\"Group\"", "\"user\"", "\"from\"");
        });
        assertThat(read(source, new SchemaOptions(Set.of(QualifiedName.parse("bot data.order")), false)).tables())
                .isEqualTo(dump.tables());
    }

    @Test
    void anUnknownTableIsRefusedWithWhatToDo() {
        assertThatThrownBy(() -> read(source, new SchemaOptions(Set.of(QualifiedName.parse("nope")), false)))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining("No table nope")
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.USAGE));
    }

    @Test
    void jsonGivesBackAnEqualDumpAndRefusesADamagedOne() throws Exception {
        SchemaDump dump = read(source, withGrants());
        String json = dump.toJson();

        assertThat(SchemaDump.fromJson(json)).isEqualTo(dump);
        assertThatThrownBy(() -> SchemaDump.fromJson(json.replace("CREATE TABLE public.users", "CREATE TABLE public.usrs")))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining("checksum")
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.BACKUP_INVALID));
        assertThatThrownBy(() -> SchemaDump.fromJson(json.substring(0, json.length() / 2)))
                .isInstanceOf(BotDbException.class);
    }

    @Test
    void objectsBotdbDoesNotBackUpAreNamedInNotes() throws Exception {
        String db = freshDatabase("schema_uncovered");
        SchemaRoundTrip.exec(db,
                "CREATE AGGREGATE my_sum(integer) (SFUNC = int4pl, STYPE = integer)",
                "CREATE TABLE t (id integer PRIMARY KEY)",
                "CREATE PUBLICATION my_pub FOR TABLE t",
                "CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$",
                "CREATE EVENT TRIGGER my_ddl ON ddl_command_start EXECUTE FUNCTION on_ddl()");
        try {
            SchemaDump dump = read(db, SchemaOptions.all());
            assertThat(dump.notes()).anyMatch(n -> n.contains("1 aggregate(s)"))
                    .anyMatch(n -> n.contains("1 publication(s)"))
                    .anyMatch(n -> n.contains("1 event trigger(s)"));
        } finally {
            SchemaRoundTrip.exec(db, "DROP EVENT TRIGGER my_ddl");
        }
    }

    @Test
    void theTransactionKeepsItsSearchPath() throws Exception {
        try (Connection c = TestPostgres.superuser(source)) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL search_path = analytics, public");
                PgSchemaReader.read(c, SchemaOptions.all());
                try (ResultSet rs = st.executeQuery("SHOW search_path")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("analytics, public");
                }
            }
            c.rollback();
        }
    }

    private static String sqlOf(List<DdlStatement> statements, String kind, String name) {
        return statements.stream().filter(s -> s.kind().equals(kind) && s.object().name().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name)).sql();
    }

    private static int phaseOf(List<DdlStatement> statements, String kind, String name) {
        return statements.stream().filter(s -> s.kind().equals(kind) && s.object().name().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name)).phase();
    }

    private static int indexOf(List<DdlStatement> statements, String name) {
        for (int i = 0; i < statements.size(); i++) {
            if (statements.get(i).object().name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no statement for " + name);
    }
}
