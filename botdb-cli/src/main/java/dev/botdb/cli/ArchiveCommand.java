package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.exchange.ArchiveRequest;
import dev.botdb.exchange.ArchiveResult;
import dev.botdb.text.Human;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code botdb archive}: old rows into an archive table, in short batches, while the bot runs. */
@Command(name = "archive", description = "Move rows older than --older-than (by --column) out of a live table into an"
        + " archive table or an archive file in short batches, so the bot's writes never wait long; a kill loses and duplicates nothing,"
        + " and the same command carries on.")
final class ArchiveCommand extends BotDbCommand {
    @Parameters(paramLabel = "TABLE", description = "The live table.")
    String table;

    @Option(names = "--older-than", required = true, paramLabel = "365d", description = "Rows whose --column is older"
            + " than this (30d, 12h, ...).")
    String olderThan;

    @Option(names = "--column", required = true, paramLabel = "COLUMN", description = "The date or timestamp column,"
            + " e.g. activity_date.")
    String column;

    @Option(names = "--where", paramLabel = "SQL", description = "A further condition on the rows to move.")
    String where;

    @Option(names = "--to-table", paramLabel = "NAME", description = "The archive table (created like TABLE when"
            + " missing), e.g. activities_archive_2025.")
    String toTable;

    @Option(names = "--to", paramLabel = "FILE", description = "An archive file instead (botdb's checksummed backup"
            + " format, encrypted when BACKUP_ENCRYPTION_KEY is set): created when missing, appended to otherwise; each"
            + " batch is on disk before its rows are deleted. botdb restore FILE --table TABLE puts them back.")
    java.nio.file.Path toFile;

    @Option(names = "--batch", defaultValue = "10000", description = "Rows per transaction (default 10000).")
    int batch;

    @Option(names = "--with-children", description = "Also move the rows of other tables that reference the rows"
            + " moving (one level), each into CHILD plus the archive table's suffix (entries_archive_2025), or with --to into"
            + " the same file.")
    boolean withChildren;

    @Option(names = "--dry-run", description = "Count the rows that would move; move nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print JSON: {table, to_table, to_file, rows, bytes, batches, remaining, created,"
            + " children: {archive table: rows}, dry_run, duration_ms}.")
    boolean json;

    @Override
    public Integer call() {
        if (batch < 1) {
            throw new BotDbException(ErrorCode.USAGE, "--batch must be at least 1.");
        }
        if ((toTable == null) == (toFile == null)) {
            throw new BotDbException(ErrorCode.USAGE, toTable == null ? "Say where the rows go: --to-table NAME (an"
                    + " archive table) or --to FILE (an archive file)." : "Give --to-table or --to, not both.");
        }
        var age = DurationText.parse("--older-than", olderThan);
        String destination = toFile != null ? toFile.toString() : toTable;
        try (BotDb db = openUnpooled()) { // one connection at a time: no pool to start
            ArchiveResult r = db.archive(new ArchiveRequest(table, column, age, where, toTable, batch, dryRun, withChildren,
                    toFile),
                    cli.err::println);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("table", table);
                m.put("to_table", toTable);
                m.put("to_file", toFile == null ? null : toFile.toString());
                m.put("rows", r.rows());
                m.put("bytes", r.bytes());
                m.put("batches", r.batches());
                m.put("remaining", r.remaining());
                m.put("created", r.created());
                m.put("children", r.children());
                m.put("dry_run", r.dryRun());
                m.put("duration_ms", r.millis());
                cli.out.println(Printer.jsonWithNulls(m));
                return 0;
            }
            if (r.dryRun()) {
                cli.out.println("Dry run: " + Human.plural(r.rows(), "row", "rows") + " of " + table + " would move to "
                        + destination + ". Nothing was moved.");
                return 0;
            }
            cli.out.println(String.format(Locale.ROOT, "Archived %s (%s) from %s into %s in %d %s, %.1f s%s.",
                    Human.plural(r.rows(), "row", "rows"), Human.bytes(r.bytes()), table, destination, r.batches(),
                    r.batches() == 1 ? "batch" : "batches", r.millis() / 1000.0,
                    r.remaining() > 0 ? "; " + Human.plural(r.remaining(), "row", "rows") + " still match (locked by the"
                            + " bot while this ran: run it again)" : ""));
            r.children().forEach((t, n) -> cli.out.println("  with " + Human.plural(n, "row", "rows") + " that referenced"
                    + " them, " + (toFile != null ? "of " + t + ", into the same file" : "into " + t)));
            if (toFile != null && r.rows() > 0) {
                cli.out.println("To put them back: botdb restore " + toFile + " --table " + table
                        + " (or --into NEW_TABLE to look at them beside the live rows)");
            }
            if (r.rows() > 0) {
                cli.out.println("To give the space back to the system: botdb maintain vacuum --table " + table);
            }
            return 0;
        }
    }
}
