package dev.botdb.backup.external;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.TestPostgres;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.PostgresTarget;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pg_dump, pg_restore and psql run against the real test server, with the files operators
 * already have (the Activity Challenge bot's documented {@code pg_dump > backup.sql}, {@code | gzip},
 * {@code -Fc}).
 */
class PgToolsTest {
    /** Holds ':' and '\', which a pass file must escape, and '@', which a URL must. */
    private static final String BOT_PASSWORD = "s3cr:et\\pass@word";
    private static final String BOT_PASSWORD_URL = "s3cr%3Aet%5Cpass%40word";
    private static final String SCHEMA = """
            CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE);
            CREATE TABLE activities (
                id serial PRIMARY KEY,
                user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
                kind text NOT NULL CHECK (kind <> ''),
                points integer NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL DEFAULT now());
            CREATE INDEX activities_user ON activities (user_id, created_at DESC);
            INSERT INTO users (name) SELECT 'user ' || g FROM generate_series(1, 300) g;
            INSERT INTO activities (user_id, kind, points)
                SELECT 1 + g % 300, (ARRAY['run', 'walk', 'swim'])[1 + g % 3], g % 17 FROM generate_series(1, 2000) g;
            """;

    @TempDir
    Path dir;

    private static PgTools tools;

    @BeforeAll
    static void setUp() {
        tools = PgTools.find(System.getenv());
        freshDatabase("ext_source");
        exec("ext_source", SCHEMA);
        TestPostgres.createUserWithDatabase("ext_bot", BOT_PASSWORD, "ext_bot_db");
        exec("ext_bot_db", "SET ROLE ext_bot; " + SCHEMA);
    }

    private static void freshDatabase(String name) {
        TestPostgres.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name);
    }

    private static void exec(String database, String sql) {
        try (Connection c = TestPostgres.superuser(database); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PostgresTarget target(String url) {
        return (PostgresTarget) BotDbConfig.fromEnv(TestPostgres.env(url)).target();
    }

    private static PostgresTarget superuser(String database) {
        return target("postgres://postgres@localhost:" + TestPostgres.port() + "/" + database + "?sslmode=disable");
    }

    private static PostgresTarget bot(String password) {
        return target("postgres://ext_bot:" + password + "@localhost:" + TestPostgres.port() + "/ext_bot_db?sslmode=disable");
    }

    /** Every user table's row count, by name; empty when the database has no tables. */
    private static Map<String, Long> rowCounts(String database) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = TestPostgres.superuser(database); Statement st = c.createStatement()) {
            List<String> tables = new java.util.ArrayList<>();
            try (ResultSet rs = st.executeQuery("""
                    SELECT schemaname || '.' || tablename
                    FROM pg_tables
                    WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
                    ORDER BY 1""")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String t : tables) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + t)) {
                    rs.next();
                    counts.put(t, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    /** Runs a shell pipeline as an operator does, with PGHOST etc. of the test server. */
    private void shell(String script) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script).directory(dir.toFile()).inheritIO();
        pb.environment().put("PGHOST", "localhost");
        pb.environment().put("PGPORT", Integer.toString(TestPostgres.port()));
        pb.environment().put("PGUSER", "postgres");
        pb.environment().put("PGSSLMODE", "disable");
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(script).isZero();
    }

    private static ErrorCode code(Throwable e) {
        return ((BotDbException) e).code();
    }

    @Test
    void findsTheInstalledClientProgramsAndTheirVersions() {
        for (Tool tool : Tool.values()) {
            InstalledTool t = tools.require(tool);
            assertThat(t.version().major()).as(tool.command()).isGreaterThanOrEqualTo(15);
            assertThat(t.path().getFileName().toString()).isEqualTo(tool.command());
            // each copy once, though /bin may be a link to /usr/bin
            List<Path> copies = tools.all().stream().filter(c -> c.tool() == tool).map(c -> realFolder(c.path())).toList();
            assertThat(copies).doesNotHaveDuplicates();
        }
    }

    private static Path realFolder(Path exe) {
        try {
            return exe.getParent().toRealPath().resolve(exe.getFileName());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aProgramInPgBinWinsOverTheOthers() {
        Map<String, String> env = new HashMap<>(System.getenv());
        Path bin = tools.require(Tool.PG_DUMP).path().getParent();
        env.put("PG_BIN", bin.toString());
        InstalledTool chosen = PgTools.find(env).require(Tool.PG_DUMP);
        assertThat(chosen.source()).isEqualTo("PG_BIN");
        assertThat(chosen.path()).isEqualTo(bin.resolve("pg_dump"));
    }

    @Test
    void dumpsCustomFormatAndRestoresItIntoAFreshDatabaseWithEqualRowCounts() throws Exception {
        Path out = dir.resolve("backup-20260106.dump");
        ToolRun run = tools.dumpCustomFormat(superuser("ext_source"), out, List.of());

        assertThat(run.file()).isEqualTo(out);
        assertThat(run.bytes()).isEqualTo(Files.size(out)).isPositive();
        assertThat(run.summary()).startsWith("pg_dump 15.").contains(" wrote " + out + " (");
        assertThat(Files.getPosixFilePermissions(out)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(dir.resolve("backup-20260106.dump.partial")).doesNotExist();
        assertThat(FileKind.detect(out)).isEqualTo(FileKind.PG_DUMP_CUSTOM);
        PgArchiveHeader header = PgArchiveHeader.read(out);
        assertThat(header.formatVersion()).isEqualTo("1.14");
        assertThat(header.format()).isEqualTo(PgArchiveHeader.FORMAT_CUSTOM);
        assertThat(header.database()).isEqualTo("ext_source");
        assertThat(header.pgDumpVersion()).startsWith("15.");
        assertThat(header.serverVersion()).startsWith("15.");
        assertThat(tools.canRestore(header)).isTrue();

        freshDatabase("ext_copy");
        ToolRun restored = tools.restoreCustomFormat(superuser("ext_copy"), out, List.of(), 1);
        assertThat(restored.summary()).startsWith("pg_restore 15.").contains(" restored " + out);
        assertThat(rowCounts("ext_copy")).isEqualTo(rowCounts("ext_source"))
                .containsEntry("public.users", 300L).containsEntry("public.activities", 2000L);
    }

    @Test
    void restoresWithParallelJobs() throws Exception {
        Path out = dir.resolve("parallel.dump");
        tools.dumpCustomFormat(superuser("ext_source"), out, List.of());
        freshDatabase("ext_parallel");
        tools.restoreCustomFormat(superuser("ext_parallel"), out, List.of(), 2);
        assertThat(rowCounts("ext_parallel")).isEqualTo(rowCounts("ext_source"));
    }

    @Test
    void restoresOneTableFromACustomArchive() throws Exception {
        Path out = dir.resolve("backup.dump");
        tools.dumpCustomFormat(superuser("ext_source"), out, List.of());
        freshDatabase("ext_one_table");
        tools.restoreCustomFormat(superuser("ext_one_table"), out, List.of("public.activities"), 1);
        assertThat(rowCounts("ext_one_table")).containsExactly(Map.entry("public.activities", 2000L));
    }

    @Test
    void dumpsOnlyTheTablesAskedForAndRefusesANameThatMatchesNothing() throws Exception {
        Path out = dir.resolve("users.dump");
        tools.dumpCustomFormat(superuser("ext_source"), out, List.of("public.users"));
        freshDatabase("ext_users_only");
        tools.restoreCustomFormat(superuser("ext_users_only"), out, List.of(), 1);
        assertThat(rowCounts("ext_users_only")).containsExactly(Map.entry("public.users", 300L));

        Path typo = dir.resolve("typo.dump");
        assertThatThrownBy(() -> tools.dumpCustomFormat(superuser("ext_source"), typo, List.of("activites")))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining("pg_dump failed (exit code 1)")
                .hasMessageContaining("no matching tables were found for pattern \"activites\"")
                .hasMessageContaining("Check the table names")
                .extracting(PgToolsTest::code).isEqualTo(ErrorCode.BACKUP_FAILED);
        assertThat(typo).doesNotExist();
        assertThat(dir.resolve("typo.dump.partial")).doesNotExist();
    }

    @Test
    void neverOverwritesAnExistingBackup() throws IOException {
        Path out = Files.writeString(dir.resolve("old.dump"), "an older backup");
        assertThatThrownBy(() -> tools.dumpCustomFormat(superuser("ext_source"), out, List.of()))
                .hasMessage(out + " exists already; botdb never overwrites a backup. Choose another file name or move"
                        + " the old file away.")
                .extracting(PgToolsTest::code).isEqualTo(ErrorCode.BACKUP_FAILED);
        assertThat(Files.readString(out)).isEqualTo("an older backup");
    }

    @Test
    void restoresThePlainAndGzipFilesTheReferenceScriptWrites() throws Exception {
        // exactly the commands the Activity Challenge bot documents for backups (database name aside)
        shell("pg_dump ext_source > backup-20260106.sql");
        shell("pg_dump ext_source | gzip > backup-20260106.sql.gz");

        freshDatabase("ext_from_sql");
        ToolRun run = tools.restorePlainSql(superuser("ext_from_sql"), dir.resolve("backup-20260106.sql"));
        assertThat(run.tool().tool()).isEqualTo(Tool.PSQL);
        assertThat(rowCounts("ext_from_sql")).isEqualTo(rowCounts("ext_source"));

        freshDatabase("ext_from_gz");
        tools.restorePlainSql(superuser("ext_from_gz"), dir.resolve("backup-20260106.sql.gz"));
        assertThat(rowCounts("ext_from_gz")).isEqualTo(rowCounts("ext_source"));
    }

    @Test
    void aFailingSqlFileLeavesTheTargetUnchanged() throws Exception {
        freshDatabase("ext_failing");
        exec("ext_failing", "CREATE TABLE kept (id int); INSERT INTO kept VALUES (1), (2)");
        Path sql = Files.writeString(dir.resolve("broken.sql"), """
                CREATE TABLE restored (id int);
                INSERT INTO restored VALUES (1);
                INSERT INTO missing_table VALUES (1);
                INSERT INTO kept VALUES (3);
                """);
        assertThatThrownBy(() -> tools.restorePlainSql(superuser("ext_failing"), sql))
                .isInstanceOf(BotDbException.class)
                .hasMessageStartingWith("psql could not restore " + sql + " into postgresql://postgres@localhost:"
                        + TestPostgres.port() + "/ext_failing (exit code 3).")
                .hasMessageContaining("psql:" + sql + ":3: ERROR:  relation \"missing_table\" does not exist")
                .extracting(PgToolsTest::code).isEqualTo(ErrorCode.BACKUP_FAILED);
        assertThat(rowCounts("ext_failing")).containsExactly(Map.entry("public.kept", 2L));
    }

    @Test
    void aTruncatedPgDumpFileIsStoppedBeforeItsEndAndNothingIsApplied() throws Exception {
        shell("pg_dump ext_source > whole.sql");
        String whole = Files.readString(dir.resolve("whole.sql"));
        // cut off right after the data, as a full disk would: every statement before is complete
        String cut = whole.substring(0, whole.indexOf("-- PostgreSQL database dump complete"));
        assertThat(cut).contains("COPY public.activities").endsWith("--\n");
        Path truncated = Files.writeString(dir.resolve("truncated.sql"), cut);
        freshDatabase("ext_truncated");
        assertThatThrownBy(() -> tools.restorePlainSql(superuser("ext_truncated"), truncated))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining(truncated + " is truncated or corrupt (it ends before pg_dump's closing line")
                .hasMessageContaining("is unchanged")
                .extracting(PgToolsTest::code).isEqualTo(ErrorCode.BACKUP_INVALID);
        assertThat(rowCounts("ext_truncated")).isEmpty();
    }

    @Test
    void aCorruptGzipFileIsStoppedBeforeItsEndAndNothingIsApplied() throws Exception {
        shell("pg_dump ext_source | gzip > whole.sql.gz");
        byte[] gz = Files.readAllBytes(dir.resolve("whole.sql.gz"));
        Path cut = Files.write(dir.resolve("cut.sql.gz"), Arrays.copyOf(gz, gz.length * 3 / 4));
        freshDatabase("ext_cut_gz");
        assertThatThrownBy(() -> tools.restorePlainSql(superuser("ext_cut_gz"), cut))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining(cut + " is truncated or corrupt (")
                .extracting(PgToolsTest::code).isEqualTo(ErrorCode.BACKUP_INVALID);
        assertThat(rowCounts("ext_cut_gz")).isEmpty();
    }

    @Test
    void aMissingProgramGivesToolMissingWithThePackageToInstall(@TempDir Path empty) {
        PgTools none = PgTools.find(Map.of("PATH", empty.toString(), "PG_BIN", empty.toString()), List.of(empty));
        assertThat(none.get(Tool.PSQL)).isEmpty();
        assertThat(none.canDump(15)).isFalse();
        assertThatThrownBy(() -> none.restorePlainSql(superuser("ext_source"), writeSql("SELECT 1;")))
                .isInstanceOf(BotDbException.class)
                .hasMessage("psql is not installed: not found in PG_BIN (" + empty + "), PATH (" + empty + "), "
                        + empty + "/*/bin. Install the PostgreSQL client programs (Debian/Ubuntu: apt-get install"
                        + " postgresql-client; a newer major: postgresql-client-NN from apt.postgresql.org), or set"
                        + " PG_BIN to the folder that holds psql. psql is only needed for plain SQL files (.sql,"
                        + " .sql.gz); backups in botdb's own format restore without it.")
                .extracting(PgToolsTest::code).isEqualTo(ErrorCode.TOOL_MISSING);
        Path out = dir.resolve("never.dump");
        assertThatThrownBy(() -> none.dumpCustomFormat(superuser("ext_source"), out, List.of()))
                .hasMessageContaining("pg_dump is not installed")
                .hasMessageContaining("apt-get install postgresql-client")
                .hasMessageEndingWith("botdb's own backup format (the default) needs no PostgreSQL tools.")
                .extracting(PgToolsTest::code).isEqualTo(ErrorCode.TOOL_MISSING);
        assertThat(out).doesNotExist();
    }

    private Path writeSql(String sql) {
        try {
            return Files.writeString(dir.resolve("tiny.sql"), sql);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aPgDumpOlderThanTheServerIsRefusedWithTheClientToInstall() {
        assertThatThrownBy(() -> tools.requireCanDump(18))
                .isInstanceOf(BotDbException.class)
                .hasMessageStartingWith("pg_dump 15 cannot dump a PostgreSQL 18 server: install postgresql-client-18"
                        + " from apt.postgresql.org (or set PG_BIN to a folder with pg_dump 18 or newer), or use"
                        + " botdb's own format (the default). Found: ")
                .extracting(PgToolsTest::code).isEqualTo(ErrorCode.TOOL_MISSING);
        tools.requireCanDump(15);
        tools.requireCanDump(14);
    }

    /**
     * pg_dump itself refusing a newer server: a stand-in pg_dump in PG_BIN prints what pg_dump 15
     * prints when it meets PostgreSQL 18, and fails.
     */
    @Test
    void pgDumpsOwnVersionMismatchRefusalBecomesToolMissingAndLeavesNoFile(@TempDir Path bin) throws IOException {
        Path fake = bin.resolve("pg_dump");
        Files.writeString(fake, """
                #!/bin/sh
                if [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 15.18"; exit 0; fi
                echo "pg_dump: error: server version: 18.1; pg_dump version: 15.18" >&2
                echo "pg_dump: error: aborting because of server version mismatch" >&2
                exit 1
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        PgTools withFake = PgTools.find(Map.of("PATH", "/usr/bin:/bin", "PG_BIN", bin.toString()), List.of());
        Path out = dir.resolve("app.dump");
        assertThatThrownBy(() -> withFake.dumpCustomFormat(superuser("ext_source"), out, List.of()))
                .hasMessageStartingWith("pg_dump 15 cannot dump a PostgreSQL 18 server: install postgresql-client-18"
                        + " from apt.postgresql.org")
                .extracting(PgToolsTest::code).isEqualTo(ErrorCode.TOOL_MISSING);
        assertThat(out).doesNotExist();
        assertThat(dir.resolve("app.dump.partial")).doesNotExist();
    }

    @Test
    void realPgRestoreRefusesExactlyTheArchiveFormatsBotdbSaysItCannotRead() throws Exception {
        InstalledTool pgRestore = tools.require(Tool.PG_RESTORE);
        int newest = PgArchiveHeader.newestReadableMinor(pgRestore.version().major()).orElseThrow();
        Path readable = Files.write(dir.resolve("readable.dump"), PgArchiveHeaderTest.header(newest, 255, 1, "15.18"));
        Path tooNew = Files.write(dir.resolve("too-new.dump"), PgArchiveHeaderTest.header(newest + 1, 0, 1, "17.2"));
        assertThat(listStderr(pgRestore, readable)).doesNotContain("unsupported version");
        assertThat(listStderr(pgRestore, tooNew)).contains("unsupported version (1." + (newest + 1) + ") in file header");
        assertThat(tools.canRestore(PgArchiveHeader.read(readable))).isTrue();
        assertThat(tools.canRestore(PgArchiveHeader.read(tooNew))).isFalse();
    }

    private static String listStderr(InstalledTool pgRestore, Path file) throws Exception {
        Process p = new ProcessBuilder(pgRestore.path().toString(), "--list", file.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return err;
    }

    @Test
    void anArchiveFromANewerPgDumpIsRefusedBeforePgRestoreRunsNamingTheClientToInstall() throws IOException {
        Path fromPg17 = Files.write(dir.resolve("from-17.dump"), PgArchiveHeaderTest.header(16, 0, 1, "17.2"));
        assertThatThrownBy(() -> tools.restoreCustomFormat(superuser("ext_source"), fromPg17, List.of(), 1))
                .isInstanceOf(BotDbException.class)
                .hasMessageStartingWith("pg_restore 15.")
                .hasMessageContaining("cannot read " + fromPg17 + ": it was written by pg_dump 17.2 (archive format"
                        + " 1.16), and pg_restore 15 reads archive formats up to 1.14. Install postgresql-client-17"
                        + " from apt.postgresql.org")
                .extracting(PgToolsTest::code).isEqualTo(ErrorCode.TOOL_MISSING);
    }

    @Test
    void refusesToRestoreOtherKindsOfFileWithTheRightCall() throws Exception {
        Path sql = Files.writeString(dir.resolve("x.sql"), "SELECT 1;\n");
        assertThatThrownBy(() -> tools.restoreCustomFormat(superuser("ext_source"), sql, List.of(), 1))
                .hasMessage(sql + " is plain SQL, not a pg_dump custom-format archive; restore it as one.")
                .extracting(PgToolsTest::code).isEqualTo(ErrorCode.BACKUP_INVALID);
        Path dump = Files.write(dir.resolve("x.dump"), PgArchiveHeaderTest.header(14, 0, 1, "15.18"));
        assertThatThrownBy(() -> tools.restorePlainSql(superuser("ext_source"), dump))
                .hasMessage(dump + " is a pg_dump custom-format archive (-Fc), not plain SQL; restore it as one.")
                .extracting(PgToolsTest::code).isEqualTo(ErrorCode.BACKUP_INVALID);
        Path all = Files.writeString(dir.resolve("all.sql"), "--\n-- PostgreSQL database cluster dump\n--\n");
        assertThatThrownBy(() -> tools.restorePlainSql(superuser("ext_source"), all))
                .hasMessageStartingWith(all + " was written by pg_dumpall")
                .extracting(PgToolsTest::code).isEqualTo(ErrorCode.BACKUP_INVALID);
    }

    @Test
    void aScramPasswordReachesPgDumpThroughThePassFile() throws Exception {
        Path out = dir.resolve("bot.dump");
        tools.dumpCustomFormat(bot(BOT_PASSWORD_URL), out, List.of());
        freshDatabase("ext_bot_copy");
        tools.restoreCustomFormat(superuser("ext_bot_copy"), out, List.of(), 1);
        assertThat(rowCounts("ext_bot_copy")).containsEntry("public.activities", 2000L);
    }

    @Test
    void aWrongPasswordFailsWithTheServersMessageAndNeverShowsThePassword() {
        String wrong = "Wr0ng-Passw0rd-123";
        Path out = dir.resolve("wrong.dump");
        assertThatThrownBy(() -> tools.dumpCustomFormat(bot(wrong), out, List.of()))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining("password authentication failed for user \"ext_bot\"")
                .hasMessageContaining("(the password is the one from DATABASE_URL)")
                .hasMessageNotContaining(wrong)
                .hasMessageNotContaining("botdb-pgpass")
                .extracting(PgToolsTest::code).isEqualTo(ErrorCode.BACKUP_FAILED);
        assertThat(out).doesNotExist();
    }

    /**
     * Looks at a running psql from outside, as another user of the machine would: its command
     * line and environment hold no password; the pass file it reads is the owner's only and is
     * gone when psql is. The psql waits on an advisory lock this test holds, so there is time to
     * look, without any sleeping.
     */
    @Test
    void thePasswordIsNeitherOnTheCommandLineNorInTheEnvironmentOfTheChild() throws Exception {
        Path sql = Files.writeString(dir.resolve("wait.sql"), "SELECT pg_advisory_lock(4242);\n");
        ChildView seen;
        try (Connection holder = TestPostgres.superuser("ext_bot_db"); Statement st = holder.createStatement()) {
            st.execute("SELECT pg_advisory_lock(4242)");
            CompletableFuture<ToolRun> restore = CompletableFuture.supplyAsync(
                    () -> tools.restorePlainSql(bot(BOT_PASSWORD_URL), sql));
            seen = waitForChild("psql", restore);
            assertThat(waitingApplicationName(st)).isEqualTo("botdb psql");
            st.execute("SELECT pg_advisory_unlock(4242)");
            restore.get(120, TimeUnit.SECONDS);
        }
        assertThat(seen.cmdline()).contains("--single-transaction").doesNotContain(BOT_PASSWORD).doesNotContain("s3cr");
        assertThat(seen.environ()).contains("PGUSER=ext_bot").doesNotContain(BOT_PASSWORD).doesNotContain("s3cr")
                .doesNotContain("PGPASSWORD");
        assertThat(seen.passFile()).isNotNull();
        assertThat(seen.passFilePermissions()).isEqualTo("rw-------");
        assertThat(seen.passFileContent()).isEqualTo("*:*:*:*:s3cr\\:et\\\\pass@word\n");
        assertThat(Path.of(seen.passFile())).doesNotExist();
    }

    /** What /proc showed of a running child. */
    private record ChildView(String cmdline, String environ, String passFile, String passFilePermissions,
                             String passFileContent) {
    }

    private static ChildView waitForChild(String command, CompletableFuture<?> running) throws Exception {
        while (!running.isDone()) {
            Optional<ProcessHandle> child = ProcessHandle.current().descendants()
                    .filter(p -> p.info().command().map(c -> c.endsWith("/" + command)).orElse(false))
                    .findFirst();
            if (child.isPresent()) {
                long pid = child.get().pid();
                String cmdline = proc(pid, "cmdline");
                String environ = proc(pid, "environ");
                String passFile = Arrays.stream(environ.split(" "))
                        .filter(v -> v.startsWith("PGPASSFILE=")).map(v -> v.substring("PGPASSFILE=".length()))
                        .findFirst().orElse(null);
                if (passFile != null && Files.exists(Path.of(passFile))) {
                    return new ChildView(cmdline, environ, passFile,
                            PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(passFile))),
                            Files.readString(Path.of(passFile)));
                }
            }
            Thread.sleep(10);
        }
        running.get(); // shows the failure that ended it early
        throw new AssertionError(command + " ended before it could be looked at");
    }

    /** A /proc file with its NUL separators as spaces. */
    private static String proc(long pid, String name) throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), name)), StandardCharsets.UTF_8)
                .replace('\0', ' ');
    }

    private static String waitingApplicationName(Statement st) throws SQLException, InterruptedException {
        while (true) {
            try (ResultSet rs = st.executeQuery("""
                    SELECT application_name
                    FROM pg_stat_activity
                    WHERE wait_event_type = 'Lock' AND usename = 'ext_bot'""")) {
                if (rs.next()) {
                    return rs.getString(1);
                }
            }
            Thread.sleep(20);
        }
    }

    @Test
    void theChildEnvironmentDropsInheritedPgVariablesAndTheEmptyPassFileIsDeleted() throws IOException {
        Map<String, String> inherited = Map.of("PATH", "/usr/bin", "PGPASSWORD", "leaked", "PGSERVICE", "prod",
                "pghost", "elsewhere", "LC_ALL", "de_DE.UTF-8", "HOME", "/home/bot",
                "DATABASE_URL", "postgres://bot:s3cret-url@db/bot", "POSTGRES_PASSWORD", "s3cret-pg",
                "BACKUP_ENCRYPTION_KEY", "s3cret-key", "TELEGRAM_BOT_TOKEN", "s3cret-token");
        PostgresTarget target = bot(BOT_PASSWORD_URL);
        Path passFile;
        try (ChildEnvironment env = ChildEnvironment.forTarget(inherited, target, Tool.PG_DUMP)) {
            Map<String, String> vars = env.variables();
            assertThat(vars).doesNotContainKeys("PGPASSWORD", "PGSERVICE", "pghost", "LC_ALL", "DATABASE_URL",
                            "POSTGRES_PASSWORD", "BACKUP_ENCRYPTION_KEY", "TELEGRAM_BOT_TOKEN")
                    .containsEntry("PATH", "/usr/bin").containsEntry("HOME", "/home/bot")
                    .containsEntry("PGHOST", "localhost").containsEntry("PGPORT", Integer.toString(TestPostgres.port()))
                    .containsEntry("PGDATABASE", "ext_bot_db").containsEntry("PGUSER", "ext_bot")
                    .containsEntry("PGSSLMODE", "disable").containsEntry("PGAPPNAME", "botdb pg_dump")
                    .containsEntry("LC_MESSAGES", "C");
            assertThat(vars.values()).noneMatch(v -> v.contains("s3cr"));
            passFile = env.passFile();
            assertThat(vars).containsEntry("PGPASSFILE", passFile.toString());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passFile))).isEqualTo("rw-------");
        }
        assertThat(passFile).doesNotExist();
        try (ChildEnvironment env = ChildEnvironment.forTarget(inherited, superuser("x"), Tool.PSQL)) {
            assertThat(env.passFile()).isNull();
            assertThat(env.variables()).doesNotContainKey("PGPASSFILE");
        }
    }

    @Test
    void childMessagesAreMaskedWhereverThePasswordAppears() {
        dev.botdb.config.Secret secret = dev.botdb.config.Secret.of("hunter2");
        assertThat(ChildProcess.mask("connection to postgres://bot:hunter2@db/x failed", secret))
                .isEqualTo("connection to postgres://bot:****@db/x failed");
        assertThat(ChildProcess.mask("options: password=hunter2 host=db", secret)).doesNotContain("hunter2");
        assertThat(ChildProcess.mask("echoed hunter2 back", secret)).isEqualTo("echoed **** back");
    }

    @Test
    void tableNamesBecomePgRestoreSchemaAndTableOptions() {
        assertThat(PgTools.tableOptions(List.of("public.users", "activities")))
                .containsExactly("--schema=public", "--table=users", "--table=activities");
        assertThat(PgTools.conninfoDbname("it's \\ odd=db")).isEqualTo("dbname='it\\'s \\\\ odd=db'");
    }

    @Test
    void gzipHelperWritesWhatTheReferenceScriptWouldAndPsqlRestoresIt() throws Exception {
        Path gz = dir.resolve("made-here.sql.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("CREATE TABLE from_gz (id int);\nINSERT INTO from_gz SELECT generate_series(1, 10);\n"
                    .getBytes(StandardCharsets.UTF_8));
        }
        freshDatabase("ext_made_gz");
        tools.restorePlainSql(superuser("ext_made_gz"), gz);
        assertThat(rowCounts("ext_made_gz")).containsExactly(Map.entry("public.from_gz", 10L));
    }
}
