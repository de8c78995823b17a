package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.migrate.MigrationResult;
import dev.botdb.migrate.Migrator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code botdb migrate}: apply pending migrations from MIGRATIONS_PATH. */
@Command(name = "migrate", aliases = "up", description = "Apply pending migrations from MIGRATIONS_PATH"
        + " (default: migrations), each file in one transaction with its schema_migrations row.")
final class MigrateCommand extends BotDbCommand {
    @Option(names = "--dry-run", description = "Print the SQL that would run, file by file, and change nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print JSON on stdout, progress on stderr: {found, applied: [file...], skipped, duration_ms}; with --dry-run [{file, outside_transaction, notes, statements}].")
    boolean json;

    @Override
    public Integer call() {
        try (BotDb db = open()) {
            Migrator migrator = db.migrator(json ? cli.err::println : cli.out::println);
            if (!dryRun) {
                MigrationResult r = migrator.migrate();
                if (json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("found", r.found());
                    m.put("applied", r.applied());
                    m.put("skipped", r.skipped());
                    m.put("duration_ms", r.duration().toMillis());
                    cli.out.println(Printer.json(m));
                }
                return 0;
            }
            List<Migrator.Planned> plan = migrator.plan();
            if (json) {
                cli.out.println(Printer.json(plan.stream().map(p -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("file", p.fileName());
                    m.put("outside_transaction", p.outsideTransaction());
                    m.put("notes", p.notes());
                    m.put("statements", p.statements());
                    return m;
                }).toList()));
                return 0;
            }
            for (Migrator.Planned p : plan) {
                cli.out.println("-- " + p.fileName() + (p.outsideTransaction() ? " (runs outside a transaction)" : ""));
                p.notes().forEach(n -> cli.out.println("-- " + n));
                p.statements().forEach(s -> cli.out.println(s + ";"));
                cli.out.println();
            }
            cli.out.println("-- dry run: " + plan.size() + " pending file(s); nothing was applied");
            return 0;
        }
    }
}
