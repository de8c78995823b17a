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

    private Exporter(Connection connection, Engine engine) {
        this.connection = connection;
        this.engine = engine;
    }

    /** An exporter on {@code connection} (of its own: it is used in one transaction and left in auto-commit). */
    public static Exporter of(Connection connection, Engine engine) {
        return new Exporter(connection, engine);
    }

    /** Writes the rows; {@code stdout} receives them when the request names no file. */
    public ExportResult export(ExportRequest r, OutputStream stdout) {
        long start = System.nanoTime();
        String select = select(r);
        Path partial = null;
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
                sink = Files.newOutputStream(partial);
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
            try (OutputStream out = r.gzip() ? new GZIPOutputStream(counted, 1 << 16) : new BufferedOutputStream(counted, 1 << 16)) {
                rows = inSnapshot(() -> write(select, r.format(), out));
            }
            if (partial != null) {
                try (var channel = java.nio.channels.FileChannel.open(partial, java.nio.file.StandardOpenOption.WRITE)) {
                    channel.force(true);
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
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.EXPORT_FAILED, "Cannot write the export" + r.out().map(p -> " " + p)
                    .orElse("") + ": " + e.getMessage() + ". Nothing was left under that name.", e);
        } finally {
            if (partial != null) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // best effort: the .partial name says it is not an export
                }
            }
        }
    }

    /** The SELECT the request means. */
    String select(ExportRequest r) {
        if (r.query() != null) {
            String q = r.query().trim().replaceAll(";\\s*$", "");
            return r.columns().isEmpty() ? q : "SELECT " + quoted(r.columns()) + " FROM (" + q + ") q";
        }
        String table = dev.botdb.dialect.QualifiedName.parse(r.table()).sql();
        return "SELECT " + (r.columns().isEmpty() ? "*" : quoted(r.columns())) + " FROM " + table
                + (r.where() == null ? "" : " WHERE " + r.where());
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
                    s.execute("SET LOCAL DateStyle = 'ISO, YMD'");
                    s.execute("SET LOCAL TimeZone = 'UTC'");
                    s.execute("SET LOCAL bytea_output = 'hex'");
                    s.execute("SET LOCAL extra_float_digits = 1");
                }
            }
            return work.run();
        } finally {
            connection.rollback();
            connection.setAutoCommit(auto);
        }
    }

    private long write(String select, Format format, OutputStream out) throws SQLException, IOException {
        List<String> names = columnNames(select);
        if (engine == Engine.POSTGRESQL) {
            var copy = connection.unwrap(PGConnection.class).getCopyAPI();
            switch (format) {
                case CSV -> {
                    return copy.copyOut("COPY (" + select + ") TO STDOUT WITH (FORMAT csv, HEADER)", out);
                }
                case TSV -> {
                    out.write((String.join("\t", names.stream().map(Exporter::textEscape).toList()) + "\n")
                            .getBytes(StandardCharsets.UTF_8));
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

    private List<String> columnNames(String select) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = connection.createStatement();
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
