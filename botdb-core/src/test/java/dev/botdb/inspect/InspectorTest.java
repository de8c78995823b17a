package dev.botdb.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.botdb.maintain.MaintenanceTest.await;
import static dev.botdb.maintain.MaintenanceTest.connect;
import static dev.botdb.maintain.MaintenanceTest.exec;
import static dev.botdb.maintain.MaintenanceTest.queryLong;
import static dev.botdb.maintain.MaintenanceTest.sql;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.TestPostgres;
import dev.botdb.backup.schema.SchemaRoundTrip;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.Secret;
import dev.botdb.config.SqliteTarget;
import dev.botdb.config.SslMode;
import dev.botdb.inspect.CheckResult.Verdict;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code botdb inspect} against the real server (PostgreSQL 15 here, 18 in the CLI's tests): each
 * check fires on a database prepared to trigger it, in a database of its own so other tests'
 * statistics do not count, and stays quiet on a healthy one.
 */
class InspectorTest {
    @TempDir
    Path dir;

    static PostgresTarget target(String database) {
        return target(database, "postgres", null);
    }

    static PostgresTarget target(String database, String user, String password) {
        return new PostgresTarget("localhost", TestPostgres.port(), database, user,
                password == null ? null : Secret.of(password), SslMode.DISABLE, Map.of(), Map.of(), Map.of());
    }

    private InspectOptions.Builder options(String... checks) {
        return InspectOptions.builder().checks(List.of(checks)).historyFile(dir.resolve("history.json"));
    }

    private static CheckResult check(InspectReport r, String name) {
        return r.check(name).orElseThrow(() -> new AssertionError(name + " not in " + r.checks()));
    }

    /** The values of column {@code column} in the check's rows. */
    private static List<Object> column(CheckResult c, String column) {
        int i = c.columns().stream().map(CheckResult.Column::name).toList().indexOf(column);
        assertThat(i).as("column " + column + " of " + c.columns()).isGreaterThanOrEqualTo(0);
        return c.rows().stream().map(r -> r.get(i)).toList();
    }

    private static String database(String prefix, String... sql) {
        String db = SchemaRoundTrip.freshDatabase(prefix);
        SchemaRoundTrip.exec(db, sql);
        return db;
    }

    private static final String[] HEALTHY_SCHEMA = {
        "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE)",
        "CREATE TABLE messages (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id),"
                + " body text, sent_at timestamptz NOT NULL DEFAULT now())",
        "CREATE INDEX messages_user_id_sent_at ON messages (user_id, sent_at)",
        "INSERT INTO users (name) SELECT 'user' || g FROM generate_series(1, 100) g",
        "INSERT INTO messages (user_id, body) SELECT 1 + g % 100, 'hello' FROM generate_series(1, 1000) g",
        "ANALYZE"
    };

    @Test
    void aHealthyFreshDatabaseIsQuietAndTheSecondRunShowsGrowth() throws Exception {
        String db = database("inspect_healthy", HEALTHY_SCHEMA);
        InspectReport first = Inspector.of(target(db)).run(options().build());

        assertThat(first.checks()).extracting(CheckResult::name)
                .containsExactlyElementsOf(Inspector.checkNames().stream()
                        .filter(n -> !n.equals("integrity") && !n.equals("freelist")).toList());
        CheckResult settings = check(first, "settings");
        assertThat(settings.verdict()).as("the test server runs with -F").isEqualTo(Verdict.WARN);
        assertThat(settings.summary()).isEqualTo("off: fsync (set by command line)");
        assertThat(first.checks()).filteredOn(c -> c != settings).as(first.checks().toString())
                .allMatch(c -> c.verdict() == Verdict.OK || c.verdict() == Verdict.NOT_APPLICABLE);
        assertThat(first.hasProblems()).isFalse();
        assertThat(first.summary()).matches("\\d+ checks: \\d+ ok, 1 warn, 2 not applicable \\(\\d+\\.\\d\\d s\\)");
        CheckResult slow = check(first, "slow-queries");
        assertThat(slow.verdict()).isEqualTo(Verdict.NOT_APPLICABLE);
        assertThat(String.join(" ", slow.notes())).contains("shared_preload_libraries = 'pg_stat_statements'")
                .contains("restart").contains("CREATE EXTENSION pg_stat_statements;");
        CheckResult size = check(first, "database-size");
        assertThat(size.figure("bytes")).isGreaterThan(1_000_000L);
        assertThat(size.summary()).contains("no earlier sample");
        CheckResult largest = check(first, "largest-tables");
        assertThat(column(largest, "table")).containsExactly("public.messages", "public.users");
        assertThat(largest.figure("tables")).isEqualTo(2L);
        assertThat(check(first, "connections").figure("total")).isGreaterThanOrEqualTo(2L);

        SchemaRoundTrip.exec(db, "INSERT INTO messages (user_id, body) SELECT 1, repeat('x', 500)"
                + " FROM generate_series(1, 2000)");
        InspectReport second = Inspector.of(target(db)).run(options("database-size").build());
        assertThat(second.checks()).hasSize(1);
        CheckResult grown = second.checks().get(0);
        assertThat(grown.summary()).contains(" since ").contains(" ago)");
        assertThat(grown.figure("growth_bytes")).isGreaterThan(500_000L);
        assertThat(java.nio.file.Files.readString(dir.resolve("history.json")))
                .contains("postgresql://postgres@localhost:" + TestPostgres.port() + "/" + db)
                .doesNotContain("password");
    }

    @Test
    void unusedIndexesAreListedWithWhatDroppingSavesAndAnIndexThatWasScannedIsNot() throws Exception {
        String db = database("inspect_unused",
                "CREATE TABLE events (id int PRIMARY KEY, kind int, payload int)",
                "INSERT INTO events SELECT g, 3 * g, g FROM generate_series(1, 100000) g",
                "CREATE INDEX events_kind ON events (kind)",
                "CREATE INDEX events_payload ON events (payload)",
                "CREATE UNIQUE INDEX events_id_kind ON events (id, kind)",
                "ANALYZE events");
        try (Connection c = connect(db, "test")) {
            exec(c, "SET enable_seqscan = off", "SET enable_bitmapscan = off");
            queryLong(c, "SELECT count(*) FROM events WHERE payload = 7");
            exec(c, "SELECT pg_stat_force_next_flush()");
        }
        await("the index scan in the statistics", sql(db, "SELECT idx_scan > 0 FROM pg_stat_user_indexes"
                + " WHERE indexrelname = 'events_payload'"));

        CheckResult unused = Inspector.of(target(db)).run(options("unused-indexes").build()).checks().get(0);

        assertThat(unused.verdict()).isEqualTo(Verdict.WARN);
        assertThat(column(unused, "index")).containsExactly("public.events_kind");
        assertThat((Long) column(unused, "bytes").get(0)).isGreaterThan(1L << 20);
        assertThat(unused.summary()).contains("dropping them saves").contains(" since ");
        assertThat(unused.notes()).contains("DROP INDEX CONCURRENTLY public.events_kind;");

        CheckResult bigMinimum = Inspector.of(target(db)).run(options("unused-indexes")
                .unusedIndexMinBytes(1L << 30).build()).checks().get(0);
        assertThat(bigMinimum.verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void duplicateIndexesNeverNameAUniqueIndexCoveredOnlyByAWiderOne() throws Exception {
        String db = database("inspect_duplicates",
                "CREATE TABLE t (id int PRIMARY KEY, a int, b int, c int)",
                "CREATE INDEX t_a ON t (a)",
                "CREATE INDEX t_a_b ON t (a, b)",
                "CREATE INDEX t_a_positive ON t (a) WHERE a > 0",
                "CREATE UNIQUE INDEX t_b_unique ON t (b)",
                "CREATE INDEX t_b_c ON t (b, c)",
                "CREATE INDEX t_c_one ON t (c)",
                "CREATE INDEX t_c_two ON t (c)",
                "CREATE INDEX t_id ON t (id)",
                "CREATE INDEX t_c_hash ON t USING hash (c)");

        CheckResult dup = Inspector.of(target(db)).run(options("duplicate-indexes").build()).checks().get(0);

        assertThat(dup.verdict()).isEqualTo(Verdict.WARN);
        assertThat(column(dup, "index")).containsExactlyInAnyOrder("public.t_a", "public.t_c_two", "public.t_id");
        assertThat(dup.rows()).anyMatch(r -> r.get(0).equals("public.t_a") && r.get(2).equals("public.t_a_b"))
                .anyMatch(r -> r.get(0).equals("public.t_id") && r.get(2).equals("public.t_pkey"));
        assertThat(String.join("\n", dup.notes())).contains("DROP INDEX CONCURRENTLY public.t_c_two;");
    }

    @Test
    void anInvalidIndexLeftByAFailedConcurrentBuildIsAProblemWithItsFix() throws Exception {
        String db = database("inspect_invalid",
                "CREATE TABLE members (id int PRIMARY KEY, email text)",
                "INSERT INTO members VALUES (1, 'a@example.org'), (2, 'a@example.org')");
        try (Connection c = connect(db, "test")) {
            assertThatThrownBy(() -> exec(c, "CREATE UNIQUE INDEX CONCURRENTLY members_email ON members (email)"))
                    .isInstanceOf(SQLException.class);
        }

        InspectReport report = Inspector.of(target(db)).run(options("invalid-indexes", "unused-indexes").build());

        CheckResult invalid = check(report, "invalid-indexes");
        assertThat(invalid.verdict()).isEqualTo(Verdict.PROBLEM);
        assertThat(column(invalid, "index")).containsExactly("public.members_email");
        assertThat(String.join(" ", invalid.notes())).contains("DROP INDEX CONCURRENTLY public.members_email;")
                .contains("REINDEX INDEX CONCURRENTLY public.members_email;").contains("duplicate rows");
        assertThat(report.hasProblems()).isTrue();
        assertThat(report.summary()).contains("1 problem");
    }

    @Test
    void anUnscannedIndexThatIsTheOnlySupportOfAForeignKeyIsKeptAndSaysWhy() throws Exception {
        String db = database("inspect_unused_fk",
                "CREATE TABLE users (id int PRIMARY KEY)",
                "CREATE TABLE activities (id int PRIMARY KEY,"
                        + " user_id int REFERENCES users (id) ON DELETE CASCADE, kind int)",
                "CREATE INDEX idx_activities_user ON activities (user_id)",
                "CREATE INDEX idx_activities_kind ON activities (kind)",
                "CREATE TABLE notes (id int PRIMARY KEY, user_id int REFERENCES users (id))",
                "CREATE INDEX notes_user ON notes (user_id)",
                "CREATE INDEX notes_user_id ON notes (user_id, id)");

        CheckResult unused = Inspector.of(target(db)).run(options("unused-indexes").unusedIndexMinBytes(0).build())
                .checks().get(0);

        // of two unscanned indexes for one key the older stays
        assertThat(column(unused, "index")).containsExactlyInAnyOrder("public.idx_activities_kind",
                "public.notes_user_id");
        assertThat(unused.notes()).doesNotContain("DROP INDEX CONCURRENTLY public.idx_activities_user;");
        assertThat(unused.notes()).anyMatch(n -> n.startsWith("Not listed: public.idx_activities_user")
                && n.contains("only index of foreign key activities_user_id_fkey")
                && n.contains("ON DELETE CASCADE") && n.contains("It stays."));
        assertThat(unused.figure("kept_for_foreign_keys")).isEqualTo(2);

        // the advice is sound: after every DROP it prints, fk-without-index still finds nothing
        for (String note : unused.notes()) {
            if (note.startsWith("DROP INDEX")) {
                SchemaRoundTrip.exec(db, note);
            }
        }
        CheckResult fk = Inspector.of(target(db)).run(options("fk-without-index").build()).checks().get(0);
        assertThat(fk.verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void foreignKeysWithoutALeadingIndexAreListedWithTheCreateIndexLine() throws Exception {
        String db = database("inspect_fk",
                "CREATE TABLE parents (id int PRIMARY KEY, a int, b int, UNIQUE (a, b))",
                "CREATE TABLE orphans (id int PRIMARY KEY, parent_id int REFERENCES parents (id))",
                "CREATE TABLE covered (id int PRIMARY KEY, parent_id int REFERENCES parents (id), x int)",
                "CREATE INDEX covered_parent_x ON covered (parent_id, x)",
                "CREATE TABLE pairs (id int PRIMARY KEY, a int, b int, c int, FOREIGN KEY (a, b) REFERENCES parents (a, b))",
                "CREATE INDEX pairs_b_a_c ON pairs (b, a, c)",
                "CREATE TABLE behind (id int PRIMARY KEY, parent_id int REFERENCES parents (id), x int)",
                "CREATE INDEX behind_x_parent ON behind (x, parent_id)");

        CheckResult fk = Inspector.of(target(db)).run(options("fk-without-index").build()).checks().get(0);

        assertThat(fk.verdict()).isEqualTo(Verdict.WARN);
        assertThat(column(fk, "table")).containsExactlyInAnyOrder("public.behind", "public.orphans");
        assertThat(fk.notes()).contains("CREATE INDEX CONCURRENTLY ON public.orphans (parent_id);");
    }

    @Test
    void sequencesNearTheirColumnsMaximumWarnAndFromNinetyFivePercentAreAProblem() throws Exception {
        String db = database("inspect_sequences",
                "CREATE TABLE serials (id serial PRIMARY KEY)",
                "SELECT setval('serials_id_seq', 2040109466)",
                "CREATE TABLE identities (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY)",
                "SELECT setval(pg_get_serial_sequence('identities', 'id'), 1825361101)",
                "CREATE SEQUENCE wide_seq AS bigint",
                "CREATE TABLE narrow (id int DEFAULT nextval('wide_seq'))",
                "SELECT setval('wide_seq', 2100000000)",
                "CREATE TABLE fine (id bigserial PRIMARY KEY)",
                "SELECT setval('fine_id_seq', 2100000000)");

        CheckResult seq = Inspector.of(target(db)).run(options("sequences").build()).checks().get(0);

        assertThat(seq.verdict()).isEqualTo(Verdict.PROBLEM);
        assertThat(column(seq, "sequence")).containsExactly("public.wide_seq", "public.serials_id_seq",
                "public.identities_id_seq");
        assertThat(column(seq, "column")).containsExactly("public.narrow.id", "public.serials.id",
                "public.identities.id");
        assertThat((Double) column(seq, "used").get(1)).isGreaterThanOrEqualTo(0.95);
        assertThat((Double) column(seq, "used").get(2)).isBetween(0.8, 0.95);
        assertThat(String.join(" ", seq.notes())).contains("TYPE bigint");

        CheckResult relaxed = Inspector.of(target(db)).run(options("sequences").sequenceWarn(0.99)
                .sequenceProblem(0.99).build()).checks().get(0);
        assertThat(relaxed.verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void aTableHammeredBySequentialScansIsReported() throws Exception {
        String db = database("inspect_seqscan",
                "CREATE TABLE scanned (id int PRIMARY KEY, v int)",
                "INSERT INTO scanned SELECT g, g FROM generate_series(1, 20000) g",
                "CREATE TABLE indexed (id int PRIMARY KEY, v int)",
                "INSERT INTO indexed SELECT g, g FROM generate_series(1, 20000) g",
                "ANALYZE");
        try (Connection c = connect(db, "test")) {
            for (int i = 0; i < 120; i++) {
                queryLong(c, "SELECT count(*) FROM scanned WHERE v = " + i);
                queryLong(c, "SELECT count(*) FROM indexed WHERE id = " + i);
            }
            exec(c, "SELECT pg_stat_force_next_flush()");
        }
        await("the scans in the statistics", sql(db, "SELECT seq_scan >= 120 AND n_live_tup >= 20000"
                + " FROM pg_stat_user_tables WHERE relname = 'scanned'"));

        CheckResult seq = Inspector.of(target(db)).run(options("seq-scans").build()).checks().get(0);

        assertThat(seq.verdict()).isEqualTo(Verdict.WARN);
        assertThat(column(seq, "table")).containsExactly("public.scanned");
        assertThat((Long) column(seq, "seq_scan").get(0)).isGreaterThanOrEqualTo(120L);

        CheckResult fewer = Inspector.of(target(db)).run(options("seq-scans").seqScanMinScans(1000).build())
                .checks().get(0);
        assertThat(fewer.verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void deadRowsAutovacuumOffNoPrimaryKeyUnvalidatedConstraintsAndWraparoundThresholds() throws Exception {
        String db = database("inspect_maintenance",
                "CREATE TABLE churn (id int PRIMARY KEY, v int) WITH (autovacuum_enabled = false)",
                "INSERT INTO churn SELECT g, g FROM generate_series(1, 5000) g",
                "DELETE FROM churn WHERE id <= 3000",
                "CREATE TABLE loose (a int, b text)",
                "INSERT INTO loose VALUES (-1, 'x')",
                "ALTER TABLE loose ADD CONSTRAINT loose_a_positive CHECK (a > 0) NOT VALID",
                "SELECT pg_stat_force_next_flush()");
        await("the deletes in the statistics", sql(db, "SELECT n_dead_tup >= 3000 FROM pg_stat_user_tables"
                + " WHERE relname = 'churn'"));

        InspectReport r = Inspector.of(target(db)).run(options("dead-rows", "autovacuum-disabled",
                "tables-without-primary-key", "invalid-constraints", "wraparound").build());

        CheckResult dead = check(r, "dead-rows");
        assertThat(dead.verdict()).isEqualTo(Verdict.WARN);
        assertThat(column(dead, "table")).containsExactly("public.churn");
        assertThat((Double) column(dead, "dead_share").get(0)).isGreaterThan(0.5);
        CheckResult off = check(r, "autovacuum-disabled");
        assertThat(off.verdict()).isEqualTo(Verdict.WARN);
        assertThat(off.notes()).contains("ALTER TABLE public.churn RESET (autovacuum_enabled, toast.autovacuum_enabled);");
        CheckResult noPk = check(r, "tables-without-primary-key");
        assertThat(noPk.verdict()).isEqualTo(Verdict.WARN);
        assertThat(column(noPk, "table")).containsExactly("public.loose");
        CheckResult constraints = check(r, "invalid-constraints");
        assertThat(constraints.verdict()).isEqualTo(Verdict.WARN);
        assertThat(constraints.notes().get(0)).startsWith("ALTER TABLE public.loose VALIDATE CONSTRAINT loose_a_positive;");
        CheckResult wrap = check(r, "wraparound");
        assertThat(wrap.verdict()).isEqualTo(Verdict.OK);
        assertThat(column(wrap, "object")).contains("database " + db);

        CheckResult strict = Inspector.of(target(db)).run(options("wraparound").xidWarn(0.000_000_001).build())
                .checks().get(0);
        assertThat(strict.verdict()).isEqualTo(Verdict.WARN);
        assertThat(strict.figure("max_xid_age")).isPositive();
    }

    @Test
    void idleInTransactionBlockedAndLongRunningSessionsNameTheBlockerAndItsQuery() throws Exception {
        String db = database("inspect_sessions",
                "CREATE TABLE accounts (id int PRIMARY KEY, balance int)",
                "INSERT INTO accounts VALUES (1, 100)");
        try (Connection holder = connect(db, "holder-app"); Connection waiter = connect(db, "waiter-app")) {
            holder.setAutoCommit(false);
            long holderPid = queryLong(holder, "SELECT pg_backend_pid()");
            exec(holder, "UPDATE accounts SET balance = balance - 1 WHERE id = 1");
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
                try {
                    exec(waiter, "UPDATE accounts SET balance = balance + 1 WHERE id = 1");
                } catch (SQLException e) {
                    // ended by the rollback below or the connection's close
                }
            });
            await("the waiter to wait for the lock", sql(db, "SELECT count(*) = 1 FROM pg_stat_activity"
                    + " WHERE application_name = 'waiter-app' AND wait_event_type = 'Lock'"));
            Thread.sleep(1200);

            InspectReport r = Inspector.of(target(db)).run(options("blocked-queries", "long-running-queries",
                    "idle-in-transaction").blockedQuery(Duration.ofMillis(500)).longQuery(Duration.ofMillis(500))
                    .idleInTransaction(Duration.ofMillis(500)).build());

            CheckResult block = check(r, "blocked-queries");
            assertThat(block.verdict()).isEqualTo(Verdict.PROBLEM);
            assertThat(column(block, "application")).containsExactly("waiter-app");
            assertThat(column(block, "blocker_pid")).containsExactly(holderPid);
            assertThat(column(block, "blocker_query").get(0).toString()).contains("UPDATE accounts SET balance = balance - 1");
            assertThat(String.join(" ", block.notes())).contains("pg_terminate_backend(" + holderPid + ")")
                    .contains("application 'holder-app'");
            CheckResult idle = check(r, "idle-in-transaction");
            assertThat(idle.verdict()).isEqualTo(Verdict.WARN);
            assertThat(column(idle, "pid")).containsExactly(holderPid);
            assertThat(String.join(" ", idle.notes())).contains("botdb maintain kill-idle --idle-in-transaction");
            CheckResult running = check(r, "long-running-queries");
            assertThat(running.verdict()).isEqualTo(Verdict.WARN);
            assertThat(column(running, "application")).containsExactly("waiter-app");
            assertThat(column(running, "waiting_for").get(0).toString()).startsWith("Lock");

            CheckResult patient = Inspector.of(target(db)).run(options("blocked-queries")
                    .blockedQuery(Duration.ofHours(1)).build()).checks().get(0);
            assertThat(patient.verdict()).isEqualTo(Verdict.OK);
            holder.rollback();
            blocked.get();
        }
    }

    @Test
    void sequencesAreReadWithAPlainReadLockNotTheOneNextvalTakes() throws Exception {
        String db = database("inspect_sequence_lock",
                "CREATE TABLE serials (id serial PRIMARY KEY)",
                "SELECT setval('serials_id_seq', 2040109466)");
        try (Connection locker = connect(db, "locker")) {
            locker.setAutoCommit(false);
            // ALTER SEQUENCE holds SHARE ROW EXCLUSIVE until commit: it blocks the ROW EXCLUSIVE lock of
            // nextval() and of pg_sequences, not a read
            exec(locker, "ALTER SEQUENCE public.serials_id_seq INCREMENT BY 1");
            try (Connection other = connect(db, "other")) {
                exec(other, "SET lock_timeout = '300ms'");
                assertThatThrownBy(() -> exec(other, "SELECT last_value FROM pg_sequences"))
                        .hasMessageContaining("lock timeout");
            }

            CheckResult seq = Inspector.of(target(db)).run(options("sequences").lockTimeout(Duration.ofMillis(300))
                    .build()).checks().get(0);

            assertThat(seq.verdict()).isEqualTo(Verdict.PROBLEM);
            assertThat(column(seq, "sequence")).containsExactly("public.serials_id_seq");
            locker.rollback();
        }
    }

    @Test
    void aCheckBlockedByALockTimesOutAndTheRestOfTheReportStillAppears() throws Exception {
        String db = database("inspect_timeout",
                "CREATE TABLE users (id serial PRIMARY KEY)");
        try (Connection locker = connect(db, "locker")) {
            locker.setAutoCommit(false);
            exec(locker, "LOCK TABLE pg_catalog.pg_sequence IN ACCESS EXCLUSIVE MODE");

            InspectReport r = Inspector.of(target(db)).run(options().lockTimeout(Duration.ofMillis(300)).build());

            CheckResult seq = check(r, "sequences");
            assertThat(seq.verdict()).isEqualTo(Verdict.TIMED_OUT);
            assertThat(seq.summary()).contains("lock timeout (300 ms)");
            assertThat(r.checks()).hasSize(Inspector.checkNames().size() - 2);
            assertThat(r.checks()).filteredOn(c -> c != seq)
                    .allMatch(c -> c.verdict() == Verdict.OK || c.verdict() == Verdict.NOT_APPLICABLE
                            || c.verdict() == Verdict.WARN, "ran");
            assertThat(check(r, "largest-tables").figure("tables")).isEqualTo(1L);
            assertThat(r.summary()).contains("1 timed out");
            locker.rollback();
        }
    }

    @Test
    void aTableHeldByAMigrationIsSizedFromTheCatalogInsteadOfWaiting() throws Exception {
        String db = database("inspect_locked",
                "CREATE TABLE busy (id int PRIMARY KEY, body text)",
                "INSERT INTO busy SELECT g, repeat('x', 100) FROM generate_series(1, 5000) g",
                "VACUUM ANALYZE busy");
        try (Connection migration = connect(db, "migration")) {
            migration.setAutoCommit(false);
            exec(migration, "ALTER TABLE busy ADD COLUMN extra int");

            InspectReport r = Inspector.of(target(db)).run(options("largest-tables", "largest-indexes")
                    .lockTimeout(Duration.ofMillis(300)).build());

            CheckResult tables = check(r, "largest-tables");
            assertThat(tables.verdict()).isEqualTo(Verdict.OK);
            assertThat(column(tables, "table")).containsExactly("public.busy");
            assertThat((Long) column(tables, "table_bytes").get(0)).isGreaterThan(500_000L);
            assertThat(String.join(" ", tables.notes())).contains("Estimated").contains("public.busy");
            assertThat(check(r, "largest-indexes").verdict()).isEqualTo(Verdict.OK);
            migration.rollback();
        }
    }

    @Test
    void aRoleWithoutSuperuserGetsEveryCheckItCanRunAndNotPermittedNotesWithTheGrant() throws Exception {
        String db = database("inspect_plain",
                "CREATE TABLE secrets (id serial PRIMARY KEY)",
                "SELECT setval('secrets_id_seq', 5)");
        TestPostgres.exec("DROP ROLE IF EXISTS inspect_plain",
                "CREATE ROLE inspect_plain LOGIN PASSWORD 'plain-pw'",
                "GRANT CONNECT ON DATABASE " + db + " TO inspect_plain");
        try (Connection other = connect(db, "superuser-session")) {
            exec(other, "SELECT 1");

            InspectReport r = Inspector.of(target(db, "inspect_plain", "plain-pw")).run(options().build());

            for (String name : List.of("long-running-queries", "blocked-queries", "idle-in-transaction")) {
                CheckResult c = check(r, name);
                assertThat(c.verdict()).as(name).isEqualTo(Verdict.NOT_PERMITTED);
                assertThat(String.join(" ", c.notes())).contains("GRANT pg_read_all_stats TO inspect_plain;");
            }
            CheckResult seq = check(r, "sequences");
            assertThat(seq.verdict()).isEqualTo(Verdict.NOT_PERMITTED);
            assertThat(String.join(" ", seq.notes())).contains("GRANT SELECT ON ALL SEQUENCES");
            assertThat(check(r, "database-size").verdict()).isEqualTo(Verdict.OK);
            assertThat(check(r, "largest-tables").figure("tables")).isEqualTo(1L);
            assertThat(r.checks()).noneMatch(c -> c.verdict() == Verdict.ERROR);
        }

        TestPostgres.exec("GRANT pg_read_all_stats TO inspect_plain");
        try (Connection other = connect(db, "superuser-session")) {
            exec(other, "SELECT 1");
            CheckResult granted = Inspector.of(target(db, "inspect_plain", "plain-pw"))
                    .run(options("long-running-queries").build()).checks().get(0);
            assertThat(granted.verdict()).isEqualTo(Verdict.OK);
        }
    }

    @Test
    void pgStatStatementsCreatedButNotPreloadedSaysToRestartWithTheLibrary() throws Exception {
        String db = database("inspect_pgss_not_loaded", "CREATE EXTENSION pg_stat_statements");

        InspectReport r = Inspector.of(target(db)).run(options("slow-queries", "top-queries").build());

        for (CheckResult c : r.checks()) {
            assertThat(c.verdict()).isEqualTo(Verdict.NOT_APPLICABLE);
            assertThat(c.summary()).contains("not loaded");
            assertThat(String.join(" ", c.notes())).contains("shared_preload_libraries = 'pg_stat_statements'")
                    .contains("restart");
        }
    }

    @Test
    void aTableReadFromDiskRatherThanSharedBuffersLowersTheCacheHitRatio() throws Exception {
        String db = database("inspect_cache",
                "CREATE TABLE cold AS SELECT g AS id, repeat('x', 200) AS body FROM generate_series(1, 150000) g");
        try (Connection c = connect(db, "test")) {
            queryLong(c, "SELECT count(*) FROM cold");
            queryLong(c, "SELECT count(*) FROM cold");
            exec(c, "SELECT pg_stat_force_next_flush()");
        }
        await("the reads in the statistics", sql(db, "SELECT heap_blks_read > 1000 FROM pg_statio_user_tables"
                + " WHERE relname = 'cold'"));

        CheckResult cache = Inspector.of(target(db)).run(options("cache-hit-ratio").cacheHitMinBlocks(1000).build())
                .checks().get(0);

        assertThat(cache.verdict()).as(cache.toString()).isEqualTo(Verdict.WARN);
        assertThat((Double) cache.figures().get("table_ratio")).isLessThan(0.99);
        assertThat(cache.summary()).contains("below 99 %").contains("shared_buffers");
        assertThat(Inspector.of(target(db)).run(options("cache-hit-ratio").cacheHitWarn(0).build()).checks().get(0)
                .verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void connectionsCountAgainstTheUsableSlots() throws Exception {
        String db = database("inspect_connections");
        try (Connection a = connect(db, "bot-a"); Connection b = connect(db, "bot-a")) {
            exec(a, "SELECT 1");
            exec(b, "SELECT 1");
            InspectReport r = Inspector.of(target(db)).run(options("connections").build());
            CheckResult ok = r.checks().get(0);
            assertThat(ok.verdict()).isEqualTo(Verdict.OK);
            assertThat(ok.rows()).anyMatch(row -> row.get(0).equals("application") && row.get(1).equals("bot-a")
                    && ((Long) row.get(2)) == 2L);
            assertThat(ok.rows()).anyMatch(row -> row.get(0).equals("database") && row.get(1).equals(db));
            assertThat(ok.rows()).anyMatch(row -> row.get(0).equals("state") && row.get(1).equals("idle")
                    && ((Long) row.get(2)) >= 2L);
            long usable = ok.figure("usable");
            assertThat(usable).isEqualTo(ok.figure("max_connections") - 3);

            CheckResult full = Inspector.of(target(db)).run(options("connections").connectionsWarn(0)
                    .connectionsProblem(0.000_001).build()).checks().get(0);
            assertThat(full.verdict()).isEqualTo(Verdict.PROBLEM);
            assertThat(full.summary()).contains("too many clients")
                    .contains("will be refused (\"too many clients already\") once "
                            + (usable - (Long) full.figure("total")) + " more are open")
                    .doesNotContain("soon");
            assertThat(String.join("\n", full.notes())).contains("DB_MAX_OPEN_CONNS")
                    .contains("PG_POOL_SIZE + PG_MAX_OVERFLOW").doesNotContain("DB_POOL_MAX");
        }
    }

    @Test
    void everyCatalogQueryRunsBareAndCarriesItsThresholdsAsLiterals() throws Exception {
        String db = database("inspect_catalog", HEALTHY_SCHEMA);
        InspectOptions o = InspectOptions.builder().sequenceWarn(0.77).idleInTransaction(Duration.ofSeconds(123)).build();

        List<String> queries = Inspector.catalogQueries(o, 150_000, null);

        assertThat(queries.get(0)).contains("server_version_num");
        assertThat(queries).anyMatch(q -> q.contains(">= 0.77")).anyMatch(q -> q.contains("interval '123 seconds'"));
        assertThat(queries).noneMatch(q -> q.contains("?")).noneMatch(q -> q.contains("%%") || q.contains("%s")
                || q.contains("%d"));
        try (Connection c = connect(db, "bare"); Statement st = c.createStatement()) {
            for (String q : queries) {
                try (ResultSet rs = st.executeQuery(q)) {
                    while (rs.next()) {
                        rs.getObject(1);
                    }
                }
            }
        }
        assertThat(Inspector.catalogQueries(o)).hasSize(queries.size() + 2)
                .anyMatch(q -> q.contains("FROM pg_stat_statements s") && q.contains("mean_exec_time >= 20"));
    }

    @Test
    void unknownCheckNamesAreAUsageErrorListingTheChecks() {
        assertThatThrownBy(() -> Inspector.of(target("postgres")).run(options("no-such-check").build()))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining("unknown check 'no-such-check'").hasMessageContaining("unused-indexes")
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.USAGE));
        assertThatThrownBy(() -> InspectOptions.builder().sequenceWarn(0.9).sequenceProblem(0.8).build())
                .hasMessageContaining("`sequenceWarn`");
    }

    @Test
    void sqliteReportsSizeTablesIntegrityAndFreePagesAndNotApplicableForTheRest() throws Exception {
        Path file = dir.resolve("bot.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
            st.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)");
            st.execute("CREATE INDEX notes_body ON notes (body)");
            st.execute("INSERT INTO users (name) VALUES ('a'), ('b')");
            st.execute("WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 3000)"
                    + " INSERT INTO notes (body) SELECT printf('%0500d', n) FROM g");
            st.execute("DELETE FROM notes WHERE id > 300");
        }

        InspectReport r = Inspector.of(new SqliteTarget(file, "test")).run(options().build());

        assertThat(r.engine()).isEqualTo("sqlite");
        assertThat(r.checks()).extracting(CheckResult::name).containsExactlyElementsOf(Inspector.checkNames());
        assertThat(check(r, "database-size").figure("bytes")).isGreaterThan(1_000_000L);
        CheckResult tables = check(r, "largest-tables");
        assertThat(column(tables, "table").get(0)).isEqualTo("notes");
        assertThat(column(check(r, "largest-indexes"), "index")).containsExactly("notes_body");
        assertThat(check(r, "integrity").verdict()).isEqualTo(Verdict.OK);
        CheckResult free = check(r, "freelist");
        assertThat(free.verdict()).isEqualTo(Verdict.WARN);
        assertThat(String.join(" ", free.notes())).contains("botdb maintain vacuum");
        CheckResult unused = check(r, "unused-indexes");
        assertThat(unused.verdict()).isEqualTo(Verdict.NOT_APPLICABLE);
        assertThat(unused.summary()).isEqualTo("not applicable on SQLite");
        assertThat(r.hasProblems()).isFalse();
    }
}
