package dev.botdb.exchange;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Engine;
import dev.botdb.dialect.QualifiedName;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.QuoteMode;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;

/**
 * {@code botdb import}: a CSV, TSV or JSON-lines file into a table, in one transaction: the header is matched
 * to the table's columns before a row is sent, a bad row stops the import with its file line and nothing is
 * kept, identity and serial sequences are moved past the imported keys. On PostgreSQL the file's bytes go to
 * {@code COPY ... FROM STDIN} as they are (as fast as {@code psql \copy}); {@code --upsert-on} copies into a
 * temporary table and merges with {@code INSERT ... ON CONFLICT}. On SQLite the rows are parsed and inserted
 * with batched prepared statements in one transaction.
 */
public final class Importer {
    private static final Pattern COPY_LINE = Pattern.compile("line (\\d+)(?:, column ([^:]+))?(?:: \"(.*)\")?", Pattern.DOTALL);

    /** Takes the backup of the table --truncate is about to empty and returns its file. */
    public interface SafetyBackup {
        Path before(String table);
    }

    private final Connection connection;
    private final Engine engine;

    private Importer(Connection connection, Engine engine) {
        this.connection = connection;
        this.engine = engine;
    }

    /** An importer on {@code connection} (of its own: used in one transaction, left in auto-commit). */
    public static Importer of(Connection connection, Engine engine) {
        return new Importer(connection, engine);
    }

    /** A column of the target table: whether it must be given (NOT NULL, no default, not generated). */
    private record Column(String name, boolean required, String sequence) {
    }

    public ImportResult run(ImportRequest r, SafetyBackup safety) {
        long start = System.nanoTime();
        ImportFile file = new ImportFile(r.file(), r.format());
        QualifiedName table = QualifiedName.parse(r.table());
        List<String> fields = new ArrayList<>();
        boolean auto = true;
        try {
            auto = connection.getAutoCommit();
            connection.setAutoCommit(false);
            Map<String, Column> columns = columns(table);
            try (InputStream in = file.open()) {
                List<String> names = names(r, file, in, columns);
                fields.addAll(names);
                Optional<Path> backup = Optional.empty();
                if (r.truncate() && !r.dryRun()) {
                    if (hasRows(table)) {
                        backup = Optional.of(safety.before(table.sql()));
                    }
                }
                if (r.truncate()) {
                    try (Statement s = connection.createStatement()) {
                        s.execute(engine == Engine.POSTGRESQL ? "TRUNCATE " + table.sql() : "DELETE FROM " + table.sql());
                    }
                }
                long[] counts = engine == Engine.POSTGRESQL ? copy(r, file, in, table, names) : insert(r, file, in, table, names);
                List<String> sequences = engine == Engine.POSTGRESQL ? sequences(table, names, columns) : List.of();
                if (r.dryRun()) {
                    connection.rollback();
                } else {
                    connection.commit();
                }
                return new ImportResult(counts[0], counts[1], counts[2], sequences, backup, r.dryRun(),
                        (System.nanoTime() - start) / 1_000_000);
            }
        } catch (SQLException e) {
            rollback();
            throw rowError(e, file, r, fields);
        } catch (IOException e) {
            rollback();
            throw new BotDbException(ErrorCode.IMPORT_FAILED, "Reading " + r.file() + " failed: " + e.getMessage()
                    + ". Nothing was imported. Check that the file is complete and readable (a .gz cut short fails"
                    + " here: gzip -t FILE) and run again.", e);
        } catch (RuntimeException e) {
            rollback();
            throw e;
        } finally {
            try {
                connection.setAutoCommit(auto);
            } catch (SQLException ignored) {
                // the connection is gone; so is the transaction
            }
        }
    }

    private void rollback() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // a lost connection rolls back by itself
        }
    }

    private boolean hasRows(QualifiedName table) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM " + table.sql() + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** The table's columns by lower-case name, in table order. */
    private Map<String, Column> columns(QualifiedName table) throws SQLException {
        Map<String, Column> out = new LinkedHashMap<>();
        String sql = engine == Engine.POSTGRESQL ? """
                SELECT a.attname, a.attnotnull AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = '',
                       pg_get_serial_sequence(a.attrelid::regclass::text, a.attname)
                  FROM pg_attribute a
                 WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped
                 ORDER BY a.attnum"""
                : "SELECT name, \"notnull\" AND dflt_value IS NULL AND pk = 0, NULL FROM pragma_table_info(?) ORDER BY cid";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, engine == Engine.POSTGRESQL ? table.sql() : table.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1).toLowerCase(Locale.ROOT), new Column(rs.getString(1), rs.getBoolean(2),
                            rs.getString(3)));
                }
            }
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.IMPORT_REFUSED, "Table " + table + " does not exist (" + e.getMessage()
                    .lines().findFirst().orElse("") + "). Nothing was imported; botdb inspect lists the tables.", e);
        }
        if (out.isEmpty()) {
            throw new BotDbException(ErrorCode.IMPORT_REFUSED, "Table " + table + " does not exist. Nothing was imported.");
        }
        return out;
    }

    /** The table's column names for the file's columns, checked: unknown or missing required ones are refused. */
    private List<String> names(ImportRequest r, ImportFile file, InputStream in, Map<String, Column> columns)
            throws IOException {
        List<String> given;
        if (!r.columns().isEmpty()) {
            given = r.columns();
            if (r.header() && r.format() != Format.JSONL) {
                file.readHeader(in); // the header is there but --columns says what the fields are
            }
        } else if (r.format() == Format.JSONL) {
            given = jsonKeys(file);
        } else if (r.header()) {
            given = file.readHeader(in);
        } else {
            throw new BotDbException(ErrorCode.USAGE, "--no-header needs --columns a,b,c: without a header botdb cannot"
                    + " tell which column each field is.");
        }
        List<String> names = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String g : given) {
            Column c = columns.get(g.trim().toLowerCase(Locale.ROOT));
            if (c == null) {
                unknown.add(g);
            } else {
                names.add(c.name());
            }
        }
        List<String> missing = columns.values().stream().filter(Column::required)
                .filter(c -> names.stream().noneMatch(n -> n.equals(c.name()))).map(Column::name).toList();
        if (!unknown.isEmpty() || !missing.isEmpty()) {
            throw new BotDbException(ErrorCode.IMPORT_REFUSED, r.file() + " does not fit " + r.table() + ":"
                    + (unknown.isEmpty() ? "" : " the file's " + String.join(", ", unknown) + (unknown.size() == 1
                    ? " is not a column" : " are not columns") + " of the table;")
                    + (missing.isEmpty() ? "" : " the table's " + String.join(", ", missing) + " (NOT NULL, no default)"
                    + (missing.size() == 1 ? " is" : " are") + " not in the file;")
                    + " the table's columns are " + String.join(", ", columns.values().stream().map(Column::name).toList())
                    + ". Rename the header, or give --columns. Nothing was imported.");
        }
        return names;
    }

    private static List<String> jsonKeys(ImportFile file) throws IOException {
        try (InputStream in = file.open();
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                List<String> keys = new ArrayList<>();
                try (var p = new com.fasterxml.jackson.core.JsonFactory().createParser(line)) {
                    if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                        break;
                    }
                    while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                        keys.add(p.currentName());
                        p.nextToken();
                        p.skipChildren();
                    }
                }
                return keys;
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BotDbException(ErrorCode.IMPORT_REFUSED, file.path() + " line 1 is not a JSON object ("
                    + e.getOriginalMessage() + "). Nothing was imported.", e);
        }
        throw new BotDbException(ErrorCode.IMPORT_REFUSED, file.path() + " holds no JSON object. Nothing was imported.");
    }

    private static String list(List<String> names) {
        return String.join(", ", names.stream().map(n -> "\"" + n.replace("\"", "\"\"") + "\"").toList());
    }

    /** PostgreSQL: the file through COPY (into a temporary table first with --upsert-on); rows, inserted, updated. */
    private long[] copy(ImportRequest r, ImportFile file, InputStream in, QualifiedName table, List<String> names)
            throws SQLException, IOException {
        String into = table.sql();
        if (!r.upsertOn().isEmpty()) {
            try (Statement s = connection.createStatement()) {
                s.execute("CREATE TEMPORARY TABLE botdb_import (LIKE " + table.sql() + " INCLUDING DEFAULTS) ON COMMIT DROP");
            }
            into = "botdb_import";
        }
        long rows;
        var api = connection.unwrap(PGConnection.class).getCopyAPI();
        if (r.format() == Format.JSONL) {
            try (Statement s = connection.createStatement()) {
                s.execute("CREATE TEMPORARY TABLE botdb_import_json (line bigint GENERATED ALWAYS AS IDENTITY, doc jsonb)"
                        + " ON COMMIT DROP");
            }
            CopyIn copy = api.copyIn("COPY botdb_import_json (doc) FROM STDIN");
            rows = jsonLines(in, copy, file);
            try (Statement s = connection.createStatement()) {
                s.execute("SAVEPOINT botdb_json");
                try {
                    s.executeUpdate("INSERT INTO " + into + " (" + list(names) + ") SELECT " + String.join(", ", names.stream()
                            .map(n -> "r.\"" + n.replace("\"", "\"\"") + "\"").toList()) + " FROM botdb_import_json j,"
                            + " jsonb_populate_record(NULL::" + into + ", j.doc) r ORDER BY j.line");
                } catch (SQLException e) {
                    s.execute("ROLLBACK TO SAVEPOINT botdb_json");
                    throw jsonLineError(e, file);
                }
            }
        } else {
            String options = r.format() == Format.CSV ? " WITH (FORMAT csv)" : "";
            rows = api.copyIn("COPY " + into + " (" + list(names) + ") FROM STDIN" + options, in, 1 << 16);
        }
        if (r.upsertOn().isEmpty()) {
            return new long[] {rows, rows, 0};
        }
        List<String> key = r.upsertOn();
        List<String> rest = names.stream().filter(n -> key.stream().noneMatch(k -> k.equalsIgnoreCase(n))).toList();
        String set = rest.isEmpty() ? "NOTHING" : "UPDATE SET " + String.join(", ", rest.stream()
                .map(n -> "\"" + n.replace("\"", "\"\"") + "\" = EXCLUDED.\"" + n.replace("\"", "\"\"") + "\"").toList());
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(
                "WITH merged AS (INSERT INTO " + table.sql() + " (" + list(names) + ") SELECT " + list(names)
                        + " FROM botdb_import ON CONFLICT (" + list(key) + ") DO " + set + " RETURNING xmax = 0 AS inserted)"
                        + " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged")) {
            rs.next();
            return new long[] {rows, rs.getLong(1), rs.getLong(2)};
        }
    }

    private static final Pattern QUOTED_VALUE = Pattern.compile(": \"(.*)\"$");

    /**
     * A row of a JSON-lines file the table refused: the server names the value, not the line, so the staged lines
     * are searched for the first one holding that value, which gives the line and the key.
     */
    private BotDbException jsonLineError(SQLException e, ImportFile file) {
        String message = e instanceof PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getMessage() : e.getMessage();
        Matcher value = QUOTED_VALUE.matcher(message == null ? "" : message);
        if (value.find()) {
            try (PreparedStatement ps = connection.prepareStatement("SELECT j.line, e.key FROM botdb_import_json j,"
                    + " jsonb_each_text(j.doc) e WHERE e.value = ? ORDER BY j.line LIMIT 1")) {
                ps.setString(1, value.group(1));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new BotDbException(ErrorCode.IMPORT_FAILED, file.path() + " line " + rs.getLong(1)
                                + ", key " + rs.getString(2) + ", value " + shorten(value.group(1)) + ": " + message
                                + (e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]")
                                + ". Nothing was imported: the table is as it was.", e);
                    }
                }
            } catch (SQLException ignored) {
                // the plain message below still says what is wrong
            }
        }
        return new BotDbException(ErrorCode.IMPORT_FAILED, file.path() + ": " + message
                + (e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]")
                + ". Nothing was imported: the table is as it was.", e);
    }

    /** Each JSON line, checked to be an object, into COPY's text format (backslashes doubled). */
    private static long jsonLines(InputStream in, CopyIn copy, ImportFile file) throws SQLException, IOException {
        long rows = 0;
        long line = 0;
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String text;
        var factory = new com.fasterxml.jackson.core.JsonFactory();
        try {
            while ((text = reader.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                try (var p = factory.createParser(text)) {
                    if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                        throw new BotDbException(ErrorCode.IMPORT_FAILED, file.path() + " line " + line + " is not a"
                                + " JSON object. Nothing was imported.");
                    }
                    p.skipChildren();
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new BotDbException(ErrorCode.IMPORT_FAILED, file.path() + " line " + line + " is not valid JSON ("
                            + e.getOriginalMessage() + "). Nothing was imported.", e);
                }
                byte[] b = (text.replace("\\", "\\\\") + "\n").getBytes(StandardCharsets.UTF_8);
                copy.writeToCopy(b, 0, b.length);
                rows++;
            }
            copy.endCopy();
            return rows;
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** Each identity or serial sequence of an imported column moved past the largest value, never back. */
    private List<String> sequences(QualifiedName table, List<String> names, Map<String, Column> columns) throws SQLException {
        List<String> moved = new ArrayList<>();
        for (String n : names) {
            Column c = columns.get(n.toLowerCase(Locale.ROOT));
            if (c == null || c.sequence() == null) {
                continue;
            }
            try (PreparedStatement ps = connection.prepareStatement("SELECT setval(?, greatest((SELECT max(\""
                    + n.replace("\"", "\"\"") + "\")::bigint FROM " + table.sql() + "), (SELECT last_value FROM "
                    + c.sequence() + ")), true) WHERE (SELECT max(\"" + n.replace("\"", "\"\"") + "\") FROM " + table.sql()
                    + ") IS NOT NULL")) {
                ps.setString(1, c.sequence());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        moved.add(c.sequence() + " = " + rs.getLong(1));
                    }
                }
            }
        }
        return moved;
    }

    /** SQLite: the rows parsed and inserted in batches; rows, inserted, updated. */
    private long[] insert(ImportRequest r, ImportFile file, InputStream in, QualifiedName table, List<String> names)
            throws SQLException, IOException {
        String placeholders = String.join(", ", names.stream().map(n -> "?").toList());
        String sql = "INSERT INTO " + table.sql() + " (" + list(names) + ") VALUES (" + placeholders + ")";
        String exists = null;
        if (!r.upsertOn().isEmpty()) {
            List<String> rest = names.stream().filter(n -> r.upsertOn().stream().noneMatch(k -> k.equalsIgnoreCase(n))).toList();
            sql += " ON CONFLICT (" + list(r.upsertOn()) + ") DO " + (rest.isEmpty() ? "NOTHING" : "UPDATE SET "
                    + String.join(", ", rest.stream().map(n -> "\"" + n + "\" = excluded.\"" + n + "\"").toList()));
            exists = "SELECT 1 FROM " + table.sql() + " WHERE " + String.join(" AND ", r.upsertOn().stream()
                    .map(k -> "\"" + k + "\" = ?").toList());
        }
        long rows = 0;
        long updated = 0;
        long line = r.header() ? 1 : 0;
        try (PreparedStatement ps = connection.prepareStatement(sql);
             PreparedStatement check = exists == null ? null : connection.prepareStatement(exists)) {
            Reader source = new Reader(r.format(), in);
            List<String> values;
            while ((values = source.next()) != null) {
                rows++;
                long at = r.format() == Format.CSV ? line + source.lineOfLast() : line + rows;
                if (values.size() != names.size()) {
                    throw new BotDbException(ErrorCode.IMPORT_FAILED, r.file() + " line " + at + " has " + values.size()
                            + " fields where the header has " + names.size() + ". Nothing was imported.");
                }
                for (int i = 0; i < names.size(); i++) {
                    ps.setString(i + 1, values.get(i));
                }
                if (check != null) {
                    for (int k = 0; k < r.upsertOn().size(); k++) {
                        int i = indexOf(names, r.upsertOn().get(k));
                        check.setString(k + 1, i < 0 ? null : values.get(i));
                    }
                    try (ResultSet rs = check.executeQuery()) {
                        updated += rs.next() ? 1 : 0;
                    }
                }
                try {
                    ps.executeUpdate();
                } catch (SQLException e) {
                    throw new BotDbException(ErrorCode.IMPORT_FAILED, r.file() + " line " + at + ": " + e.getMessage()
                            + ". Nothing was imported.", e);
                }
            }
        }
        return new long[] {rows, rows - updated, updated};
    }

    private static int indexOf(List<String> names, String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Rows of a file for SQLite: CSV (unquoted empty is NULL, "" the empty string), TSV (\N is NULL), JSON lines. */
    private static final class Reader {
        private final Format format;
        private final java.util.Iterator<CSVRecord> csv;
        private final CSVParser parser;
        private final BufferedReader lines;
        private long lastStart;

        Reader(Format format, InputStream in) throws IOException {
            this.format = format;
            java.io.Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
            if (format == Format.CSV) {
                parser = CSVParser.builder().setReader(reader).setFormat(CSVFormat.RFC4180.builder().setNullString("")
                        .setQuoteMode(QuoteMode.ALL_NON_NULL).get()).get();
                csv = parser.iterator();
                lines = null;
            } else {
                parser = null;
                csv = null;
                lines = new BufferedReader(reader);
            }
        }

        long lineOfLast() {
            return lastStart;
        }

        List<String> next() throws IOException {
            if (format == Format.CSV) {
                long before = parser.getCurrentLineNumber();
                if (!csv.hasNext()) {
                    return null;
                }
                CSVRecord record = csv.next();
                lastStart = before + 1;
                return record.toList();
            }
            String line = lines.readLine();
            if (line == null) {
                return null;
            }
            List<String> values = new ArrayList<>();
            for (String field : line.split("\t", -1)) {
                values.add(field.equals("\\N") ? null : field.replace("\\t", "\t").replace("\\n", "\n")
                        .replace("\\r", "\r").replace("\\\\", "\\"));
            }
            return values;
        }
    }

    /** A server error during the import, with the file line of the failing record. */
    private BotDbException rowError(SQLException e, ImportFile file, ImportRequest r, List<String> fields) {
        String detail = e.getMessage();
        String where = "";
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            var m = p.getServerErrorMessage();
            detail = m.getMessage() + (m.getDetail() != null ? " (" + m.getDetail() + ")" : "");
            Matcher line = m.getWhere() == null ? null : COPY_LINE.matcher(m.getWhere());
            if (line != null && line.find() && r.format() != Format.JSONL) {
                long[] lines = file.linesOf(Long.parseLong(line.group(1)), r.header(), fields, line.group(2), line.group(3));
                where = " line " + lines[0] + (lines[1] > lines[0] ? " (to " + lines[1] + ")" : "")
                        + (line.group(2) != null ? ", column " + line.group(2) : "")
                        + (line.group(3) != null ? ", value " + shorten(line.group(3)) : "");
            }
        }
        return new BotDbException(ErrorCode.IMPORT_FAILED, r.file() + where + ": " + detail
                + (e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]")
                + ". Nothing was imported: the table is as it was.", e);
    }

    private static String shorten(String v) {
        return "'" + (v.length() > 60 ? v.substring(0, 59) + "…" : v) + "'";
    }
}
