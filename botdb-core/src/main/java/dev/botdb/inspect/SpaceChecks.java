package dev.botdb.inspect;

import dev.botdb.inspect.InspectionCheck.Context;
import dev.botdb.inspect.InspectionCheck.Finding;
import dev.botdb.inspect.InspectionCheck.Row;
import dev.botdb.text.Human;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Space: the database's size and growth, the largest tables and indexes (PgHero's "space"
 * module). Sizes come from pg_database_size and pg_table_size / pg_indexes_size / pg_relation_size,
 * except for relations another session holds (or waits for) an ACCESS EXCLUSIVE lock on, which are
 * sized from pg_class.relpages (the last VACUUM / ANALYZE / CREATE INDEX's count) and marked
 * estimated, so the report never queues behind a migration.
 */
final class SpaceChecks {
    private SpaceChecks() {
    }

    /** pg_database_size walks the database's folder; it takes no relation lock. */
    static final String DATABASE_SIZE = """
            SELECT current_database() AS database,
                   pg_database_size(current_database()) AS bytes
            """;

    static final String LARGEST_TABLES = """
            WITH %s,
            tables AS (
                SELECT c.oid,
                       format('%%I.%%I', n.nspname, c.relname) AS name,
                       c.reltuples,
                       c.oid IN (SELECT relation FROM locked)
                           OR c.reltoastrelid IN (SELECT relation FROM locked)
                           OR EXISTS (SELECT 1
                                      FROM pg_index i
                                      WHERE i.indrelid = c.oid
                                        AND i.indexrelid IN (SELECT relation FROM locked)) AS estimated
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'm')
                  AND c.relpersistence <> 't'
                  AND %s
            ),
            sized AS (
                SELECT t.name,
                       CASE WHEN t.estimated
                            THEN (SELECT (c.relpages + coalesce(toast.relpages, 0))::bigint
                                  FROM pg_class c
                                  LEFT JOIN pg_class toast ON toast.oid = c.reltoastrelid
                                  WHERE c.oid = t.oid) * current_setting('block_size')::bigint
                            ELSE pg_table_size(t.oid) END AS table_bytes,
                       CASE WHEN t.estimated
                            THEN (SELECT coalesce(sum(ic.relpages), 0)::bigint
                                  FROM pg_index i
                                  JOIN pg_class ic ON ic.oid = i.indexrelid
                                  WHERE i.indrelid = t.oid) * current_setting('block_size')::bigint
                            ELSE pg_indexes_size(t.oid) END AS index_bytes,
                       greatest(t.reltuples, 0)::bigint AS estimated_rows,
                       t.estimated
                FROM tables t
            )
            SELECT s.name AS table,
                   s.table_bytes + s.index_bytes AS total_bytes,
                   s.table_bytes,
                   s.index_bytes,
                   s.estimated_rows,
                   s.estimated,
                   count(*) OVER () AS tables,
                   sum(s.table_bytes + s.index_bytes) OVER () AS all_bytes
            FROM sized s
            ORDER BY s.table_bytes + s.index_bytes DESC, s.name
            LIMIT %d
            """;

    static final String LARGEST_INDEXES = """
            WITH %s,
            indexes AS (
                SELECT format('%%I.%%I', n.nspname, c.relname) AS name,
                       format('%%I.%%I', n.nspname, t.relname) AS table_name,
                       CASE WHEN c.oid IN (SELECT relation FROM locked)
                            THEN c.relpages::bigint * current_setting('block_size')::bigint
                            ELSE pg_relation_size(c.oid) END AS bytes,
                       c.oid IN (SELECT relation FROM locked) AS estimated
                FROM pg_index i
                JOIN pg_class c ON c.oid = i.indexrelid
                JOIN pg_class t ON t.oid = i.indrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind = 'i'
                  AND c.relpersistence <> 't'
                  AND %s
            )
            SELECT x.name AS index,
                   x.table_name AS table,
                   x.bytes,
                   x.estimated,
                   count(*) OVER () AS indexes,
                   sum(x.bytes) OVER () AS all_bytes
            FROM indexes x
            ORDER BY x.bytes DESC, x.name
            LIMIT %d
            """;

    static List<InspectionCheck> all() {
        return List.of(
                new InspectionCheck("database-size", "space", "Database size",
                        (o, s) -> List.of(DATABASE_SIZE),
                        (r, ctx, f) -> databaseSize(r.get(0).get(0).count("bytes"), ctx, f)),
                new InspectionCheck("largest-tables", "space", "Largest tables",
                        (o, s) -> List.of(LARGEST_TABLES.formatted(InspectionCheck.LOCKED, InspectionCheck.USER_SCHEMA, o.limit())),
                        SpaceChecks::largestTables),
                new InspectionCheck("largest-indexes", "space", "Largest indexes",
                        (o, s) -> List.of(LARGEST_INDEXES.formatted(InspectionCheck.LOCKED, InspectionCheck.USER_SCHEMA, o.limit())),
                        SpaceChecks::largestIndexes));
    }

    /** The size, and the growth since the previous sample in the history file (PostgreSQL and SQLite). */
    static void databaseSize(long bytes, Context ctx, Finding f) {
        f.figure("bytes", bytes).summary(Human.bytes(bytes));
        if (ctx.history() == null) {
            return;
        }
        Instant now = Instant.now();
        try {
            SizeHistory.Sample previous = ctx.history().record(bytes, now);
            if (previous == null) {
                f.summary(Human.bytes(bytes) + "; no earlier sample (growth is shown from the next run on)");
                return;
            }
            long growth = bytes - previous.bytes();
            Duration since = Duration.between(previous.at(), now);
            f.figure("growth_bytes", growth).figure("previous_at", previous.at().toString());
            f.summary(Human.bytes(bytes) + "; " + (growth >= 0 ? "+" : "") + Human.bytes(growth) + " since "
                    + previous.at().toString().replaceFirst("\\.\\d+Z$", "Z") + " (" + Human.duration(since) + " ago)");
        } catch (IOException | RuntimeException e) {
            f.note("The size history in " + ctx.history().file() + " could not be used (" + e.getMessage()
                    + "), so there is no growth figure.");
        }
    }

    private static void largestTables(List<List<Row>> results, Context ctx, Finding f) {
        List<Row> rows = results.get(0);
        f.columns("table", "total_bytes:bytes", "table_bytes:bytes", "index_bytes:bytes", "estimated_rows:count");
        rows.forEach(f::row);
        long tables = rows.isEmpty() ? 0 : rows.get(0).count("tables");
        long all = rows.isEmpty() ? 0 : rows.get(0).count("all_bytes");
        f.figure("tables", tables).figure("bytes", all);
        f.summary(tables == 0 ? "no tables" : Human.plural(tables, "table", "tables") + ", " + Human.bytes(all)
                + " with indexes" + (tables > rows.size() ? "; the " + rows.size() + " largest:" : ""));
        estimatedNote(rows, f, "tables");
    }

    private static void largestIndexes(List<List<Row>> results, Context ctx, Finding f) {
        List<Row> rows = results.get(0);
        f.columns("index", "table", "bytes:bytes");
        rows.forEach(f::row);
        long indexes = rows.isEmpty() ? 0 : rows.get(0).count("indexes");
        long all = rows.isEmpty() ? 0 : rows.get(0).count("all_bytes");
        f.figure("indexes", indexes).figure("bytes", all);
        f.summary(indexes == 0 ? "no indexes" : Human.plural(indexes, "index", "indexes") + ", " + Human.bytes(all)
                + (indexes > rows.size() ? "; the " + rows.size() + " largest:" : ""));
        estimatedNote(rows, f, "indexes");
    }

    private static void estimatedNote(List<Row> rows, Finding f, String what) {
        List<String> estimated = rows.stream().filter(r -> r.flag("estimated"))
                .map(r -> r.text(what.equals("tables") ? "table" : "index")).toList();
        if (!estimated.isEmpty()) {
            f.note("Estimated from the catalog's page counts, because another session holds or waits for an ACCESS"
                    + " EXCLUSIVE lock on them (measuring would wait behind it): " + String.join(", ", estimated));
        }
    }
}
