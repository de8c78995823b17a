package dev.botdb.exchange;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Engine;
import dev.botdb.copy.BatchFile;
import dev.botdb.copy.SqliteRows;
import dev.botdb.dialect.QualifiedName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * {@code botdb archive --to FILE}: each batch is one database transaction that deletes the rows (returning them
 * as COPY binary on PostgreSQL, as {@link SqliteRows} on SQLite) and records {@code (archive id, batch)} in
 * {@code botdb_archive_batches}; the rows are written to the file and made durable before that transaction
 * commits, and the file's batch is made final after it. A kill between the two leaves the batch pending in the
 * file; the next run looks for its record: there (the delete committed) the batch is kept, missing (the rows
 * are still in the table) it is undone. So no row is lost or archived twice, and the run carries on.
 */
final class ArchiveToFile {
    static final String BATCHES_TABLE = "botdb_archive_batches";

    private static final String CREATE_BATCHES_PG = """
            CREATE TABLE IF NOT EXISTS botdb_archive_batches (
                archive_id  text        NOT NULL,
                batch       bigint      NOT NULL,
                source      text        NOT NULL,
                file        text        NOT NULL,
                rows        bigint      NOT NULL,
                archived_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (archive_id, batch)
            )""";

    private static final String CREATE_BATCHES_SQLITE = """
            CREATE TABLE IF NOT EXISTS botdb_archive_batches (
                archive_id  TEXT    NOT NULL,
                batch       INTEGER NOT NULL,
                source      TEXT    NOT NULL,
                file        TEXT    NOT NULL,
                rows        INTEGER NOT NULL,
                archived_at TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP,
                PRIMARY KEY (archive_id, batch)
            )""";

    private final Connection connection;
    private final Engine engine;
    private final Consumer<String> log;
    private final BatchFile.Opener files;

    ArchiveToFile(Connection connection, Engine engine, Consumer<String> log, BatchFile.Opener files) {
        this.connection = connection;
        this.engine = engine;
        this.log = log;
        this.files = files;
    }

    record Outcome(long rows, long bytes, int batches, boolean created, Map<String, Long> children) {
    }

    Outcome run(ArchiveRequest r, QualifiedName source, List<String> columns, String cond, long matching,
                List<Archiver.Child> children) throws SQLException {
        boolean created = !Files.exists(r.toFile());
        BatchFile.Source description = describe(source, columns, children);
        try (BatchFile file = files.open(r.toFile(), description)) {
            ensureBatchesTable();
            settle(file, r);
            Map<String, Long> childRows = new LinkedHashMap<>();
            children.forEach(c -> childRows.put(c.table(), 0L));
            long rows = 0;
            long bytes = 0;
            int batches = 0;
            while (true) {
                long number = file.batches() + 1;
                List<BatchFile.Rows> moved = batch(file, description, number, r, source, columns, cond, children);
                if (moved.isEmpty()) {
                    break;
                }
                rows += moved.get(0).rows();
                for (BatchFile.Rows m : moved) {
                    bytes += m.data().length;
                }
                for (int i = 0; i < children.size(); i++) {
                    childRows.merge(children.get(i).table(), moved.get(i + 1).rows(), Long::sum);
                }
                batches++;
                if (batches % 10 == 0) {
                    log.accept(String.format(Locale.ROOT, "[Archive] %,d of %,d rows moved", rows, matching));
                }
            }
            return new Outcome(rows, bytes, batches, created, childRows);
        }
    }

    /** The tables whose rows go into the file, with their columns: the archived table first. */
    private BatchFile.Source describe(QualifiedName source, List<String> columns, List<Archiver.Child> children)
            throws SQLException {
        List<BatchFile.Table> tables = new ArrayList<>();
        tables.add(table(source));
        for (Archiver.Child c : children) {
            tables.add(table(QualifiedName.parse(c.table())));
        }
        String database;
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery(engine == Engine.POSTGRESQL ? "SELECT current_database()"
                     : "SELECT file FROM pragma_database_list WHERE name = 'main'")) {
            rs.next();
            database = rs.getString(1);
        }
        return new BatchFile.Source(engine == Engine.POSTGRESQL ? "postgresql" : "sqlite", database,
                engine == Engine.POSTGRESQL ? BatchFile.Source.PG_BINARY : BatchFile.Source.SQLITE_ROWS, tables);
    }

    private BatchFile.Table table(QualifiedName t) throws SQLException {
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        List<Boolean> notNull = new ArrayList<>();
        String createSql = null;
        if (engine == Engine.POSTGRESQL) {
            String qualified;
            try (PreparedStatement ps = connection.prepareStatement("""
                    SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                           (SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
                              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = a.attrelid)
                      FROM pg_attribute a
                     WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
                     ORDER BY a.attnum""")) {
                ps.setString(1, t.sql());
                try (ResultSet rs = ps.executeQuery()) {
                    qualified = t.sql();
                    while (rs.next()) {
                        names.add(rs.getString(1));
                        types.add(rs.getString(2));
                        notNull.add(rs.getBoolean(3));
                        qualified = rs.getString(4);
                    }
                }
            }
            return new BatchFile.Table(qualified, names, types, notNull, null);
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT name, type, \"notnull\" FROM pragma_table_xinfo(?) WHERE hidden = 0 ORDER BY cid")) {
            ps.setString(1, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                    types.add(rs.getString(2));
                    notNull.add(rs.getBoolean(3));
                }
            }
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE")) {
            ps.setString(1, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    createSql = rs.getString(1);
                }
            }
        }
        return new BatchFile.Table(t.name(), names, types, notNull, createSql);
    }

    private void ensureBatchesTable() throws SQLException {
        boolean exists;
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery(engine == Engine.POSTGRESQL
                     ? "SELECT to_regclass('" + BATCHES_TABLE + "') IS NOT NULL"
                     : "SELECT count(*) > 0 FROM sqlite_schema WHERE name = '" + BATCHES_TABLE + "'")) {
            rs.next();
            exists = rs.getBoolean(1);
        }
        if (!exists) {
            try (Statement s = connection.createStatement()) {
                s.execute(engine == Engine.POSTGRESQL ? CREATE_BATCHES_PG : CREATE_BATCHES_SQLITE);
            } catch (SQLException e) {
                if (!"42501".equals(e.getSQLState())) {
                    throw e;
                }
                String role;
                try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT current_user")) {
                    rs.next();
                    role = Archiver.q(rs.getString(1));
                }
                throw new BotDbException(ErrorCode.PERMISSION_DENIED, "botdb archive --to FILE records each batch in "
                        + BATCHES_TABLE + ", and " + role + " may not create it (" + firstLine(e) + "). Nothing was"
                        + " archived. Create it once as the schema's owner (psql, or botdb sql with that role's URL),"
                        + " then run the same command again:\n" + CREATE_BATCHES_PG + ";\nGRANT SELECT, INSERT ON "
                        + BATCHES_TABLE + " TO " + role + ";", e);
            }
            log.accept("[Archive] created " + BATCHES_TABLE + " (one row per batch written to an archive file: the"
                    + " record that tells, after a kill, whether the batch left the table)");
        }
    }

    /** A batch left pending by a killed run: kept when its delete committed (its record is there), else undone. */
    private void settle(BatchFile file, ArchiveRequest r) throws SQLException {
        OptionalLong pending = file.pending();
        if (pending.isEmpty()) {
            return;
        }
        boolean committed;
        try (PreparedStatement ps = connection.prepareStatement("SELECT count(*) FROM " + BATCHES_TABLE
                + " WHERE archive_id = ? AND batch = ?")) {
            ps.setString(1, file.archiveId());
            ps.setLong(2, pending.getAsLong());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                committed = rs.getLong(1) > 0;
            }
        }
        if (committed) {
            file.keep();
            log.accept("[Archive] batch " + pending.getAsLong() + " of the stopped run had left the table; kept it in "
                    + r.toFile());
        } else {
            file.drop();
            log.accept("[Archive] batch " + pending.getAsLong() + " of the stopped run was still in the table; removed"
                    + " it from " + r.toFile() + " (it is archived again now)");
        }
    }

    /**
     * One batch: the archived table's rows first in the returned list, then each child's; empty when no row is
     * left to move.
     */
    private List<BatchFile.Rows> batch(BatchFile file, BatchFile.Source description, long number, ArchiveRequest r,
                                       QualifiedName source, List<String> columns, String cond,
                                       List<Archiver.Child> children) throws SQLException {
        connection.setAutoCommit(false);
        boolean committing = false;
        boolean ended = false;
        try {
            List<BatchFile.Rows> taken = engine == Engine.POSTGRESQL
                    ? takePg(source, columns, cond, r.batch(), children) : takeSqlite(source, columns, cond, r.batch());
            if (taken.isEmpty()) {
                connection.commit();
                ended = true;
                return taken;
            }
            // under the names the file's manifest gives the tables (schema-qualified), in the same order
            List<BatchFile.Rows> rows = new ArrayList<>();
            for (int i = 0; i < taken.size(); i++) {
                BatchFile.Rows t = taken.get(i);
                rows.add(new BatchFile.Rows(description.tables().get(i).name(), t.rows(), t.data()));
            }
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + BATCHES_TABLE
                    + " (archive_id, batch, source, file, rows) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, file.archiveId());
                ps.setLong(2, number);
                ps.setString(3, source.toString());
                ps.setString(4, r.toFile().toAbsolutePath().toString());
                ps.setLong(5, rows.get(0).rows());
                ps.executeUpdate();
            }
            file.write(number, rows);
            committing = true;
            connection.commit();
            ended = true;
            file.keep();
            return rows;
        } catch (SQLException | RuntimeException e) {
            if (committing) {
                // the commit's outcome is unknown (the connection broke as it went): the next run reads the record
                throw new BotDbException(ErrorCode.ARCHIVE_FAILED, "The archive of " + r.table() + " stopped while batch "
                        + number + " was committing: " + firstLine(e) + ". That batch is written to " + r.toFile()
                        + " and marked unfinished; run the same command again: it keeps the batch if its rows left "
                        + r.table() + ", or removes it if they did not, and carries on.", e);
            }
            rollback();
            ended = true;
            if (file.pending().isPresent()) {
                file.drop();
            }
            throw e;
        } finally {
            if (!ended) {
                rollback(); // an Error on the way: setAutoCommit(true) would commit what the file may not hold
            }
            connection.setAutoCommit(true);
        }
    }

    private void rollback() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is gone: the server rolls back
        }
    }

    private static String firstLine(Exception e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    }

    private List<BatchFile.Rows> takePg(QualifiedName source, List<String> columns, String cond, int batch,
                                        List<Archiver.Child> children) throws SQLException {
        List<String> ctids = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT ctid::text FROM " + source.sql() + " WHERE " + cond + " LIMIT " + batch
                     + " FOR UPDATE SKIP LOCKED")) {
            while (rs.next()) {
                ctids.add(rs.getString(1));
            }
        }
        if (ctids.isEmpty()) {
            return List.of();
        }
        // COPY takes no parameters; ctids are "(block,offset)" pairs the server printed
        String picked = "'{" + String.join(",", ctids.stream().map(c -> "\"" + c + "\"").toList()) + "}'::tid[]";
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        List<BatchFile.Rows> childRows = new ArrayList<>();
        for (Archiver.Child c : children) {
            String cols = String.join(", ", c.tableColumns().stream().map(Archiver::q).toList());
            childRows.add(copyOut(copy, c.table(), "DELETE FROM " + c.table() + " WHERE (" + c.columns() + ") IN (SELECT "
                    + c.referenced() + " FROM " + source.sql() + " WHERE ctid = ANY (" + picked + ")) RETURNING " + cols));
        }
        String list = String.join(", ", columns.stream().map(Archiver::q).toList());
        List<BatchFile.Rows> out = new ArrayList<>();
        out.add(copyOut(copy, source.sql(), "DELETE FROM " + source.sql() + " WHERE ctid = ANY (" + picked + ") RETURNING "
                + list));
        out.addAll(childRows);
        return out;
    }

    private static BatchFile.Rows copyOut(CopyManager copy, String table, String query) throws SQLException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            long n = copy.copyOut("COPY (" + query + ") TO STDOUT (FORMAT binary)", bytes);
            return new BatchFile.Rows(table, n, bytes.toByteArray());
        } catch (IOException e) {
            throw new SQLException("cannot read the rows of " + table + ": " + e.getMessage(), e);
        }
    }

    private List<BatchFile.Rows> takeSqlite(QualifiedName source, List<String> columns, String cond, int batch)
            throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TEMP TABLE IF NOT EXISTS botdb_archive_batch (id INTEGER PRIMARY KEY)");
            s.execute("DELETE FROM botdb_archive_batch");
            int picked = s.executeUpdate("INSERT INTO botdb_archive_batch SELECT rowid FROM " + source.sql() + " WHERE "
                    + cond + " LIMIT " + batch);
            if (picked == 0) {
                return List.of();
            }
            String list = String.join(", ", columns.stream().map(Archiver::q).toList());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            SqliteRows.Writer w = new SqliteRows.Writer(bytes, columns);
            try (ResultSet rs = s.executeQuery("SELECT " + list + " FROM " + source.sql()
                    + " WHERE rowid IN (SELECT id FROM botdb_archive_batch)")) {
                Object[] row = new Object[columns.size()];
                while (rs.next()) {
                    for (int i = 0; i < row.length; i++) {
                        row[i] = rs.getObject(i + 1);
                    }
                    w.row(row);
                }
            }
            w.finish();
            s.execute("DELETE FROM " + source.sql() + " WHERE rowid IN (SELECT id FROM botdb_archive_batch)");
            return List.of(new BatchFile.Rows(source.name(), w.rows(), bytes.toByteArray()));
        } catch (IOException e) {
            throw new SQLException("cannot encode the rows of " + source + ": " + e.getMessage(), e);
        }
    }
}
