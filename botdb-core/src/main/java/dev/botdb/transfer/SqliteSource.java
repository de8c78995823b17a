package dev.botdb.transfer;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The SQLite database a transfer reads: opened read-only after checking that the file is SQLite and passes
 * {@code quick_check}, inside one read transaction from the first query to {@link #close()}, so every table
 * is read as of the same moment even while the bot keeps writing (in WAL mode it writes on; with a rollback
 * journal its writes wait until the transfer has read everything).
 */
final class SqliteSource implements AutoCloseable {
    /**
     * Migration tools' history tables and botdb's migration lock: the target's history belongs to the migrations
     * run there (the names botdb migrate knows, kept here because features do not call each other).
     */
    static final Set<String> HISTORY_TABLES = Set.of("botdb_lock", "schema_migrations", "_sqlx_migrations", "migration_history",
            "flyway_schema_history", "schema_version", "schema_migrations_golang_migrate", "schema_migrations_dbmate",
            "alembic_version", "_prisma_migrations");
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final Connection connection;
    private final String journalMode;
    /** {@code quick_check} running on a connection of its own while the copy runs ({@link #openChecking}), or null. */
    private final QuickCheck quickCheck;

    private SqliteSource(Path file, Connection connection, String journalMode, QuickCheck quickCheck) {
        this.file = file;
        this.connection = connection;
        this.journalMode = journalMode;
        this.quickCheck = quickCheck;
    }

    /** A column as SQLite declares it. {@code primaryKey} is its 1-based place in the primary key, 0 if none. */
    record Column(String name, String declaredType, boolean notNull, String defaultSql, int primaryKey) {
    }

    /** A foreign key: {@code columns} of this table reference {@code refColumns} of {@code refTable}. */
    record ForeignKey(List<String> columns, String refTable, List<String> refColumns, String onDelete, String onUpdate) {
    }

    /** An index other than those SQLite makes for PRIMARY KEY and UNIQUE, with its CREATE statement. */
    record Index(String name, boolean unique, String sql, boolean partial) {
    }

    /**
     * A table: its columns, {@code WITHOUT ROWID} or not, foreign keys, indexes, its CREATE TABLE statement
     * and, for an AUTOINCREMENT table, the largest key ever handed out ({@code sqlite_sequence}).
     */
    record Table(String name, List<Column> columns, boolean withoutRowid, List<ForeignKey> foreignKeys,
                 List<Index> indexes, List<List<String>> uniques, String sql, Long sequence) {
        List<String> primaryKey() {
            return columns.stream().filter(c -> c.primaryKey() > 0)
                    .sorted((a, b) -> Integer.compare(a.primaryKey(), b.primaryKey())).map(Column::name).toList();
        }

        /** An INTEGER PRIMARY KEY column: the rowid under another name. */
        boolean rowidAlias(Column c) {
            return !withoutRowid && primaryKey().size() == 1 && c.primaryKey() == 1
                    && c.declaredType().trim().equalsIgnoreCase("INTEGER");
        }

        /** The expression that names a row in messages and orders the scan: the rowid, or the primary key. */
        boolean hasRowid() {
            return !withoutRowid && columns.stream().noneMatch(c -> c.name().equalsIgnoreCase("rowid"));
        }
    }

    /** Checks and opens {@code file}, {@code quick_check} included; the read transaction starts with the first query. */
    static SqliteSource open(Path file) {
        return open(file, false);
    }

    /**
     * As {@link #open(Path)}, but {@code quick_check} (a second or so per GB, reading every page) runs on a second
     * read-only connection while the caller copies; {@link #requireIntact} waits for its verdict, which the
     * caller needs before it commits anything.
     */
    static SqliteSource openChecking(Path file) {
        return open(file, true);
    }

    private static SqliteSource open(Path file, boolean checkAlongside) {
        if (!Files.exists(file)) {
            throw new BotDbException(ErrorCode.TRANSFER_SOURCE_INVALID, "The source " + file + " does not exist."
                    + " Give the bot's SQLite file: --from sqlite:///./bot_database.db (relative to "
                    + Path.of("").toAbsolutePath() + ").");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new BotDbException(ErrorCode.TRANSFER_SOURCE_INVALID, "The source " + file + " is not a readable"
                    + " file. Check the path and that this user may read it.");
        }
        byte[] head = new byte[MAGIC.length];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.TRANSFER_SOURCE_INVALID, "Cannot read " + file + ": " + e.getMessage(), e);
        }
        if (read < MAGIC.length || !Arrays.equals(head, MAGIC)) {
            throw new BotDbException(ErrorCode.TRANSFER_SOURCE_INVALID, "The source " + file + " is not a SQLite"
                    + " database (" + (read == 0 ? "the file is empty" : "it does not start with SQLite's header")
                    + "). botdb transfer reads SQLite files; for a pg_dump file or a botdb backup use botdb restore.");
        }
        Connection c = null;
        try {
            Properties p = new Properties();
            p.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
            p.setProperty("busy_timeout", "10000");
            c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), p);
            QuickCheck check = null;
            if (checkAlongside) {
                check = QuickCheck.start(file, DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), p));
            } else {
                requireOk(file, quickCheck(c));
            }
            String journal;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
                journal = rs.next() ? rs.getString(1) : "unknown";
            }
            c.setAutoCommit(false); // BEGIN: one read transaction from the next query on
            return new SqliteSource(file, c, journal, check);
        } catch (SQLException e) {
            close(c);
            throw new BotDbException(ErrorCode.TRANSFER_SOURCE_INVALID, "Cannot read " + file + " as SQLite: "
                    + e.getMessage() + ". Check that it is the bot's database file and not in use by a VACUUM.", e);
        } catch (RuntimeException e) {
            close(c);
            throw e;
        }
    }

    private static String quickCheck(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA quick_check(20)")) {
            List<String> lines = new ArrayList<>();
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
            return String.join("; ", lines);
        }
    }

    private static void requireOk(Path file, String quick) {
        if (!quick.equals("ok")) {
            throw new BotDbException(ErrorCode.TRANSFER_SOURCE_INVALID, "The source " + file + " fails SQLite's"
                    + " quick_check: " + shorten(quick, 300) + ". Nothing was transferred. Repair it first (sqlite3 "
                    + file.getFileName() + " \".recover\" | sqlite3 repaired.db) and transfer the repaired copy.");
        }
    }

    /** {@code quick_check} on its own connection and thread. */
    private static final class QuickCheck {
        private final Connection connection;
        private final java.util.concurrent.CompletableFuture<String> verdict = new java.util.concurrent.CompletableFuture<>();

        private QuickCheck(Connection connection) {
            this.connection = connection;
        }

        static QuickCheck start(Path file, Connection connection) {
            QuickCheck q = new QuickCheck(connection);
            Thread t = new Thread(() -> {
                try {
                    q.verdict.complete(quickCheck(connection));
                } catch (SQLException | RuntimeException e) {
                    q.verdict.completeExceptionally(e);
                } finally {
                    close(connection);
                }
            }, "botdb-quick-check");
            t.setDaemon(true);
            t.start();
            return q;
        }

        /** Waits for the verdict; throws the source's error when the file is damaged or unreadable. */
        void require(Path file) {
            String quick;
            try {
                quick = verdict.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BotDbException(ErrorCode.TRANSFER_FAILED, "Interrupted while waiting for quick_check of " + file
                        + ". Nothing was transferred.", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new BotDbException(ErrorCode.TRANSFER_SOURCE_INVALID, "Cannot read " + file + " as SQLite: "
                        + e.getCause().getMessage() + ". Check that it is the bot's database file and not in use by a"
                        + " VACUUM.", e.getCause());
            }
            requireOk(file, quick);
        }
    }

    /**
     * Waits for the {@code quick_check} started by {@link #openChecking} (nothing to wait for after {@link #open});
     * throws {@link ErrorCode#TRANSFER_SOURCE_INVALID} when the file fails it. A failure of the copy itself is
     * passed as {@code failed}: a damaged file explains it better than the read error, so its verdict wins.
     */
    void requireIntact(RuntimeException failed) {
        if (quickCheck == null) {
            return;
        }
        try {
            quickCheck.require(file);
        } catch (BotDbException damaged) {
            if (failed != null) {
                damaged.addSuppressed(failed);
            }
            throw damaged;
        }
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // nothing was written
            }
        }
    }

    Path file() {
        return file;
    }

    Connection connection() {
        return connection;
    }

    /** {@code wal}, {@code delete}, ...: whether the bot could write on while this read. */
    String journalMode() {
        return journalMode;
    }

    /** The user tables, in name order, without SQLite's own and migration tools' history tables. */
    List<Table> tables() {
        try {
            Map<String, Long> sequences = new HashMap<>();
            List<String[]> names = new ArrayList<>();
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("""
                         SELECT name, sql FROM sqlite_schema
                          WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
                          ORDER BY name""")) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    String sql = rs.getString(2);
                    if (!HISTORY_TABLES.contains(name.toLowerCase(Locale.ROOT))
                            && (sql == null || !sql.toUpperCase(Locale.ROOT).startsWith("CREATE VIRTUAL"))) {
                        names.add(new String[] {name, sql});
                    }
                }
            }
            boolean hasSequences;
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'")) {
                hasSequences = rs.next();
            }
            if (hasSequences) {
                try (Statement s = connection.createStatement();
                     ResultSet rs = s.executeQuery("SELECT name, seq FROM sqlite_sequence")) {
                    while (rs.next()) {
                        sequences.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            List<Table> tables = new ArrayList<>();
            for (String[] n : names) {
                tables.add(table(n[0], n[1], sequences.get(n[0])));
            }
            return tables;
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.TRANSFER_SOURCE_INVALID, "Cannot read the schema of " + file + ": "
                    + e.getMessage(), e);
        }
    }

    private Table table(String name, String sql, Long sequence) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getInt(6) == 0) { // generated columns are computed again on the target, never copied
                        columns.add(new Column(rs.getString(1), rs.getString(2) == null ? "" : rs.getString(2),
                                rs.getInt(3) != 0, rs.getString(4), rs.getInt(5)));
                    }
                }
            }
        }
        boolean withoutRowid = sql != null && sql.replaceAll("\\s+", " ").toUpperCase(Locale.ROOT)
                .matches("(?s).*\\)\\s*WITHOUT ROWID\\s*(,.*)?;?\\s*$");
        Map<Integer, ForeignKey> keys = new java.util.TreeMap<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?)"
                        + " ORDER BY id, seq")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int id = rs.getInt(1);
                    ForeignKey k = keys.computeIfAbsent(id, i -> {
                        try {
                            return new ForeignKey(new ArrayList<>(), rs.getString(3), new ArrayList<>(), rs.getString(7),
                                    rs.getString(6));
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    k.columns().add(rs.getString(4));
                    k.refColumns().add(rs.getString(5)); // null: the referenced table's primary key
                }
            }
        }
        List<Index> indexes = new ArrayList<>();
        List<List<String>> uniques = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT l.name FROM pragma_index_list(?) l WHERE l.origin = 'u' ORDER BY l.seq DESC")) {
            ps.setString(1, name);
            List<String> names = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            for (String index : names) {
                try (PreparedStatement cols = connection.prepareStatement(
                        "SELECT name FROM pragma_index_info(?) ORDER BY seqno")) {
                    cols.setString(1, index);
                    List<String> columns1 = new ArrayList<>();
                    try (ResultSet rs = cols.executeQuery()) {
                        while (rs.next()) {
                            columns1.add(rs.getString(1));
                        }
                    }
                    uniques.add(List.copyOf(columns1));
                }
            }
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT l.name, l.\"unique\", l.partial, s.sql FROM pragma_index_list(?) l"
                        + " JOIN sqlite_schema s ON s.type = 'index' AND s.name = l.name"
                        + " WHERE l.origin = 'c' ORDER BY l.name")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    indexes.add(new Index(rs.getString(1), rs.getInt(2) != 0, rs.getString(4), rs.getInt(3) != 0));
                }
            }
        }
        return new Table(name, List.copyOf(columns), withoutRowid, List.copyOf(keys.values()), List.copyOf(indexes),
                List.copyOf(uniques), sql, sequence);
    }

    /** The table's row count, inside the read transaction. */
    long count(Table table) {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + quote(table.name()))) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.TRANSFER_SOURCE_INVALID, "Cannot count the rows of " + table.name()
                    + " in " + file + ": " + e.getMessage(), e);
        }
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    @Override
    public void close() {
        if (quickCheck != null) {
            try {
                quickCheck.verdict.join(); // its connection reads the same file: let it finish first
            } catch (RuntimeException ignored) {
                // reported by requireIntact
            }
        }
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // a read transaction: nothing to undo
        }
        close(connection);
    }
}
