package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.exchange.Format;
import dev.botdb.exchange.ImportRequest;
import dev.botdb.exchange.ImportResult;
import dev.botdb.text.Human;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code botdb import}: a CSV, TSV or JSON-lines file into a table, all rows or none. */
@Command(name = "import", description = "Load a CSV, TSV or JSON-lines file (.gz read directly) into a table in one"
        + " transaction: the header is matched to the columns first, a bad row stops it with its file line and nothing is"
        + " kept, identity and serial sequences are moved past the imported keys.")
final class ImportCommand extends BotDbCommand {
    @Parameters(index = "0", paramLabel = "TABLE", description = "The table.")
    String table;

    @Parameters(index = "1", paramLabel = "FILE", description = "The file.")
    Path file;

    @Option(names = "--format", paramLabel = "csv|tsv|jsonl", description = "Default: from the file name (csv).")
    String format;

    @Option(names = "--columns", paramLabel = "a,b,c", split = ",", description = "The file's columns, in order"
            + " (instead of its header; with --no-header, required).")
    List<String> columns = new ArrayList<>();

    @Option(names = "--no-header", description = "The file has no header line.")
    boolean noHeader;

    @Option(names = "--truncate", description = "Empty the table first, in the same transaction (a safety backup of it is"
            + " taken first, into BACKUP_DIR).")
    boolean truncate;

    @Option(names = "--upsert-on", paramLabel = "KEY", split = ",", description = "Rows whose KEY exists are updated, the"
            + " others inserted (the key needs a unique constraint); the summary gives both counts.")
    List<String> upsertOn = new ArrayList<>();

    @Option(names = "--dry-run", description = "Load and check every row, then roll back: nothing is kept.")
    boolean dryRun;

    @Option(names = "--json", description = "Print JSON: {table, file, rows, inserted, updated, sequences, safety_backup,"
            + " dry_run, duration_ms}.")
    boolean json;

    @Override
    public Integer call() {
        Format f = format == null ? null : Format.parse(format);
        if (format != null && f == null) {
            throw new BotDbException(ErrorCode.USAGE, "--format " + format + " is not csv, tsv or jsonl.");
        }
        if (!upsertOn.isEmpty() && truncate) {
            throw new BotDbException(ErrorCode.USAGE, "--truncate empties the table, so there is nothing to --upsert-on;"
                    + " choose one.");
        }
        try (BotDb db = openUnpooled()) { // one connection at a time: no pool to start
            ImportResult r = db.importFile(new ImportRequest(table, file, f, columns, !noHeader, truncate, upsertOn, dryRun));
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("table", table);
                m.put("file", file.toString());
                m.put("rows", r.rows());
                m.put("inserted", r.inserted());
                m.put("updated", r.updated());
                m.put("sequences", r.sequences());
                m.put("safety_backup", r.safetyBackup().map(Path::toString).orElse(null));
                m.put("dry_run", r.dryRun());
                m.put("duration_ms", r.millis());
                cli.out.println(Printer.jsonWithNulls(m));
                return 0;
            }
            String counts = upsertOn.isEmpty() ? "" : " (" + Human.count(r.inserted()) + " inserted, "
                    + Human.count(r.updated()) + " updated)";
            cli.out.println(String.format(Locale.ROOT, "%s %s from %s into %s%s in %.1f s.", r.dryRun()
                            ? "Dry run: checked" : "Imported", Human.plural(r.rows(), "row", "rows"), file, table, counts,
                    r.millis() / 1000.0) + (r.dryRun() ? " Nothing was kept." : ""));
            if (!r.sequences().isEmpty() && !r.dryRun()) {
                cli.out.println("Sequences moved past the imported keys: " + String.join(", ", r.sequences()));
            }
            r.safetyBackup().ifPresent(p -> cli.out.println("What " + table + " held before is in " + p));
            return 0;
        }
    }
}
