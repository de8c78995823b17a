package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.PostgresTarget;
import dev.botdb.maintain.KillIdleRequest;
import dev.botdb.maintain.KillIdleResult;
import dev.botdb.maintain.MaintainRequest;
import dev.botdb.maintain.MaintainResult;
import dev.botdb.maintain.Maintenance;
import dev.botdb.maintain.MaintenancePlan;
import dev.botdb.maintain.Operation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code botdb maintain analyze|vacuum|vacuum-full|reindex|integrity|kill-idle}: the VACUUM /
 * ANALYZE / REINDEX and idle-connection clean-up operators otherwise run by hand in psql, with lock timeouts so
 * a running bot never waits behind them, a line per table, and confirmation before what locks.
 */
@Command(name = "maintain", description = "VACUUM, ANALYZE, REINDEX and ending idle sessions without stalling the bot."
        + " Exit 0: all done; 18: a table was skipped (lock not granted), timed out or failed.",
        subcommands = {MaintainCommand.Analyze.class, MaintainCommand.Vacuum.class, MaintainCommand.VacuumFull.class,
                MaintainCommand.Reindex.class, MaintainCommand.Integrity.class, MaintainCommand.KillIdle.class})
final class MaintainCommand extends BotDbCommand {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        cli.err.println("error: say what to run, e.g. botdb maintain vacuum --table users");
        spec.commandLine().usage(cli.err);
        return ErrorCode.USAGE.exitCode();
    }

    /** Options every table operation takes. */
    static final class TableOptions {
        @Option(names = "--table", paramLabel = "TABLE", description = "Only this table (name or schema.name);"
                + " repeat for more. Default: every table of the database.")
        List<String> tables = new ArrayList<>();

        @Option(names = "--lock-timeout", defaultValue = "5s", paramLabel = "DURATION", description = "How long to wait"
                + " for a table's lock before skipping it (default ${DEFAULT-VALUE}); the bot's queries on that table"
                + " wait at most this long behind it.")
        String lockTimeout;

        @Option(names = "--statement-timeout", paramLabel = "DURATION", description = "Cancel a table's statement"
                + " after this long; 0 = no limit (default: none for vacuum and reindex, 10m for analyze).")
        String statementTimeout;

        @Option(names = "--json", description = "Print JSON: {operation, database, complete, tables: [...], notes}.")
        boolean json;

        MaintainRequest request(Operation op) {
            MaintainRequest r = MaintainRequest.of(op).withTables(tables)
                    .withLockTimeout(DurationText.parse("--lock-timeout", lockTimeout));
            return statementTimeout == null ? r
                    : r.withStatementTimeout(DurationText.parse("--statement-timeout", statementTimeout));
        }
    }

    @Command(name = "analyze", description = "Refresh the planner's statistics (ANALYZE); reads and writes continue.")
    static final class Analyze extends BotDbCommand {
        @Mixin
        TableOptions options;
        @Override
        public Integer call() throws IOException {
            return run(this, options, options.request(Operation.ANALYZE), false, false);
        }
    }

    @Command(name = "vacuum", description = "Make dead rows' space reusable (VACUUM); reads and writes continue."
            + " SQLite: VACUUM rewrites the file.")
    static final class Vacuum extends BotDbCommand {
        @Mixin
        TableOptions options;
        @Option(names = "--analyze", description = "Also refresh statistics (VACUUM ANALYZE).")
        boolean analyze;
        @Override
        public Integer call() throws IOException {
            return run(this, options, options.request(Operation.VACUUM).withAnalyze(analyze), false, false);
        }
    }

    @Command(name = "vacuum-full", description = "Rewrite tables compactly and return space to the operating system"
            + " (VACUUM FULL). LOCKS each table completely while it runs: asks you to type yes.")
    static final class VacuumFull extends BotDbCommand {
        @Mixin
        TableOptions options;
        @Option(names = "--analyze", description = "Also refresh statistics (VACUUM FULL ANALYZE).")
        boolean analyze;
        @Option(names = "--yes", description = "Do not ask (for scripts).")
        boolean yes;
        @Option(names = "--force", description = "Allow vacuum-full under BOTDB_ENV=production.")
        boolean force;
        @Override
        public Integer call() throws IOException {
            return run(this, options, options.request(Operation.VACUUM_FULL).withAnalyze(analyze), yes, force);
        }
    }

    @Command(name = "reindex", description = "Rebuild indexes with REINDEX CONCURRENTLY (reads and writes continue)."
            + " Without --table or --index: every index, after you type yes.")
    static final class Reindex extends BotDbCommand {
        @Mixin
        TableOptions options;
        @Option(names = "--index", paramLabel = "INDEX", description = "Only this index; repeat for more.")
        List<String> indexes = new ArrayList<>();
        @Option(names = "--yes", description = "Do not ask before reindexing the whole database (for scripts).")
        boolean yes;
        @Override
        public Integer call() throws IOException {
            return run(this, options, options.request(Operation.REINDEX).withIndexes(indexes), yes, false);
        }
    }

    @Command(name = "integrity", description = "SQLite: PRAGMA integrity_check and foreign_key_check."
            + " (PostgreSQL: see botdb backup verify.)")
    static final class Integrity extends BotDbCommand {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;
        @Override
        public Integer call() throws IOException {
            TableOptions o = new TableOptions();
            o.lockTimeout = "5s";
            o.json = json;
            return run(this, o, o.request(Operation.INTEGRITY), false, false);
        }
    }

    static int run(BotDbCommand command, TableOptions options, MaintainRequest request, boolean yes,
                   boolean force) throws IOException {
        Cli cli = command.cli;
        BotDbConfig config = command.config();
        if (request.operation() == Operation.VACUUM_FULL && config.production() && !force) {
            throw new BotDbException(ErrorCode.USAGE, "Refusing vacuum-full under BOTDB_ENV=production: it locks each"
                    + " table completely while rewriting it, so the bot can neither read nor write it meanwhile. Plain"
                    + " botdb maintain vacuum takes no such lock. If you mean it (at a quiet time), add --force.");
        }
        try (BotDb db = command.openWithoutIdlePool()) {
            Consumer<String> log = options.json ? line -> { } : cli.out::println;
            Maintenance m = Maintenance.of(db.target(), log);
            if (request.needsConfirmation() && !yes) {
                MaintenancePlan plan = m.plan(request);
                if (!confirm(cli, plan.warning())) {
                    return ErrorCode.USAGE.exitCode();
                }
            }
            MaintainResult r = m.run(request);
            if (options.json) {
                cli.out.println(Printer.json(json(r)));
            } else {
                cli.out.println(r.summary());
            }
            return r.complete() ? 0 : ErrorCode.MAINTENANCE_INCOMPLETE.exitCode();
        }
    }

    /** Shows what will be locked and reads the operator's answer; only {@code yes} goes on. */
    static boolean confirm(Cli cli, String warning) throws IOException {
        cli.err.println(warning);
        cli.err.print("Type yes to continue: ");
        cli.err.flush();
        String answer = new BufferedReader(new InputStreamReader(cli.in, StandardCharsets.UTF_8)).readLine();
        if ("yes".equals(answer == null ? null : answer.trim())) {
            return true;
        }
        cli.err.println("Cancelled; nothing was changed. (--yes skips this question in scripts.)");
        return false;
    }

    private static Map<String, Object> json(MaintainResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("operation", r.operation().command());
        m.put("database", r.database());
        m.put("complete", r.complete());
        m.put("duration_ms", r.duration().toMillis());
        m.put("tables", r.tables().stream().map(t -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("table", t.table());
            row.put("status", t.status().name().toLowerCase(Locale.ROOT));
            row.put("duration_ms", t.duration().toMillis());
            row.put("detail", t.detail());
            row.put("dead_rows_before", t.deadRowsBefore());
            row.put("dead_rows_after", t.deadRowsAfter());
            row.put("bytes_before", t.bytesBefore());
            row.put("bytes_after", t.bytesAfter());
            return row;
        }).toList());
        m.put("notes", r.notes());
        return m;
    }

    @Command(name = "kill-idle", description = "End sessions of the application's database idle for longer than"
            + " --older-than (never this one, never other databases', never replication or background workers).")
    static final class KillIdle extends BotDbCommand {
        @Option(names = "--older-than", defaultValue = "5m", paramLabel = "DURATION",
                description = "Idle for longer than this: 30s, 5m, 1h (default ${DEFAULT-VALUE}).")
        String olderThan;
        @Option(names = "--idle-in-transaction", description = "Also end sessions idle inside an open transaction"
                + " (they hold locks and keep VACUUM from removing dead rows).")
        boolean idleInTransaction;
        @Option(names = "--dry-run", description = "Only list them.")
        boolean dryRun;
        @Option(names = "--json", description = "Print JSON: {database, sessions: [...], notes}.")
        boolean json;
        @Override
        public Integer call() {
            KillIdleRequest request = new KillIdleRequest(DurationText.parse("--older-than", olderThan),
                    idleInTransaction, dryRun);
            try (BotDb db = openWithoutIdlePool()) {
                Maintenance m = Maintenance.of(db.target(), json ? line -> { } : cli.out::println);
                // SQLite has no sessions: its error comes without a header in front of it
                if (!json && db.target() instanceof PostgresTarget) {
                    cli.out.println((dryRun ? "Would end" : "Ending") + " sessions of " + db.target().displayName()
                            + " idle" + (idleInTransaction ? " (or idle in transaction)" : "") + " for more than "
                            + olderThan + ":");
                }
                KillIdleResult r = m.killIdle(request);
                if (json) {
                    cli.out.println(Printer.json(json(r)));
                } else {
                    r.notes().forEach(n -> cli.out.println("  note: " + n));
                    cli.out.println(r.summary());
                }
                return r.complete() ? 0 : ErrorCode.MAINTENANCE_INCOMPLETE.exitCode();
            }
        }

        private static Map<String, Object> json(KillIdleResult r) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("database", r.database());
            m.put("own_pid", r.ownPid());
            m.put("older_than_ms", r.request().olderThan().toMillis());
            m.put("dry_run", r.request().dryRun());
            m.put("complete", r.complete());
            m.put("sessions", r.sessions().stream().map(s -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("pid", s.pid());
                row.put("outcome", s.outcome().name().toLowerCase(Locale.ROOT));
                row.put("user", s.user());
                row.put("application", s.application());
                row.put("client", s.client());
                row.put("state", s.state());
                row.put("idle_ms", s.idleFor() == null ? null : s.idleFor().toMillis());
                row.put("last_query", s.lastQuery());
                row.put("note", s.note());
                return row;
            }).toList());
            m.put("notes", r.notes());
            return m;
        }
    }
}
