package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.exchange.ExportRequest;
import dev.botdb.exchange.ExportResult;
import dev.botdb.exchange.Format;
import dev.botdb.text.Human;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code botdb export}: a table or query into CSV, TSV or JSON lines, in one snapshot. */
@Command(name = "export", description = "Write a table's rows (or a query's) to a CSV, TSV or JSON-lines file, in one"
        + " snapshot and constant memory. Default file: exports/TABLE-YYYYMMDD.csv, never overwritten without --force.")
final class ExportCommand extends BotDbCommand {
    @Parameters(paramLabel = "TABLE", arity = "0..1", description = "The table (or give --query).")
    String table;

    @Option(names = "--query", paramLabel = "SELECT", description = "A query instead of a table.")
    String query;

    @Option(names = "--out", paramLabel = "FILE", description = "The file, or - for standard output"
            + " (default exports/TABLE-YYYYMMDD.FORMAT).")
    String out;

    @Option(names = "--format", paramLabel = "csv|tsv|jsonl", description = "csv (default, or from --out's name): RFC"
            + " 4180 with a header, NULL an empty unquoted field, the empty string \"\"; tsv: PostgreSQL's text format"
            + " (\\N for NULL); jsonl: one JSON object per row with typed values.")
    String format;

    @Option(names = "--gzip", description = "Compress (the default file name gets .gz).")
    boolean gzip;

    @Option(names = "--where", paramLabel = "SQL", description = "Only rows matching this condition, e.g."
            + " \"activity_date >= '2025-01-01'\".")
    String where;

    @Option(names = "--columns", paramLabel = "a,b", split = ",", description = "Only these columns, in this order.")
    List<String> columns = new ArrayList<>();

    @Option(names = "--force", description = "Replace the file if it exists.")
    boolean force;

    @Option(names = "--json", description = "Print the summary as JSON on standard output (with a file):"
            + " {file, rows, bytes, duration_ms}.")
    boolean json;

    @Override
    public Integer call() {
        if ((table == null) == (query == null)) {
            throw new BotDbException(ErrorCode.USAGE, "Give a table (botdb export activities) or --query \"SELECT ...\","
                    + " one of the two.");
        }
        if (query != null && where != null) {
            throw new BotDbException(ErrorCode.USAGE, "--where filters a table; with --query, put the condition in the"
                    + " query.");
        }
        Format f = format != null ? Format.parse(format) : out != null && !out.equals("-") ? Format.of(out) : Format.CSV;
        if (f == null) {
            throw new BotDbException(ErrorCode.USAGE, "--format " + format + " is not csv, tsv or jsonl.");
        }
        boolean stdout = "-".equals(out);
        if (stdout && json) {
            throw new BotDbException(ErrorCode.USAGE, "--json prints the summary on standard output, where --out - writes"
                    + " the rows; choose one.");
        }
        Optional<Path> file = stdout ? Optional.empty() : Optional.of(out != null ? Path.of(out) : defaultFile(f));
        boolean compress = gzip || file.map(p -> p.toString().endsWith(".gz")).orElse(false);
        try (BotDb db = openUnpooled()) { // one connection at a time: no pool to start
            ExportResult r = db.export(new ExportRequest(table, query, columns, where, f, compress, file, force), cli.out);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", r.file().map(Path::toString).orElse(null));
                m.put("rows", r.rows());
                m.put("bytes", r.bytes());
                m.put("duration_ms", r.millis());
                cli.out.println(Printer.jsonWithNulls(m));
            } else {
                cli.err.println(String.format(Locale.ROOT, "Exported %s (%s) %s %s in %.1f s", Human.plural(r.rows(), "row",
                        "rows"), Human.bytes(r.bytes()), table != null ? "of " + table + " to" : "to",
                        r.file().map(Path::toString).orElse("standard output"), r.millis() / 1000.0));
            }
            return 0;
        }
    }

    /** The Activity Challenge page's name: exports/activities-20250131.csv. */
    private Path defaultFile(Format f) {
        String base = table != null ? table.replaceAll("[^A-Za-z0-9_.-]", "_") : "query";
        return Path.of("exports", base + "-" + LocalDate.now().format(DateTimeFormatter.BASIC_ISO_DATE) + "."
                + f.extension() + (gzip ? ".gz" : ""));
    }
}
