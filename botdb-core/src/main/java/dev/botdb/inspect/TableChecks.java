package dev.botdb.inspect;

import dev.botdb.inspect.InspectionCheck.Context;
import dev.botdb.inspect.InspectionCheck.Finding;
import dev.botdb.inspect.InspectionCheck.Row;
import dev.botdb.inspect.CheckResult.Verdict;
import dev.botdb.text.Human;
import java.util.List;

/**
 * Tables: those read mostly by sequential scans, the cache hit ratios, tables without a primary
 * key (PgHero's "tables" module and its missing-index hint). Statistics views and the catalog only.
 */
final class TableChecks {
    private TableChecks() {
    }

    /**
     * pg_stat_user_tables counts scans since the statistics were reset; a big table read mostly
     * by sequential scans usually lacks an index for a frequent WHERE.
     */
    static final String SEQ_SCANS = """
            SELECT format('%%I.%%I', s.schemaname, s.relname) AS table,
                   s.seq_scan,
                   coalesce(s.idx_scan, 0) AS idx_scan,
                   s.seq_scan::float8 / nullif(s.seq_scan + coalesce(s.idx_scan, 0), 0) AS seq_share,
                   s.seq_tup_read / nullif(s.seq_scan, 0) AS rows_per_scan,
                   s.n_live_tup AS estimated_rows
            FROM pg_stat_user_tables s
            WHERE s.n_live_tup >= %d
              AND s.seq_scan >= %d
              AND s.seq_scan >= %s * (s.seq_scan + coalesce(s.idx_scan, 0))
            ORDER BY s.seq_tup_read DESC, 1
            """;

    /** Blocks found in shared_buffers against blocks read from the OS, for tables and for indexes. */
    static final String CACHE_HIT = """
            SELECT coalesce(sum(t.heap_blks_hit), 0) AS table_hits,
                   coalesce(sum(t.heap_blks_read), 0) AS table_reads,
                   (SELECT coalesce(sum(i.idx_blks_hit), 0) FROM pg_statio_user_indexes i) AS index_hits,
                   (SELECT coalesce(sum(i.idx_blks_read), 0) FROM pg_statio_user_indexes i) AS index_reads
            FROM pg_statio_user_tables t
            """;

    /** Tables without a primary key: rows cannot be told apart, and logical replication cannot update them. */
    static final String NO_PRIMARY_KEY = """
            SELECT format('%%I.%%I', n.nspname, c.relname) AS table,
                   greatest(c.reltuples, 0)::bigint AS estimated_rows
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p')
              AND NOT c.relispartition
              AND c.relpersistence <> 't'
              AND %s
              AND NOT EXISTS (SELECT 1
                              FROM pg_constraint con
                              WHERE con.conrelid = c.oid
                                AND con.contype = 'p')
            ORDER BY c.reltuples DESC, 1
            """;

    static List<InspectionCheck> all() {
        return List.of(
                new InspectionCheck("seq-scans", "tables", "Tables read mostly by sequential scans",
                        (o, s) -> List.of(SEQ_SCANS.formatted(o.seqScanMinRows(), o.seqScanMinScans(),
                                InspectionCheck.literal(o.seqScanShare()))),
                        TableChecks::seqScans),
                new InspectionCheck("cache-hit-ratio", "tables", "Cache hit ratio",
                        (o, s) -> List.of(CACHE_HIT),
                        TableChecks::cacheHit),
                new InspectionCheck("tables-without-primary-key", "tables", "Tables without a primary key",
                        (o, s) -> List.of(NO_PRIMARY_KEY.formatted(InspectionCheck.USER_SCHEMA)),
                        TableChecks::noPrimaryKey));
    }

    private static void seqScans(List<List<Row>> results, Context ctx, Finding f) {
        List<Row> rows = results.get(0);
        InspectOptions o = ctx.options();
        f.columns("table", "seq_scan:count", "idx_scan:count", "seq_share:ratio", "rows_per_scan:count",
                "estimated_rows:count");
        rows.forEach(f::row);
        f.figure("count", rows.size());
        String rule = "at least " + Human.percent(o.seqScanShare()) + " of at least " + Human.count(o.seqScanMinScans())
                + " scans sequential, " + Human.count(o.seqScanMinRows()) + "+ rows";
        if (rows.isEmpty()) {
            f.summary("no table is read mostly by sequential scans (" + rule + ")");
            return;
        }
        f.raise(Verdict.WARN).summary(Human.plural(rows.size(), "table is", "tables are") + " read mostly by sequential"
                + " scans (" + rule + "): a frequent query probably lacks an index");
        f.note("Find the queries with botdb inspect top-queries (pg_stat_statements) and EXPLAIN them; an index on the"
                + " columns of their WHERE clause turns each full read into a few pages.");
    }

    private static void cacheHit(List<List<Row>> results, Context ctx, Finding f) {
        Row r = results.get(0).get(0);
        InspectOptions o = ctx.options();
        f.columns("kind", "hits:count", "reads:count", "ratio:ratio");
        StringBuilder summary = new StringBuilder();
        for (String kind : List.of("table", "index")) {
            long hits = r.count(kind + "_hits");
            long reads = r.count(kind + "_reads");
            Double ratio = hits + reads == 0 ? null : (double) hits / (hits + reads);
            f.row(kind, hits, reads, ratio).figure(kind + "_ratio", ratio);
            summary.append(summary.length() == 0 ? "" : ", ").append(kind).append(" ")
                    .append(ratio == null ? "no reads yet" : Human.percent(ratio));
            if (ratio != null && hits + reads >= o.cacheHitMinBlocks() && ratio < o.cacheHitWarn()) {
                f.raise(Verdict.WARN);
            }
        }
        long requested = r.count("table_hits") + r.count("table_reads") + r.count("index_hits") + r.count("index_reads");
        if (f.verdict == Verdict.WARN) {
            f.summary(summary + " (below " + Human.percent(o.cacheHitWarn()) + "): the working set does not fit in"
                    + " shared_buffers");
            f.note("Raise shared_buffers (botdb tune shows a value for the server's RAM), or find the queries that read"
                    + " the most blocks (botdb inspect top-queries). The ratios count since the statistics were reset.");
        } else {
            f.summary(summary + (requested < o.cacheHitMinBlocks() ? " (too few reads to judge: "
                    + Human.count(requested) + " blocks)" : ""));
        }
    }

    private static void noPrimaryKey(List<List<Row>> results, Context ctx, Finding f) {
        List<Row> rows = results.get(0);
        f.columns("table", "estimated_rows:count").listed(rows, Verdict.WARN, "every table has a primary key",
                Human.plural(rows.size(), "table has", "tables have") + " no primary key: duplicate rows cannot be told"
                        + " apart, and logical replication cannot replicate their updates and deletes",
                null, 0);
        if (!rows.isEmpty()) {
            f.note("ALTER TABLE t ADD PRIMARY KEY (id); or, for a table without a key column:"
                    + " ALTER TABLE t ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;");
        }
    }
}
