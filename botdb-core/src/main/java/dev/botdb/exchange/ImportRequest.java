package dev.botdb.exchange;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@code botdb import} loads.
 *
 * @param table    the table
 * @param file     the file ({@code .gz} read directly)
 * @param format   CSV, TSV or JSON lines (null: from the file name)
 * @param columns  the file's columns in order (empty: from its header)
 * @param header   whether the file starts with a header line (CSV, TSV)
 * @param truncate empty the table first, in the same transaction (a safety backup of it is taken before)
 * @param upsertOn key columns: rows whose key exists are updated, the others inserted (empty: insert only)
 * @param dryRun   load in a transaction that is rolled back: every row is checked, nothing stays
 */
public record ImportRequest(String table, Path file, Format format, List<String> columns, boolean header,
                            boolean truncate, List<String> upsertOn, boolean dryRun) {
    public ImportRequest {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(file, "file");
        format = format == null ? Format.of(file.getFileName().toString()) : format;
        columns = List.copyOf(columns);
        upsertOn = List.copyOf(upsertOn);
    }

    /** {@code file} (CSV with a header, or as its name says) into {@code table}. */
    public static ImportRequest of(String table, Path file) {
        return new ImportRequest(table, file, null, List.of(), true, false, List.of(), false);
    }
}
