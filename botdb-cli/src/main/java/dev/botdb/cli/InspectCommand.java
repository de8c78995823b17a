package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.ErrorCode;
import dev.botdb.inspect.CheckResult;
import dev.botdb.inspect.InspectOptions;
import dev.botdb.inspect.InspectReport;
import dev.botdb.inspect.Inspector;
import dev.botdb.tune.PgValue;
import dev.botdb.BotDbException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code botdb inspect [CHECK...]}: PgHero's checks as a report with a verdict per check, run
 * read-only under timeouts. Exit 0 when no check found a problem (warnings included), 20 when one did.
 */
@Command(name = "inspect", description = "A health report: sizes and growth, unused / duplicate / invalid indexes,"
        + " foreign keys without an index, sequential scans, cache hit ratio, dead rows, wraparound, sequences near"
        + " their maximum, slow queries, long-running / blocked / idle-in-transaction sessions, connections."
        + " Read-only. Exit 0: no problem (warnings allowed); 20: at least one problem.")
final class InspectCommand extends BotDbCommand {
    /** Checks whose rows are the point even when all is well. */
    private static final Set<String> ALWAYS_ROWS = Set.of("largest-tables", "largest-indexes", "top-queries",
            "connections");
    private static final int CELL_CHARS = 100;

    @Parameters(paramLabel = "CHECK", arity = "0..*", description = "Only these checks (botdb inspect --list names"
            + " them). Default: every check.")
    List<String> checks = new ArrayList<>();

    @Option(names = "--list", description = "Name and describe every check, then exit.")
    boolean list;

    @Option(names = "--json", description = "Print JSON: {database, server, summary, problems, checks: [{name, verdict,"
            + " summary, rows, notes, figures}]}.")
    boolean json;

    @Option(names = "--limit", defaultValue = "10", paramLabel = "N", description = "Rows per list (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--timeout", defaultValue = "30s", paramLabel = "DURATION",
            description = "Each check's statement timeout; a slower check is reported \"timed out\" (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--lock-timeout", defaultValue = "1s", paramLabel = "DURATION",
            description = "Each check's lock timeout (default ${DEFAULT-VALUE}).")
    String lockTimeout;

    @Option(names = "--parallel", defaultValue = "2", paramLabel = "N",
            description = "Run checks on this many connections at once (default ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--history", paramLabel = "FILE", description = "Where database sizes are sampled for the growth"
            + " figure (default .botdb/inspect-history.json).")
    Path history;

    @Option(names = "--no-history", description = "Neither read nor write the size history.")
    boolean noHistory;

    @Option(names = "--unused-index-min-size", defaultValue = "1MB", paramLabel = "SIZE",
            description = "Report unused indexes from this size: 1MB, 512kB, or bytes (default ${DEFAULT-VALUE}).")
    String unusedIndexMinSize;

    @Option(names = "--seq-scan-share", defaultValue = "0.5", paramLabel = "SHARE",
            description = "A table is mostly sequentially scanned from this share of its scans (default ${DEFAULT-VALUE}).")
    double seqScanShare;

    @Option(names = "--seq-scan-min-rows", defaultValue = "10000", paramLabel = "N",
            description = "... when it has at least this many rows (default ${DEFAULT-VALUE}).")
    long seqScanMinRows;

    @Option(names = "--seq-scan-min-scans", defaultValue = "100", paramLabel = "N",
            description = "... and at least this many sequential scans (default ${DEFAULT-VALUE}).")
    long seqScanMinScans;

    @Option(names = "--cache-hit-warn", defaultValue = "0.99", paramLabel = "SHARE",
            description = "Warn when the table or index cache hit ratio is below this (default ${DEFAULT-VALUE}).")
    double cacheHitWarn;

    @Option(names = "--cache-hit-min-blocks", defaultValue = "10000", paramLabel = "N",
            description = "... once this many blocks were requested (default ${DEFAULT-VALUE}).")
    long cacheHitMinBlocks;

    @Option(names = "--dead-rows-warn", defaultValue = "0.2", paramLabel = "SHARE",
            description = "Warn when dead rows are this share of a table (default ${DEFAULT-VALUE}).")
    double deadRowsWarn;

    @Option(names = "--dead-rows-min", defaultValue = "1000", paramLabel = "N",
            description = "... and at least this many (default ${DEFAULT-VALUE}).")
    long deadRowsMin;

    @Option(names = "--xid-warn", defaultValue = "0.3", paramLabel = "SHARE",
            description = "Warn when the oldest transaction ID is this share of the 2^31 limit (default ${DEFAULT-VALUE}).")
    double xidWarn;

    @Option(names = "--xid-problem", defaultValue = "0.5", paramLabel = "SHARE",
            description = "A problem from this share (default ${DEFAULT-VALUE}).")
    double xidProblem;

    @Option(names = "--sequence-warn", defaultValue = "0.8", paramLabel = "SHARE",
            description = "Warn when a sequence used this share of its column's maximum (default ${DEFAULT-VALUE}).")
    double sequenceWarn;

    @Option(names = "--sequence-problem", defaultValue = "0.95", paramLabel = "SHARE",
            description = "A problem from this share (default ${DEFAULT-VALUE}).")
    double sequenceProblem;

    @Option(names = "--slow-query", defaultValue = "20ms", paramLabel = "DURATION",
            description = "pg_stat_statements: slow from this mean time (default ${DEFAULT-VALUE}).")
    String slowQuery;

    @Option(names = "--slow-query-calls", defaultValue = "100", paramLabel = "N",
            description = "... over at least this many calls (default ${DEFAULT-VALUE}).")
    long slowQueryCalls;

    @Option(names = "--long-query", defaultValue = "1m", paramLabel = "DURATION",
            description = "A running statement is long from this age (default ${DEFAULT-VALUE}).")
    String longQuery;

    @Option(names = "--idle-in-transaction", defaultValue = "5m", paramLabel = "DURATION",
            description = "Report sessions idle inside a transaction for longer (default ${DEFAULT-VALUE}).")
    String idleInTransaction;

    @Option(names = "--blocked-query", defaultValue = "5s", paramLabel = "DURATION",
            description = "Report statements waiting this long for a lock (default ${DEFAULT-VALUE}).")
    String blockedQuery;

    @Option(names = "--connections-warn", defaultValue = "0.8", paramLabel = "SHARE",
            description = "Warn when this share of the usable connections is taken (default ${DEFAULT-VALUE}).")
    double connectionsWarn;

    @Option(names = "--connections-problem", defaultValue = "0.95", paramLabel = "SHARE",
            description = "A problem from this share (default ${DEFAULT-VALUE}).")
    double connectionsProblem;

    @Option(names = "--replication-lag", defaultValue = "1m", paramLabel = "DURATION",
            description = "Warn when a standby replays this far behind (default ${DEFAULT-VALUE}).")
    String replicationLag;

    @Option(names = "--freelist-warn", defaultValue = "0.2", paramLabel = "SHARE",
            description = "SQLite: warn when this share of the file's pages is free (default ${DEFAULT-VALUE}).")
    double freelistWarn;

    @Override
    public Integer call() {
        if (list) {
            for (String name : Inspector.checkNames()) {
                cli.out.printf("  %-28s %s%n", name, Inspector.describe(name));
            }
            return 0;
        }
        InspectOptions options = options();
        for (String name : checks) {
            Inspector.describe(name); // an unknown name fails here, before connecting
        }
        try (BotDb db = openWithoutIdlePool()) {
            InspectReport report = Inspector.of(db.target()).run(options);
            if (json) {
                cli.out.println(Printer.json(json(report)));
            } else {
                print(report);
            }
            return report.hasProblems() ? ErrorCode.PROBLEMS_FOUND.exitCode() : 0;
        }
    }

    private InspectOptions options() {
        long minSize = unusedIndexMinSize.trim().matches("\\d{1,18}") ? Long.parseLong(unusedIndexMinSize.trim())
                : PgValue.parseSize(unusedIndexMinSize);
        if (minSize < 0) {
            throw new BotDbException(ErrorCode.USAGE, "--unused-index-min-size '" + unusedIndexMinSize + "' is not a"
                    + " size. Write it with its unit, e.g. 1MB, 512kB or 0");
        }
        return InspectOptions.builder()
                .checks(checks)
                .limit(limit)
                .statementTimeout(DurationText.parse("--timeout", timeout))
                .lockTimeout(DurationText.parse("--lock-timeout", lockTimeout))
                .connections(parallel)
                .historyFile(noHistory ? null : history != null ? history : InspectOptions.DEFAULT_HISTORY_FILE)
                .unusedIndexMinBytes(minSize)
                .seqScanShare(seqScanShare)
                .seqScanMinRows(seqScanMinRows)
                .seqScanMinScans(seqScanMinScans)
                .cacheHitWarn(cacheHitWarn)
                .cacheHitMinBlocks(cacheHitMinBlocks)
                .deadRowsWarn(deadRowsWarn)
                .deadRowsMin(deadRowsMin)
                .xidWarn(xidWarn)
                .xidProblem(xidProblem)
                .sequenceWarn(sequenceWarn)
                .sequenceProblem(sequenceProblem)
                .slowQuery(DurationText.parse("--slow-query", slowQuery))
                .slowQueryCalls(slowQueryCalls)
                .longQuery(DurationText.parse("--long-query", longQuery))
                .idleInTransaction(DurationText.parse("--idle-in-transaction", idleInTransaction))
                .blockedQuery(DurationText.parse("--blocked-query", blockedQuery))
                .connectionsWarn(connectionsWarn)
                .connectionsProblem(connectionsProblem)
                .replicationLag(DurationText.parse("--replication-lag", replicationLag))
                .freelistWarn(freelistWarn)
                .build();
    }

    private void print(InspectReport report) {
        cli.out.println("Inspecting " + report.database() + " (" + report.server() + ")");
        String group = null;
        int width = report.checks().stream().mapToInt(c -> c.name().length()).max().orElse(10);
        for (CheckResult c : report.checks()) {
            if (!c.group().equals(group)) {
                group = c.group();
                cli.out.println();
                cli.out.println(group);
            }
            boolean labelled = c.verdict() == CheckResult.Verdict.OK || c.summary().startsWith(c.verdict().label());
            cli.out.printf("  %s %-" + width + "s  %s%s%n", c.verdict().symbol(), c.name(),
                    labelled ? "" : c.verdict().label() + ": ", c.summary());
            boolean rows = !c.rows().isEmpty() && (c.verdict() != CheckResult.Verdict.OK || ALWAYS_ROWS.contains(c.name())
                    || checks.contains(c.name()));
            if (rows) {
                table(c);
            }
            for (String n : c.notes()) {
                cli.out.println("      " + n);
            }
        }
        cli.out.println();
        cli.out.println(report.summary());
    }

    /** The check's rows as aligned columns, at most --limit of them. */
    private void table(CheckResult c) {
        List<List<String>> cells = new ArrayList<>();
        List<String> header = c.columns().stream().map(CheckResult.Column::name).toList();
        cells.add(header);
        for (List<Object> row : c.rows().subList(0, Math.min(limit, c.rows().size()))) {
            List<String> line = new ArrayList<>();
            for (int i = 0; i < row.size(); i++) {
                String v = c.display(row, i);
                line.add(v.length() > CELL_CHARS ? v.substring(0, CELL_CHARS - 3) + "..." : v);
            }
            cells.add(line);
        }
        int[] widths = new int[header.size()];
        for (List<String> line : cells) {
            for (int i = 0; i < line.size(); i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        for (List<String> line : cells) {
            StringBuilder sb = new StringBuilder("      ");
            for (int i = 0; i < line.size(); i++) {
                boolean last = i == line.size() - 1;
                sb.append(last ? line.get(i) : String.format(Locale.ROOT, "%-" + widths[i] + "s  ", line.get(i)));
            }
            cli.out.println(sb.toString().stripTrailing());
        }
        if (c.rows().size() > limit) {
            cli.out.println("      ... and " + (c.rows().size() - limit) + " more (--limit, or --json for all)");
        }
    }

    private static Map<String, Object> json(InspectReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("engine", report.engine());
        m.put("database", report.database());
        m.put("server", report.server());
        m.put("summary", report.summary());
        m.put("problems", report.hasProblems());
        Map<String, Object> counts = new LinkedHashMap<>();
        for (CheckResult.Verdict v : CheckResult.Verdict.values()) {
            counts.put(v.label().replace(' ', '_'), report.count(v));
        }
        m.put("counts", counts);
        m.put("duration_ms", report.duration().toMillis());
        m.put("checks", report.checks().stream().map(c -> {
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("name", c.name());
            check.put("group", c.group());
            check.put("title", c.title());
            check.put("verdict", c.verdict().label());
            check.put("summary", c.summary());
            check.put("rows", c.rows().stream().map(row -> {
                Map<String, Object> r = new LinkedHashMap<>();
                for (int i = 0; i < row.size(); i++) {
                    r.put(c.columns().get(i).name(), row.get(i));
                }
                return r;
            }).toList());
            check.put("notes", c.notes());
            check.put("figures", c.figures());
            check.put("duration_ms", c.duration().toMillis());
            return check;
        }).toList());
        return m;
    }
}
