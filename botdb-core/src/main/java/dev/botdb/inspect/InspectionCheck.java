package dev.botdb.inspect;

import dev.botdb.dialect.Dialect;
import dev.botdb.inspect.CheckResult.Column;
import dev.botdb.inspect.CheckResult.Kind;
import dev.botdb.inspect.CheckResult.Verdict;
import dev.botdb.text.Human;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One PostgreSQL check: the statements it runs (thresholds inlined as literals, so
 * {@link Inspector#catalogQueries} can hand them to psql as they are) and how it judges their rows.
 * A check whose statements are empty is judged without the server (e.g. pg_stat_statements missing).
 *
 * @param name  {@code unused-indexes}
 * @param group {@code indexes}
 * @param title {@code Unused indexes}
 * @param sql   the statements for these options on this server
 * @param judge the verdict from their rows
 */
record InspectionCheck(String name, String group, String title, Sql sql, Judge judge) {

    /** The statements a check runs. */
    interface Sql {
        List<String> statements(InspectOptions options, Server server);
    }

    /** The verdict from the rows of each statement, in order. */
    interface Judge {
        void judge(List<List<Row>> results, Context ctx, Finding f);
    }

    /**
     * What a judge may consult besides the rows.
     *
     * @param options the thresholds
     * @param server  who and where
     * @param history the database's earlier size samples, or null when none are kept
     */
    record Context(InspectOptions options, Server server, SizeHistory history) {
    }

    /**
     * What the report needs to know of the server before the checks: the first statement it runs.
     *
     * @param versionNum   server_version_num
     * @param version      server_version
     * @param database     current_database()
     * @param user         current_user
     * @param superuser    rolsuper
     * @param readAllStats member of pg_read_all_stats (or superuser): sees other roles' sessions and statements
     * @param pgssSchema   the schema pg_stat_statements is created in, or null
     * @param pgssLoaded   the pg_stat_statements library is loaded (shared_preload_libraries has it)
     * @param standby      pg_is_in_recovery()
     */
    record Server(int versionNum, String version, String database, String user, boolean superuser,
                  boolean readAllStats, String pgssSchema, boolean standby, boolean pgssLoaded) {
        /** What {@link Inspector#catalogQueries(InspectOptions)} assumes: PostgreSQL 17, pg_stat_statements on the search_path. */
        static final Server ASSUMED = new Server(170_000, "17", "", "", true, true, "", false, true);

        int major() {
            return versionNum / 10_000;
        }
    }

    static final String SERVER = """
            SELECT current_setting('server_version_num')::int AS version_num,
                   current_setting('server_version') AS version,
                   current_database() AS database,
                   current_user AS user_name,
                   (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
                   pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS read_all_stats,
                   (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_stat_statements')
                       AS pgss_schema,
                   pg_is_in_recovery() AS standby,
                   -- the library defines its settings when preloaded (an unloaded name is a text placeholder);
                   -- pg_settings shows them to every role, unlike shared_preload_libraries itself
                   EXISTS (SELECT 1 FROM pg_settings WHERE name = 'pg_stat_statements.max' AND vartype = 'integer')
                       AS pgss_loaded
            """;

    /** One result row by column name; numbers come back as Long or Double whatever the SQL type. */
    record Row(Map<String, Object> values) {
        Object get(String column) {
            if (!values.containsKey(column)) {
                throw new IllegalArgumentException("no column " + column + " in " + values.keySet());
            }
            Object v = values.get(column);
            if (v instanceof BigDecimal d) {
                return d.scale() <= 0 && d.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0 ? d.longValue()
                        : d.doubleValue();
            }
            if (v instanceof Integer || v instanceof Short) {
                return ((Number) v).longValue();
            }
            if (v instanceof Float fl) {
                return fl.doubleValue();
            }
            if (v instanceof java.sql.Timestamp t) {
                return t.toInstant().toString();
            }
            if (v instanceof java.sql.Array || v instanceof org.postgresql.util.PGobject) {
                return v.toString();
            }
            return v;
        }

        String text(String column) {
            Object v = get(column);
            return v == null ? null : v.toString();
        }

        long count(String column) {
            Object v = get(column);
            return v == null ? 0 : ((Number) v).longValue();
        }

        Double number(String column) {
            Object v = get(column);
            return v == null ? null : ((Number) v).doubleValue();
        }

        boolean flag(String column) {
            return Boolean.TRUE.equals(get(column));
        }
    }

    /** What a judge writes: the verdict (only ever raised), summary, table, notes and figures. */
    static final class Finding {
        Verdict verdict = Verdict.OK;
        String summary = "";
        final List<Column> columns = new ArrayList<>();
        final List<List<Object>> rows = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        final Map<String, Object> figures = new LinkedHashMap<>();

        /** Raises the verdict to {@code v} when that is worse. */
        Finding raise(Verdict v) {
            if (v.ordinal() > verdict.ordinal()) {
                verdict = v;
            }
            return this;
        }

        Finding summary(String text) {
            summary = text;
            return this;
        }

        Finding note(String text) {
            notes.add(text);
            return this;
        }

        Finding figure(String name, Object value) {
            figures.put(name, value);
            return this;
        }

        /** Columns as {@code name:kind} pairs, e.g. {@code "index", "bytes:bytes", "scans:count"}. */
        Finding columns(String... specs) {
            for (String s : specs) {
                int colon = s.indexOf(':');
                columns.add(colon < 0 ? new Column(s, Kind.TEXT)
                        : new Column(s.substring(0, colon), Kind.valueOf(s.substring(colon + 1).toUpperCase(Locale.ROOT))));
            }
            return this;
        }

        /** A table row with the values of {@code r} for every column, by the columns' names. */
        Finding row(Row r) {
            List<Object> values = new ArrayList<>();
            for (Column c : columns) {
                values.add(r.get(c.name()));
            }
            rows.add(values);
            return this;
        }

        Finding row(Object... values) {
            rows.add(java.util.Arrays.asList(values));
            return this;
        }

        /**
         * A list check's usual ending: every row in the table; none = ok with {@code none}, else
         * {@code verdict} with {@code found} and, when {@code fix} is given, its line for each of the
         * first {@code limit} rows.
         */
        Finding listed(List<Row> rows, Verdict found, String none, String summary,
                       java.util.function.Function<Row, String> fix, int limit) {
            rows.forEach(this::row);
            figure("count", rows.size());
            if (rows.isEmpty()) {
                return summary(none);
            }
            raise(found).summary(summary);
            if (fix != null) {
                rows.stream().limit(limit).forEach(r -> note(fix.apply(r)));
            }
            return this;
        }

        /** Other roles' sessions or statements this role cannot see: "not permitted" unless something visible is worse. */
        Finding hidden(long count, String what, Server server) {
            if (count > 0) {
                notes.add(Human.plural(count, what + " of another role is", what + "s of other roles are") + " hidden from "
                        + server.user() + ". To see them, run as a superuser: GRANT pg_read_all_stats TO "
                        + Dialect.POSTGRESQL.quote(server.user()) + "; (or GRANT pg_monitor, which includes it)");
                if (verdict == Verdict.OK) {
                    verdict = Verdict.NOT_PERMITTED;
                }
            }
            return this;
        }

        CheckResult result(InspectionCheck c, Duration took) {
            return new CheckResult(c.name(), c.group(), c.title(), verdict, summary, columns, rows, notes, figures, took);
        }
    }

    /** A share as a SQL literal: 0.95. */
    static String literal(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** A duration as a SQL interval literal: {@code interval '300 seconds'}. */
    static String interval(Duration d) {
        return "interval '" + literal(d.toMillis() / 1000.0) + " seconds'";
    }

    /** Every user schema: not the catalogs, TOAST or other sessions' temporary schemas. */
    static final String USER_SCHEMA = """
            n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND n.nspname !~ '^pg_(toast|temp_)'""";

    /**
     * Relations a session holds or waits for an ACCESS EXCLUSIVE lock on: sizing one with
     * pg_relation_size would queue behind that lock (and make every later reader queue behind
     * this check), so such relations are sized from the catalog's page count instead.
     */
    static final String LOCKED = """
            locked AS (
                SELECT l.relation
                FROM pg_locks l
                WHERE l.locktype = 'relation'
                  AND l.mode = 'AccessExclusiveLock'
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            )""";
}
