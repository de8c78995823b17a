package dev.botdb.backup.rows;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.Release;
import dev.botdb.copy.BatchFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The manifest of an archive file: which database and tables its rows came from (with their columns, so a
 * restore can create a table for them), and every batch with its rows per table. Rewritten by each append.
 *
 * @param archiveId a random id, recorded with each batch in the database's {@code botdb_archive_batches}
 * @param batches   in the order they were written
 */
public record RowsManifest(String archiveId, String botdbVersion, String createdAt, BatchFile.Source source,
                           List<Batch> batches) {
    /** The {@code kind} that tells a rows archive's manifest from a backup's. */
    public static final String KIND = "botdb-rows-archive";
    static final int FORMAT = 1;

    public RowsManifest {
        batches = List.copyOf(batches);
    }

    /**
     * One batch.
     *
     * @param rows  rows per table (qualified name), for the tables that had any
     * @param bytes the batch's size as the source's row format writes it
     */
    public record Batch(long number, String at, Map<String, Long> rows, long bytes) {
        public Batch {
            rows = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rows));
        }
    }

    /** The entry holding {@code table}'s rows of batch {@code number}. */
    static String entry(long number, String table) {
        return String.format(Locale.ROOT, "batch/%06d/%s", number, table);
    }

    RowsManifest with(Batch batch) {
        List<Batch> more = new ArrayList<>(batches);
        more.add(batch);
        return new RowsManifest(archiveId, botdbVersion, createdAt, source, more);
    }

    public long rows(String table) {
        return batches.stream().mapToLong(b -> b.rows().getOrDefault(table, 0L)).sum();
    }

    public long bytes() {
        return batches.stream().mapToLong(Batch::bytes).sum();
    }

    byte[] toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", KIND);
        m.put("format", FORMAT);
        m.put("botdb", botdbVersion);
        m.put("archive_id", archiveId);
        m.put("created_at", createdAt);
        m.put("engine", source.engine());
        m.put("database", source.database());
        m.put("row_format", source.rowFormat());
        List<Object> tables = new ArrayList<>();
        for (BatchFile.Table t : source.tables()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", t.name());
            List<Object> cols = new ArrayList<>();
            for (int i = 0; i < t.columns().size(); i++) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("name", t.columns().get(i));
                c.put("type", t.types().get(i));
                c.put("not_null", t.notNull().get(i));
                cols.add(c);
            }
            e.put("columns", cols);
            if (t.createSql() != null) {
                e.put("create_sql", t.createSql());
            }
            tables.add(e);
        }
        m.put("tables", tables);
        List<Object> list = new ArrayList<>();
        for (Batch b : batches) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("n", b.number());
            e.put("at", b.at());
            e.put("rows", b.rows());
            e.put("bytes", b.bytes());
            list.add(e);
        }
        m.put("batches", list);
        try {
            return JSON.std.asBytes(m);
        } catch (IOException e) {
            throw new IllegalStateException("a map of strings and numbers is JSON", e);
        }
    }

    /**
     * The manifest of a rows archive, or empty when {@code json} is another kind's (a backup's): read once, by
     * whoever needs to tell the two apart.
     */
    @SuppressWarnings("unchecked")
    public static java.util.Optional<RowsManifest> of(byte[] json, String where) {
        try {
            Map<String, Object> m = JSON.std.mapFrom(json);
            if (!KIND.equals(m.get("kind"))) {
                return java.util.Optional.empty();
            }
            if (((Number) m.get("format")).intValue() > FORMAT) {
                throw new BotDbException(ErrorCode.BACKUP_INVALID, where + " was written by a newer botdb (rows archive"
                        + " format " + m.get("format") + "); upgrade botdb to read it.");
            }
            List<BatchFile.Table> tables = new ArrayList<>();
            for (Object o : (List<Object>) m.get("tables")) {
                Map<String, Object> t = (Map<String, Object>) o;
                List<String> names = new ArrayList<>();
                List<String> types = new ArrayList<>();
                List<Boolean> notNull = new ArrayList<>();
                for (Object c : (List<Object>) t.get("columns")) {
                    Map<String, Object> col = (Map<String, Object>) c;
                    names.add((String) col.get("name"));
                    types.add((String) col.get("type"));
                    notNull.add(Boolean.TRUE.equals(col.get("not_null")));
                }
                tables.add(new BatchFile.Table((String) t.get("name"), names, types, notNull, (String) t.get("create_sql")));
            }
            List<Batch> batches = new ArrayList<>();
            for (Object o : (List<Object>) m.get("batches")) {
                Map<String, Object> b = (Map<String, Object>) o;
                Map<String, Long> rows = new LinkedHashMap<>();
                ((Map<String, Object>) b.get("rows")).forEach((k, v) -> rows.put(k, ((Number) v).longValue()));
                batches.add(new Batch(((Number) b.get("n")).longValue(), (String) b.get("at"), rows,
                        ((Number) b.get("bytes")).longValue()));
            }
            return java.util.Optional.of(new RowsManifest((String) m.get("archive_id"), (String) m.get("botdb"),
                    (String) m.get("created_at"), new BatchFile.Source((String) m.get("engine"), (String) m.get("database"),
                    (String) m.get("row_format"), tables), batches));
        } catch (BotDbException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, where + " has an unreadable archive manifest ("
                    + e.getMessage() + "). It was not written by botdb archive or is damaged.");
        }
    }

    static RowsManifest start(String archiveId, BatchFile.Source source) {
        return new RowsManifest(archiveId, Release.current().toString(), java.time.Instant.now().toString(), source,
                List.of());
    }
}
