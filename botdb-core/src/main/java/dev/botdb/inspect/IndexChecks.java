package dev.botdb.inspect;

import dev.botdb.dialect.Dialect;
import dev.botdb.inspect.InspectionCheck.Context;
import dev.botdb.inspect.InspectionCheck.Finding;
import dev.botdb.inspect.InspectionCheck.Row;
import dev.botdb.inspect.CheckResult.Verdict;
import dev.botdb.text.Human;
import java.util.List;

/**
 * Indexes: unused, duplicate and invalid indexes, foreign keys without a supporting index and
 * constraints left NOT VALID (PgHero's "indexes" and "constraints" modules). Catalog and
 * statistics views only.
 */
final class IndexChecks {
    private IndexChecks() {
    }

    /**
     * Indexes no scan has used since the statistics were reset, that enforce nothing: not unique,
     * not a primary key, not an exclusion constraint, not the replica identity, not backing any
     * constraint (PostgreSQL docs, "pg_stat_all_indexes": idx_scan). {@code foreign_key} names the
     * foreign key an index is the last support of (the rule of {@link #FK_WITHOUT_INDEX}): such an
     * index is scanned by the deletes of referenced rows, which idx_scan does not count, so it stays.
     */
    static final String UNUSED = """
            WITH %s,
            unused AS (
                SELECT format('%%I.%%I', s.schemaname, s.indexrelname) AS index,
                       format('%%I.%%I', s.schemaname, s.relname) AS table,
                       CASE WHEN s.indexrelid IN (SELECT relation FROM locked)
                            THEN ic.relpages::bigint * current_setting('block_size')::bigint
                            ELSE pg_relation_size(s.indexrelid) END AS bytes,
                       s.idx_scan AS scans,
                       (SELECT quote_ident(con.conname) || ' (' || pg_get_constraintdef(con.oid) || ')'
                        FROM pg_constraint con
                        WHERE con.contype = 'f'
                          AND con.conrelid = i.indrelid
                          AND i.indpred IS NULL
                          AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)] @> con.conkey
                          AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)] <@ con.conkey
                          AND NOT EXISTS (
                              SELECT 1
                              FROM pg_index o
                              WHERE o.indrelid = con.conrelid
                                AND o.indexrelid <> i.indexrelid
                                AND o.indisvalid
                                -- another index stays (it is scanned or enforces something), or of two unscanned
                                -- ones the older is kept and this one may go
                                AND (o.indisunique OR o.indisprimary OR o.indisexclusion OR o.indisreplident
                                     OR o.indexrelid IN (SELECT conindid FROM pg_constraint)
                                     OR coalesce(pg_stat_get_numscans(o.indexrelid), 0) > 0
                                     OR o.indexrelid < i.indexrelid)
                                AND o.indpred IS NULL
                                AND (string_to_array(o.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)] @> con.conkey
                                AND (string_to_array(o.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)] <@ con.conkey
                          )
                        ORDER BY con.conname
                        LIMIT 1) AS foreign_key
                FROM pg_stat_user_indexes s
                JOIN pg_index i ON i.indexrelid = s.indexrelid
                JOIN pg_class ic ON ic.oid = s.indexrelid
                WHERE s.idx_scan = 0
                  AND i.indisvalid
                  AND NOT i.indisunique
                  AND NOT i.indisprimary
                  AND NOT i.indisexclusion
                  AND NOT i.indisreplident
                  AND s.indexrelid NOT IN (SELECT con.conindid FROM pg_constraint con WHERE con.conindid <> 0)
            )
            SELECT u.index,
                   u.table,
                   u.bytes,
                   u.scans,
                   u.foreign_key,
                   (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS stats_reset,
                   pg_postmaster_start_time() AS server_started
            FROM unused u
            WHERE u.bytes >= %d
            ORDER BY u.bytes DESC, u.index
            """;

    /**
     * Index R is redundant next to index C on the same table when R's key columns (with their
     * operator classes, collations and sort options) are the leading key columns of C, both use
     * the same access method (a prefix only counts for btree), have the same predicate and
     * expressions, and R has no INCLUDE columns of its own. R is never a primary key, and a unique
     * R only when C has exactly its columns and is unique too (or the primary key). Of two
     * identical indexes the one with the later name is reported.
     */
    static final String DUPLICATE = """
            WITH %s,
            idx AS (
                SELECT i.indexrelid,
                       i.indrelid,
                       c.relam,
                       c.relname,
                       format('%%I.%%I', n.nspname, c.relname) AS name,
                       format('%%I.%%I', n.nspname, t.relname) AS table_name,
                       i.indisunique,
                       i.indisprimary,
                       i.indisexclusion,
                       i.indnkeyatts,
                       i.indnatts,
                       string_to_array(i.indkey::text, ' ')::int2[] AS cols,
                       string_to_array(i.indclass::text, ' ')::oid[] AS classes,
                       string_to_array(i.indcollation::text, ' ')::oid[] AS collations,
                       string_to_array(i.indoption::text, ' ')::int2[] AS options,
                       pg_get_expr(i.indexprs, i.indrelid) AS exprs,
                       pg_get_expr(i.indpred, i.indrelid) AS pred,
                       c.relpages
                FROM pg_index i
                JOIN pg_class c ON c.oid = i.indexrelid
                JOIN pg_class t ON t.oid = i.indrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE i.indisvalid
                  AND NOT i.indisexclusion
                  AND %s
            ),
            pairs AS (
                SELECT DISTINCT ON (r.indexrelid)
                       r.indexrelid,
                       r.name AS index,
                       r.table_name AS table,
                       c.name AS covered_by,
                       pg_get_indexdef(r.indexrelid) AS definition,
                       pg_get_indexdef(c.indexrelid) AS covering_definition,
                       r.relpages,
                       (SELECT con.conname FROM pg_constraint con WHERE con.conindid = r.indexrelid LIMIT 1)
                           AS constraint_name
                FROM idx r
                JOIN idx c ON c.indrelid = r.indrelid
                          AND c.indexrelid <> r.indexrelid
                          AND c.relam = r.relam
                WHERE r.indnkeyatts <= c.indnkeyatts
                  AND (r.indnkeyatts = c.indnkeyatts OR r.relam = (SELECT oid FROM pg_am WHERE amname = 'btree'))
                  AND r.cols[1:r.indnkeyatts] = c.cols[1:r.indnkeyatts]
                  AND r.classes[1:r.indnkeyatts] = c.classes[1:r.indnkeyatts]
                  AND r.collations[1:r.indnkeyatts] = c.collations[1:r.indnkeyatts]
                  AND r.options[1:r.indnkeyatts] = c.options[1:r.indnkeyatts]
                  AND (r.indnatts = r.indnkeyatts OR r.cols = c.cols)
                  AND (r.exprs IS NULL OR r.exprs = c.exprs)
                  AND r.pred IS NOT DISTINCT FROM c.pred
                  AND NOT r.indisprimary
                  AND (r.indnkeyatts < c.indnkeyatts AND NOT r.indisunique
                       OR r.indnkeyatts = c.indnkeyatts
                          AND (c.indisprimary
                               OR c.indisunique AND NOT r.indisunique
                               OR c.indisunique = r.indisunique AND r.relname > c.relname))
                ORDER BY r.indexrelid, c.indisprimary DESC, c.indisunique DESC, c.indnkeyatts, c.relname
            )
            SELECT p.index,
                   p.table,
                   p.covered_by,
                   CASE WHEN p.indexrelid IN (SELECT relation FROM locked)
                        THEN p.relpages::bigint * current_setting('block_size')::bigint
                        ELSE pg_relation_size(p.indexrelid) END AS bytes,
                   p.definition,
                   p.covering_definition,
                   p.constraint_name
            FROM pairs p
            ORDER BY bytes DESC, p.index
            """;

    /**
     * Indexes a failed or cancelled CREATE INDEX CONCURRENTLY / REINDEX CONCURRENTLY left behind:
     * never used by queries, still updated by every write. One being built right now is also
     * invalid until it finishes (pg_stat_progress_create_index, PostgreSQL 12+).
     */
    static final String INVALID = """
            SELECT format('%I.%I', n.nspname, c.relname) AS index,
                   format('%I.%I', n.nspname, t.relname) AS table,
                   pg_get_indexdef(i.indexrelid) AS definition,
                   i.indisunique AS is_unique,
                   EXISTS (SELECT 1
                           FROM pg_stat_progress_create_index p
                           WHERE p.index_relid = i.indexrelid) AS being_built
            FROM pg_index i
            JOIN pg_class c ON c.oid = i.indexrelid
            JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE NOT i.indisvalid
              AND c.relkind = 'i'
            ORDER BY 1
            """;

    /**
     * Foreign keys whose columns are not the leading columns (in any order) of a valid,
     * non-partial index of the referencing table: deleting or updating a referenced row then scans
     * the whole referencing table, under a lock.
     */
    static final String FK_WITHOUT_INDEX = """
            SELECT format('%%I.%%I', n.nspname, t.relname) AS table,
                   con.conname AS constraint,
                   array_to_string(ARRAY(SELECT quote_ident(a.attname)
                                         FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                                         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                                         ORDER BY k.ord), ', ') AS columns,
                   con.confrelid::regclass::text AS references,
                   greatest(t.reltuples, 0)::bigint AS estimated_rows
            FROM pg_constraint con
            JOIN pg_class t ON t.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE con.contype = 'f'
              AND t.relkind IN ('r', 'p')
              AND %s
              AND NOT EXISTS (
                  SELECT 1
                  FROM pg_index i
                  WHERE i.indrelid = con.conrelid
                    AND i.indisvalid
                    AND i.indpred IS NULL
                    AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)] @> con.conkey
                    AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)] <@ con.conkey
              )
            ORDER BY t.reltuples DESC, 1, 2
            """;

    /** Constraints added NOT VALID and never validated: existing rows are not known to satisfy them. */
    static final String INVALID_CONSTRAINTS = """
            SELECT format('%%I.%%I', n.nspname, t.relname) AS table,
                   con.conname AS constraint,
                   pg_get_constraintdef(con.oid) AS definition
            FROM pg_constraint con
            JOIN pg_class t ON t.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE NOT con.convalidated
              AND %s
            ORDER BY 1, 2
            """;

    static List<InspectionCheck> all() {
        return List.of(
                new InspectionCheck("unused-indexes", "indexes", "Unused indexes",
                        (o, s) -> List.of(UNUSED.formatted(InspectionCheck.LOCKED, o.unusedIndexMinBytes())),
                        IndexChecks::unused),
                new InspectionCheck("duplicate-indexes", "indexes", "Duplicate indexes",
                        (o, s) -> List.of(DUPLICATE.formatted(InspectionCheck.LOCKED, InspectionCheck.USER_SCHEMA)),
                        IndexChecks::duplicate),
                new InspectionCheck("invalid-indexes", "indexes", "Invalid indexes",
                        (o, s) -> List.of(INVALID),
                        IndexChecks::invalid),
                new InspectionCheck("fk-without-index", "indexes", "Foreign keys without an index",
                        (o, s) -> List.of(FK_WITHOUT_INDEX.formatted(InspectionCheck.USER_SCHEMA)),
                        IndexChecks::fkWithoutIndex),
                new InspectionCheck("invalid-constraints", "indexes", "Constraints not validated",
                        (o, s) -> List.of(INVALID_CONSTRAINTS.formatted(InspectionCheck.USER_SCHEMA)),
                        IndexChecks::invalidConstraints));
    }

    private static void unused(List<List<Row>> results, Context ctx, Finding f) {
        List<Row> kept = results.get(0).stream().filter(r -> r.text("foreign_key") != null).toList();
        List<Row> rows = results.get(0).stream().filter(r -> r.text("foreign_key") == null).toList();
        long saves = rows.stream().mapToLong(r -> r.count("bytes")).sum();
        String min = ctx.options().unusedIndexMinBytes() > 0
                ? " of at least " + Human.bytes(ctx.options().unusedIndexMinBytes()) : "";
        f.columns("index", "table", "bytes:bytes", "scans:count").figure("bytes", saves).listed(rows, Verdict.WARN,
                "no index" + min + " without a scan",
                Human.plural(rows.size(), "index", "indexes") + min + " never scanned "
                        + (rows.isEmpty() ? "" : window(rows.get(0))) + "; dropping them saves " + Human.bytes(saves),
                null, 0);
        if (!rows.isEmpty()) {
            f.note("idx_scan counts this server only: an index used only by queries on a replica shows 0 here. Check"
                    + " the window is long enough (a monthly job's index needs a month), then drop each with:");
            rows.stream().limit(ctx.options().limit())
                    .forEach(r -> f.note("DROP INDEX CONCURRENTLY " + r.text("index") + ";"));
        }
        f.figure("kept_for_foreign_keys", kept.size());
        kept.stream().limit(ctx.options().limit()).forEach(r -> f.note("Not listed: " + r.text("index")
                + " has no scan but is the only index of foreign key " + r.text("foreign_key") + "; deletes and"
                + " key updates of referenced rows search it (not counted in idx_scan), and dropping it would"
                + " make fk-without-index report the key. It stays."));
    }

    /** {@code since the statistics were reset on 2024-05-01T10:00:00Z}. */
    private static String window(Row r) {
        String reset = r.text("stats_reset");
        return reset != null ? "since the statistics were reset at " + reset
                : "since statistics were first collected (never reset; the server started at "
                + r.text("server_started") + ")";
    }

    private static void duplicate(List<List<Row>> results, Context ctx, Finding f) {
        List<Row> rows = results.get(0);
        long saves = rows.stream().mapToLong(r -> r.count("bytes")).sum();
        f.columns("index", "table", "covered_by", "bytes:bytes").figure("bytes", saves).listed(rows, Verdict.WARN,
                "no index is covered by another",
                Human.plural(rows.size(), "index is", "indexes are") + " covered by another index of the same table;"
                        + " dropping them saves " + Human.bytes(saves),
                null, 0);
        for (Row r : rows.stream().limit(ctx.options().limit()).toList()) {
            f.note(r.text("definition") + "  is covered by  " + r.text("covering_definition"));
            String constraint = r.text("constraint_name");
            f.note(constraint == null ? "  DROP INDEX CONCURRENTLY " + r.text("index") + ";"
                    : "  ALTER TABLE " + r.text("table") + " DROP CONSTRAINT " + Dialect.POSTGRESQL.quote(constraint)
                    + ";  (it backs that constraint; the covering index still enforces it)");
        }
    }

    private static void invalid(List<List<Row>> results, Context ctx, Finding f) {
        List<Row> rows = results.get(0);
        f.columns("index", "table", "definition");
        long building = 0;
        for (Row r : rows) {
            f.row(r);
            if (r.flag("being_built")) {
                building++;
                f.note(r.text("index") + " is being built right now (CREATE INDEX CONCURRENTLY in progress); it turns"
                        + " valid when that finishes.");
                continue;
            }
            f.note(r.text("index") + ": DROP INDEX CONCURRENTLY " + r.text("index") + "; then create it again, or"
                    + " rebuild it in place: REINDEX INDEX CONCURRENTLY " + r.text("index") + ";"
                    + (r.flag("is_unique") ? " (a unique index failed because of duplicate rows: remove them first,"
                    + " or the rebuild fails again)" : ""));
        }
        long broken = rows.size() - building;
        f.figure("count", broken);
        if (rows.isEmpty()) {
            f.summary("every index is valid");
        } else if (broken == 0) {
            f.summary(Human.plural(building, "index is", "indexes are") + " still being built");
        } else {
            f.raise(Verdict.PROBLEM).summary(Human.plural(broken, "index is", "indexes are") + " invalid: queries never"
                    + " use an invalid index, yet every write still updates it");
        }
    }

    private static void fkWithoutIndex(List<List<Row>> results, Context ctx, Finding f) {
        List<Row> rows = results.get(0);
        f.columns("table", "constraint", "columns", "references", "estimated_rows:count").listed(rows, Verdict.WARN,
                "every foreign key has an index on its columns",
                Human.plural(rows.size(), "foreign key has", "foreign keys have") + " no index on its columns: each"
                        + " delete or key update of a referenced row scans the whole referencing table",
                r -> "CREATE INDEX CONCURRENTLY ON " + r.text("table") + " (" + r.text("columns") + ");",
                ctx.options().limit());
    }

    private static void invalidConstraints(List<List<Row>> results, Context ctx, Finding f) {
        List<Row> rows = results.get(0);
        f.columns("table", "constraint", "definition").listed(rows, Verdict.WARN, "every constraint is validated",
                Human.plural(rows.size(), "constraint was", "constraints were") + " added NOT VALID and never"
                        + " validated: existing rows may break them",
                r -> "ALTER TABLE " + r.text("table") + " VALIDATE CONSTRAINT " + Dialect.POSTGRESQL.quote(r.text("constraint"))
                        + ";  (takes only a SHARE UPDATE EXCLUSIVE lock)",
                ctx.options().limit());
    }
}
