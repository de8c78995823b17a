package dev.botdb.cli;

import dev.botdb.BotDb;
import picocli.CommandLine.Command;

/** {@code botdb repair}: accept changed applied files and forget failed ones. */
@Command(name = "repair", description = "Accept changed applied files as they are now and forget failed"
        + " attempts (so migrate runs them again).")
final class RepairCommand extends BotDbCommand {
    @Override
    public Integer call() {
        try (BotDb db = open()) {
            db.migrator(cli.out::println).repair();
        }
        return 0;
    }
}
