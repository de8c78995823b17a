package dev.botdb.backup;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.botdb.BotDbException;
import dev.botdb.Release;
import dev.botdb.ErrorCode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a backup holds, stored inside the archive (and readable without decrypting the rows):
 * where and when it was taken, every table with its row count and the SHA-256 of its rows as
 * {@code COPY ... TO STDOUT} output (binary or text), and the checksum of the schema. {@code verify} compares a
 * restored database with exactly these figures.
 *
 * @param format          archive format version of the manifest
 * @param botdbVersion    the botdb that wrote it
 * @param engine          {@code postgresql} or {@code sqlite}
 * @param serverVersion   the server's version text (PostgreSQL) or SQLite's library version
 * @param database        the database name (PostgreSQL) or file name (SQLite)
 * @param createdAt       ISO-8601 instant of the snapshot
 * @param durationMs      how long the backup took
 * @param partial         true when only chosen tables were backed up
 * @param ownership       true when owners and grants are included
 * @param schemaChecksum  SHA-256 of the schema's DDL (PostgreSQL) or of the sqlite_schema rows
 * @param tables          every table, in the order its rows are stored
 * @param notes           what the backup could not include, one sentence each
 */
public record Manifest(int format, String botdbVersion, String engine, String serverVersion, String database,
                       String createdAt, long durationMs, boolean partial, boolean ownership, String schemaChecksum,
                       List<Table> tables, List<String> notes) {

    public static final int FORMAT = 1;

    /** The botdb release that writes manifests now ("development" for a build outside a release). */
    public static String runningRelease() {
        return Release.current().toString();
    }

    public Manifest {
        tables = List.copyOf(tables);
        notes = List.copyOf(notes);
    }

    /**
     * One table's rows.
     *
     * @param schema  schema name (SQLite: {@code main})
     * @param name    table name
     * @param entry   archive entry holding the rows
     * @param rows    row count
     * @param bytes   size of the rows as COPY writes them (in {@code format})
     * @param sha256  SHA-256 of those bytes
     * @param rowsHash the rows as a multiset ({@code RowsHash}): equal whatever order a restore puts them in;
     *                 null for SQLite tables (their checksum is order-free already)
     * @param format   how the rows are stored: {@link #BINARY} ({@code COPY ... WITH (FORMAT binary)}, which the
     *                 server reads and writes much faster) when every column's type has a binary form that means
     *                 the same in any database, else {@link #TEXT} (also every SQLite table, and manifests written
     *                 before the field existed)
     */
    public record Table(String schema, String name, String entry, long rows, long bytes, String sha256, String rowsHash,
                        String format) {
        public static final String TEXT = "text";
        public static final String BINARY = "binary";

        public Table {
            format = format == null ? TEXT : format;
            if (!format.equals(TEXT) && !format.equals(BINARY)) {
                throw new IllegalArgumentException("unknown row format " + format);
            }
        }

        public String qualified() {
            return schema + "." + name;
        }

        /** True when the rows are in COPY's binary format. */
        public boolean binary() {
            return format.equals(BINARY);
        }

        /** The {@code WITH (...)} options a COPY of these rows takes, with {@code extra} options (e.g. FREEZE) added. */
        public String copyOptions(String... extra) {
            List<String> options = new ArrayList<>();
            if (binary()) {
                options.add("FORMAT binary");
            }
            options.addAll(List.of(extra));
            return options.isEmpty() ? "" : " WITH (" + String.join(", ", options) + ")";
        }
    }

    public long totalRows() {
        return tables.stream().mapToLong(Table::rows).sum();
    }

    public long totalBytes() {
        return tables.stream().mapToLong(Table::bytes).sum();
    }

    public byte[] toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", format);
        m.put("botdb", botdbVersion);
        m.put("engine", engine);
        m.put("server", serverVersion);
        m.put("database", database);
        m.put("created_at", createdAt);
        m.put("duration_ms", durationMs);
        m.put("partial", partial);
        m.put("ownership", ownership);
        m.put("schema_sha256", schemaChecksum);
        List<Object> t = new ArrayList<>();
        for (Table table : tables) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("schema", table.schema());
            e.put("name", table.name());
            e.put("entry", table.entry());
            e.put("rows", table.rows());
            e.put("bytes", table.bytes());
            e.put("sha256", table.sha256());
            if (table.rowsHash() != null) {
                e.put("rows_hash", table.rowsHash());
            }
            e.put("format", table.format());
            t.add(e);
        }
        m.put("tables", t);
        m.put("notes", notes);
        try {
            return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asBytes(m);
        } catch (IOException e) {
            throw new IllegalStateException("a map of strings and numbers is JSON", e);
        }
    }

    public static Manifest fromJson(byte[] json, String where) {
        try {
            Map<String, Object> m = JSON.std.mapFrom(json);
            List<Table> tables = new ArrayList<>();
            for (Object o : list(m.get("tables"))) {
                @SuppressWarnings("unchecked")
                Map<String, Object> e = (Map<String, Object>) o;
                tables.add(new Table(str(e.get("schema")), str(e.get("name")), str(e.get("entry")),
                        num(e.get("rows")), num(e.get("bytes")), str(e.get("sha256")), str(e.get("rows_hash")),
                        str(e.get("format"))));
            }
            List<String> notes = list(m.get("notes")).stream().map(String::valueOf).toList();
            return new Manifest((int) num(m.get("format")), str(m.get("botdb")), str(m.get("engine")),
                    str(m.get("server")), str(m.get("database")), str(m.get("created_at")), num(m.get("duration_ms")),
                    Boolean.TRUE.equals(m.get("partial")), Boolean.TRUE.equals(m.get("ownership")),
                    str(m.get("schema_sha256")), tables, notes);
        } catch (IOException | RuntimeException e) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, where + " has an unreadable manifest (" + e.getMessage()
                    + "). It was not written by this botdb or is damaged; use another backup.");
        }
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static long num(Object o) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("expected a number, found " + o);
    }
}
