package dev.botdb.copy;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * An archive file that {@code botdb archive --to FILE} appends batches of rows to, each batch durable before
 * the rows leave the database. The archive feature moves the rows; the backup feature owns the file format
 * (an appendable botdb archive) and reads it back in {@code botdb restore FILE --table T}. The two meet here.
 *
 * <p>A batch is written ({@link #write}) inside the database transaction that deletes its rows and records
 * {@code (archiveId, batch)} in {@code botdb_archive_batches}; after the commit, {@link #keep()} makes it
 * final. After a kill between the two, {@link #pending()} names the batch, and the caller keeps it when the
 * database has its record (the delete committed) or {@link #drop()}s it when not (the rows are still there).
 */
public interface BatchFile extends AutoCloseable {

    /** Opens a batch file, creating it when missing; an existing one must hold rows of the same tables. */
    @FunctionalInterface
    interface Opener {
        BatchFile open(Path file, Source source);
    }

    /**
     * What is archived: where from, and each table's columns (the archived table first, then the tables whose
     * rows move with it).
     *
     * @param engine    {@code postgresql} or {@code sqlite}
     * @param database  the database's name (PostgreSQL) or file (SQLite), for the manifest
     * @param rowFormat {@link #PG_BINARY} or {@link #SQLITE_ROWS}
     */
    record Source(String engine, String database, String rowFormat, List<Table> tables) {
        /** PostgreSQL's {@code COPY ... (FORMAT binary)}. */
        public static final String PG_BINARY = "copy-binary";
        /** {@link SqliteRows}. */
        public static final String SQLITE_ROWS = "sqlite-rows";

        public Source {
            tables = List.copyOf(tables);
        }
    }

    /**
     * A table whose rows are archived: its qualified name and columns, and (SQLite) its {@code CREATE TABLE}.
     *
     * @param types    each column's type as the database spells it ({@code format_type} on PostgreSQL)
     * @param notNull  whether each column is {@code NOT NULL}
     * @param createSql SQLite's {@code CREATE TABLE} text, or null
     */
    record Table(String name, List<String> columns, List<String> types, List<Boolean> notNull, String createSql) {
        public Table {
            columns = List.copyOf(columns);
            types = List.copyOf(types);
            notNull = List.copyOf(notNull);
        }
    }

    /** One table's rows of one batch, in the source's row format. */
    record Rows(String table, long rows, byte[] data) {
    }

    /** A random id for this file, recorded with each batch in the database. */
    String archiveId();

    /** How many batches the file holds. */
    long batches();

    /** The batch written but neither kept nor dropped (the previous run was stopped between the two). */
    OptionalLong pending();

    /** Makes the pending batch final. */
    void keep();

    /** Undoes the pending batch: the file is what it was before it. */
    void drop();

    /** Writes batch {@code batch} durably; it is pending until {@link #keep()} or {@link #drop()}. */
    void write(long batch, List<Rows> rows);

    @Override
    void close();
}
