package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.tasks.Progress;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.ConnectionTarget;
import dev.botdb.config.Redaction;
import dev.botdb.config.SqliteTarget;
import dev.botdb.text.Human;
import dev.botdb.transfer.NumericDates;
import dev.botdb.transfer.TransferPlan;
import dev.botdb.transfer.TransferRequest;
import dev.botdb.transfer.TransferResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code botdb transfer}: a SQLite database's rows into PostgreSQL, all or nothing, checked. */
@Command(name = "transfer", description = "Copy a SQLite database (the bot's development file) into PostgreSQL in one"
        + " transaction: tables and columns matched by name, each value converted to its column's type, sequences set"
        + " past the loaded keys, every table checked (row count and hash) before commit. Exit 0 only when all match.")
final class TransferCommand extends BotDbCommand {
    @Option(names = "--from", required = true, paramLabel = "SQLITE", description = "The SQLite database: a URL"
            + " (sqlite:///./bot_database.db, sqlite+aiosqlite:///..., jdbc:sqlite:...) or a file path.")
    String from;

    @Option(names = "--to", paramLabel = "URL", description = "The PostgreSQL database (default: DATABASE_URL). A URL"
            + " without a password: it comes from ~/.pgpass or PGPASSWORD, never the command line.")
    String to;

    @Option(names = "--truncate", description = "Replace the rows the target's tables hold (a safety backup of them is"
            + " taken first, into BACKUP_DIR or --out). Without it a target with rows is refused.")
    boolean truncate;

    @Option(names = "--create-schema", description = "Create the tables the target lacks from SQLite's schema (types,"
            + " NOT NULL, defaults, keys, UNIQUE, CHECK, indexes; the README's mapping) instead of refusing.")
    boolean createSchema;

    @Option(names = "--on-bad-row", paramLabel = "stop|skip", defaultValue = "stop", description = "A value that cannot"
            + " be converted: stop (default; nothing is committed) or skip the row into --rejects and carry on (exit 25).")
    String onBadRow;

    @Option(names = "--rejects", paramLabel = "FILE", description = "The CSV file skipped rows are written to"
            + " (with --on-bad-row skip; default transfer-rejects.csv).")
    Path rejects;

    @Option(names = "--numeric-dates", paramLabel = "unix|unix-ms|julian", defaultValue = "unix", description = "What a"
            + " number in a date or timestamp column is: Unix seconds (default), Unix milliseconds, or a Julian day.")
    String numericDates;

    @Option(names = "--dry-run", description = "Print the plan (tables, column mapping, conversions, row counts,"
            + " problems) and change nothing.")
    boolean dryRun;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the safety backup of --truncate goes (default:"
            + " BACKUP_DIR, or backups).")
    Path out;

    @Option(names = "--json", description = "Print JSON: the plan with --dry-run, else {source, target, tables: [{source,"
            + " target, read, written, rejected, source_hash, target_hash, match}], rows, rejected, sequences,"
            + " safety_backup, rejects_file, journal_mode, duration_ms}.")
    boolean json;

    @Override
    public Integer call() {
        TransferRequest request = request();
        try (BotDb db = openTarget()) {
            ConnectionTarget target = db.target();
            if (dryRun) {
                TransferPlan plan = db.transferPlan(target, request);
                printPlan(plan, target);
                return plan.problems().isEmpty() ? 0 : ErrorCode.TRANSFER_REFUSED.exitCode();
            }
            RunningLine line = new RunningLine();
            TransferResult r;
            try {
                r = db.transfer(target, request, text -> {
                    line.clear();
                    cli.err.println(text);
                }, line::show);
            } finally {
                line.clear();
            }
            printResult(r, target);
            return r.rejected() > 0 ? ErrorCode.TRANSFER_ROWS_SKIPPED.exitCode() : 0;
        }
    }

    private TransferRequest request() {
        NumericDates dates = switch (numericDates.toLowerCase(Locale.ROOT)) {
            case "unix" -> NumericDates.UNIX;
            case "unix-ms" -> NumericDates.UNIX_MS;
            case "julian" -> NumericDates.JULIAN;
            default -> throw new BotDbException(ErrorCode.USAGE, "--numeric-dates " + numericDates + " is not one of"
                    + " unix, unix-ms, julian.");
        };
        TransferRequest r = TransferRequest.from(sourceFile()).withNumericDates(dates);
        switch (onBadRow.toLowerCase(Locale.ROOT)) {
            case "stop" -> {
                if (rejects != null) {
                    throw new BotDbException(ErrorCode.USAGE, "--rejects is where --on-bad-row skip writes skipped rows;"
                            + " add --on-bad-row skip, or leave --rejects out.");
                }
            }
            case "skip" -> r = r.skippingBadRows(rejects != null ? rejects : Path.of("transfer-rejects.csv"));
            default -> throw new BotDbException(ErrorCode.USAGE, "--on-bad-row " + onBadRow + " is not stop or skip.");
        }
        if (truncate) {
            r = r.truncating();
        }
        if (createSchema) {
            r = r.creatingSchema();
        }
        return r;
    }

    /** The SQLite file --from names, in any form botdb accepts for DATABASE_URL, or a plain path. */
    private Path sourceFile() {
        String lower = from.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("sqlite") && !lower.startsWith("jdbc:") && !lower.contains("://")) {
            return Path.of(from);
        }
        ConnectionTarget t = BotDbConfig.fromEnv(Map.of("DATABASE_URL", from)).target();
        if (t instanceof SqliteTarget s && !s.inMemory()) {
            return s.path();
        }
        throw new BotDbException(ErrorCode.USAGE, "--from " + Redaction.maskUrl(from) + " is not a SQLite file. botdb"
                + " transfer reads SQLite: --from sqlite:///./bot_database.db. To copy between PostgreSQL databases use"
                + " botdb backup and botdb restore --to.");
    }

    /** The target: --to, or the configured database. */
    private BotDb openTarget() {
        if (to == null) {
            return openWithoutIdlePool();
        }
        return openUnpooledAt("--to", to);
    }

    private void printPlan(TransferPlan plan, ConnectionTarget target) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", plan.source());
            m.put("target", target.displayName());
            m.put("schema", plan.targetSchema());
            List<Map<String, Object>> tables = new ArrayList<>();
            for (TransferPlan.TablePlan t : plan.tables()) {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("source", t.source());
                tm.put("target", t.target());
                tm.put("rows", t.rows());
                tm.put("columns", t.columns().stream().map(c -> Map.of("source", c.source(), "source_type",
                        c.sourceType(), "target", c.target(), "target_type", c.targetType())).toList());
                tm.put("defaulted", t.defaulted());
                tables.add(tm);
            }
            m.put("tables", tables);
            m.put("rows", plan.rows());
            m.put("problems", plan.problems());
            m.put("with_rows", plan.withRows());
            m.put("created", plan.created());
            m.put("notes", plan.notes());
            m.put("journal_mode", plan.journalMode());
            cli.out.println(Printer.jsonWithNulls(m));
            return;
        }
        cli.out.println("Plan: " + Human.plural(plan.tables().size(), "table", "tables") + ", "
                + Human.count(plan.rows()) + " rows from " + plan.source() + " into " + target.displayName()
                + " (schema " + plan.targetSchema() + ")");
        for (TransferPlan.TablePlan t : plan.tables()) {
            cli.out.println();
            cli.out.println("  " + t.source() + " -> " + (t.target() == null ? "(no table)" : t.target()) + ", "
                    + Human.plural(t.rows(), "row", "rows") + (t.withoutRowid() ? " (WITHOUT ROWID)" : ""));
            int width = t.columns().stream().mapToInt(c -> c.source().length() + c.sourceType().length() + 1).max().orElse(0);
            for (TransferPlan.ColumnPlan c : t.columns()) {
                String left = c.source() + (c.sourceType().isEmpty() ? "" : " " + c.sourceType());
                cli.out.printf("    %-" + Math.max(width, 1) + "s -> %s %s%n", left, c.target(), c.targetType());
            }
            for (String d : t.defaulted()) {
                cli.out.println("    (not in SQLite) -> " + d + " gets its default");
            }
        }
        if (!plan.created().isEmpty()) {
            cli.out.println();
            cli.out.println("--create-schema would run:");
            plan.created().forEach(s -> cli.out.println(s.endsWith(";") ? s : s + ";"));
        }
        if (!plan.notes().isEmpty()) {
            cli.out.println();
            plan.notes().forEach(n -> cli.out.println("Note: " + n));
        }
        if (!plan.withRows().isEmpty()) {
            cli.out.println();
            cli.out.println("Holding rows on the target: " + String.join(", ", plan.withRows())
                    + (truncate ? " (--truncate: backed up, then replaced)" : " (refused without --truncate)"));
        }
        cli.out.println();
        if (plan.problems().isEmpty()) {
            cli.out.println("Nothing is in the way; run without --dry-run to transfer.");
        } else {
            cli.out.println("To fix before the transfer can run:");
            plan.problems().forEach(p -> cli.out.println("  - " + p));
        }
    }

    private void printResult(TransferResult r, ConnectionTarget target) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", r.plan().source());
            m.put("target", target.displayName());
            m.put("tables", r.tables().stream().map(t -> {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("source", t.source());
                tm.put("target", t.target());
                tm.put("read", t.read());
                tm.put("written", t.written());
                tm.put("rejected", t.rejected());
                tm.put("source_hash", t.sourceHash());
                tm.put("target_hash", t.targetHash());
                tm.put("match", t.matches());
                return tm;
            }).toList());
            m.put("rows", r.rows());
            m.put("rejected", r.rejected());
            m.put("sequences", r.sequences());
            m.put("safety_backup", r.safetyBackup().map(Path::toString).orElse(null));
            m.put("rejects_file", r.rejects().map(Path::toString).orElse(null));
            m.put("journal_mode", r.plan().journalMode());
            m.put("duration_ms", r.millis());
            cli.out.println(Printer.jsonWithNulls(m));
            return;
        }
        int name = Math.max(5, r.tables().stream().mapToInt(t -> shownName(t).length()).max().orElse(0));
        cli.out.printf("  %-" + name + "s  %12s  %9s  %s%n", "table", "rows", "left out", "check (rows:hash, SQLite = PostgreSQL)");
        for (TransferResult.TableResult t : r.tables()) {
            String names = shownName(t);
            cli.out.printf("  %-" + name + "s  %12s  %9s  %s %s%n", names, Human.count(t.written()),
                    Human.count(t.rejected()), t.matches() ? "✓" : "✗", t.targetHash());
        }
        double seconds = Math.max(r.millis() / 1000.0, 0.001);
        cli.out.println();
        cli.out.println(String.format(Locale.ROOT, "Transferred %s rows in %s from %s into %s in %.1f s (%s rows/s);"
                        + " every table matches.", Human.count(r.rows()),
                Human.plural(r.tables().size(), "table", "tables"), r.plan().source(), target.displayName(), seconds,
                Human.count((long) (r.rows() / seconds))));
        cli.out.println("The source was read in one read transaction, as of the moment the transfer started"
                + ("wal".equalsIgnoreCase(r.plan().journalMode())
                ? " (WAL mode: the bot could keep writing; rows written since are not in this copy)."
                : " (journal mode " + r.plan().journalMode() + ": the bot's writes waited until the copy was read)."));
        if (!r.sequences().isEmpty()) {
            cli.out.println("Sequences set past the loaded keys: " + String.join(", ", r.sequences()));
        }
        r.safetyBackup().ifPresent(p -> cli.out.println("What the target's tables held before is in " + p));
        if (r.rejected() > 0) {
            cli.out.println(Human.plural(r.rejected(), "row was", "rows were")
                    + " left out (values that cannot be converted); they are in " + r.rejects().map(Path::toString).orElse("?")
                    + ". Exit code 25.");
        }
    }

    private static String shownName(TransferResult.TableResult t) {
        return t.source().equals(t.target()) ? t.source() : t.source() + " -> " + t.target();
    }

    /** The copy's running line on a terminal: table, rows done of its total. */
    private final class RunningLine {
        private final boolean shown = Progress.runningLine();
        private final long start = System.nanoTime();
        private boolean drawn;

        void show(String table, long done, long total) {
            if (!shown) {
                return;
            }
            double seconds = Math.max((System.nanoTime() - start) / 1e9, 1e-3);
            cli.err.print(String.format(Locale.ROOT, "\r%s: %s / %s rows (%.0f%%), %.1f s   ", table, Human.count(done),
                    Human.count(total), total == 0 ? 100.0 : 100.0 * done / total, seconds));
            cli.err.flush();
            drawn = true;
        }

        void clear() {
            if (drawn) {
                cli.err.print("\r\033[K");
                drawn = false;
            }
        }
    }
}
