package dev.botdb.backup.rows;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.RestoreResult;
import dev.botdb.backup.archive.AppendSession;
import dev.botdb.backup.archive.ArchiveReader;
import dev.botdb.config.ConnectionTarget;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.SqliteTarget;
import dev.botdb.copy.BatchFile;
import dev.botdb.copy.SqliteRows;
import dev.botdb.dialect.QualifiedName;
import dev.botdb.pool.Connector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.postgresql.PGConnection;

/**
 * {@code botdb restore ARCHIVE_FILE [--table T] [--into NEW]}: puts archived rows back, into the live table or a
 * new one, in one transaction: every batch of the chosen tables, or nothing.
 */
public final class RowsRestore {
    private RowsRestore() {
    }

    /** Refuses a file whose last append is unsettled: that batch's rows may still be in the database. */
    public static void refusePending(Path file) {
        if (AppendSession.pendingWithoutLock(file).isPresent()) {
            throw new BotDbException(ErrorCode.RESTORE_REFUSED, "The last botdb archive run into " + file + " was"
                    + " stopped while writing a batch, so the file is unfinished. Run the same botdb archive command"
                    + " again (it settles that batch from the database's record, then carries on); then restore.");
        }
    }

    /**
     * @param tables the archive's tables to restore ({@code name} or {@code schema.name}); empty = all of them
     * @param into   a table to put the rows in instead of the one they came from (one table only), or null
     */
    public static RestoreResult run(Path file, ArchiveReader reader, RowsManifest manifest, ConnectionTarget to,
                                    List<String> tables, String into, Consumer<String> log) {
        long start = System.nanoTime();
        List<BatchFile.Table> chosen = choose(file, manifest, tables);
        if (into != null && chosen.size() != 1) {
            throw new BotDbException(ErrorCode.USAGE, "--into puts one table's rows somewhere else, but " + file
                    + " holds " + chosen.size() + " tables; choose one with --table.");
        }
        boolean sqlite = manifest.source().engine().equals("sqlite");
        if (sqlite != (to instanceof SqliteTarget)) {
            throw new BotDbException(ErrorCode.USAGE, file + " holds rows archived from " + manifest.source().engine()
                    + "; restore them into a " + manifest.source().engine() + " database (DATABASE_URL or --to).");
        }
        log.accept(String.format(Locale.ROOT, "[Restore] %s: archive of %s (%s), %d batches since %s; every chunk"
                        + " checked", file.getFileName(), manifest.source().tables().get(0).name(),
                manifest.source().database(), manifest.batches().size(), manifest.createdAt()));
        long rows = 0;
        try (Connection c = open(to)) {
            c.setAutoCommit(false);
            try {
                for (BatchFile.Table t : chosen) {
                    String target = into != null ? into : t.name();
                    long n = sqlite ? loadSqlite(c, reader, manifest, t, target, log) : loadPg(c, reader, manifest, t, target, log);
                    log.accept(String.format(Locale.ROOT, "[Restore] %,d rows into %s", n, target));
                    rows += n;
                }
                c.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failed(file, to, e, into);
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Restore of " + file + " failed reading it: " + e.getMessage()
                    + ". Nothing was restored. Check the file with botdb backup verify " + file + "; if it is damaged,"
                    + " restore from a copy of it.", e);
        }
        return new RestoreResult(chosen.size(), rows, false, Optional.empty(), (System.nanoTime() - start) / 1_000_000);
    }

    private static Connection open(ConnectionTarget to) throws SQLException {
        if (to instanceof SqliteTarget sqlite) {
            Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + sqlite.path().toAbsolutePath());
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 10000");
                st.execute("PRAGMA foreign_keys = ON");
            }
            return c;
        }
        return Connector.open((PostgresTarget) to);
    }

    /**
     * {@code botdb backup verify} of an archive file: every chunk was checked when it was opened; this reads every
     * entry to its end (its SHA-256 and zstd's checksums) and checks each batch's rows decode to the count the
     * manifest gives.
     */
    public static dev.botdb.backup.VerifyResult verify(Path file, ArchiveReader reader, RowsManifest manifest,
                                                       long start) throws IOException {
        List<String> problems = new ArrayList<>();
        long rows = 0;
        for (RowsManifest.Batch b : manifest.batches()) {
            for (var e : b.rows().entrySet()) {
                long n;
                try (InputStream in = reader.openEntry(RowsManifest.entry(b.number(), e.getKey()))) {
                    n = manifest.source().rowFormat().equals(BatchFile.Source.SQLITE_ROWS) ? countSqlite(in)
                            : countCopyBinary(in);
                }
                if (n != e.getValue()) {
                    problems.add("batch " + b.number() + " of " + e.getKey() + " holds " + n + " rows, the manifest says "
                            + e.getValue());
                }
                rows += n;
            }
        }
        return new dev.botdb.backup.VerifyResult(file, problems, manifest.source().tables().size(), rows,
                (System.nanoTime() - start) / 1_000_000);
    }

    private static long countCopyBinary(InputStream in) throws IOException {
        long[] n = {0};
        try (dev.botdb.copy.BinaryCopy rows = new dev.botdb.copy.BinaryCopy() {
            @Override
            protected void row(byte[] b, int off, int len) {
                n[0]++;
            }
        }) {
            in.transferTo(rows);
        }
        return n[0];
    }

    private static long countSqlite(InputStream in) throws IOException {
        SqliteRows.Reader r = new SqliteRows.Reader(in);
        long n = 0;
        while (r.next() != null) {
            n++;
        }
        return n;
    }

    private static List<BatchFile.Table> choose(Path file, RowsManifest manifest, List<String> wanted) {
        List<BatchFile.Table> all = manifest.source().tables();
        if (wanted.isEmpty()) {
            return all;
        }
        List<BatchFile.Table> out = new ArrayList<>();
        for (String w : wanted) {
            BatchFile.Table t = all.stream().filter(x -> x.name().equalsIgnoreCase(w)
                            || QualifiedName.parse(x.name()).name().equalsIgnoreCase(QualifiedName.parse(w).name()))
                    .findFirst().orElseThrow(() -> new BotDbException(ErrorCode.USAGE, file + " holds no rows of " + w
                            + "; it holds " + String.join(", ", all.stream().map(BatchFile.Table::name).toList()) + "."));
            out.add(t);
        }
        // the archived table before the ones that reference it, whatever order --table gave
        out.sort(java.util.Comparator.comparingInt(all::indexOf));
        return out;
    }

    private static BotDbException failed(Path file, ConnectionTarget to, SQLException e, String into) {
        String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        if (e instanceof org.postgresql.util.PSQLException pe && pe.getServerErrorMessage() != null
                && pe.getServerErrorMessage().getDetail() != null) {
            first = first + " (" + pe.getServerErrorMessage().getDetail().replaceAll("\\.$", "") + ")";
        }
        if ("23505".equals(e.getSQLState()) || String.valueOf(e.getMessage()).contains("UNIQUE constraint failed")) {
            return new BotDbException(ErrorCode.RESTORE_REFUSED, "Restore of " + file + " refused: " + first + ". Rows"
                    + " of the archive are in the table already (restored before?). Nothing was restored; to look at"
                    + " them beside the live rows, restore into a new table: --into NAME.", e);
        }
        if ("42804".equals(e.getSQLState()) || "22P03".equals(e.getSQLState())) {
            return new BotDbException(ErrorCode.RESTORE_REFUSED, "Restore of " + file + " refused: " + first + ". The"
                    + " table's columns changed since the rows were archived. Nothing was restored; restore into a new"
                    + " table (--into NAME), which botdb creates with the archived columns.", e);
        }
        return new BotDbException(ErrorCode.BACKUP_FAILED, "Restore of " + file + " into " + to.displayName()
                + (into != null ? " (" + into + ")" : "") + " failed: " + first + ". Nothing was restored.", e);
    }

    private static String q(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String columnList(BatchFile.Table t) {
        return String.join(", ", t.columns().stream().map(RowsRestore::q).toList());
    }

    private static long loadPg(Connection c, ArchiveReader reader, RowsManifest manifest, BatchFile.Table t,
                               String target, Consumer<String> log) throws SQLException, IOException {
        QualifiedName name = QualifiedName.parse(target);
        if (!existsPg(c, name)) {
            log.accept("[Restore] created " + name.sql() + (createPg(c, t, name) ? " like the live " + t.name()
                    : " with the archived columns of " + t.name()));
        }
        var copy = c.unwrap(PGConnection.class).getCopyAPI();
        String sql = "COPY " + name.sql() + " (" + columnList(t) + ") FROM STDIN (FORMAT binary)";
        long rows = 0;
        for (RowsManifest.Batch b : manifest.batches()) {
            if (b.rows().getOrDefault(t.name(), 0L) == 0) {
                continue;
            }
            try (InputStream in = reader.openEntry(RowsManifest.entry(b.number(), t.name()))) {
                rows += copy.copyIn(sql, in);
            }
        }
        advanceSequences(c, name, t);
        return rows;
    }

    private static boolean existsPg(Connection c, QualifiedName name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, name.sql());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Like the live table when it is there (defaults, constraints, indexes), else from the archived columns. */
    private static boolean createPg(Connection c, BatchFile.Table t, QualifiedName name) throws SQLException {
        QualifiedName source = QualifiedName.parse(t.name());
        try (Statement s = c.createStatement()) {
            if (existsPg(c, source)) {
                s.execute("CREATE TABLE " + name.sql() + " (LIKE " + source.sql()
                        + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES INCLUDING GENERATED)");
                return true;
            }
            List<String> cols = new ArrayList<>();
            for (int i = 0; i < t.columns().size(); i++) {
                cols.add(q(t.columns().get(i)) + " " + t.types().get(i) + (t.notNull().get(i) ? " NOT NULL" : ""));
            }
            s.execute("CREATE TABLE " + name.sql() + " (" + String.join(", ", cols) + ")");
            return false;
        }
    }

    /** Serial and identity sequences past the largest value now in the table (never back). */
    private static void advanceSequences(Connection c, QualifiedName name, BatchFile.Table t) throws SQLException {
        for (String col : t.columns()) {
            String seq;
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_get_serial_sequence(?, ?)")) {
                ps.setString(1, name.sql());
                ps.setString(2, col);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    seq = rs.getString(1);
                }
            }
            if (seq != null) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT setval('" + seq.replace("'", "''") + "', m) FROM (SELECT max(" + q(col) + ") m FROM "
                            + name.sql() + ") x, " + seq + " s WHERE m > s.last_value OR (m = s.last_value AND NOT s.is_called)");
                }
            }
        }
    }

    private static long loadSqlite(Connection c, ArchiveReader reader, RowsManifest manifest, BatchFile.Table t,
                                   String target, Consumer<String> log) throws SQLException, IOException {
        boolean exists;
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?"
                + " COLLATE NOCASE")) {
            ps.setString(1, target);
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
            }
        }
        if (!exists) {
            try (Statement s = c.createStatement()) {
                String ddl = t.createSql();
                s.execute("CREATE TABLE " + q(target) + " " + ddl.substring(ddl.indexOf('(')));
            }
            log.accept("[Restore] created " + target + " like the archived " + t.name());
        }
        String marks = String.join(", ", t.columns().stream().map(x -> "?").toList());
        long rows = 0;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + q(target) + " (" + columnList(t) + ") VALUES ("
                + marks + ")")) {
            for (RowsManifest.Batch b : manifest.batches()) {
                if (b.rows().getOrDefault(t.name(), 0L) == 0) {
                    continue;
                }
                try (InputStream in = reader.openEntry(RowsManifest.entry(b.number(), t.name()))) {
                    SqliteRows.Reader rowsIn = new SqliteRows.Reader(in);
                    for (Object[] row = rowsIn.next(); row != null; row = rowsIn.next()) {
                        for (int i = 0; i < row.length; i++) {
                            ps.setObject(i + 1, row[i]);
                        }
                        ps.addBatch();
                        if (++rows % 1000 == 0) {
                            ps.executeBatch();
                        }
                    }
                }
            }
            ps.executeBatch();
        }
        return rows;
    }
}
