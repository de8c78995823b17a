package dev.botdb.exchange;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Engine;
import dev.botdb.copy.BatchFile;
import dev.botdb.dialect.QualifiedName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code botdb archive --to-table}: moves old rows out of a live table in short batches, so the bot's writes
 * never wait behind a long lock or transaction. Each batch is one transaction that inserts the rows into the
 * archive table and deletes them from the live one ({@code DELETE ... RETURNING} feeding the {@code INSERT} on
 * PostgreSQL, rows locked with {@code SKIP LOCKED} so a row the bot is busy with waits for the next batch): a
 * kill at any moment loses no row and duplicates none, and running the command again carries on where it
 * stopped. Rows still referenced by other tables' foreign keys are refused before anything moves.
 */
public final class Archiver {
    private final Connection connection;
    private final Engine engine;
    private final Consumer<String> log;
    private final BatchFile.Opener files;

    private Archiver(Connection connection, Engine engine, Consumer<String> log, BatchFile.Opener files) {
        this.connection = connection;
        this.engine = engine;
        this.log = log;
        this.files = files;
    }

    /** An archiver into tables only. */
    public static Archiver of(Connection connection, Engine engine, Consumer<String> log) {
        return new Archiver(connection, engine, log, null);
    }

    /** An archiver that also writes archive files ({@link ArchiveRequest#toFile()}) through {@code files}. */
    public static Archiver of(Connection connection, Engine engine, Consumer<String> log, BatchFile.Opener files) {
        return new Archiver(connection, engine, log, files);
    }

    static String q(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** The rows to move, as SQL: older than the cut-off, and the extra condition. */
    private String condition(ArchiveRequest r) {
        long seconds = r.olderThan().toSeconds();
        String cutoff = engine == Engine.POSTGRESQL ? "now() - interval '" + seconds + " seconds'"
                : "datetime('now', '-" + seconds + " seconds')";
        return q(r.column()) + " < " + cutoff + (r.where() == null ? "" : " AND (" + r.where() + ")");
    }

    public ArchiveResult run(ArchiveRequest r) {
        long start = System.nanoTime();
        QualifiedName source = QualifiedName.parse(r.table());
        QualifiedName archive = QualifiedName.parse(r.toTable() != null ? r.toTable() : r.table() + "_archive");
        try {
            connection.setAutoCommit(true);
            List<String> columns = columns(source);
            if (columns.isEmpty()) {
                throw new BotDbException(ErrorCode.ARCHIVE_FAILED, "Table " + r.table() + " does not exist; nothing was"
                        + " archived. Check the name (schema.table when it is not in the search path); botdb inspect"
                        + " lists the tables.");
            }
            if (columns.stream().noneMatch(c -> c.equalsIgnoreCase(r.column()))) {
                throw new BotDbException(ErrorCode.USAGE, "--column " + r.column() + " is not a column of " + r.table()
                        + "; its columns are " + String.join(", ", columns) + ".");
            }
            String cond = condition(r);
            long matching = count(source, cond);
            List<Child> children = engine == Engine.POSTGRESQL ? children(source, archive) : sqliteChildren(source);
            if (engine == Engine.SQLITE && r.withChildren()) {
                throw new BotDbException(ErrorCode.USAGE, "--with-children is for PostgreSQL; on SQLite archive the"
                        + " referencing table first.");
            }
            if (!r.withChildren()) {
                refuseReferenced(source, cond, children);
                children = List.of();
            } else {
                refuseGrandchildren(children);
            }
            if (r.dryRun()) {
                return new ArchiveResult(matching, 0, 0, matching, false, true, (System.nanoTime() - start) / 1_000_000);
            }
            if (r.toFile() != null) {
                return toFile(r, source, columns, cond, matching, children, start);
            }
            boolean created = createArchive(source, archive);
            for (Child c : children) {
                createArchive(QualifiedName.parse(c.table()), QualifiedName.parse(c.archive()));
            }
            String list = String.join(", ", columns.stream().map(Archiver::q).toList());
            java.util.Map<String, Long> childRows = new java.util.LinkedHashMap<>();
            long rows = 0;
            long bytes = 0;
            int batches = 0;
            while (true) {
                long[] moved = engine == Engine.POSTGRESQL ? batchPg(source, archive, list, cond, r.batch(), children)
                        : batchSqlite(source, archive, list, cond, r.batch());
                for (int i = 0; i < children.size(); i++) {
                    childRows.merge(children.get(i).archive(), moved[2 + i], Long::sum);
                }
                if (moved[0] == 0) {
                    break;
                }
                rows += moved[0];
                bytes += moved[1];
                batches++;
                if (batches % 10 == 0) {
                    log.accept(String.format(java.util.Locale.ROOT, "[Archive] %,d of %,d rows moved", rows, matching));
                }
            }
            return new ArchiveResult(rows, bytes, batches, count(source, cond), created, false,
                    (System.nanoTime() - start) / 1_000_000, childRows);
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.ARCHIVE_FAILED, "The archive of " + r.table() + " stopped: "
                    + e.getMessage().lines().findFirst().orElse("") + ". Every batch before this one is complete (in "
                    + r.destination() + " and gone from " + r.table() + "), this one was rolled back: run the same"
                    + " command again to carry on.", e);
        }
    }

    private ArchiveResult toFile(ArchiveRequest r, QualifiedName source, List<String> columns, String cond,
                                 long matching, List<Child> children, long start) throws SQLException {
        if (files == null) {
            throw new IllegalStateException("this Archiver was made without archive files: use Archiver.of(..., files)");
        }
        ArchiveToFile.Outcome o = new ArchiveToFile(connection, engine, log, files).run(r, source, columns, cond, matching,
                children);
        return new ArchiveResult(o.rows(), o.bytes(), o.batches(), count(source, cond), o.created(), false,
                (System.nanoTime() - start) / 1_000_000, o.children());
    }

    private List<String> columns(QualifiedName table) throws SQLException {
        List<String> out = new ArrayList<>();
        String sql = engine == Engine.POSTGRESQL
                ? "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped"
                  + " AND attgenerated = '' ORDER BY attnum"
                : "SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0 ORDER BY cid";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, engine == Engine.POSTGRESQL ? table.sql() : table.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private long count(QualifiedName table, String cond) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table.sql() + " WHERE " + cond)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * A foreign key of another table referencing the live table: its name, the referencing table and columns, the
     * referenced columns, and the archive table its rows go to with --with-children.
     */
    record Child(String constraint, String table, String columns, String referenced, String archive,
                         List<String> tableColumns) {
    }

    /** The foreign keys that reference {@code source} from other tables. */
    private List<Child> children(QualifiedName source, QualifiedName archive) throws SQLException {
        List<Child> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("""
                SELECT k.conname, k.conrelid::regclass::text,
                       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY x.n) FROM unnest(k.conkey) WITH ORDINALITY x(att, n)
                          JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.att),
                       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY x.n) FROM unnest(k.confkey) WITH ORDINALITY x(att, n)
                          JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = x.att),
                       c.relname
                  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                 WHERE k.contype = 'f' AND k.confrelid = to_regclass(?) AND k.conrelid <> k.confrelid
                 ORDER BY 2, 1""")) {
            ps.setString(1, source.sql());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String childName = rs.getString(5);
                    String suffix = archive.name().startsWith(source.name()) && archive.name().length() > source.name().length()
                            ? archive.name().substring(source.name().length()) : "_archive";
                    out.add(new Child(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            q(childName + suffix), List.of()));
                }
            }
        }
        List<Child> withColumns = new ArrayList<>();
        for (Child c : out) {
            withColumns.add(new Child(c.constraint(), c.table(), c.columns(), c.referenced(), c.archive(),
                    columns(QualifiedName.parse(c.table()))));
        }
        return withColumns;
    }

    /** SQLite: the other tables' foreign keys that reference {@code source} (named "TABLE(COLUMNS)" as SQLite has no names). */
    private List<Child> sqliteChildren(QualifiedName source) throws SQLException {
        List<Child> out = new ArrayList<>();
        List<String> tables = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        for (String t : tables) {
            if (t.equalsIgnoreCase(source.name())) {
                continue;
            }
            java.util.Map<Integer, List<String[]>> keys = new java.util.TreeMap<>();
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT id, \"from\", \"to\", \"table\" FROM pragma_foreign_key_list(?) ORDER BY id, seq")) {
                ps.setString(1, t);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getString(4).equalsIgnoreCase(source.name())) {
                            keys.computeIfAbsent(rs.getInt(1), k -> new ArrayList<>())
                                    .add(new String[] {rs.getString(2), rs.getString(3) == null ? "rowid" : rs.getString(3)});
                        }
                    }
                }
            }
            for (List<String[]> k : keys.values()) {
                String from = String.join(", ", k.stream().map(c -> q(c[0])).toList());
                String to = String.join(", ", k.stream().map(c -> q(c[1])).toList());
                out.add(new Child(t + "(" + from + ")", q(t), from, to, q(t + "_archive"), List.of()));
            }
        }
        return out;
    }

    /** Refuses when another table's foreign key points at rows that would move, naming the constraint. */
    private void refuseReferenced(QualifiedName source, String cond, List<Child> children) throws SQLException {
        for (Child k : children) {
            String sql = "SELECT count(*) FROM " + k.table() + " c WHERE (" + k.columns() + ") IN (SELECT " + k.referenced()
                    + " FROM " + source.sql() + " WHERE " + cond + ")";
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                long n = rs.getLong(1);
                if (n > 0) {
                    throw new BotDbException(ErrorCode.ARCHIVE_REFUSED, String.format(java.util.Locale.ROOT,
                            "%,d rows of %s still reference rows that would be archived (foreign key %s); nothing was"
                                    + " moved. %sArchive or delete them first, or narrow --where.", n, k.table(),
                            k.constraint(), engine == Engine.POSTGRESQL ? "Add --with-children to archive them along (into "
                                    + k.archive() + "). " : ""));
                }
            }
        }
    }

    /** --with-children moves one level: a child table that other tables reference is refused. */
    private void refuseGrandchildren(List<Child> children) throws SQLException {
        for (Child c : children) {
            try (PreparedStatement ps = connection.prepareStatement("SELECT k.conname, k.conrelid::regclass::text"
                    + " FROM pg_constraint k WHERE k.contype = 'f' AND k.confrelid = to_regclass(?) AND k.conrelid <> k.confrelid"
                    + " LIMIT 1")) {
                ps.setString(1, c.table());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        throw new BotDbException(ErrorCode.ARCHIVE_REFUSED, "--with-children moves the rows that"
                                + " reference the archived ones, one level deep; " + rs.getString(2) + " references "
                                + c.table() + " in turn (foreign key " + rs.getString(1) + "). Archive " + rs.getString(2)
                                + " first. Nothing was moved.");
                    }
                }
            }
        }
    }

    /** Creates the archive table like the source (columns, defaults, constraints, indexes) when missing. */
    private boolean createArchive(QualifiedName source, QualifiedName archive) throws SQLException {
        if (!columns(archive).isEmpty()) {
            return false;
        }
        try (Statement s = connection.createStatement()) {
            if (engine == Engine.POSTGRESQL) {
                s.execute("CREATE TABLE " + archive.sql() + " (LIKE " + source.sql()
                        + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES INCLUDING GENERATED)");
            } else {
                String ddl;
                try (PreparedStatement ps = connection.prepareStatement(
                        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?")) {
                    ps.setString(1, source.name());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        ddl = rs.getString(1);
                    }
                }
                int open = ddl.indexOf('(');
                s.execute("CREATE TABLE " + archive.sql() + " " + ddl.substring(open)
                        .replaceAll("(?i)\\bAUTOINCREMENT\\b", "").replaceAll("(?i)\\bREFERENCES\\s+[^,)]+(\\([^)]*\\))?", ""));
            }
        }
        log.accept("[Archive] created " + archive + " like " + source);
        return true;
    }

    /**
     * One batch on PostgreSQL, one statement: rows and bytes moved, then the rows moved of each child. The
     * children's rows go first in the same statement, so their foreign keys (NO ACTION, checked at the
     * statement's end; ON DELETE CASCADE then finds nothing left) never see an orphan.
     */
    private long[] batchPg(QualifiedName source, QualifiedName archive, String list, String cond, int batch,
                           List<Child> children) throws SQLException {
        StringBuilder sql = new StringBuilder("WITH moved AS (DELETE FROM " + source.sql() + " WHERE ctid = ANY (ARRAY("
                + "SELECT ctid FROM " + source.sql() + " WHERE " + cond + " LIMIT " + batch + " FOR UPDATE SKIP LOCKED))"
                + " RETURNING *), kept AS (INSERT INTO " + archive.sql() + " (" + list + ") SELECT " + list + " FROM moved)");
        StringBuilder select = new StringBuilder(" SELECT (SELECT count(*) FROM moved),"
                + " (SELECT coalesce(sum(pg_column_size(moved.*)), 0) FROM moved)");
        for (int i = 0; i < children.size(); i++) {
            Child c = children.get(i);
            String cols = String.join(", ", c.tableColumns().stream().map(Archiver::q).toList());
            sql.append(", child").append(i).append(" AS (DELETE FROM ").append(c.table()).append(" WHERE (")
                    .append(c.columns()).append(") IN (SELECT ").append(c.referenced()).append(" FROM moved) RETURNING *),")
                    .append(" childkept").append(i).append(" AS (INSERT INTO ").append(c.archive()).append(" (")
                    .append(cols).append(") SELECT ").append(cols).append(" FROM child").append(i).append(")");
            select.append(", (SELECT count(*) FROM child").append(i).append(")");
        }
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql.append(select).toString())) {
            rs.next();
            long[] out = new long[2 + children.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = rs.getLong(i + 1);
            }
            return out;
        }
    }

    /** One batch on SQLite: the rowids picked, copied and deleted in one write transaction. */
    private long[] batchSqlite(QualifiedName source, QualifiedName archive, String list, String cond, int batch)
            throws SQLException {
        connection.setAutoCommit(false);
        boolean committed = false;
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TEMP TABLE IF NOT EXISTS botdb_archive_batch (id INTEGER PRIMARY KEY)");
            s.execute("DELETE FROM botdb_archive_batch");
            int picked = s.executeUpdate("INSERT INTO botdb_archive_batch SELECT rowid FROM " + source.sql() + " WHERE "
                    + cond + " LIMIT " + batch);
            long bytes = 0;
            if (picked > 0) {
                try (ResultSet rs = s.executeQuery("SELECT coalesce(sum(length(CAST(" + String.join(" AS BLOB)) + length(CAST(",
                        list.split(", ")) + " AS BLOB))), 0) FROM " + source.sql() + " WHERE rowid IN (SELECT id FROM botdb_archive_batch)")) {
                    rs.next();
                    bytes = rs.getLong(1);
                }
                s.execute("INSERT INTO " + archive.sql() + " (" + list + ") SELECT " + list + " FROM " + source.sql()
                        + " WHERE rowid IN (SELECT id FROM botdb_archive_batch)");
                s.execute("DELETE FROM " + source.sql() + " WHERE rowid IN (SELECT id FROM botdb_archive_batch)");
            }
            connection.commit();
            committed = true;
            return new long[] {picked, bytes};
        } finally {
            if (!committed) {
                connection.rollback(); // before setAutoCommit(true), which would commit the half batch
            }
            connection.setAutoCommit(true);
        }
    }
}
