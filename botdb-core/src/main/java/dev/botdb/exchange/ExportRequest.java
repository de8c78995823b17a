package dev.botdb.exchange;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code botdb export} writes.
 *
 * @param table   the table (schema-qualified or not), or null with {@code query}
 * @param query   a SELECT, or null with {@code table}
 * @param columns the table's columns to write, in this order (empty: all)
 * @param where   a condition on the table's rows, or null
 * @param format  CSV, TSV or JSON lines
 * @param gzip    compress the output
 * @param out     the file, or empty for standard output
 * @param force   replace an existing file
 */
public record ExportRequest(String table, String query, List<String> columns, String where, Format format,
                            boolean gzip, Optional<Path> out, boolean force) {
    public ExportRequest {
        if ((table == null) == (query == null)) {
            throw new IllegalArgumentException("give a table or a query");
        }
        columns = List.copyOf(columns);
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(out, "out");
    }

    /** All of {@code table} as CSV into {@code file}. */
    public static ExportRequest table(String table, Path file) {
        return new ExportRequest(table, null, List.of(), null, Format.CSV, false, Optional.of(file), false);
    }
}
