package dev.botdb.inspect;

import dev.botdb.dialect.Dialect;
import dev.botdb.inspect.InspectionCheck.Context;
import dev.botdb.inspect.InspectionCheck.Finding;
import dev.botdb.inspect.InspectionCheck.Row;
import dev.botdb.inspect.CheckResult.Verdict;
import dev.botdb.text.Human;
import java.util.List;

/**
 * Maintenance: dead rows and when tables were last vacuumed and analyzed, tables with
 * autovacuum switched off, transaction-ID wraparound headroom, sequences near their maximum and a
 * few settings that make the rest meaningless (PgHero's "maintenance", "sequences" and
 * "settings" modules).
 */
final class MaintenanceChecks {
    /** Transaction IDs are 32-bit and compared modulo 2^31: a table must be frozen before its age reaches it. */
    static final long XID_LIMIT = 1L << 31;

    private MaintenanceChecks() {
    }

    static final String DEAD_ROWS = """
            SELECT format('%%I.%%I', s.schemaname, s.relname) AS table,
                   s.n_live_tup AS live_rows,
                   s.n_dead_tup AS dead_rows,
                   s.n_dead_tup::float8 / nullif(s.n_live_tup + s.n_dead_tup, 0) AS dead_share,
                   greatest(s.last_vacuum, s.last_autovacuum) AS last_vacuum,
                   greatest(s.last_analyze, s.last_autoanalyze) AS last_analyze,
                   s.n_mod_since_analyze AS changed_since_analyze
            FROM pg_stat_user_tables s
            WHERE s.n_dead_tup >= %d
              AND s.n_dead_tup >= %s * (s.n_live_tup + s.n_dead_tup)
            ORDER BY s.n_dead_tup DESC, 1
            """;

    /** Tables (or their TOAST tables) with autovacuum_enabled = false in their storage parameters. */
    static final String AUTOVACUUM_DISABLED = """
            SELECT format('%%I.%%I', n.nspname, c.relname) AS table,
                   array_to_string(c.reloptions || coalesce(toast.reloptions, '{}'), ', ') AS options,
                   greatest(c.reltuples, 0)::bigint AS estimated_rows
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_class toast ON toast.oid = c.reltoastrelid
            WHERE c.relkind IN ('r', 'm')
              AND %s
              AND EXISTS (SELECT 1
                          FROM unnest(c.reloptions || coalesce(toast.reloptions, '{}')) AS o(option)
                          WHERE o.option ~* '^autovacuum_enabled=(false|off|no|n|f|0)$')
            ORDER BY 1
            """;

    /**
     * The age of the oldest unfrozen transaction ID (and multixact ID) of every database, and of
     * this database's worst tables (a TOAST table counted as its table). Autovacuum freezes a
     * table once its age passes autovacuum_freeze_max_age; past 2^31 the server would stop.
     */
    static final String WRAPAROUND_DATABASES = """
            SELECT d.datname AS database,
                   age(d.datfrozenxid) AS xid_age,
                   mxid_age(d.datminmxid) AS mxid_age,
                   current_setting('autovacuum_freeze_max_age')::bigint AS freeze_max_age,
                   current_setting('autovacuum_multixact_freeze_max_age')::bigint AS multixact_freeze_max_age
            FROM pg_database d
            ORDER BY age(d.datfrozenxid) DESC, 1
            """;

    static final String WRAPAROUND_TABLES = """
            SELECT format('%%I.%%I', n.nspname, coalesce(owner.relname, c.relname)) AS table,
                   age(c.relfrozenxid) AS xid_age,
                   mxid_age(c.relminmxid) AS mxid_age,
                   c.relkind = 't' AS toast
            FROM pg_class c
            LEFT JOIN pg_class owner ON c.relkind = 't' AND owner.reltoastrelid = c.oid
            JOIN pg_namespace n ON n.oid = coalesce(owner.relnamespace, c.relnamespace)
            WHERE c.relkind IN ('r', 'm', 't')
              AND c.relfrozenxid <> '0'
              AND c.relpersistence <> 't'
            ORDER BY age(c.relfrozenxid) DESC, 1
            LIMIT %d
            """;

    /**
     * Every sequence whose value has reached the warn share of what it can still give: the
     * smaller of its own maximum and the maximum of the integer column it fills (an int4 column
     * fed by a bigint sequence overflows at 2,147,483,647: PgHero's "sequence danger"). The columns
     * are found through the sequence's OWNED BY / identity dependency (pg_depend 'a' / 'i') and the
     * column defaults calling nextval() on it; a sequence feeding two columns is listed for each.
     * Each sequence's value is read with a plain SELECT on it (through query_to_xml, so it stays one
     * statement), which takes ACCESS SHARE like any read; not through pg_sequences, whose
     * pg_sequence_last_value takes the ROW EXCLUSIVE lock nextval() takes. A sequence the role may
     * not SELECT is listed as not readable; other sessions' temporary sequences are skipped.
     */
    static final String SEQUENCES = """
            WITH seq AS (
                SELECT c.oid,
                       n.nspname,
                       c.relname,
                       s.seqtypid,
                       s.seqincrement,
                       s.seqmin,
                       s.seqmax,
                       s.seqcycle,
                       has_sequence_privilege(c.oid, 'SELECT') AS readable
                FROM pg_sequence s
                JOIN pg_class c ON c.oid = s.seqrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE NOT pg_is_other_temp_schema(n.oid)
            ),
            seqs AS (
                SELECT q.oid,
                       format('%%I.%%I', q.nspname, q.relname) AS sequence,
                       format_type(q.seqtypid, NULL) AS sequence_type,
                       CASE WHEN q.readable THEN
                           (xpath('/row/v/text()',
                                  query_to_xml(format('SELECT CASE WHEN is_called THEN last_value END AS v FROM %%I.%%I',
                                                      q.nspname, q.relname), false, true, '')))[1]::text::bigint
                       END AS last_value,
                       q.seqincrement AS increment_by,
                       q.seqmin AS min_value,
                       q.seqmax AS max_value,
                       q.seqcycle AS cycle,
                       q.readable
                FROM seq q
            ),
            owned AS (
                SELECT d.objid AS oid,
                       d.refobjid AS table_oid,
                       d.refobjsubid AS attnum
                FROM pg_depend d
                WHERE d.classid = 'pg_class'::regclass
                  AND d.refclassid = 'pg_class'::regclass
                  AND d.deptype IN ('a', 'i')
                  AND d.refobjsubid > 0
            ),
            fed AS (
                SELECT o.oid, o.table_oid, o.attnum
                FROM owned o
                UNION
                SELECT d.refobjid, ad.adrelid, ad.adnum
                FROM pg_depend d
                JOIN pg_attrdef ad ON ad.oid = d.objid
                WHERE d.classid = 'pg_attrdef'::regclass
                  AND d.refclassid = 'pg_class'::regclass
            ),
            cols AS (
                SELECT f.oid,
                       format('%%I.%%I.%%I', tn.nspname, t.relname, a.attname) AS column_name,
                       format_type(a.atttypid, NULL) AS column_type,
                       CASE a.atttypid WHEN 'int2'::regtype THEN 32767
                                       WHEN 'int4'::regtype THEN 2147483647
                                       ELSE 9223372036854775807 END AS column_max,
                       CASE a.atttypid WHEN 'int2'::regtype THEN -32768
                                       WHEN 'int4'::regtype THEN -2147483648
                                       ELSE -9223372036854775808 END AS column_min
                FROM fed f
                JOIN pg_attribute a ON a.attrelid = f.table_oid AND a.attnum = f.attnum
                JOIN pg_class t ON t.oid = f.table_oid
                JOIN pg_namespace tn ON tn.oid = t.relnamespace
            ),
            used AS (
                SELECT q.sequence,
                       q.sequence_type,
                       c.column_name,
                       c.column_type,
                       q.last_value,
                       CASE WHEN q.increment_by > 0 THEN least(q.max_value, coalesce(c.column_max, q.max_value))
                            ELSE greatest(q.min_value, coalesce(c.column_min, q.min_value)) END AS limit_value,
                       q.cycle,
                       q.readable
                FROM seqs q
                LEFT JOIN cols c ON c.oid = q.oid
            )
            SELECT u.sequence,
                   u.sequence_type,
                   u.column_name AS column,
                   u.column_type,
                   u.last_value,
                   u.limit_value,
                   u.last_value::numeric / nullif(u.limit_value, 0) AS used,
                   u.cycle,
                   u.readable
            FROM used u
            WHERE NOT u.readable
               OR u.last_value::numeric / nullif(u.limit_value, 0) >= %s
            ORDER BY u.last_value::numeric / nullif(u.limit_value, 0) DESC NULLS LAST, 1
            """;

    /**
     * Settings without which autovacuum and the other checks are blind (problem when off), or a
     * crash can corrupt the data (warn: test and embedded servers switch fsync off on purpose).
     */
    static final String SETTINGS = """
            SELECT s.name,
                   s.setting,
                   s.source
            FROM pg_settings s
            WHERE s.name IN ('autovacuum', 'track_counts', 'track_activities', 'fsync', 'full_page_writes')
            ORDER BY s.name
            """;

    static List<InspectionCheck> all() {
        return List.of(
                new InspectionCheck("dead-rows", "maintenance", "Dead rows and vacuum",
                        (o, s) -> List.of(DEAD_ROWS.formatted(o.deadRowsMin(), InspectionCheck.literal(o.deadRowsWarn()))),
                        MaintenanceChecks::deadRows),
                new InspectionCheck("autovacuum-disabled", "maintenance", "Tables with autovacuum off",
                        (o, s) -> List.of(AUTOVACUUM_DISABLED.formatted(InspectionCheck.USER_SCHEMA)),
                        MaintenanceChecks::autovacuumDisabled),
                new InspectionCheck("wraparound", "maintenance", "Transaction ID wraparound",
                        (o, s) -> List.of(WRAPAROUND_DATABASES, WRAPAROUND_TABLES.formatted(o.limit())),
                        MaintenanceChecks::wraparound),
                new InspectionCheck("sequences", "maintenance", "Sequences near their maximum",
                        (o, s) -> List.of(SEQUENCES.formatted(InspectionCheck.literal(o.sequenceWarn()))),
                        MaintenanceChecks::sequences),
                new InspectionCheck("settings", "maintenance", "Settings",
                        (o, s) -> List.of(SETTINGS),
                        MaintenanceChecks::settings));
    }

    private static void deadRows(List<List<Row>> results, Context ctx, Finding f) {
        List<Row> rows = results.get(0);
        InspectOptions o = ctx.options();
        String rule = "at least " + Human.percent(o.deadRowsWarn()) + " and " + Human.count(o.deadRowsMin()) + " dead rows";
        f.columns("table", "live_rows:count", "dead_rows:count", "dead_share:ratio", "last_vacuum", "last_analyze")
                .listed(rows, Verdict.WARN, "no table has many dead rows (" + rule + ")",
                        Human.plural(rows.size(), "table has", "tables have") + " many dead rows (" + rule + "):"
                                + " autovacuum is behind, or an old transaction keeps them (see idle-in-transaction)",
                        null, 0);
        if (!rows.isEmpty()) {
            f.note("botdb maintain vacuum --table NAME clears them without blocking the bot; if they stay, an open"
                    + " transaction or replication slot still needs them.");
        }
    }

    private static void autovacuumDisabled(List<List<Row>> results, Context ctx, Finding f) {
        List<Row> rows = results.get(0);
        f.columns("table", "options", "estimated_rows:count").listed(rows, Verdict.WARN,
                "autovacuum is on for every table",
                Human.plural(rows.size(), "table has", "tables have") + " autovacuum switched off: dead rows pile up,"
                        + " statistics go stale, and only an emergency vacuum freezes them",
                r -> "ALTER TABLE " + r.text("table") + " RESET (autovacuum_enabled, toast.autovacuum_enabled);",
                ctx.options().limit());
    }

    private static void wraparound(List<List<Row>> results, Context ctx, Finding f) {
        InspectOptions o = ctx.options();
        List<Row> databases = results.get(0);
        List<Row> tables = results.get(1);
        f.columns("object", "xid_age:count", "share_of_limit:ratio", "mxid_age:count");
        long worst = 0;
        long freezeMax = databases.isEmpty() ? 0 : databases.get(0).count("freeze_max_age");
        for (Row d : databases) {
            long age = d.count("xid_age");
            worst = Math.max(worst, age);
            f.row("database " + d.text("database"), age, (double) age / XID_LIMIT, d.count("mxid_age"));
        }
        for (Row t : tables) {
            long age = t.count("xid_age");
            worst = Math.max(worst, age);
            f.row("table " + t.text("table") + (t.flag("toast") ? " (TOAST)" : ""), age, (double) age / XID_LIMIT,
                    t.count("mxid_age"));
        }
        double share = (double) worst / XID_LIMIT;
        f.figure("max_xid_age", worst).figure("share", share).figure("freeze_max_age", freezeMax);
        String text = "oldest unfrozen transaction ID is " + Human.count(worst) + " old, " + Human.percent(share)
                + " of the 2^31 limit (autovacuum_freeze_max_age " + Human.count(freezeMax) + ")";
        if (share >= o.xidProblem()) {
            f.raise(Verdict.PROBLEM);
        } else if (share >= o.xidWarn()) {
            f.raise(Verdict.WARN);
        }
        if (f.verdict != Verdict.OK) {
            f.summary(text + ": autovacuum is not keeping up with freezing");
            f.note("Run VACUUM (FREEZE) on the oldest tables (botdb maintain vacuum --table NAME), and look for what"
                    + " holds it back: long transactions, idle-in-transaction sessions, abandoned replication slots or"
                    + " prepared transactions (SELECT * FROM pg_prepared_xacts).");
        } else {
            f.summary(text);
        }
    }

    private static void sequences(List<List<Row>> results, Context ctx, Finding f) {
        List<Row> rows = results.get(0);
        InspectOptions o = ctx.options();
        f.columns("sequence", "column", "column_type", "last_value:count", "limit_value:count", "used:ratio");
        long danger = 0;
        long unreadable = 0;
        for (Row r : rows) {
            if (!r.flag("readable")) {
                unreadable++;
                continue;
            }
            f.row(r);
            danger++;
            double used = r.number("used");
            f.raise(used >= o.sequenceProblem() ? Verdict.PROBLEM : Verdict.WARN);
            String col = r.text("column");
            if (used >= o.sequenceWarn() && col != null && !"bigint".equals(r.text("column_type"))) {
                f.note(col + " is " + r.text("column_type") + ": ALTER TABLE ... ALTER COLUMN ... TYPE bigint (rewrites"
                        + " the table under an ACCESS EXCLUSIVE lock; on a big table add a bigint column and backfill"
                        + " instead)" + (r.flag("cycle") ? "" : ", and ALTER SEQUENCE " + r.text("sequence")
                        + " AS bigint;"));
            } else if (col == null || "bigint".equals(r.text("column_type"))) {
                f.note(r.text("sequence") + " is near its own MAXVALUE: ALTER SEQUENCE " + r.text("sequence")
                        + " AS bigint MAXVALUE 9223372036854775807;");
            }
        }
        f.figure("count", danger).figure("unreadable", unreadable);
        String rule = "warn from " + Human.percent(o.sequenceWarn()) + ", problem from " + Human.percent(o.sequenceProblem());
        f.summary(danger == 0 ? "every sequence is far from its maximum (" + rule + ")"
                : Human.plural(danger, "sequence is", "sequences are") + " near the maximum of its column or itself ("
                + rule + "); when it is reached every insert fails");
        if (unreadable > 0) {
            f.note(Human.plural(unreadable, "sequence is", "sequences are") + " not readable by " + ctx.server().user()
                    + ", so how far they are is unknown. To check them, run as their owner: GRANT SELECT ON ALL"
                    + " SEQUENCES IN SCHEMA public TO " + Dialect.POSTGRESQL.quote(ctx.server().user()) + ";");
            if (f.verdict == Verdict.OK) {
                f.raise(Verdict.NOT_PERMITTED);
            }
        }
    }

    private static void settings(List<List<Row>> results, Context ctx, Finding f) {
        f.columns("name", "setting", "source");
        List<String> off = new java.util.ArrayList<>();
        for (Row r : results.get(0)) {
            f.row(r);
            String name = r.text("name");
            if (!"off".equals(r.text("setting"))) {
                continue;
            }
            off.add(name + " (set by " + r.text("source") + ")");
            switch (name) {
                case "autovacuum", "track_counts" -> f.raise(Verdict.PROBLEM).note(name + " is off: autovacuum does not"
                        + " run (it needs track_counts), so dead rows pile up and tables are only frozen by emergency"
                        + " vacuums. ALTER SYSTEM SET " + name + " = on; SELECT pg_reload_conf();");
                case "fsync", "full_page_writes" -> f.raise(Verdict.WARN).note(name + " is off: a crash or power"
                        + " loss can corrupt the database. Test and embedded development servers run so on purpose"
                        + " (botdb's embedded server, like zonky's, starts with -F); a server holding real data must"
                        + " not: ALTER SYSTEM SET " + name + " = on; SELECT pg_reload_conf();"
                        + ("command line".equals(r.text("source")) ? " (and drop the -F / -c " + name
                        + "=off from the server's command line, which wins over ALTER SYSTEM)" : ""));
                default -> f.raise(Verdict.WARN).note(name + " is off: the activity checks see no queries."
                        + " ALTER SYSTEM SET " + name + " = on; SELECT pg_reload_conf();");
            }
        }
        f.figure("count", off.size());
        f.summary(off.isEmpty() ? "autovacuum, track_counts, track_activities, fsync and full_page_writes are on"
                : "off: " + String.join(", ", off));
    }
}
