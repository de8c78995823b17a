package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.migrate.Migrator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code botdb migrate}: apply pending migrations from MIGRATIONS_PATH. */
@Command(name = "migrate", aliases = "up", description = "Apply pending migrations from MIGRATIONS_PATH"
        + " (default: migrations), each file in one transaction with its schema_migrations row.")
final class MigrateCommand extends BotDbCommand {
    @Option(names = "--dry-run", description = "Print the SQL that would run, file by file, and change nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        try (BotDb db = open()) {
            Migrator migrator = db.migrator(cli.out::println);
            if (!dryRun) {
                migrator.migrate();
                return 0;
            }
            List<Migrator.Planned> plan = migrator.plan();
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
