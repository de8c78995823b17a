package dev.botdb.exchange;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Engine;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;
import org.postgresql.PGConnection;

/**
 * {@code botdb export}: a table or a query's rows into a CSV, TSV or JSON-lines file, in one snapshot and in
 * constant memory. On PostgreSQL the rows stream through {@code COPY (SELECT ...) TO STDOUT}; on SQLite through
 * one read transaction. A file is written under a temporary name, flushed to disk and renamed only when
 * complete: a failed or killed export never leaves a file that looks finished.
 */
public final class Exporter {
    private final Connection connection;
    private final Engine engine;
    private final javax.sql.DataSource more;
    private final long splitPages;

    private Exporter(Connection connection, Engine engine, javax.sql.DataSource more, long splitPages) {
        this.connection = connection;
        this.engine = engine;
        this.more = more;
        this.splitPages = splitPages;
    }

    /** The same exporter splitting tables from {@code pages} pages on (tests split small tables). */
    Exporter splittingFrom(long pages) {
        return new Exporter(connection, engine, more, pages);
    }

    /** An exporter on {@code connection} (of its own: it is used in one transaction and left in auto-commit). */
    public static Exporter of(Connection connection, Engine engine) {
        return new Exporter(connection, engine, null, SPLIT_PAGES);
    }

    /**
     * As {@link #of(Connection, Engine)}; a big PostgreSQL table is then read by two connections at once from
     * {@code more}, sharing one snapshot (see {@link #SPLIT_PAGES}).
     */
    public static Exporter of(Connection connection, Engine engine, javax.sql.DataSource more) {
        return new Exporter(connection, engine, more, SPLIT_PAGES);
    }

    /**
     * A table of at least this many 8 kB pages (800 MB) is exported by two connections at once, each COPY
     * reading half of its pages ({@code ctid} ranges, a TID range scan) in the same exported snapshot: the server
     * formats CSV on two cores instead of one, and the second half, written to a temporary file, is appended to
     * the first. The file is the same as from one COPY.
     */
    static final long SPLIT_PAGES = 102_400;

    /** Writes the rows; {@code stdout} receives them when the request names no file. */
    public ExportResult export(ExportRequest r, OutputStream stdout) {
        long start = System.nanoTime();
        String select = select(r);
        Path partial = null;
        java.nio.channels.FileChannel channel = null;
        Thread flusher = null;
        try {
            OutputStream sink;
            if (r.out().isPresent()) {
                Path file = r.out().get();
                if (Files.exists(file) && !r.force()) {
                    throw new BotDbException(ErrorCode.EXPORT_FAILED, file + " already exists; nothing was written. Give"
                            + " another --out, or --force to replace it.");
                }
                Path parent = file.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                partial = parent.resolve(file.getFileName() + ".partial");
                channel = java.nio.channels.FileChannel.open(partial, java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE);
                sink = java.nio.channels.Channels.newOutputStream(channel);
                flusher = writeBack(channel);
            } else {
                sink = new FilterOutputStream(stdout) {
                    @Override
                    public void close() throws IOException {
                        flush(); // standard output stays open
                    }
                };
            }
            Counting counted = new Counting(sink);
            long rows;
            long[] second = {0, 0};
            Path secondPart = partial == null ? null : partial.resolveSibling(partial.getFileName() + ".2");
            try (OutputStream out = r.gzip() ? new GZIPOutputStream(counted, 1 << 16) : new BufferedOutputStream(counted, 1 << 16)) {
                rows = inSnapshot(() -> secondPart != null && splits(r)
                        ? writeInTwo(r, out, secondPart, second) : write(connection, select, r.format(), out, true));
            }
            if (second[1] > 0) {
                try (var to = java.nio.channels.FileChannel.open(partial, java.nio.file.StandardOpenOption.APPEND);
                     var from = java.nio.channels.FileChannel.open(secondPart)) {
                    long done = 0;
                    while (done < second[1]) {
                        done += from.transferTo(done, second[1] - done, to);
                    }
                }
                counted.count += second[1];
                rows += second[0];
            }
            if (secondPart != null) {
                Files.deleteIfExists(secondPart);
            }
            if (partial != null) {
                flusher.interrupt();
                flusher.join();
                try (var written = java.nio.channels.FileChannel.open(partial, java.nio.file.StandardOpenOption.WRITE)) {
                    written.force(true);
                }
                Files.move(partial, r.out().get(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                partial = null;
            }
            return new ExportResult(r.out(), rows, counted.count, (System.nanoTime() - start) / 1_000_000);
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.EXPORT_FAILED, "The export failed: " + e.getMessage().lines().findFirst()
                    .orElse("") + ". Nothing was written" + r.out().map(p -> " to " + p).orElse("") + ". Check the table,"
                    + " --columns, --where or --query (botdb sql \"" + select.replace("\"", "\\\"") + " LIMIT 1\" tries it).", e);
        } catch (FileAlreadyExistsException e) {
            throw new BotDbException(ErrorCode.EXPORT_FAILED, e.getFile() + " already exists; give --force to replace it.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BotDbException(ErrorCode.EXPORT_FAILED, "The export was interrupted; nothing was written.", e);
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.EXPORT_FAILED, "Cannot write the export" + r.out().map(p -> " " + p)
                    .orElse("") + ": " + e.getMessage() + ". Nothing was left under that name.", e);
        } finally {
            if (flusher != null) {
                flusher.interrupt();
            }
            if (partial != null) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // best effort: the .partial name says it is not an export
                }
            }
        }
    }

    /**
     * Hands the file's pages to the disk every quarter second while the rows arrive (the server, not the disk, is
     * what an export waits for), so the final fsync before the rename has little left to write.
     */
    private static Thread writeBack(java.nio.channels.FileChannel channel) {
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted() && channel.isOpen()) {
                    Thread.sleep(250);
                    channel.force(false);
                }
            } catch (InterruptedException | IOException e) {
                // stopped, or the channel closed: the final fsync covers the rest
            }
        }, "botdb-export-writeback");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The SELECT the request means. */
    String select(ExportRequest r) {
        return select(r, null);
    }

    /** The SELECT the request means, limited further by {@code extra} (a table's export only). */
    String select(ExportRequest r, String extra) {
        if (r.query() != null) {
            String q = r.query().trim().replaceAll(";\\s*$", "");
            return r.columns().isEmpty() ? q : "SELECT " + quoted(r.columns()) + " FROM (" + q + ") q";
        }
        String table = dev.botdb.dialect.QualifiedName.parse(r.table()).sql();
        String where = r.where() == null ? extra : extra == null ? r.where() : "(" + r.where() + ") AND " + extra;
        return "SELECT " + (r.columns().isEmpty() ? "*" : quoted(r.columns())) + " FROM " + table
                + (where == null ? "" : " WHERE " + where);
    }

    private static String quoted(List<String> columns) {
        return String.join(", ", columns.stream().map(c -> "\"" + c.replace("\"", "\"\"") + "\"").toList());
    }

    private interface Work {
        long run() throws SQLException, IOException;
    }

    /** Runs {@code work} in one read-only transaction: every row of the export is as of one moment. */
    private long inSnapshot(Work work) throws SQLException, IOException {
        boolean auto = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            if (engine == Engine.POSTGRESQL) {
                try (Statement s = connection.createStatement()) {
                    s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                    sessionSettings(s);
                }
            }
            return work.run();
        } finally {
            connection.rollback();
            connection.setAutoCommit(auto);
        }
    }

    /** Whether {@code r} is a PostgreSQL table big enough to be read by two connections. */
    private boolean splits(ExportRequest r) throws SQLException {
        if (engine != Engine.POSTGRESQL || more == null || r.table() == null) {
            return false;
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT pg_relation_size(to_regclass(?)) / current_setting('block_size')::bigint")) {
            ps.setString(1, dev.botdb.dialect.QualifiedName.parse(r.table()).sql());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) >= splitPages;
            }
        }
    }

    /**
     * The table in two halves of its pages: the first through this connection into {@code out}, the second
     * through a second connection in the same snapshot into {@code secondPart}; {@code second} receives that
     * part's rows and bytes. Returns the first part's rows.
     */
    private long writeInTwo(ExportRequest r, OutputStream out, Path secondPart, long[] second)
            throws SQLException, IOException {
        String snapshot;
        long pages;
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_export_snapshot(), pg_relation_size(to_regclass('"
                     + dev.botdb.dialect.QualifiedName.parse(r.table()).sql().replace("'", "''")
                     + "')) / current_setting('block_size')::bigint")) {
            rs.next();
            snapshot = rs.getString(1);
            pages = rs.getLong(2);
        }
        long middle = pages / 2;
        String first = select(r, "ctid < '(" + middle + ",0)'::tid");
        String rest = select(r, "ctid >= '(" + middle + ",0)'::tid");
        java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread helper = new Thread(() -> {
            try (Connection c = more.getConnection()) {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                    s.execute("SET TRANSACTION SNAPSHOT '" + snapshot + "'");
                    sessionSettings(s);
                }
                Counting counted = new Counting(Files.newOutputStream(secondPart));
                try (OutputStream o = r.gzip() ? new GZIPOutputStream(counted, 1 << 16) : new BufferedOutputStream(counted, 1 << 16)) {
                    second[0] = write(c, rest, r.format(), o, false);
                }
                second[1] = counted.count;
                c.rollback();
            } catch (Exception e) {
                failure.set(e);
            }
        }, "botdb-export-second-half");
        helper.start();
        long rows = write(connection, first, r.format(), out, true);
        try {
            helper.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (failure.get() instanceof SQLException e) {
            throw e;
        }
        if (failure.get() != null) {
            throw new IOException(failure.get().getMessage(), failure.get());
        }
        return rows;
    }

    private long write(Connection c, String select, Format format, OutputStream out, boolean header)
            throws SQLException, IOException {
        List<String> names = columnNames(c, select);
        if (engine == Engine.POSTGRESQL) {
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            switch (format) {
                case CSV -> {
                    return copy.copyOut("COPY (" + select + ") TO STDOUT WITH (FORMAT csv" + (header ? ", HEADER" : "")
                            + ")", out);
                }
                case TSV -> {
                    if (header) {
                        out.write((String.join("\t", names.stream().map(Exporter::textEscape).toList()) + "\n")
                                .getBytes(StandardCharsets.UTF_8));
                    }
                    return copy.copyOut("COPY (" + select + ") TO STDOUT", out);
                }
                default -> {
                    // COPY's text format doubles each backslash of the JSON; JSON has no raw tab or newline to escape
                    OutputStream unescaped = new FilterOutputStream(out) {
                        private boolean backslash;

                        @Override
                        public void write(int b) throws IOException {
                            if (b == '\\' && !backslash) {
                                backslash = true;
                                return;
                            }
                            backslash = false;
                            out.write(b);
                        }

                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            int start = off;
                            for (int i = off; i < off + len; i++) {
                                if (b[i] == '\\' && !backslash) {
                                    out.write(b, start, i - start);
                                    backslash = true;
                                    start = i + 1;
                                } else {
                                    backslash = false;
                                }
                            }
                            out.write(b, start, off + len - start);
                        }
                    };
                    return copy.copyOut("COPY (SELECT row_to_json(q) FROM (" + select + ") q) TO STDOUT", unescaped);
                }
            }
        }
        return writeRows(select, format, names, out);
    }

    /** How values are written, the same on every connection of an export. */
    private static void sessionSettings(Statement s) throws SQLException {
        s.execute("SET LOCAL DateStyle = 'ISO, YMD'");
        s.execute("SET LOCAL TimeZone = 'UTC'");
        s.execute("SET LOCAL bytea_output = 'hex'");
        s.execute("SET LOCAL extra_float_digits = 1");
    }

    private static List<String> columnNames(Connection c, String select) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM (" + select + ") q LIMIT 0")) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                names.add(md.getColumnLabel(i));
            }
        }
        return names;
    }

    /** SQLite: the rows through JDBC, written as PostgreSQL's COPY would write them. */
    private long writeRows(String select, Format format, List<String> names, OutputStream out) throws SQLException, IOException {
        long rows = 0;
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(select)) {
            int n = names.size();
            switch (format) {
                case CSV -> {
                    CSVPrinter csv = new CSVPrinter(w, CSVFormat.RFC4180.builder().setQuoteMode(QuoteMode.ALL_NON_NULL)
                            .setNullString(null).setRecordSeparator("\n").get());
                    csv.printRecord(names);
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            csv.print(text(rs.getObject(i)));
                        }
                        csv.println();
                        rows++;
                    }
                    csv.flush();
                }
                case TSV -> {
                    w.write(String.join("\t", names.stream().map(Exporter::textEscape).toList()));
                    w.write('\n');
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            Object v = rs.getObject(i);
                            w.write(i > 1 ? "\t" : "");
                            w.write(v == null ? "\\N" : textEscape(text(v)));
                        }
                        w.write('\n');
                        rows++;
                    }
                }
                default -> {
                    JsonGenerator g = new JsonFactory().createGenerator(w);
                    g.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
                    while (rs.next()) {
                        g.writeStartObject();
                        for (int i = 1; i <= n; i++) {
                            g.writeFieldName(names.get(i - 1));
                            Object v = rs.getObject(i);
                            if (v == null) {
                                g.writeNull();
                            } else if (v instanceof Integer || v instanceof Long) {
                                g.writeNumber(((Number) v).longValue());
                            } else if (v instanceof Double d) {
                                g.writeNumber(d);
                            } else {
                                g.writeString(text(v));
                            }
                        }
                        g.writeEndObject();
                        rows++;
                    }
                    g.flush();
                    if (rows > 0) {
                        w.write('\n');
                    }
                }
            }
        }
        w.flush();
        return rows;
    }

    /** A value as text: BLOBs as {@code \x} hex (PostgreSQL's bytea output), the rest as SQLite gives it. */
    private static String text(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof byte[] b) {
            return "\\x" + java.util.HexFormat.of().formatHex(b);
        }
        return v.toString();
    }

    /** PostgreSQL's text format: backslash, tab, newline and carriage return escaped. */
    static String textEscape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Counts the bytes that reach the file or standard output. */
    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
