package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.botdb.TestPostgres;
import dev.botdb.backup.Manifest;
import dev.botdb.backup.archive.ArchiveReader;
import dev.botdb.backup.archive.BackupKey;
import dev.botdb.backup.schema.SchemaRoundTrip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * backup, backup verify / list / prune and restore as an operator types them, against the CLI's
 * test server (PostgreSQL 18, which Debian's pg_dump 15 cannot dump): a schema with every object
 * kind goes out and comes back with the same schema checksum and the same rows, table by table.
 */
class BackupCommandTest {
    private static String source;

    @TempDir
    Path dir;

    @BeforeAll
    static void sourceDatabase() {
        SchemaRoundTrip.ensureRole();
        source = SchemaRoundTrip.freshDatabase("cli_backup_src");
        SchemaRoundTrip.apply(source, "/backup/bot-schema.sql");
        SchemaRoundTrip.exec(source, """
                INSERT INTO public.users (telegram_id, name, settings)
                SELECT g, 'user' || g, jsonb_build_object('n', g) FROM generate_series(1000, 2999) g""");
    }

    private Map<String, String> env(String database, String... more) {
        Map<String, String> env = new HashMap<>(TestPostgres.env("postgres://postgres@localhost:" + TestPostgres.port()
                + "/" + database, "BACKUP_DIR", dir.toString()));
        for (int i = 0; i + 1 < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    @Test
    void verifyOfAFileNamedWithoutAFolderPrintsItsResultOnceAndRecordsIt() throws Exception {
        CliRun backup = CliRun.of(env(source), "backup");
        assertThat(backup.exitCode()).as(backup.all()).isZero();
        // a bare name is relative to the working directory: the test's is the module folder
        Path bare = Path.of("verify-bare-" + ProcessHandle.current().pid() + ".botdb");
        Files.copy(Path.of(backup.out().trim()), bare);
        try {
            CliRun verify = CliRun.of(env(source), "backup", "verify", bare.toString());
            assertThat(verify.exitCode()).as(verify.all()).isZero();
            assertThat(verify.all().split("verified:", -1)).as(verify.all()).hasSize(2);
            assertThat(Path.of(bare + ".verified")).exists();
        } finally {
            Files.deleteIfExists(bare);
            Files.deleteIfExists(Path.of(bare + ".verified"));
        }
    }

    @Test
    void listAndPruneTakePgDumpSqlFilesAlongAndNeverTouchOtherSqlFiles() throws Exception {
        Path dump = dir.resolve("backup-2026-01-01.sql");
        Files.writeString(dump, "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n");
        Path gz = dir.resolve("backup-2026-01-02.sql.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("--\n-- PostgreSQL database dump\n--\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Path schema = dir.resolve("schema.sql");
        Files.writeString(schema, "CREATE TABLE t (id int);\n");
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofDays(60)));
        for (Path p : List.of(dump, gz, schema)) {
            Files.setLastModifiedTime(p, old);
        }
        CliRun backup = CliRun.of(env(source), "backup");
        assertThat(backup.exitCode()).as(backup.all()).isZero();

        CliRun list = CliRun.of(env(source), "backup", "list");
        assertThat(list.exitCode()).as(list.all()).isZero();
        assertThat(list.out()).containsPattern("backup-2026-01-01.sql +sql .*not verifiable by botdb")
                .containsPattern("backup-2026-01-02.sql.gz +sql .*not verifiable by botdb")
                .containsPattern("schema.sql +other .*not a pg_dump file");

        CliRun prune = CliRun.of(env(source), "backup", "prune", "--keep-days", "30");
        assertThat(prune.exitCode()).as(prune.all()).isZero();
        assertThat(prune.out()).contains("deleted backup-2026-01-01.sql").contains("deleted backup-2026-01-02.sql.gz");
        assertThat(dump).doesNotExist();
        assertThat(gz).doesNotExist();
        assertThat(schema).exists();
        assertThat(Path.of(backup.out().trim())).exists();
    }

    @Test
    void aBackupOfOneTableSaysWhichInItsFileNameAndInList() throws Exception {
        CliRun backup = CliRun.of(env(source), "backup", "--table", "users");
        assertThat(backup.exitCode()).as(backup.all()).isZero();
        String name = Path.of(backup.out().trim()).getFileName().toString();
        assertThat(name).startsWith("cli_backup_src").contains("-users-").endsWith(".botdb");
        CliRun list = CliRun.of(env(source), "backup", "list");
        assertThat(list.out()).containsPattern(java.util.regex.Pattern.quote(name) + " .* public\\.users ");
        assertThat(CliRun.of(env(source), "backup", "list", "--json").out()).contains("\"only_tables\" : [ \"public.users\" ]");
    }

    @Test
    void anEmptyBackupDirIsAConfigurationErrorNotTheCurrentFolder() {
        for (String[] args : new String[][] {{"backup"}, {"backup", "list"}, {"backup", "prune", "--keep-last", "1"}}) {
            CliRun run = CliRun.of(env(source, "BACKUP_DIR", ""), args);
            assertThat(run.exitCode()).as(String.join(" ", args) + ": " + run.all()).isEqualTo(3);
            assertThat(run.err()).contains("BACKUP_DIR is set but empty");
        }
    }

    @Test
    void backupVerifyRestoreAndBackupAgainGiveTheSameChecksums() throws Exception {
        CliRun backup = CliRun.of(env(source), "backup", "--verify");
        assertThat(backup.exitCode()).as(backup.all()).isZero();
        Path file = Path.of(backup.out().lines().findFirst().orElseThrow());
        assertThat(backup.out()).contains("verified:");
        assertThat(backup.err()).contains("[Backup]").contains("tables");

        CliRun restore = CliRun.of(env(source), "restore", file.toString(), "--to", "cli_backup_copy");
        assertThat(restore.exitCode()).as(restore.all()).isZero();
        assertThat(restore.out()).contains("Restored").contains("cli_backup_copy");

        CliRun again = CliRun.of(env("cli_backup_copy"), "backup");
        assertThat(again.exitCode()).as(again.all()).isZero();
        Manifest original = manifest(file);
        Manifest copy = manifest(Path.of(again.out().trim()));
        assertThat(copy.schemaChecksum()).isEqualTo(original.schemaChecksum());
        assertThat(checksums(copy)).isEqualTo(checksums(original));
        assertThat(original.serverVersion()).startsWith("18");

        CliRun list = CliRun.of(env(source), "backup", "list");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).contains(file.getFileName().toString()).contains("ok, ");
        List<Object> json = JSON.std.listFrom(CliRun.of(env(source), "backup", "list", "--json").out());
        assertThat(json).hasSize(2);
    }

    /**
     * A backup botdb took on PostgreSQL 15 (src/test/resources/backup/pg15-every-type.botdb: one
     * table with a column of nearly every built-in type, an enum and a domain, stored in COPY's
     * binary format, with NaN, infinities, -0, NULLs, unicode, leap days, time zones) restored on
     * this PostgreSQL 18 server: every value equal, as the text of each row shows it on both. The
     * checksum was taken on the 15 server when the fixture was written.
     */
    @Test
    void aBackupTakenOnPostgres15InBinaryRestoresHereWithEveryValueEqual() throws Exception {
        Path file = dir.resolve("pg15-every-type.botdb");
        try (var in = BackupCommandTest.class.getResourceAsStream("/backup/pg15-every-type.botdb")) {
            Files.copy(java.util.Objects.requireNonNull(in, "fixture"), file);
        }
        Manifest m = manifest(file);
        assertThat(m.serverVersion()).startsWith("15");
        assertThat(m.tables()).singleElement().extracting(Manifest.Table::format).isEqualTo(Manifest.Table.BINARY);

        CliRun restore = CliRun.of(env(source), "restore", file.toString(), "--to", "cli_from_15");
        assertThat(restore.exitCode()).as(restore.all()).isZero();

        try (var c = TestPostgres.server().getDatabase("postgres", "cli_from_15").getConnection();
             var st = c.createStatement()) {
            st.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres';"
                    + " SET extra_float_digits = 1");
            try (var rs = st.executeQuery("SELECT md5(string_agg(t::text, E'\\n' ORDER BY id)), count(*)"
                    + " FROM public.every_type t")) {
                rs.next();
                assertThat(rs.getLong(2)).isEqualTo(201);
                assertThat(rs.getString(1)).isEqualTo("95df2a4262c6913da1f5189491dde5a8");
            }
            try (var rs = st.executeQuery("SELECT current_setting('server_version_num')::int")) {
                rs.next();
                assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(180000);
            }
        }
    }

    @Test
    void restoreRefusesADatabaseWithDataUnlessForcedAndThenBacksItUpFirst() throws Exception {
        Path file = Path.of(CliRun.of(env(source), "backup", "--table", "users").out().trim());
        String target = SchemaRoundTrip.freshDatabase("cli_backup_busy");
        SchemaRoundTrip.exec(target, "CREATE TABLE keep_me (id int)", "INSERT INTO keep_me VALUES (1)");

        CliRun refused = CliRun.of(env(target), "restore", file.toString());
        assertThat(refused.exitCode()).isEqualTo(16);
        assertThat(refused.err()).contains("already holds data (public.keep_me)").contains("add --force to replace what is there").doesNotContain("`");

        CliRun forced = CliRun.of(env(target), "restore", file.toString(), "--force");
        assertThat(forced.exitCode()).as(forced.all()).isZero();
        assertThat(forced.out()).contains("what was there before is in");
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).collect(Collectors.toList()))
                .anyMatch(n -> n.startsWith("pre-restore-cli_backup_busy"));
    }

    @Test
    void badInputGetsItsExitCodeAndSaysWhatToDo() throws Exception {
        CliRun password = CliRun.of(env(source), "restore", "x.botdb", "--to", "postgres://u:secret@localhost/db");
        assertThat(password.exitCode()).isEqualTo(2);
        assertThat(password.err()).contains("password").doesNotContain("secret");

        Path notABackup = Files.writeString(dir.resolve("notes.txt"), "\u0000\u0001 binary junk \u0002");
        CliRun junk = CliRun.of(env(source), "restore", notABackup.toString(), "--to", "cli_backup_never");
        assertThat(junk.exitCode()).isEqualTo(15);

        CliRun pgDump = CliRun.of(env(source), "backup", "--format", "pg_dump");
        assertThat(pgDump.exitCode()).as(pgDump.all()).isEqualTo(17);
        assertThat(pgDump.err()).contains("pg_dump 15 cannot dump a PostgreSQL 18 server");

        CliRun prune = CliRun.of(env(source), "backup", "prune");
        assertThat(prune.exitCode()).isEqualTo(2);
        assertThat(prune.err()).contains("--keep-days");

        CliRun verifyNothing = CliRun.of(env(source), "backup", "verify");
        assertThat(verifyNothing.exitCode()).isEqualTo(15);
        assertThat(verifyNothing.err()).contains("There is no backup to verify");
    }

    @Test
    void anEncryptedBackupNeedsTheKeyToRestore() throws Exception {
        CliRun backup = CliRun.of(env(source, "BACKUP_ENCRYPTION_KEY", "s3cret passphrase"), "backup", "-t", "users");
        assertThat(backup.exitCode()).as(backup.all()).isZero();
        Path file = Path.of(backup.out().trim());

        CliRun noKey = CliRun.of(env(source), "restore", file.toString(), "--to", "cli_backup_enc");
        assertThat(noKey.exitCode()).isEqualTo(15);
        assertThat(noKey.err()).contains("BACKUP_ENCRYPTION_KEY");
        assertThat(noKey.all()).doesNotContain("s3cret");

        CliRun withKey = CliRun.of(env(source, "BACKUP_ENCRYPTION_KEY", "s3cret passphrase"), "restore", file.toString(),
                "--to", "cli_backup_enc");
        assertThat(withKey.exitCode()).as(withKey.all()).isZero();
        assertThat(withKey.all()).doesNotContain("s3cret");
    }

    @Test
    void pruneKeepsWhatTheRulesSay() throws Exception {
        Path first = Path.of(CliRun.of(env(source), "backup", "-t", "users").out().trim());
        Thread.sleep(1100);
        Path second = Path.of(CliRun.of(env(source), "backup", "-t", "users").out().trim());

        CliRun dry = CliRun.of(env(source), "backup", "prune", "--keep-last", "1", "--dry-run");
        assertThat(dry.exitCode()).as(dry.all()).isZero();
        assertThat(dry.out()).contains("would delete " + first.getFileName());
        assertThat(first).exists();

        CliRun prune = CliRun.of(env(source), "backup", "prune", "--keep-last", "1");
        assertThat(prune.exitCode()).as(prune.all()).isZero();
        assertThat(first).doesNotExist();
        assertThat(second).exists();
    }

    private static Manifest manifest(Path file) {
        try (ArchiveReader r = ArchiveReader.open(file, Optional.<BackupKey>empty())) {
            return Manifest.fromJson(r.manifestJson(), file.toString());
        }
    }

    private static Map<String, String> checksums(Manifest m) {
        return m.tables().stream().collect(Collectors.toMap(Manifest.Table::qualified, t -> t.rows() + ":" + t.sha256()));
    }
}
