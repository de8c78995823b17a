package dev.botdb.cli;

import dev.botdb.BotDb;
import picocli.CommandLine.Command;

/** {@code botdb validate}: every file parses and the history is consistent; applies nothing. */
@Command(name = "validate", description = "Check every migration file parses and no applied file changed,"
        + " failed or went missing. Applies nothing.")
final class ValidateCommand extends BotDbCommand {
    @Override
    public Integer call() {
        try (BotDb db = open()) {
            int n = db.migrator(cli.err::println).validate();
            cli.out.println("Validation passed: " + n + " migration files, history consistent");
        }
        return 0;
    }
}
