package dev.botdb.backup;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.archive.ArchiveReader;
import dev.botdb.backup.postgres.PgDatabases;
import dev.botdb.backup.postgres.PgRestore;
import dev.botdb.backup.postgres.PgSession;
import dev.botdb.copy.RowsHash;
import dev.botdb.backup.postgres.SplitLoad;
import dev.botdb.backup.schema.PgSchemaReader;
import dev.botdb.backup.sqlite.SqliteBackup;
import dev.botdb.backup.tasks.Cleanups;
import dev.botdb.dialect.QualifiedName;
import dev.botdb.backup.schema.SchemaDump;
import dev.botdb.backup.schema.SchemaOptions;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.SqliteTarget;
import dev.botdb.pool.Connector;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * {@code botdb backup verify}: restores the archive into a scratch database on the same server,
 * reads every table back and compares its row count and the SHA-256 of its rows, and the schema's
 * checksum, with the manifest; then drops the scratch database whatever happened. The result is
 * remembered next to the archive ({@code NAME.botdb.verified}) for {@code list} and {@code prune}.
 */
final class Verifier {
    private Verifier() {
    }

    static VerifyResult run(Path file, Backups backups) {
        long start = System.nanoTime();
        dev.botdb.backup.rows.RowsRestore.refusePending(file);
        try (ArchiveReader archive = backups.openChecked(file)) {
            var rows = dev.botdb.backup.rows.RowsManifest.of(archive.manifestJson(), file.toString());
            if (rows.isPresent()) {
                return dev.botdb.backup.rows.RowsRestore.verify(file, archive, rows.get(), start);
            }
            Manifest manifest = Manifest.fromJson(archive.manifestJson(), file.toString());
            VerifyResult result;
            if (manifest.engine().equals("sqlite")) {
                result = SqliteBackup.verify(file, archive, manifest, start);
            } else {
                if (!(backups.target() instanceof PostgresTarget pg)) {
                    throw new BotDbException(ErrorCode.USAGE, "Verifying a PostgreSQL backup needs a PostgreSQL server to"
                            + " restore it on; DATABASE_URL points to SQLite. Run it with DATABASE_URL set to a PostgreSQL"
                            + " server (or unset, for the embedded one).");
                }
                result = verifyPostgres(file, archive, manifest, pg, backups, start);
            }
            Verification.record(file, result); // the caller prints the result it returns
            return result;
        } catch (BotDbException e) {
            if (e.code() == ErrorCode.BACKUP_INVALID) {
                Verification.record(file, new VerifyResult(file, List.of(e.getMessage()), 0, 0,
                        (System.nanoTime() - start) / 1_000_000));
            }
            throw e;
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Verify of " + file + " could not run: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Verify of " + file + " could not read it: " + e.getMessage(), e);
        }
    }

    /** Scratch databases of verify runs, with the comment naming the process that made each. */
    private static final String SCRATCH_DATABASES = """
            SELECT d.datname, pg_catalog.shobj_description(d.oid, 'pg_database') AS owner
            FROM pg_catalog.pg_database d
            WHERE d.datname LIKE 'botdb\\_verify\\_%'
            """;

    /** How a scratch database names its maker, in its comment. */
    static final String SCRATCH = "botdb verify scratch";

    /**
     * Drops the scratch databases that verify runs on this host left when they were killed: their
     * comment names a process that is gone (or a pid now used by another process).
     */
    static void dropOrphanedScratch(PostgresTarget server, Backups backups) throws SQLException {
        List<String> orphans = new ArrayList<>();
        try (Connection c = Connector.open(PgDatabases.maintenance(server)); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery(SCRATCH_DATABASES)) {
            while (rs.next()) {
                if (Cleanups.leftByGoneProcess(rs.getString("owner"), SCRATCH)) {
                    orphans.add(rs.getString("datname"));
                }
            }
        }
        for (String name : orphans) {
            PgDatabases.dropDatabase(server.withDatabase(name));
            backups.log().accept("[Verify] Dropped " + name + ", left by a verify run that was killed");
        }
    }

    private static VerifyResult verifyPostgres(Path file, ArchiveReader archive, Manifest manifest, PostgresTarget server,
                                               Backups backups, long start) throws SQLException, IOException {
        SchemaDump schema = Backups.schemaOf(archive);
        dropOrphanedScratch(server, backups);
        PostgresTarget scratch = server.withDatabase("botdb_verify_" + ProcessHandle.current().pid() + "_"
                + Long.toHexString(System.nanoTime()));
        PgDatabases.createDatabase(scratch);
        // SIGTERM (a cron job's timeout): drop the scratch database before the process ends; a
        // SIGKILL skips this, and the next verify drops it by the comment markScratch writes
        Cleanups.Handle onStop = Cleanups.register("dropping the scratch database " + scratch.database(), () -> {
            try {
                PgDatabases.dropDatabase(scratch);
                System.err.println("[Verify] Stopped: dropped the scratch database " + scratch.database() + ".");
            } catch (SQLException e) {
                throw new IllegalStateException("could not drop " + scratch.database() + ": " + e.getMessage()
                        + "; the next botdb backup verify drops it", e);
            }
        });
        try {
            markScratch(scratch);
            PgRestore.load(archive, manifest, schema, scratch, backups.settings().jobs(), backups.log());
            List<String> problems = Collections.synchronizedList(new ArrayList<>());
            schemaProblems(scratch, manifest, problems);
            Map<String, RowsHash> hashes = new ConcurrentHashMap<>();
            Map<String, HashingStream> digests = new ConcurrentHashMap<>();
            readBack(scratch, schema, manifest, backups.settings().jobs(), hashes, digests);
            long rows = rowProblems(manifest, hashes, digests, problems);
            return new VerifyResult(file, problems, manifest.tables().size(), rows, (System.nanoTime() - start) / 1_000_000);
        } finally {
            PgDatabases.dropDatabase(scratch);
            onStop.close();
        }
    }

    /** Who made the scratch database, in its comment, so a later run can drop it when this process was killed. */
    private static void markScratch(PostgresTarget scratch) throws SQLException {
        try (Connection c = Connector.open(PgDatabases.maintenance(scratch));
             var ps = c.prepareStatement("SELECT format('COMMENT ON DATABASE %I IS %L', ?, ?)")) {
            ps.setString(1, scratch.database());
            ps.setString(2, Cleanups.mark(SCRATCH, ProcessHandle.current()));
            try (java.sql.ResultSet rs = ps.executeQuery(); Statement st = c.createStatement()) {
                rs.next();
                st.execute(rs.getString(1));
            }
        }
    }

    /** The restored schema, read back from the catalogs, must have the backup's checksum. */
    private static void schemaProblems(PostgresTarget scratch, Manifest manifest, List<String> problems)
            throws SQLException {
        try (Connection c = Connector.open(scratch)) {
            c.setAutoCommit(false);
            PgSession.forReading(c);
            SchemaDump restored = PgSchemaReader.read(c, new SchemaOptions(
                    manifest.partial() ? manifest.tables().stream().map(t -> new QualifiedName(t.schema(), t.name()))
                            .collect(java.util.stream.Collectors.toSet()) : java.util.Set.of(), manifest.ownership()));
            c.rollback();
            if (!restored.checksum().equals(manifest.schemaChecksum())) {
                problems.add("the restored schema differs from the backup's (checksum " + restored.checksum()
                        + ", manifest " + manifest.schemaChecksum() + ")");
            }
        }
    }

    /**
     * Every restored table's rows, copied out and hashed. A big table is read back by every
     * connection at once, each a range of its pages (its rows hash does not depend on order, and
     * the parts' hashes add up).
     */
    private static void readBack(PostgresTarget scratch, SchemaDump schema, Manifest manifest, int jobs,
                                 Map<String, RowsHash> hashes, Map<String, HashingStream> digests)
            throws SQLException, IOException {
        Map<String, List<String>> columns = new java.util.HashMap<>();
        schema.tables().forEach(t -> columns.put(t.name().schema() + "." + t.name().name(), t.copyColumns()));
        List<Part> parts = new ArrayList<>();
        try (Connection c = Connector.open(scratch)) {
            for (Manifest.Table t : manifest.tables()) {
                long pages = t.rowsHash() != null && jobs > 1 && t.bytes() >= SplitLoad.splitFrom ? pages(c, t) : 0;
                if (pages >= jobs) {
                    for (int i = 0; i < jobs; i++) {
                        parts.add(new Part(t, pages * i / jobs, i == jobs - 1 ? -1 : pages * (i + 1) / jobs));
                    }
                } else {
                    parts.add(new Part(t, 0, -1));
                }
                hashes.put(t.qualified(), new RowsHash(t.binary()));
            }
        }
        ConcurrentLinkedQueue<Part> queue = new ConcurrentLinkedQueue<>(parts);
        PgRestore.parallel(scratch, schema, jobs, c -> {
            PgSession.forReading(c);
            CopyManager copy = new CopyManager(c.unwrap(BaseConnection.class));
            Part p;
            while ((p = queue.poll()) != null) {
                Manifest.Table t = p.table();
                String cols = String.join(", ", columns.get(t.qualified()));
                String table = new QualifiedName(t.schema(), t.name()).sql();
                String sql = (p.from() == 0 && p.to() < 0 ? "COPY " + table + " (" + cols + ") TO STDOUT"
                        : "COPY (SELECT " + cols + " FROM " + table + " WHERE ctid >= '(" + p.from() + ",0)'::tid"
                        + (p.to() < 0 ? "" : " AND ctid < '(" + p.to() + ",0)'::tid") + ") TO STDOUT")
                        + t.copyOptions();
                if (t.rowsHash() != null) {
                    RowsHash part = new RowsHash(t.binary());
                    copy.copyOut(sql, part);
                    hashes.get(t.qualified()).add(part);
                } else {
                    HashingStream sha = new HashingStream();
                    RowsHash count = new RowsHash(t.binary());
                    copy.copyOut(sql, new java.io.OutputStream() {
                        @Override
                        public void write(int b) {
                            sha.write(b);
                            count.write(b);
                        }

                        @Override
                        public void write(byte[] b, int off, int len) {
                            sha.write(b, off, len);
                            count.write(b, off, len);
                        }
                    });
                    digests.put(t.qualified(), sha);
                    hashes.get(t.qualified()).add(count);
                }
            }
        });
    }

    /** Each table's row count and rows' checksum against the manifest; the rows read back in all. */
    private static long rowProblems(Manifest manifest, Map<String, RowsHash> hashes, Map<String, HashingStream> digests,
                                    List<String> problems) {
        long rows = 0;
        for (Manifest.Table t : manifest.tables()) {
            RowsHash h = hashes.get(t.qualified());
            long found = h.rows();
            rows += found;
            if (found != t.rows()) {
                problems.add(t.qualified() + ": " + found + " rows restored, the manifest says " + t.rows());
                continue;
            }
            // order-free when the manifest has it (a table loaded by several connections keeps its
            // rows but not their order); else the stream's SHA-256
            String sum = t.rowsHash() != null ? h.hex() : digests.get(t.qualified()).hex();
            String expected = t.rowsHash() != null ? t.rowsHash() : t.sha256();
            if (!sum.equals(expected)) {
                problems.add(t.qualified() + ": the restored rows differ from the backup's (checksum " + sum
                        + ", manifest " + expected + ")");
            }
        }
        return rows;
    }

    /** Pages {@code [from, to)} of a table ({@code to} < 0: to the end). */
    private record Part(Manifest.Table table, long from, long to) {
    }

    private static long pages(Connection c, Manifest.Table t) throws SQLException {
        try (var ps = c.prepareStatement("SELECT pg_relation_size(?::regclass) / current_setting('block_size')::int")) {
            ps.setString(1, new QualifiedName(t.schema(), t.name()).sql());
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** SHA-256 of what is written, nothing kept. */
    static final class HashingStream extends OutputStream {
        private final MessageDigest digest;

        HashingStream() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM has SHA-256", e);
            }
        }

        @Override
        public void write(int b) {
            digest.update((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            digest.update(b, off, len);
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }
}
