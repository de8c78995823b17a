package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Engine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code botdb sql "SELECT ..."}: what operators do with {@code psql -c} and {@code docker exec ...
 * psql}, on the resolved connection and with no psql installed. Read-only unless {@code --write}.
 */
@Command(name = "sql", description = "Run one SQL statement on the configured database and print its rows"
        + " (a table, --json or --csv). Read-only unless --write. Exit 21 with the server's error when it fails.")
final class SqlCommand extends BotDbCommand {
    @Parameters(paramLabel = "STATEMENT", description = "One SQL statement, e.g. \"SELECT count(*) FROM users\".")
    String sql;

    @Option(names = "--json", description = "Print rows as a JSON array of objects (column name: value).")
    boolean json;

    @Option(names = "--csv", description = "Print rows as CSV (RFC 4180) with a header; NULL is an empty unquoted"
            + " field, the empty string \"\", numbers unquoted.")
    boolean csv;

    @Option(names = "--write", description = "Allow a statement that changes data or schema (committed when it"
            + " succeeds).")
    boolean write;

    @Override
    public Integer call() {
        if (json && csv) {
            throw new BotDbException(ErrorCode.USAGE, "Choose one output: --json or --csv.");
        }
        try (BotDb db = open(); Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            readOnly(c, db.target().engine());
            try (Statement st = c.createStatement()) {
                boolean rows = st.execute(sql);
                if (rows) {
                    try (ResultSet rs = st.getResultSet()) {
                        print(rs);
                    }
                } else if (!json && !csv) {
                    cli.out.println(st.getUpdateCount() < 0 ? "OK" : "OK, " + st.getUpdateCount() + " row(s)");
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw failed(e);
            }
        } catch (SQLException e) {
            throw failed(e);
        }
        return 0;
    }

    private void readOnly(Connection c, Engine engine) throws SQLException {
        if (write) {
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute(engine == Engine.SQLITE ? "PRAGMA query_only = ON" : "SET TRANSACTION READ ONLY");
        }
    }

    private BotDbException failed(SQLException e) {
        String state = e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]";
        boolean readOnly = "25006".equals(e.getSQLState()) || String.valueOf(e.getMessage()).contains("query_only")
                || String.valueOf(e.getMessage()).contains("attempt to write a readonly database");
        return new BotDbException(ErrorCode.SQL_FAILED, "The statement failed" + state + ": " + e.getMessage()
                + (readOnly && !write ? "\n  botdb sql runs read-only; add --write to change data (it is committed"
                + " when the statement succeeds)." : ""), e);
    }

    private void print(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<String> columns = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            columns.add(md.getColumnLabel(i));
        }
        List<List<Object>> rows = new ArrayList<>();
        while (rs.next()) {
            List<Object> row = new ArrayList<>();
            for (int i = 1; i <= columns.size(); i++) {
                row.add(value(rs, i));
            }
            rows.add(row);
        }
        if (json) {
            List<Map<String, Object>> objects = new ArrayList<>();
            for (List<Object> row : rows) {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    m.put(columns.get(i), row.get(i));
                }
                objects.add(m);
            }
            cli.out.println(Printer.jsonWithNulls(objects));
        } else if (csv) {
            csv(columns, rows);
        } else {
            table(columns, rows);
        }
    }

    /** Numbers and booleans as themselves, timestamps in ISO 8601, everything else as the driver's text. */
    private static Object value(ResultSet rs, int i) throws SQLException {
        Object v = rs.getObject(i);
        if (v == null || v instanceof Number || v instanceof Boolean || v instanceof String) {
            return v;
        }
        if (v instanceof java.sql.Timestamp || v instanceof java.sql.Date || v instanceof java.sql.Time) {
            String text = rs.getString(i);
            try {
                return rs.getObject(i, OffsetDateTime.class).toString();
            } catch (SQLException | RuntimeException notWithOffset) {
                return text;
            }
        }
        return rs.getString(i);
    }

    private void csv(List<String> columns, List<List<Object>> rows) {
        CSVFormat format = CSVFormat.RFC4180.builder().setHeader(columns.toArray(String[]::new))
                .setNullString("").setQuoteMode(org.apache.commons.csv.QuoteMode.NON_NUMERIC).get();
        try {
            CSVPrinter printer = new CSVPrinter(cli.out, format);
            for (List<Object> row : rows) {
                printer.printRecord(row);
            }
            printer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Aligned columns as psql prints them, NULL shown as an empty cell, then the row count. */
    private void table(List<String> columns, List<List<Object>> rows) {
        int[] width = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            width[i] = columns.get(i).length();
            for (List<Object> row : rows) {
                width[i] = Math.max(width[i], text(row.get(i)).length());
            }
        }
        StringBuilder head = new StringBuilder();
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            head.append(i == 0 ? " " : " | ").append(pad(columns.get(i), width[i]));
            rule.append(i == 0 ? "-" : "-+-").append("-".repeat(width[i]));
        }
        cli.out.println(head.toString().stripTrailing());
        cli.out.println(rule + "-");
        for (List<Object> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns.size(); i++) {
                line.append(i == 0 ? " " : " | ").append(pad(text(row.get(i)), width[i]));
            }
            cli.out.println(line.toString().stripTrailing());
        }
        cli.out.println("(" + rows.size() + (rows.size() == 1 ? " row)" : " rows)"));
    }

    private static String text(Object v) {
        return v == null ? "" : String.valueOf(v).replace("\n", "\\n");
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }
}
