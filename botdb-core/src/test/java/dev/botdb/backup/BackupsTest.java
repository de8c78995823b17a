package dev.botdb.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.TestPostgres;
import dev.botdb.backup.archive.ArchiveReader;
import dev.botdb.backup.archive.ArchiveWriter;
import dev.botdb.backup.archive.BackupKey;
import dev.botdb.backup.archive.EntryOutput;
import dev.botdb.backup.postgres.PgRestore;
import dev.botdb.copy.RowsHash;
import dev.botdb.backup.postgres.SplitLoad;
import dev.botdb.backup.retention.RetentionPolicy;
import dev.botdb.backup.schema.SchemaRoundTrip;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.SslMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * botdb's own backups against the real server (PostgreSQL 15 here, 18 in the CLI's tests): a
 * schema with every object kind and rows in it goes out and comes back equal, as pg_dump and
 * the rows' checksums see it; every refusal and every failure leaves the target as it was.
 */
class BackupsTest {
    private static String source;

    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    @BeforeAll
    static void buildSource() {
        SchemaRoundTrip.ensureRole();
        source = SchemaRoundTrip.freshDatabase("backup_src");
        SchemaRoundTrip.apply(source, "/backup/bot-schema.sql");
        SchemaRoundTrip.exec(source, """
                INSERT INTO public.users (telegram_id, name, settings)
                SELECT g, 'user' || g, jsonb_build_object('n', g) FROM generate_series(1000, 3999) g""", "ANALYZE");
    }

    static PostgresTarget target(String database) {
        return new PostgresTarget("localhost", TestPostgres.port(), database, "postgres", null, SslMode.DISABLE, Map.of(),
                Map.of(), Map.of());
    }

    private Backups backups(String database) {
        return Backups.of(target(database), BackupSettings.of(dir), log::add);
    }

    @Test
    void aBackupRestoresToAnEqualDatabase() throws Exception {
        BackupResult b = backups(source).backup();

        assertThat(b.file().getFileName().toString()).startsWith(source + "-").endsWith(".botdb");
        assertThat(Files.getPosixFilePermissions(b.file())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(b.manifest().tables()).extracting(Manifest.Table::qualified).contains("public.users", "public.messages");
        assertThat(b.manifest().tables().stream().filter(t -> t.qualified().equals("public.users")).findFirst().orElseThrow()
                .rows()).isEqualTo(rowCount(source, "public.users"));
        assertThat(b.manifest().serverVersion()).startsWith(String.valueOf(SchemaRoundTrip.serverMajor()));
        // rows in COPY's binary format where every column type means the same in any database
        assertThat(table(b, "public.messages").format()).isEqualTo(Manifest.Table.BINARY);
        assertThat(table(b, "public.users").format()).as("a domain over citext, a composite type").isEqualTo("text");
        assertThat(table(b, "public.chats").format()).as("a range over numeric of this database").isEqualTo("text");

        String copy = SchemaRoundTrip.freshDatabase("backup_copy");
        TestPostgres.exec("DROP DATABASE " + copy); // the restore creates it
        RestoreResult r = backups(source).restore(b.file(), target(copy));

        assertThat(r.createdDatabase()).isTrue();
        assertThat(SchemaRoundTrip.pgDump(copy, "--no-owner", "--no-privileges"))
                .isEqualTo(SchemaRoundTrip.pgDump(source, "--no-owner", "--no-privileges"));
        assertThat(contents(copy)).isEqualTo(contents(source));
        assertThat(nextval(copy, "public.messages_id_seq")).isEqualTo(nextval(source, "public.messages_id_seq"));
        // as a superuser the validated foreign keys came before the rows, and they hold
        assertThat(log).anyMatch(l -> l.matches("\\[Restore\\] [1-9]\\d* of \\d+ foreign keys created before the rows.*"));
        assertThatThrownBy(() -> SchemaRoundTrip.exec(copy, "INSERT INTO public.messages (chat_id, body) VALUES (-4242, 'x')"))
                .hasMessageContaining("foreign key");
    }

    @Test
    void aRoleThatMayNotTurnTriggersOffGetsItsForeignKeysValidatedAfterTheRows() throws Exception {
        String src = SchemaRoundTrip.freshDatabase("fk_src");
        SchemaRoundTrip.exec(src, """
                CREATE TABLE public.parent (id integer PRIMARY KEY, name text)""", """
                CREATE TABLE public.child (id integer PRIMARY KEY, parent_id integer NOT NULL REFERENCES public.parent (id))""",
                "INSERT INTO public.parent SELECT g, 'p' || g FROM generate_series(1, 100) g",
                "INSERT INTO public.child SELECT g, g % 100 + 1 FROM generate_series(1, 1000) g");
        BackupResult b = backups(src).backup();
        TestPostgres.createUserWithDatabase("botdb_fk_owner", "fk-owner-pw", "fk_owner_db");
        PostgresTarget owner = new PostgresTarget("localhost", TestPostgres.port(), "fk_owner_db", "botdb_fk_owner",
                dev.botdb.config.Secret.of("fk-owner-pw"), SslMode.DISABLE, Map.of(), Map.of(), Map.of());

        backups(src).restore(b.file(), owner);

        assertThat(log).anyMatch(l -> l.startsWith("[Restore] Foreign keys are validated after the rows"));
        assertThat(contents("fk_owner_db")).isEqualTo(contents(src));
        assertThatThrownBy(() -> SchemaRoundTrip.exec("fk_owner_db", "INSERT INTO public.child VALUES (5000, 4242)"))
                .hasMessageContaining("foreign key");
    }

    @Test
    void aBigTableIsLoadedByEveryConnectionAtOnceAndStillVerifies() throws Exception {
        long before = SplitLoad.splitFrom;
        SplitLoad.splitFrom = 1; // every table with rows is "big"
        try {
            Backups backups = backups(source);
            BackupResult b = backups.backup();
            String copy = "backup_split_" + ProcessHandle.current().pid();
            backups.restore(b.file(), target(copy));

            assertThat(contents(copy)).isEqualTo(contents(source));
            assertThat(backups.verify(b.file()).problems()).isEmpty();
        } finally {
            SplitLoad.splitFrom = before;
        }
    }

    @Test
    void aBigTableFoundDamagedWhileItLoadsLeavesNoDatabaseBehind() throws Exception {
        long before = SplitLoad.splitFrom;
        SplitLoad.splitFrom = 1; // every table with rows is "big"
        try {
            BackupResult b = backups(source).backup();
            Path bad = Files.copy(b.file(), dir.resolve("late-damage.botdb"));
            // passes the check before the restore; fails only when its rows are decompressed
            dev.botdb.backup.archive.ArchiveDamage.breakContentChecksum(bad, table(b, "public.users").entry());

            String fresh = "backup_split_damaged_" + ProcessHandle.current().pid();
            assertThatThrownBy(() -> backups(source).restore(bad, target(fresh)))
                    .isInstanceOf(BotDbException.class)
                    .hasMessageContaining("cannot be decompressed")
                    .hasMessageContaining("was dropped again");
            assertThat(databases()).doesNotContain(fresh);
        } finally {
            SplitLoad.splitFrom = before;
        }
    }

    @Test
    void theRowsHashIgnoresOrderButNotContent() {
        RowsHash a = new RowsHash();
        RowsHash b = new RowsHash();
        RowsHash c = new RowsHash();
        byte[] ab = "1\talice\n2\tbob\n".getBytes(StandardCharsets.UTF_8);
        byte[] ba = "2\tbob\n1\talice\n".getBytes(StandardCharsets.UTF_8);
        byte[] changed = "2\tbob\n1\talicf\n".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < ab.length; i++) {
            a.write(ab, i, 1); // byte by byte: rows across writes
        }
        b.write(ba, 0, ba.length);
        c.write(changed, 0, changed.length);
        assertThat(a.hex()).isEqualTo(b.hex()).startsWith("2:");
        assertThat(c.hex()).isNotEqualTo(a.hex());
    }

    @Test
    void binaryCopyRowsAreFoundHoweverTheStreamIsCut() throws Exception {
        byte[] out;
        try (Connection c = TestPostgres.server().getDatabase("postgres", source).getConnection()) {
            var buffer = new java.io.ByteArrayOutputStream();
            new org.postgresql.copy.CopyManager(c.unwrap(org.postgresql.core.BaseConnection.class)).copyOut("""
                    COPY (SELECT g, 'row ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE now() END, repeat('x', g * 40)
                          FROM generate_series(1, 50) g) TO STDOUT WITH (FORMAT binary)""", buffer);
            out = buffer.toByteArray();
        }
        RowsHash whole = new RowsHash(true);
        whole.write(out, 0, out.length);
        assertThat(whole.rows()).isEqualTo(50);
        for (int cut = 1; cut < out.length; cut += 7) {
            RowsHash parts = new RowsHash(true);
            parts.write(out, 0, cut);
            parts.write(out, cut, out.length - cut);
            assertThat(parts.hex()).as("cut at byte %d", cut).isEqualTo(whole.hex());
        }
        RowsHash text = new RowsHash(false);
        text.write(out, 0, out.length);
        assertThat(text.hex()).isNotEqualTo(whole.hex());
        byte[] damaged = out.clone();
        damaged[0] = 'X';
        assertThatThrownBy(() -> new RowsHash(true).write(damaged, 0, damaged.length))
                .hasMessageContaining("signature");
    }

    private static Manifest.Table table(BackupResult b, String qualified) {
        return b.manifest().tables().stream().filter(t -> t.qualified().equals(qualified)).findFirst().orElseThrow();
    }

    @Test
    void verifyRestoresIntoAScratchDatabaseComparesAndDropsIt() throws Exception {
        Backups backups = backups(source);
        BackupResult b = backups.backup();

        VerifyResult v = backups.verify(b.file());

        assertThat(v.problems()).isEmpty();
        assertThat(v.ok()).isTrue();
        assertThat(v.rows()).isEqualTo(b.manifest().totalRows());
        assertThat(databases()).noneMatch(d -> d.startsWith("botdb_verify_"));
        assertThat(backups.list()).singleElement().satisfies(i -> {
            assertThat(i.kind()).isEqualTo("botdb");
            assertThat(i.verifiedOk()).isTrue();
            assertThat(i.tables()).isEqualTo(b.manifest().tables().size());
        });
    }

    @Test
    void aDatabaseWithDataIsNotReplacedWithoutForceAndWithForceItIsBackedUpFirst() throws Exception {
        BackupResult b = backups(source).backup();
        String busy = SchemaRoundTrip.freshDatabase("backup_busy");
        SchemaRoundTrip.exec(busy, "CREATE TABLE precious (id int)", "INSERT INTO precious VALUES (42)");

        assertThatThrownBy(() -> backups(source).restore(b.file(), target(busy)))
                .isInstanceOf(BotDbException.class)
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.RESTORE_REFUSED))
                .hasMessageContaining("public.precious").hasMessageContaining("`force`");
        assertThat(rowCount(busy, "public.precious")).isEqualTo(1);

        RestoreResult r = backups(source).restore(b.file(), new RestoreRequest(target(busy), List.of(), true));

        assertThat(r.safetyBackup()).isPresent();
        assertThat(contents(busy)).isEqualTo(contents(source));
        String back = SchemaRoundTrip.freshDatabase("backup_back");
        backups(source).restore(r.safetyBackup().get(), target(back));
        assertThat(rowCount(back, "public.precious")).isEqualTo(1);
    }

    @Test
    void aDamagedArchiveIsRefusedBeforeTheTargetIsTouched() throws Exception {
        BackupResult b = backups(source).backup();
        long size = Files.size(b.file());
        try (FileChannel ch = FileChannel.open(b.file(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, size / 2);
            one.flip();
            byte flipped = (byte) (one.get(0) ^ 0x40);
            ch.write(ByteBuffer.wrap(new byte[] {flipped}), size / 2);
        }
        String fresh = "backup_never_" + ProcessHandle.current().pid();

        assertThatThrownBy(() -> backups(source).restore(b.file(), target(fresh)))
                .isInstanceOf(BotDbException.class)
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.BACKUP_INVALID));
        assertThat(databases()).doesNotContain(fresh);

        Path truncated = dir.resolve("truncated.botdb");
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(b.file()), (int) (size * 2 / 3)));
        assertThatThrownBy(() -> backups(source).restore(truncated, target(fresh)))
                .isInstanceOf(BotDbException.class)
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.BACKUP_INVALID));
        assertThat(databases()).doesNotContain(fresh);
    }

    @Test
    void aRestoreThatFailsHalfWayLeavesTheTargetAsItWas() throws Exception {
        Path bad = archiveWithBadRows(backups(source).backup().file());

        String fresh = "backup_failed_new_" + ProcessHandle.current().pid();
        assertThatThrownBy(() -> backups(source).restore(bad, target(fresh)))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining("was dropped again");
        assertThat(databases()).doesNotContain(fresh);

        String empty = SchemaRoundTrip.freshDatabase("backup_failed_empty");
        assertThatThrownBy(() -> backups(source).restore(bad, target(empty)))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining("is empty again");
        try (Connection c = TestPostgres.superuser(empty)) {
            assertThat(PgRestore.userObjects(c, 5)).isEmpty();
        }

        String busy = SchemaRoundTrip.freshDatabase("backup_failed_busy");
        SchemaRoundTrip.exec(busy, "CREATE TABLE precious (id int)", "INSERT INTO precious VALUES (7)");
        assertThatThrownBy(() -> backups(source).restore(bad, new RestoreRequest(target(busy), List.of(), true)))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining("put back from the safety backup");
        assertThat(rowCount(busy, "public.precious")).isEqualTo(1);
        assertThat(tables(busy)).containsExactly("public.precious");
    }

    @Test
    void oneTableComesBackAloneInOneTransaction() throws Exception {
        BackupResult b = backups(source).backup(new BackupRequest(List.of("public.users"), false));
        assertThat(b.manifest().partial()).isTrue();
        assertThat(b.manifest().tables()).extracting(Manifest.Table::qualified).containsExactly("public.users");
        BackupResult whole = backups(source).backup();

        String other = SchemaRoundTrip.freshDatabase("backup_one");
        RestoreResult r = backups(source).restore(whole.file(), new RestoreRequest(target(other), List.of("users"), false));
        assertThat(r.rows()).isEqualTo(rowCount(source, "public.users"));
        assertThat(rowCount(other, "public.users")).isEqualTo(rowCount(source, "public.users"));

        SchemaRoundTrip.exec(other, "DELETE FROM public.users WHERE id >= 2000");
        assertThatThrownBy(() -> backups(source).restore(whole.file(),
                new RestoreRequest(target(other), List.of("users"), false)))
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.RESTORE_REFUSED));
        backups(source).restore(whole.file(), new RestoreRequest(target(other), List.of("users"), true));
        assertThat(rowCount(other, "public.users")).isEqualTo(rowCount(source, "public.users"));

        assertThatThrownBy(() -> backups(source).restore(whole.file(),
                new RestoreRequest(target(other), List.of("no_such_table"), false)))
                .hasMessageContaining("has no table no_such_table");
    }

    @Test
    void anEncryptedBackupNeedsItsKey() throws Exception {
        Optional<BackupKey> key = Optional.of(BackupKey.ofPassphrase("correct horse battery staple", "test"));
        BackupResult b = backups(source).withKey(key).backup(new BackupRequest(List.of("public.users"), false));
        String fresh = "backup_key_" + ProcessHandle.current().pid();

        assertThatThrownBy(() -> backups(source).restore(b.file(), target(fresh)))
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.BACKUP_INVALID))
                .hasMessageContaining("BACKUP_ENCRYPTION_KEY");
        assertThatThrownBy(() -> backups(source).withKey(Optional.of(BackupKey.ofPassphrase("wrong", "test")))
                .restore(b.file(), target(fresh)))
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.BACKUP_INVALID));
        assertThat(databases()).doesNotContain(fresh);
        assertThat(Files.readString(b.file(), StandardCharsets.ISO_8859_1)).doesNotContain("user1000");

        backups(source).withKey(key).restore(b.file(), target(fresh));
        assertThat(rowCount(fresh, "public.users")).isEqualTo(rowCount(source, "public.users"));
        assertThat(backups(source).list()).singleElement().satisfies(i -> assertThat(i.encrypted()).isTrue());
    }

    @Test
    void anInterruptedBackupIsListedAsIncompleteAndNeverRestored() throws Exception {
        Path partial = dir.resolve(source + "-20260101T000000Z.botdb.partial");
        Files.write(partial, new byte[] {1, 2, 3});

        assertThat(backups(source).list()).singleElement().satisfies(i -> {
            assertThat(i.kind()).isEqualTo("incomplete");
            assertThat(i.usable()).isFalse();
        });
        assertThat(backups(source).newest()).isEmpty();
        assertThatThrownBy(() -> backups(source).restore(partial, target("never_" + ProcessHandle.current().pid())))
                .isInstanceOf(BotDbException.class);
    }

    @Test
    void pruneKeepsTheVerifiedBackupEvenWhenTheRulesWouldDropIt() throws Exception {
        Backups backups = backups(source);
        BackupResult first = backups.backup(new BackupRequest(List.of("public.users"), false));
        backups.verify(first.file());
        Thread.sleep(1100); // distinct file names (one-second stamps)
        BackupResult second = backups.backup(new BackupRequest(List.of("public.users"), false));

        backups.prune(new RetentionPolicy(0, 1, 0, 0, 0), true);
        assertThat(Files.exists(first.file())).as("dry run").isTrue();

        backups.prune(new RetentionPolicy(0, 1, 0, 0, 0), false);
        assertThat(Files.exists(second.file())).as("kept: the newest").isTrue();
        assertThat(Files.exists(first.file())).as("kept: the only verified one").isTrue();

        backups.verify(second.file());
        backups.prune(new RetentionPolicy(0, 1, 0, 0, 0), false);
        assertThat(Files.exists(first.file())).isFalse();
        assertThat(Files.exists(Verification.fileFor(first.file()))).isFalse();
        assertThat(Files.exists(second.file())).isTrue();
    }

    @Test
    void aBackupWhoseConnectionIsLostHalfWayLeavesNoFile() throws Exception {
        String big = SchemaRoundTrip.freshDatabase("backup_cut");
        SchemaRoundTrip.exec(big, "CREATE TABLE messages (id bigint PRIMARY KEY, body text)",
                "INSERT INTO messages SELECT g, repeat('chat message ', 20) || g FROM generate_series(1, 100000) g");
        try (dev.botdb.TcpProxy proxy = dev.botdb.TcpProxy.cuttingAfter(TestPostgres.port(), 4_000_000)) {
            PostgresTarget viaProxy = new PostgresTarget("localhost", proxy.port(), big, "postgres", null, SslMode.DISABLE,
                    Map.of(), Map.of(), Map.of());

            assertThatThrownBy(() -> Backups.of(viaProxy, BackupSettings.of(dir), log::add).backup())
                    .isInstanceOf(BotDbException.class)
                    .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.BACKUP_FAILED))
                    .hasMessageContaining("No backup file was written");
            assertThat(proxy.bytesFromServer()).as("the rows were flowing when the connection went").isGreaterThan(1_000_000);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).as("no .botdb, no .partial").isEmpty();
        }
        assertThat(backups(big).list()).isEmpty();
    }

    @Test
    void pgDumpArchivesAndPlainSqlFilesRestoreWithTheSamePromises() throws Exception {
        BackupResult dump = backups(source).backupWithPgDump(BackupRequest.all());
        assertThat(dump.file().getFileName().toString()).endsWith(".dump");
        assertThat(Files.getPosixFilePermissions(dump.file())).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        String fromDump = "backup_from_dump_" + ProcessHandle.current().pid();
        backups(source).restore(dump.file(), target(fromDump));
        assertThat(contents(fromDump)).isEqualTo(contents(source));
        assertThatThrownBy(() -> backups(source).restore(dump.file(), target(fromDump)))
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.RESTORE_REFUSED));

        Path sqlGz = dir.resolve("backup-20260106.sql.gz");
        String fromSql = "backup_from_sql_" + ProcessHandle.current().pid();
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "pg_dump --no-owner --no-privileges | gzip > '" + sqlGz + "'");
        pb.environment().put("PGHOST", "localhost");
        pb.environment().put("PGPORT", String.valueOf(TestPostgres.port()));
        pb.environment().put("PGUSER", "postgres");
        pb.environment().put("PGDATABASE", source);
        assertThat(pb.start().waitFor()).isZero();
        backups(source).restore(sqlGz, target(fromSql));
        assertThat(contents(fromSql)).isEqualTo(contents(source));
    }

    /** The backup with one table's rows replaced by text the server refuses, every checksum correct. */
    private Path archiveWithBadRows(Path good) throws IOException {
        Path bad = dir.resolve("bad.botdb");
        try (ArchiveReader in = ArchiveReader.open(good, Optional.empty())) {
            Manifest m = Manifest.fromJson(in.manifestJson(), good.toString());
            Manifest.Table users = m.tables().stream().filter(t -> t.qualified().equals("public.users")).findFirst()
                    .orElseThrow();
            ArchiveWriter out = ArchiveWriter.create(bad, Optional.empty(), 3);
            byte[] rows = "not a number\tx\n".getBytes(StandardCharsets.UTF_8);
            List<Manifest.Table> tables = new ArrayList<>();
            for (var e : in.entries()) {
                byte[] content;
                try (var s = in.openEntry(e.name())) {
                    content = e.name().equals(users.entry()) ? rows : s.readAllBytes();
                }
                try (EntryOutput o = out.openEntry(e.name())) {
                    o.write(content);
                    var info = o.closeEntry();
                    m.tables().stream().filter(t -> t.entry().equals(e.name())).findFirst().ifPresent(t ->
                            tables.add(new Manifest.Table(t.schema(), t.name(), t.entry(), t == users ? 1 : t.rows(),
                                    info.rawBytes(), info.sha256(), t.rowsHash(), t.format())));
                }
            }
            out.finish(new Manifest(m.format(), m.botdbVersion(), m.engine(), m.serverVersion(), m.database(),
                    m.createdAt(), m.durationMs(), m.partial(), m.ownership(), m.schemaChecksum(), tables, m.notes())
                    .toJson());
        }
        return bad;
    }

    /** Every table's row count and the SHA-256 of its rows in primary-key-free, order-free form. */
    static Map<String, String> contents(String database) throws SQLException {
        Map<String, String> result = new TreeMap<>();
        for (String table : tables(database)) {
            try (Connection c = TestPostgres.superuser(database); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY"
                         + " t::text)), '') FROM " + table + " t")) {
                rs.next();
                result.put(table, rs.getString(1));
            }
        }
        return result;
    }

    static List<String> tables(String database) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = TestPostgres.superuser(database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                       AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1""")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    static long rowCount(String database, String table) throws SQLException {
        try (Connection c = TestPostgres.superuser(database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long nextval(String database, String sequence) throws SQLException {
        try (Connection c = TestPostgres.superuser(database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT last_value FROM " + sequence)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static List<String> databases() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = TestPostgres.superuser("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT datname FROM pg_database")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }
}
