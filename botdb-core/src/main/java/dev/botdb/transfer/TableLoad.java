package dev.botdb.transfer;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.copy.BinaryCopy;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;

/**
 * One table's copy: a single SELECT on SQLite (in the source's read transaction, in rowid order), each row's
 * values converted into a COPY binary tuple, the tuples streamed to {@code COPY ... FROM STDIN (FORMAT
 * binary)} in pieces of a few hundred kilobytes, so memory stays flat whatever the table's size. The tuples
 * sent are hashed on the way ({@link RowCheck}).
 */
final class TableLoad {
    private static final int SEND_AT = 1 << 18;
    private static final Pattern COPY_LINE = Pattern.compile("COPY [^,]+, line (\\d+)(?:, column ([^:]+))?");

    /** A column copied: its source name, the target column's name and the conversion between them. */
    record Mapped(SqliteSource.Column source, TargetTables.Column target, Conversion conversion) {
    }

    /** Called now and then with the rows read so far. */
    interface Progress {
        void rows(long done);
    }

    private final SqliteSource source;
    private final SqliteSource.Table table;
    private final TargetTables.Table target;
    private final List<Mapped> columns;
    private final Rejects rejects;
    private final RowCheck sent;
    private final List<Long> skippedOrdinals = new ArrayList<>();
    private long read;
    private long written;

    TableLoad(SqliteSource source, SqliteSource.Table table, TargetTables.Table target, List<Mapped> columns,
              Rejects rejects) {
        this.source = source;
        this.table = table;
        this.target = target;
        this.columns = columns;
        this.rejects = rejects;
        this.sent = new RowCheck(columns.stream().map(m -> m.conversion().canon()).toList());
    }

    /** The rowid's place among the selected values: a column that is the rowid under its own name, or 0 (selected first). */
    private int rowidIndex() {
        for (int i = 0; i < columns.size(); i++) {
            if (table.rowidAlias(columns.get(i).source())) {
                return i;
            }
        }
        return -1;
    }

    /** The values a row starts with before its columns: the rowid, when no column holds it. */
    private int prefix() {
        return table.hasRowid() && rowidIndex() < 0 ? 1 : 0;
    }

    String selectSql() {
        StringBuilder sql = new StringBuilder("SELECT ");
        if (prefix() == 1) {
            sql.append("rowid, ");
        }
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(columns.get(i).conversion().select(SqliteSource.quote(columns.get(i).source().name())));
        }
        sql.append(" FROM ").append(SqliteSource.quote(table.name()));
        if (table.hasRowid()) {
            sql.append(" ORDER BY rowid");
        }
        return sql.toString();
    }

    String copySql() {
        StringBuilder sql = new StringBuilder("COPY ").append(target.sql()).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(TargetTables.quote(columns.get(i).target().name()));
        }
        return sql.append(") FROM STDIN (FORMAT binary)").toString();
    }

    /** The columns in COPY's order, for the check's read-back. */
    String readBackSql() {
        StringBuilder sql = new StringBuilder("COPY (SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(TargetTables.quote(columns.get(i).target().name()));
        }
        return sql.append(" FROM ").append(target.sql()).append(") TO STDOUT (FORMAT binary)").toString();
    }

    private static final int BATCH = 512;
    private static final Object[][] END = new Object[0][];
    /** Tells the sender to stop without ending the COPY: the reader failed. */
    private static final Object[][] ABORT = new Object[0][];

    /**
     * Copies the table; a bad value stops it (or, with {@code rejects}, is written there and skipped). Two threads:
     * this one steps through SQLite and reads each row's values (SQLite's C code and the JNI calls are half the
     * work), a second converts them into tuples, hashes and sends them; batches of rows pass between them
     * through a short queue, so memory stays flat.
     */
    void run(Connection pg, Progress progress) {
        java.util.concurrent.BlockingQueue<Object[][]> queue = new java.util.concurrent.ArrayBlockingQueue<>(8);
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        CopyIn copy;
        try {
            copy = pg.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql());
        } catch (SQLException e) {
            throw serverError(e);
        }
        Thread sender = new Thread(() -> {
            try {
                send(copy, queue);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                queue.clear(); // the reader may be waiting for room
            }
        }, "botdb-transfer-" + table.name());
        sender.setDaemon(true);
        sender.start();
        boolean ended = false;
        try (Statement s = source.connection().createStatement()) {
            try (ResultSet rs = s.executeQuery(selectSql())) {
                int width = prefix() + columns.size();
                byte[] bytes = new byte[width];
                for (int i = 0; i < columns.size(); i++) {
                    Conversion c = columns.get(i).conversion();
                    bytes[prefix() + i] = c.readsBytes() ? AS_BYTES : c.readsTextAsBytes() ? TEXT_AS_BYTES : AS_STORED;
                }
                Object[][] batch = new Object[BATCH][];
                int n = 0;
                long rows = 0;
                org.sqlite.core.SafeStmtPtr statement = ((org.sqlite.core.CoreStatement) s).pointer;
                while (failure.get() == null && rs.next()) {
                    Object[] row = new Object[width];
                    statement.safeRunConsume((db, ptr) -> readRow(db, ptr, row, bytes));
                    batch[n++] = row;
                    if (n == BATCH) {
                        offer(queue, batch, failure);
                        batch = new Object[BATCH][];
                        n = 0;
                    }
                    if ((++rows & 0xffff) == 0) {
                        progress.rows(rows);
                    }
                }
                if (failure.get() == null) {
                    offer(queue, java.util.Arrays.copyOf(batch, n), failure);
                    offer(queue, END, failure);
                    ended = true;
                }
            }
        } catch (SQLException e) {
            failure.compareAndSet(null, new BotDbException(ErrorCode.TRANSFER_SOURCE_INVALID, "Reading " + table.name()
                    + " from " + source.file() + " failed: " + e.getMessage() + ". Nothing was committed.", e));
        } finally {
            if (!ended) {
                queue.clear();
                queue.offer(ABORT);
            }
            join(sender);
        }
        Throwable t = failure.get();
        if (t != null) {
            if (copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException ignored) {
                    // the transaction is rolled back anyway
                }
            }
            if (t instanceof BotDbException b) {
                throw b;
            }
            if (t instanceof SQLException e) {
                throw serverError(e);
            }
            throw new BotDbException(ErrorCode.TRANSFER_FAILED, "Copying " + table.name() + " failed: " + t
                    + ". Nothing was committed. Run it again; if it fails the same way, run with --verbose and report"
                    + " the output.", t);
        }
        progress.rows(read);
    }

    /**
     * The current row's values, read under one lock of the statement rather than two JDBC calls per value
     * (sqlite-jdbc's exported core API; the ResultSet has already stepped to the row): a Long, Double, String,
     * byte[] or null, as {@code getObject} gives them, or byte[] for the columns read as bytes.
     */
    /** How {@link #readRow} reads a column: as SQLite stores it, as bytes, or TEXT as {@link TextBytes}. */
    private static final byte AS_STORED = 0;
    private static final byte AS_BYTES = 1;
    private static final byte TEXT_AS_BYTES = 2;

    private static TextBytes textBytes(byte[] b) {
        return new TextBytes(b == null ? new byte[0] : b);
    }

    private static void readRow(org.sqlite.core.DB db, long ptr, Object[] row, byte[] bytes) throws SQLException {
        for (int i = 0; i < row.length; i++) {
            if (bytes[i] == AS_BYTES) {
                row[i] = db.column_blob(ptr, i);
                continue;
            }
            row[i] = switch (db.column_type(ptr, i)) {
                case 1 -> db.column_long(ptr, i); // SQLITE_INTEGER
                case 2 -> db.column_double(ptr, i); // SQLITE_FLOAT
                case 3 -> bytes[i] == TEXT_AS_BYTES ? textBytes(db.column_blob(ptr, i)) : db.column_text(ptr, i); // SQLITE_TEXT
                case 4 -> db.column_blob(ptr, i); // SQLITE_BLOB
                default -> null; // SQLITE_NULL
            };
        }
    }

    private static void offer(java.util.concurrent.BlockingQueue<Object[][]> queue, Object[][] batch,
                              java.util.concurrent.atomic.AtomicReference<Throwable> failure) {
        try {
            while (failure.get() == null && !queue.offer(batch, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                // the sender is busy; ask again unless it failed
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, e);
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The sender: rows into tuples, hashed, sent in pieces; the trailer and endCopy at the end. */
    private void send(CopyIn copy, java.util.concurrent.BlockingQueue<Object[][]> queue) throws Exception {
        CopyBuffer out = new CopyBuffer();
        out.write(BinaryCopy.HEADER, 0, BinaryCopy.HEADER.length);
        int n = columns.size();
        int prefix = prefix();
        Conversion[] conversions = columns.stream().map(Mapped::conversion).toArray(Conversion[]::new);
        while (true) {
            Object[][] batch = queue.take();
            if (batch == ABORT) {
                return;
            }
            if (batch == END) {
                break;
            }
            for (Object[] row : batch) {
                read++;
                out.beginTuple(n);
                int i = 0;
                try {
                    for (; i < n; i++) {
                        conversions[i].write(row[prefix + i], out);
                    }
                } catch (BadValue bad) {
                    out.dropTuple();
                    Mapped m = columns.get(i);
                    String where = rowName(row);
                    if (rejects == null) {
                        throw new BotDbException(ErrorCode.TRANSFER_FAILED, table.name() + ", " + where
                                + ", column " + m.source().name() + ": " + bad.value() + " " + bad.getMessage()
                                + " (target type " + m.target().displayType() + "). Nothing was committed: the"
                                + " target is as it was. Fix the value in SQLite, or run again with --on-bad-row"
                                + " skip --rejects rejects.csv to leave such rows out and list them there.");
                    }
                    rejects.add(table.name(), where, m.source().name(), bad.getMessage(), bad.raw(), values(row));
                    skippedOrdinals.add(read - 1);
                    continue;
                }
                sent.tuple(out.array(), out.tupleStart(), out.length() - out.tupleStart());
                written++;
                if (out.length() >= SEND_AT) {
                    copy.writeToCopy(out.array(), 0, out.length());
                    out.clear();
                }
            }
        }
        out.write(BinaryCopy.TRAILER, 0, BinaryCopy.TRAILER.length);
        copy.writeToCopy(out.array(), 0, out.length());
        copy.endCopy();
    }

    private String rowName(Object[] row) {
        if (table.hasRowid()) {
            int alias = rowidIndex();
            return "rowid " + (alias < 0 ? row[0] : row[alias]);
        }
        List<String> key = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).source().primaryKey() > 0) {
                key.add(columns.get(i).source().name() + " = " + BadValue.preview(text(row[i])));
            }
        }
        return "primary key " + String.join(", ", key);
    }

    private Map<String, Object> values(Object[] row) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            values.put(columns.get(i).source().name(), text(row[prefix() + i]));
        }
        return values;
    }

    /** A value read as a BLOB (text columns are) shown as text when it is UTF-8. */
    private static Object text(Object v) {
        if (v instanceof byte[] b) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                return b;
            }
        }
        return v;
    }

    /** The server refused a tuple or the connection broke: say which row, from COPY's line number. */
    private BotDbException serverError(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08") || e.getMessage().contains("I/O error")) {
            return new BotDbException(ErrorCode.TRANSFER_FAILED, "The connection to the target was lost while copying "
                    + table.name() + " (" + e.getMessage() + "). Nothing was committed: the target is as it was; run"
                    + " botdb transfer again once the server is reachable.", e);
        }
        String where = "";
        String detail = e.getMessage();
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            var m = p.getServerErrorMessage();
            detail = m.getMessage() + (m.getDetail() != null ? " (" + m.getDetail() + ")" : "");
            Matcher line = m.getWhere() == null ? null : COPY_LINE.matcher(m.getWhere());
            if (line != null && line.find()) {
                where = ", " + sourceRow(Long.parseLong(line.group(1)))
                        + (line.group(2) != null ? ", column " + line.group(2) : "");
            }
        }
        return new BotDbException(ErrorCode.TRANSFER_FAILED, "PostgreSQL refused a row of " + table.name() + where
                + ": " + detail + (state.isEmpty() ? "" : " [SQLSTATE " + state + "]") + ". Nothing was committed: the"
                + " target is as it was. " + hint(state), e);
    }

    private static String hint(String state) {
        return switch (state) {
            case "23505" -> "The source holds the same key twice for the target's unique constraint: remove the"
                    + " duplicate in SQLite, or drop the constraint on the target.";
            case "23502" -> "The target column is NOT NULL and the source holds NULL there: fill it in SQLite, or give"
                    + " the target column a default.";
            case "23514" -> "The row breaks one of the target's CHECK constraints: fix the value in SQLite.";
            case "22001" -> "The text is longer than the target column allows: widen it (ALTER TABLE ... TYPE text).";
            case "22003" -> "The number does not fit the target column's type: widen it (bigint, numeric).";
            case "22P02" -> "The value is not one of the target type's values (an enum label, say).";
            default -> "Fix the value in SQLite, or adjust the target table.";
        };
    }

    /** The SQLite row at COPY's 1-based {@code line}, counting the rows that were skipped. */
    private String sourceRow(long line) {
        long ordinal = line - 1;
        for (long skipped : skippedOrdinals) {
            if (skipped <= ordinal) {
                ordinal++;
            }
        }
        if (!table.hasRowid()) {
            return "row " + (ordinal + 1) + " in primary key order";
        }
        try (PreparedStatement ps = source.connection().prepareStatement("SELECT rowid FROM "
                + SqliteSource.quote(table.name()) + " ORDER BY rowid LIMIT 1 OFFSET ?")) {
            ps.setLong(1, ordinal);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? "rowid " + rs.getLong(1) : "row " + (ordinal + 1);
            }
        } catch (SQLException e) {
            return "row " + (ordinal + 1);
        }
    }

    /** The hash of the table's rows as the server now holds them, read back in the same transaction. */
    RowCheck readBack(Connection pg) {
        RowCheck back = new RowCheck(columns.stream().map(m -> m.conversion().canon()).toList());
        try {
            pg.unwrap(PGConnection.class).getCopyAPI().copyOut(readBackSql(), back.sink());
            return back;
        } catch (SQLException | java.io.IOException e) {
            throw new BotDbException(ErrorCode.TRANSFER_FAILED, "Cannot read " + target.name() + " back to check it: "
                    + e.getMessage() + ". Nothing was committed.", e);
        }
    }

    RowCheck sent() {
        return sent;
    }

    long read() {
        return read;
    }

    long written() {
        return written;
    }

    long rejected() {
        return skippedOrdinals.size();
    }
}
